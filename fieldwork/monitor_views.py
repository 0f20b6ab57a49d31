"""The response monitor: how fieldwork is going, per village, age band and day."""

from __future__ import annotations

from dataclasses import astuple
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
from surveys.models import Survey, SurveyStatus

bp = Blueprint("monitor", __name__)

officials_and_associations = roles_required(Role.OFFICIAL, Role.ASSOCIATION)


def monitor_view(survey_id: int, today: date) -> tuple[Survey, monitor.MonitorView]:
    """Inside a view: the survey and the figures the current account may see, or 404 / 403."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    villages = monitor.visible_villages(g.account, survey)
    if villages is not None and not villages:
        abort(403)
    progress = monitor.survey_progress(survey, today)
    if villages is None:
        return survey, progress
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    return survey, monitor.association_view(progress, villages, threshold)


@bp.get("/surveys/<int:survey_id>/responses")
@officials_and_associations
def show(survey_id: int):
    """Invited, started and completed, per village, age band and day; never who answered."""
    today = local_today()
    survey, view = monitor_view(survey_id, today)
    live = survey.status is SurveyStatus.PUBLISHED
    return render_template(
        "fieldwork/monitor/show.html",
        survey=survey,
        live=live,
        figures=rendered_figures(survey, view, today, live),
    )


#: Rendered figures kept per worker (~60 KB each for an official, less for associations).
FIGURES_CACHE_SIZE = 32


def rendered_figures(survey: Survey, view: monitor.MonitorView, today: date, live: bool) -> Markup:
    """The page's figures as HTML, rendered again only when something shown changed:
    the key holds every row and number the view shows (rows are frozen dataclasses),
    so an association's rounded view and an official's exact one never share an entry."""
    paper = monitor.paper_sheets(survey) if isinstance(view, monitor.SurveyProgress) else None
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    completed_today = monitor.completed_on(view, today)
    key = (
        survey.id,
        survey.title,
        live,
        threshold,
        completed_today,
        str(get_locale()),
        type(view).__name__,
        (view.total, view.paper_completed, *view.villages, *view.age_bands, *view.days),
        None if paper is None else tuple(astuple(row) for row in (*paper[0], paper[1])),
    )

    def build() -> Markup:
        return Markup(
            render_template(
                "fieldwork/monitor/_figures.html",
                survey=survey,
                view=view,
                completed_today=completed_today,
                live=live,
                threshold=threshold,
                band_key=monitor.band_key,
                paper=paper,
            )
        )

    return cached("monitor_pages", key, build, size=FIGURES_CACHE_SIZE)


@bp.get("/surveys/<int:survey_id>/responses.json")
@officials_and_associations
def figures(survey_id: int):
    """The monitor's numbers for the page's refresh script, rounded as on the page."""
    today = local_today()
    _, view = monitor_view(survey_id, today)
    response = jsonify(rounded=view.rounded, figures=monitor.figures(view, today))
    response.headers["Cache-Control"] = "no-store"
    return response
