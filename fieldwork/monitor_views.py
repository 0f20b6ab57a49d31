"""The response monitor: how fieldwork is going, per village, age band and day."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, g, jsonify, render_template

from accounts.models import Role
from accounts.permissions import roles_required
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
    return render_template(
        "fieldwork/monitor/show.html",
        survey=survey,
        view=view,
        completed_today=monitor.completed_on(view, today),
        live=survey.status is SurveyStatus.PUBLISHED,
        threshold=current_app.config["DISCLOSURE_THRESHOLD"],
        band_key=monitor.band_key,
        paper=monitor.paper_sheets(survey) if isinstance(view, monitor.SurveyProgress) else None,
    )


@bp.get("/surveys/<int:survey_id>/responses.json")
@officials_and_associations
def figures(survey_id: int):
    """The monitor's numbers for the page's refresh script, rounded as on the page."""
    today = local_today()
    _, view = monitor_view(survey_id, today)
    response = jsonify(rounded=view.rounded, figures=monitor.figures(view, today))
    response.headers["Cache-Control"] = "no-store"
    return response
