"""The response monitor: how fieldwork is going, per village, age band and day."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, g, jsonify, render_template
from flask_babel import get_locale
from markupsafe import Markup

from accounts.models import Role
from accounts.permissions import roles_required
from core.cache import cached
from core.dates import local_today
from core.db import db
from fieldwork import monitor
from fieldwork.monitor_fingerprint import fingerprint
from surveys.models import Survey, SurveyStatus

bp = Blueprint("monitor", __name__)

officials_and_associations = roles_required(Role.OFFICIAL, Role.ASSOCIATION)

#: The villages whose figures an account sees; None: all, exact (officials).
Shown = frozenset[int] | None


def monitor_view(survey_id: int, today: date) -> tuple[Survey, monitor.Counted, Shown]:
    """Inside a view: the survey, its counted figures and the villages the current account
    may see (None: all, exact), or 404 / 403 before anything is counted."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    checked = fingerprint(survey.id)
    villages = monitor.visible_villages(g.account, survey, checked.scope)
    if villages is not None and not villages:
        abort(403)
    return survey, monitor.counted(survey, today, checked), villages


@bp.get("/surveys/<int:survey_id>/responses")
@officials_and_associations
def show(survey_id: int):
    """Invited, started and completed, per village, age band and day; never who answered."""
    today = local_today()
    survey, counted, villages = monitor_view(survey_id, today)
    live = survey.status is SurveyStatus.PUBLISHED
    return render_template(
        "fieldwork/monitor/show.html",
        survey=survey,
        live=live,
        figures=rendered_figures(survey, counted, villages, today, live),
    )


#: Rendered figures kept per worker (~60 KB each for an official, less for associations).
FIGURES_CACHE_SIZE = 32


def rendered_figures(
    survey: Survey, counted: monitor.Counted, villages: Shown, today: date, live: bool
) -> Markup:
    """The page's figures as HTML, rendered again only when something shown changed: the
    counted figures (their key holds the survey, today and the state of its data), the
    villages shown (an association's, rounded, or all, exact) and the words around them."""
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    locale = str(get_locale())
    key = (counted.key, villages, threshold, survey.title, live, locale)

    def build() -> Markup:
        view = monitor.shown(counted, villages, threshold)
        return Markup(
            render_template(
                "fieldwork/monitor/_figures.html",
                survey=survey,
                view=view,
                completed_today=monitor.completed_on(view, today),
                live=live,
                threshold=threshold,
                band_key=monitor.band_key,
                paper=counted.sheets if villages is None else None,
            )
        )

    return cached("monitor_pages", key, build, size=FIGURES_CACHE_SIZE)


@bp.get("/surveys/<int:survey_id>/responses.json")
@officials_and_associations
def figures(survey_id: int):
    """The monitor's numbers for the page's refresh script, rounded as on the page."""
    today = local_today()
    _, counted, villages = monitor_view(survey_id, today)
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]

    def build() -> dict:
        view = monitor.shown(counted, villages, threshold)
        return {"rounded": view.rounded, "figures": monitor.figures(view, today)}

    shown = cached("monitor_json", (counted.key, villages, threshold), build, FIGURES_CACHE_SIZE)
    response = jsonify(shown)
    response.headers["Cache-Control"] = "no-store"
    return response
