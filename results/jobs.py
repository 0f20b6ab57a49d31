"""The analysis of a wave runs in the background: a closing survey's request returns at once."""

from __future__ import annotations

from typing import Any

from core.db import db
from jobs.registry import Progress, job_function
from results.models import AnalysisRun
from results.services import RUN_JOB, run_analysis


@job_function(RUN_JOB)
def run(progress: Progress, run_id: int) -> dict[str, Any]:
    """Compute a queued run's figures and store them."""
    analysis_run = db.session.get_one(AnalysisRun, run_id)
    progress(0, 1, "analysing")
    run_analysis(analysis_run)
    db.session.commit()
    progress(1, 1)
    return {"run": run_id, "status": analysis_run.status.value, "error": analysis_run.error}
