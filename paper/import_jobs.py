"""Large answers files are checked in the background: a dry run of thousands of rows takes
longer than a web request may (the page follows the job, `paper.import_views.checked`)."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from core.db import db
from jobs.registry import Progress, job_function
from paper import importing, upload_store
from surveys.models import Survey

CHECK_JOB = "paper.check_import"


@job_function(CHECK_JOB)
def check_import(
    progress: Progress, survey_id: int, sha256: str, filename: str, language: str = "nl"
) -> dict[str, Any]:
    """The dry run of a kept file; a clean file keeps its checked answers for the import."""
    survey = db.session.get(Survey, survey_id)
    kept = upload_store.load(sha256)
    if survey is None or kept is None:
        return {"gone": True}
    data, _ = kept
    with force_locale(language):
        report = importing.dry_run(survey, data, filename, language, progress)
    db.session.rollback()  # only read
    if report.has_work:
        upload_store.keep(data, sha256, report.checked())
    else:
        upload_store.discard(sha256)
    return {"report": importing.summary(report)}
