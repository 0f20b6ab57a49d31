"""The slow export formats (spreadsheet, SPSS, Stata, R, the codebook PDF), made in the
background; the official downloads the file from the job's page."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from core.db import db
from exports import services
from jobs.registry import Progress, job_function
from surveys.models import Survey


@job_function(services.BUILD_JOB)
def build_file(
    progress: Progress, survey_id: int, kind: str, account_id: int, language: str = "nl"
) -> dict[str, Any]:
    """Write one export file; its page offers the download."""
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        return {"gone": True}
    job_id = progress.job_id  # jobs.runner.DatabaseProgress: the file is named after it
    with force_locale(language):
        result = services.build_file(job_id, survey, kind, language, progress)
    db.session.rollback()  # only read
    return result
