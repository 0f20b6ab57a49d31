"""Officials' panel overview: members per village, representativeness, recruitment funnel."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from accounts.permissions import official_required
from core.db import db
from panel import overview
from panel.forms import VillageSettingsForm
from panel.services import default_recruitment_target
from population import services as population
from population.forms import group_label
from population.representativeness import compare
from recruitment import queries as recruitment
from villages.models import Village, VillageKind
from villages.services import change_panel_settings

bp = Blueprint("overview", __name__, url_prefix="/panel")


def settings_form(**kwargs) -> VillageSettingsForm:
    form = VillageSettingsForm(**kwargs)
    form.recruitment_target.description = _(
        "Leave empty for the default of %(default)s: enough for %(threshold)s responses at "
        "the expected response rate.",
        default=default_recruitment_target(),
        threshold=current_app.config["DISCLOSURE_THRESHOLD"],
    )
    return form


def panel_village(village_id: int) -> Village:
    village = db.session.get(Village, village_id)
    if village is None or village.kind is VillageKind.NEIGHBOURHOOD:
        abort(404)
    return village


def render_village(village: Village, form: VillageSettingsForm):
    margins = population.current_margins()
    comparison = None
    if margins is not None:
        comparison = compare(
            population.margins_for(margins, village.id),
            overview.composition(village.id, margins.reference_date),
        )
    return render_template(
        "panel/overview/village.html",
        village=village,
        counts=overview.village_counts(village),
        margins=margins,
        comparison=comparison,
        funnels=recruitment.funnels(recruitment.batch_overviews(village_id=village.id)),
        form=form,
        group_label=group_label,
    )


@bp.get("/")
@official_required
def index():
    """Members, paused, left and the recruitment target of every village."""
    rows = overview.overview()
    return render_template("panel/overview/index.html", rows=rows, totals=overview.totals(rows))


@bp.get("/villages/<int:village_id>")
@official_required
def village(village_id: int):
    """One village: counts, representativeness against the margins, funnel and settings."""
    village = panel_village(village_id)
    form = settings_form(
        open_sign_up=village.open_sign_up,
        recruitment_target=str(village.recruitment_target or ""),
    )
    return render_village(village, form)


@bp.post("/villages/<int:village_id>/settings")
@official_required
def settings(village_id: int):
    """Switch open sign-up and set the recruitment target of a village."""
    village = panel_village(village_id)
    form = settings_form()
    if not form.validate_on_submit():
        return render_village(village, form)
    if change_panel_settings(village, form.open_sign_up.data, form.target()):
        db.session.commit()
        flash(_("The settings of %(village)s are saved.", village=village.name), "ok")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("overview.village", village_id=village.id), 303)
