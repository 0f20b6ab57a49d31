"""Officials make batches of recruitment letters with codes, download and delete the PDF."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from accounts.permissions import official_required
from core.dates import local_today
from core.db import db
from core.forms import ButtonForm
from core.once import create_once
from recruitment import queries, services
from recruitment.forms import BatchForm
from recruitment.models import RecruitmentBatch
from villages.models import Village
from villages.queries import panel_villages

bp = Blueprint("recruitment", __name__, url_prefix="/recruitment")


def _batch_or_404(batch_id: int) -> RecruitmentBatch:
    return db.session.get(RecruitmentBatch, batch_id) or abort(404)


@bp.get("/")
@official_required
def index():
    """Every batch of letters: village, size, expiry, codes used and the letters' state."""
    return render_template(
        "recruitment/index.html", overviews=queries.batch_overviews(), today=local_today()
    )


@bp.route("/new", methods=["GET", "POST"])
@official_required
def new():
    """Make a batch of codes for a village; its letters are rendered in the background."""
    form = BatchForm(panel_villages())
    if form.validate_on_submit():
        village = db.session.get(Village, form.village.data) or abort(400)
        size, expires_on, note = form.size.data, form.expires_on.data, form.note.data or ""
        batch_id, _made = create_once(
            "recruitment.batch",
            form.form_key.data,
            lambda: services.create_batch(village, size, expires_on, note, g.account)[0],
        )
        flash(_("The codes are made. The letters are being prepared."), "ok")
        return redirect(url_for("recruitment.show", batch_id=batch_id), 303)
    return render_template("recruitment/new.html", form=form)


@bp.get("/<int:batch_id>")
@official_required
def show(batch_id: int):
    """One batch: the letters' state, the download, and from letters to panel members."""
    overview = queries.batch_overview(batch_id) or abort(404)
    return render_template(
        "recruitment/show.html",
        overview=overview,
        funnel=queries.funnels([overview])[0],
        today=local_today(),
        button=ButtonForm(),
    )


@bp.get("/<int:batch_id>/letters.pdf")
@official_required
def letters(batch_id: int):
    """Download the letters PDF (audit-logged): it holds the only copy of the codes."""
    batch = _batch_or_404(batch_id)
    pdf = services.letters_for_download(batch) or abort(404)
    db.session.commit()
    filename = f"naoberpanel-letters-{batch.village.slug}-{batch.id}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/<int:batch_id>/letters/delete")
@official_required
def delete_letters(batch_id: int):
    """Delete the PDF once the letters are printed; the codes keep working."""
    batch = _batch_or_404(batch_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if services.delete_letters(batch):
        db.session.commit()
        flash(_("The PDF with the letters is deleted. The codes keep working."), "ok")
    return redirect(url_for("recruitment.show", batch_id=batch.id), 303)


@bp.post("/<int:batch_id>/codes/replace")
@official_required
def replace_codes(batch_id: int):
    """New codes and letters for a batch whose letters failed (audit-logged)."""
    overview = queries.batch_overview(batch_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if overview.codes_replaceable:
        services.replace_codes(overview)
        db.session.commit()
        flash(_("New codes are made. The letters are being prepared."), "ok")
    else:
        flash(_("The codes of this batch can no longer be replaced."), "error")
    return redirect(url_for("recruitment.show", batch_id=batch_id), 303)
