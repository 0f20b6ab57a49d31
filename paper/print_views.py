"""Officials print questionnaires, download print batches and register returned sheets."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from accounts.permissions import official_required
from core.dates import local_today
from core.db import db, utcnow
from core.forms import ButtonForm
from core.once import create_once
from jobs.models import Job
from paper import batches, print_queries
from paper.models import BatchKind, PrintBatch
from paper.print_forms import ReturnedForm, VillageCopiesForm
from surveys.permissions import survey_for_viewing
from villages.models import Village
from villages.queries import panel_villages

bp = Blueprint("paper_print", __name__, url_prefix="/surveys")

NO_DOWNLOAD = {"Cache-Control": "no-store"}


def _batch_or_404(survey_id: int, batch_id: int) -> PrintBatch:
    batch = db.session.get(PrintBatch, batch_id)
    if batch is None or batch.survey_id != survey_id:
        abort(404)
    return batch


def _villages_of(survey) -> list[Village]:
    return sorted(survey.villages, key=lambda v: v.name) or panel_villages()


def _overview(survey, form: VillageCopiesForm, status: int = 200):
    rows, totals = print_queries.sheets_per_village(survey.id)
    found = print_queries.batches_of(survey.id)
    jobs = {
        job.id: job
        for job in db.session.scalars(
            db.select(Job).where(Job.id.in_([b.pdf_job_id for b in found if b.pdf_job_id]))
        )
    }
    return render_template(
        "paper/print/overview.html",
        survey=survey,
        form=form,
        rows=rows,
        totals=totals,
        batches=found,
        jobs=jobs,
        refused=batches.why_not_printable(survey, local_today()),
        button=ButtonForm(),
    ), status


@bp.get("/<int:survey_id>/paper")
@official_required
def overview(survey_id: int):
    """The survey's paper questionnaires: batches, and per village printed / returned / entered."""
    survey = survey_for_viewing(survey_id)
    return _overview(survey, VillageCopiesForm(_villages_of(survey)))


@bp.post("/<int:survey_id>/paper/batches")
@official_required
def print_copies(survey_id: int):
    """Print N numbered copies for a village; the PDF is rendered in the background."""
    survey = survey_for_viewing(survey_id, locking=True)
    form = VillageCopiesForm(_villages_of(survey))
    if not form.validate_on_submit():
        return _overview(survey, form, 400)
    village = db.session.get(Village, form.village.data) or abort(400)
    try:
        batch_id, _made = create_once(
            "paper.batch",
            form.form_key.data,
            lambda: batches.create_village_batch(
                survey, village, form.copies.data, g.account, local_today()
            ),
        )
    except batches.PrintRefused:
        db.session.rollback()
        flash(_("Questionnaires are printed only while the survey is published."), "error")
        return redirect(url_for("paper_print.overview", survey_id=survey.id), 303)
    flash(_("The questionnaires are numbered. The PDF is being prepared."), "ok")
    anchor = f"batch-{batch_id}"
    return redirect(url_for("paper_print.overview", survey_id=survey.id, _anchor=anchor), 303)


@bp.get("/<int:survey_id>/paper/batches/<int:batch_id>.pdf")
@official_required
def batch_pdf(survey_id: int, batch_id: int):
    """Download a batch's PDF (audit-logged: letters hold names and addresses)."""
    survey_for_viewing(survey_id)
    batch = _batch_or_404(survey_id, batch_id)
    pdf = batches.pdf_for_download(batch) or abort(404)
    db.session.commit()
    name = f"naoberpanel-paper-{survey_id}-{batch.kind.value}-{batch.id}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', **NO_DOWNLOAD}
    return Response(pdf, mimetype="application/pdf", headers=headers)


@bp.post("/<int:survey_id>/paper/batches/<int:batch_id>/pdf/delete")
@official_required
def delete_pdf(survey_id: int, batch_id: int):
    """Delete a batch's PDF once printed; its questionnaires stay valid (audit-logged)."""
    survey_for_viewing(survey_id)
    batch = _batch_or_404(survey_id, batch_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if batches.delete_pdf(batch):
        db.session.commit()
        flash(_("The PDF is deleted. The printed questionnaires stay valid."), "ok")
    anchor = f"batch-{batch.id}"
    return redirect(url_for("paper_print.overview", survey_id=survey_id, _anchor=anchor), 303)


@bp.post("/<int:survey_id>/paper/batches/<int:batch_id>/pdf/again")
@official_required
def render_again(survey_id: int, batch_id: int):
    """Prepare a batch's PDF again (it failed, or was deleted and is needed again)."""
    survey_for_viewing(survey_id)
    batch = _batch_or_404(survey_id, batch_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if batches.render_again(batch):
        db.session.commit()
        flash(_("The PDF is being prepared again, with the same questionnaire numbers."), "ok")
    anchor = f"batch-{batch.id}"
    return redirect(url_for("paper_print.overview", survey_id=survey_id, _anchor=anchor), 303)


@bp.get("/<int:survey_id>/paper/batches/<int:batch_id>/addresses.csv")
@official_required
def addresses(survey_id: int, batch_id: int):
    """Download the address list of a member batch for a print shop (audit-logged)."""
    survey_for_viewing(survey_id)
    batch = _batch_or_404(survey_id, batch_id)
    if batch.kind is BatchKind.VILLAGE:
        abort(404)
    text = batches.addresses_csv(batch)
    db.session.commit()
    name = f"naoberpanel-addresses-{survey_id}-{batch.id}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', **NO_DOWNLOAD}
    return Response(text.encode(), mimetype="text/csv", headers=headers)


@bp.route("/<int:survey_id>/paper/returned", methods=["GET", "POST"])
@official_required
def returned(survey_id: int):
    """Register returned questionnaires by typing or scanning their numbers."""
    survey = survey_for_viewing(survey_id, locking=False)
    form, outcome = ReturnedForm(), None
    if form.validate_on_submit():
        outcome = batches.register_returned(survey, form.sheets.data.splitlines(), utcnow())
        db.session.commit()
        if not outcome["unknown"] and not outcome["already"]:
            count = len(outcome["returned"])
            flash(
                ngettext(
                    "%(num)s questionnaire registered as returned.",
                    "%(num)s questionnaires registered as returned.",
                    count,
                ),
                "ok",
            )
            return redirect(url_for("paper_print.returned", survey_id=survey.id), 303)
    status = 400 if form.errors or (outcome and outcome["unknown"]) else 200
    page = render_template("paper/print/returned.html", survey=survey, form=form, outcome=outcome)
    return page, status
