"""Large answers files are checked and imported in the background: thousands of rows take
longer than a web request may. The pages follow the jobs (`paper.import_views`)."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from accounts.models import Account
from core.db import db, utcnow
from core.once import create_once
from jobs.registry import Progress, job_function
from paper import importing, upload_store
from paper.models import PaperImport
from surveys.models import Survey

CHECK_JOB = "paper.check_import"
RUN_JOB = "paper.run_import"


class FileGone(Exception):
    """The checked file is no longer kept (imported, or older than a day)."""


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


@job_function(RUN_JOB)
def run_import(
    progress: Progress,
    survey_id: int,
    sha256: str,
    filename: str,
    account_id: int | None,
    form_key: str,
    language: str = "nl",
) -> dict[str, Any]:
    """Import a checked large file in one transaction, once per confirmation form."""
    survey = db.session.get(Survey, survey_id, with_for_update=True)  # one import at a time
    if survey is None:
        return {"gone": True}
    by = db.session.get(Account, account_id) if account_id else None

    def create() -> PaperImport:
        kept = upload_store.load(sha256)
        if kept is None:
            raise FileGone()
        data, checked = kept
        return importing.run_import(
            survey, data, filename, by, utcnow(), language, checked=checked, progress=progress
        )

    try:
        with force_locale(language):
            import_id, _made = create_once("paper.import", form_key, create)
    except FileGone:
        db.session.rollback()
        return {"gone": True}
    except importing.ImportRefused as refused:
        db.session.rollback()
        return {"report": importing.summary(refused.report)}
    upload_store.discard(sha256)
    return {"import_id": import_id}
