"""The microdata and codebook of a survey wave, for officials only."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale

from accounts.permissions import official_required
from core.db import db
from core.forms import ButtonForm
from exports import codebook, microdata, services
from exports.writers import SLOW
from jobs.services import get_job
from results.services import FINISHED
from surveys.models import Survey

bp = Blueprint("exports", __name__)


def _finished_survey(survey_id: int) -> Survey:
    """The survey, once closed: during fieldwork two exports would differ by the answers
    that came in between, which could tie an anonymous answer to its moment."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    if survey.status not in FINISHED:
        abort(404)
    return survey


def _language() -> str:
    return str(get_locale() or "nl")


@bp.get("/surveys/<int:survey_id>/exports")
@official_required
def index(survey_id: int):
    """The formats of the microdata and the codebook, explained."""
    survey = _finished_survey(survey_id)
    return render_template(
        "exports/index.html",
        survey=survey,
        rows=microdata.count(survey),
        source=microdata.checked_weight_source(survey),
        slow=SLOW,
        form=ButtonForm(),
    )


@bp.get("/surveys/<int:survey_id>/exports/microdata.csv")
@official_required
def csv(survey_id: int):
    """The microdata as CSV, streamed while it is read."""
    survey = _finished_survey(survey_id)
    delimiter = services.DELIMITERS.get(request.args.get("delimiter", "comma")) or abort(404)
    _rows, lines = services.start_csv(survey, delimiter, _language())
    db.session.commit()  # the audit record, before the first byte
    return Response(
        stream_with_context(line.encode() for line in lines),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{services.file_stem(survey)}.csv"',
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        },
    )


@bp.post("/surveys/<int:survey_id>/exports/<any(xlsx, sav, dta, r, codebook):kind>")
@official_required
def start(survey_id: int, kind: str):
    """Make a slow format in the background and follow it on the job's page."""
    survey = _finished_survey(survey_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    job = services.request_file(survey, kind, g.account, _language())
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id), 303)


@bp.get("/surveys/<int:survey_id>/exports/files/<job_id>")
@official_required
def download(survey_id: int, job_id: str):
    """A finished file, for the official who asked for it."""
    survey = _finished_survey(survey_id)
    job = get_job(job_id) or abort(404)
    found = services.finished_file(job, survey, g.account) or abort(404)
    path, result = found
    services.record_download(survey, result)
    db.session.commit()
    return send_file(
        path, as_attachment=True, download_name=result["filename"], max_age=0, etag=False
    )


@bp.get("/surveys/<int:survey_id>/exports/codebook")
@official_required
def codebook_page(survey_id: int):
    """The codebook as a page: questions, codes, labels, routing and indicators."""
    survey = _finished_survey(survey_id)
    return codebook.html(survey, _language())
