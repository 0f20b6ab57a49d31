"""The analysis of a wave runs in the background: a closing survey's request returns at once."""

from __future__ import annotations

from typing import Any

from core.db import db, utcnow
from jobs.registry import Progress, job_function
from results.models import AnalysisRun
from results.services import RUN_JOB, run_analysis


@job_function(RUN_JOB)
def run(progress: Progress, run_id: int) -> dict[str, Any]:
    """Compute a queued run's figures and store them."""
    analysis_run = db.session.get_one(AnalysisRun, run_id)
    progress(0, 1, "analysing")
    try:
        run_analysis(analysis_run)
        db.session.commit()
    except Exception as error:
        # The job fails too (the runner records it); the run must not stay waiting, or no
        # new run could be requested for the survey.
        db.session.rollback()
        analysis_run = db.session.get_one(AnalysisRun, run_id)
        analysis_run.fail(f"{type(error).__name__}: {error}", utcnow())
        db.session.commit()
        raise
    progress(1, 1)
    return {"run": run_id, "status": analysis_run.status.value, "error": analysis_run.error}
