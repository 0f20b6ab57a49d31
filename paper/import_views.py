"""Officials import paper questionnaires typed elsewhere: upload, dry run, import.

The upload is checked and every problem listed (a large file in a background job whose
progress the page follows); a file without problems waits on the server
(`paper.upload_store`) until the official confirms, and the confirmation imports exactly
that file, once, however often it is sent.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from accounts.permissions import official_required
from core.db import db, utcnow
from core.errors import render_error
from core.input import single_line
from core.once import create_once
from fieldwork.answering import questionnaire_of
from jobs.models import JobStatus
from jobs.services import enqueue, get_job
from paper import importing, upload_store
from paper.import_forms import ConfirmForm, UploadForm
from paper.import_jobs import CHECK_JOB, RUN_JOB, FileGone
from paper.import_messages import file_message
from paper.import_templates import XLSX_MIMETYPE, template_csv, template_xlsx
from paper.models import PaperImport
from surveys.models import Survey
from surveys.permissions import survey_for_viewing

bp = Blueprint("paper_import", __name__, url_prefix="/surveys")


@bp.errorhandler(413)
def too_large(error):
    """Past the server's upload limit: the request is refused before any view runs."""
    return render_error(413, file_message("too_large"))


@bp.route("/<int:survey_id>/paper/import", methods=["GET", "POST"])
@official_required
def upload(survey_id: int):
    """Upload a file: the dry run lists every problem; nothing is stored."""
    survey = survey_for_viewing(survey_id)
    form, report, confirm = UploadForm(), None, None
    if form.validate_on_submit():
        data = form.file.data.read()
        filename = single_line(form.file.data.filename)[:255]
        if importing.is_large(data, filename):
            return _check_in_background(survey, data, filename)
        report = importing.dry_run(survey, data, filename, language())
        db.session.rollback()  # only read; nothing may stay behind
        if report.has_work:
            upload_store.keep(data, report.sha256, report.checked())
            confirm = ConfirmForm(formdata=None, sha256=report.sha256, filename=report.filename)
    failed = bool(form.errors) or (report is not None and not report.ok)
    return page(survey, form, report, confirm), 422 if failed else 200


def _check_in_background(survey: Survey, data: bytes, filename: str):
    sha256 = importing.file_hash(data)
    upload_store.keep(data, sha256)
    job = enqueue(
        CHECK_JOB, survey_id=survey.id, sha256=sha256, filename=filename, language=language()
    )
    db.session.commit()
    return redirect(url_for(".checked", survey_id=survey.id, job_id=job.id), 303)


@bp.get("/<int:survey_id>/paper/import/checks/<job_id>")
@official_required
def checked(survey_id: int, job_id: str):
    """A large file's dry run: its progress, then the same report as a small file's."""
    survey = survey_for_viewing(survey_id)
    job = _job_of(survey, job_id, CHECK_JOB)
    result = job.result or {}
    if not job.status.finished or job.status is JobStatus.FAILED:
        return _progress(survey, job, _("Checking the file"), ".checked")
    if "report" not in result:
        flash(_("The checked file is no longer here: choose it again."), "error")
        return redirect(url_for(".upload", survey_id=survey.id), 303)
    report = importing.CheckSummary.from_json(result["report"])
    confirm = None
    if report.has_work:
        confirm = ConfirmForm(formdata=None, sha256=report.sha256, filename=report.filename)
    return page(survey, UploadForm(formdata=None), report, confirm), 200 if report.ok else 422


@bp.get("/<int:survey_id>/paper/import/runs/<job_id>")
@official_required
def importing_in_background(survey_id: int, job_id: str):
    """A large file's import: its progress, then what it did."""
    survey = survey_for_viewing(survey_id)
    job = _job_of(survey, job_id, RUN_JOB)
    result = job.result or {}
    if not job.status.finished or job.status is JobStatus.FAILED:
        return _progress(survey, job, _("Importing the file"), ".importing_in_background")
    if "import_id" in result:
        return redirect(url_for(".show", survey_id=survey.id, import_id=result["import_id"]), 303)
    if "report" not in result:
        flash(_("The checked file is no longer here: choose it again."), "error")
        return redirect(url_for(".upload", survey_id=survey.id), 303)
    report = importing.CheckSummary.from_json(result["report"])
    return page(survey, UploadForm(formdata=None), report, None, refused=True), 422


def _job_of(survey: Survey, job_id: str, name: str):
    job = get_job(job_id)
    if job is None or job.name != name or job.params.get("survey_id") != survey.id:
        abort(404)
    return job


def _progress(survey: Survey, job, heading: str, endpoint: str):
    refresh = url_for(endpoint, survey_id=survey.id, job_id=job.id)
    return render_template(
        "paper/import_progress.html", survey=survey, job=job, heading=heading, refresh=refresh
    )


@bp.post("/<int:survey_id>/paper/import/confirm")
@official_required
def confirm(survey_id: int):
    """Import the checked file in one transaction: all its rows or none."""
    survey = survey_for_viewing(survey_id, locking=True)  # one import of a survey at a time
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Choose the file again and check it before importing."), "error")
        return redirect(url_for(".upload", survey_id=survey.id), 303)
    if _large(form.sha256.data):
        return _import_in_background(survey, form)
    try:
        import_id, _made = create_once(
            "paper.import", form.form_key.data, lambda: _import(survey, form)
        )
    except FileGone:
        db.session.rollback()
        flash(_("The checked file is no longer here: choose it again."), "error")
        return redirect(url_for(".upload", survey_id=survey.id), 303)
    except importing.ImportRefused as refused:
        db.session.rollback()
        return page(survey, UploadForm(formdata=None), refused.report, None, refused=True), 422
    upload_store.discard(form.sha256.data)
    return redirect(url_for(".show", survey_id=survey.id, import_id=import_id), 303)


def _large(sha256: str) -> bool:
    kept = upload_store.load(sha256)
    checked = kept[1] if kept is not None else None
    return checked is not None and len(checked["ready"]) > importing.BACKGROUND_ROWS


def _import_in_background(survey: Survey, form: ConfirmForm):
    job = enqueue(
        RUN_JOB,
        survey_id=survey.id,
        sha256=form.sha256.data,
        filename=form.filename.data or "",
        account_id=g.account.id,
        form_key=form.form_key.data,
        language=language(),
    )
    db.session.commit()
    return redirect(url_for(".importing_in_background", survey_id=survey.id, job_id=job.id), 303)


def _import(survey: Survey, form: ConfirmForm) -> PaperImport:
    kept = upload_store.load(form.sha256.data)
    if kept is None:
        raise FileGone()
    data, checked = kept
    filename = form.filename.data or ""
    return importing.run_import(
        survey, data, filename, g.account, utcnow(), language(), checked=checked
    )


@bp.get("/<int:survey_id>/paper/imports/<int:import_id>")
@official_required
def show(survey_id: int, import_id: int):
    """What one import did."""
    survey = survey_for_viewing(survey_id)
    paper_import = db.session.get(PaperImport, import_id)
    if paper_import is None or paper_import.survey_id != survey.id:
        abort(404)
    return render_template("paper/import_done.html", survey=survey, paper_import=paper_import)


@bp.get("/<int:survey_id>/paper/import/template.csv")
@official_required
def template_as_csv(survey_id: int):
    """The header row to fill in, as CSV."""
    survey, number, questionnaire = _template_source(survey_id)
    return _download(template_csv(questionnaire), "text/csv", survey, number, "csv")


@bp.get("/<int:survey_id>/paper/import/template.xlsx")
@official_required
def template_as_xlsx(survey_id: int):
    """The header row to fill in and what each column takes, as an Excel workbook."""
    survey, number, questionnaire = _template_source(survey_id)
    workbook = template_xlsx(questionnaire, language())
    return _download(workbook, XLSX_MIMETYPE, survey, number, "xlsx")


def language() -> str:
    return str(get_locale() or "nl")


def _template_source(survey_id: int):
    survey = survey_for_viewing(survey_id)
    version = survey.live_version or survey.current_version
    return survey, version.number, questionnaire_of(version)


def _download(content: bytes, mimetype: str, survey: Survey, number: int, extension: str):
    name = f"paper-import-survey-{survey.id}-version-{number}.{extension}"
    return Response(
        content, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


def page(survey, form, report, confirm, refused: bool = False) -> str:
    earlier = db.session.scalars(
        select(PaperImport)
        .where(PaperImport.survey_id == survey.id)
        .order_by(PaperImport.imported_at.desc(), PaperImport.id.desc())
    ).all()
    return render_template(
        "paper/import.html",
        survey=survey,
        form=form,
        report=report,
        confirm=confirm,
        refused=refused,
        shown=importing.SHOWN_PROBLEMS,
        earlier=earlier,
    )
