"""The results of survey waves (the village mirror): officials see every area and can
recompute; a village association sees its own villages beside the municipality. Pages show
stored figures that passed disclosure control; nothing is computed here."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.models import Role
from accounts.permissions import official_required, roles_required
from audit.services import record
from core.db import db
from core.forms import ButtonForm
from fieldwork.monitor import visible_villages
from results import clusters, page, release, services, vision
from results.forms import ReleaseForm
from results.models import AnalysisRun
from surveys.models import Survey

bp = Blueprint("results", __name__)

#: Why a run failed, in the reader's language (results.services.CannotAnalyse reasons).
FAILURES = {
    "still_open": _l("The survey is still open: its figures are computed once it closes."),
    "answers_changed": _l(
        "The answers changed since the figures were first published. Computing again would "
        "show the difference, so the published figures stay."
    ),
    "method_changed": _l(
        "These figures were first published with an earlier way of weighting. They stay as "
        "published; the next wave uses the new way."
    ),
    "no_indicators": _l("The questionnaire has no questions that feed an indicator."),
    "no_responses": _l("There are no completed responses."),
    "no_margins": _l("No population margins have been imported (see Population)."),
    "margins_gone": _l(
        "The population margins these figures were first published with are no longer "
        "there. The published figures stay."
    ),
    "partial_category": _l(
        "An indicator counts part of an agree category; agree-scale answers are reported in "
        "three categories (disagree, neutral, agree)."
    ),
    "not_converged": _l(
        "The weights could not meet every population margin within their bounds, so these "
        "figures are not published. The table shows how far off each margin is."
    ),
    "margins": _l(
        "The population margins do not fit the respondents (a village or group with people "
        "but no respondents, or respondents without margins). Check the margins."
    ),
}
#: Why a run cannot be released (results.release.CannotRelease reasons).
NOT_RELEASED = {
    "still_open": _l("The survey is open again: its figures are computed when it closes."),
    "not_latest": _l(
        "These are no longer the newest figures. Check the newest figures and publish those."
    ),
    "other_cut": _l(
        "These figures were computed with other village clusters, population margins or "
        "another threshold than the figures already published. Compute them again and "
        "publish the new figures."
    ),
}
readers = roles_required(Role.OFFICIAL, Role.ASSOCIATION)


def _survey_and_villages(survey_id: int) -> tuple[Survey, frozenset[int] | None]:
    """The survey and the villages the account may see (None: all), or 404 / 403."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    return survey, _visible(survey)


def _visible(survey: Survey) -> frozenset[int] | None:
    """The villages of `survey` the account may see (None: all), or 403."""
    villages = visible_villages(g.account, survey)
    if villages is not None and not villages:
        abort(403)
    return villages


@bp.get("/results")
@readers
def index():
    """The closed surveys the account may see, with their results or what will come."""
    surveys = [
        (survey, published, computed, published or vision.has_figures(survey))
        for survey, published, computed in services.finished_surveys()
        if visible_villages(g.account, survey) != frozenset()
    ]
    return render_template(
        "results/index.html", surveys=surveys, is_official=g.account.has_role(Role.OFFICIAL)
    )


@bp.get("/surveys/<int:survey_id>/results")
@readers
def show(survey_id: int):
    """Every indicator per area, with its interval, the comparison with the rest of the
    municipality and the change since the previous wave."""
    # Officials review the newest figures before they are released; associations see the
    # released ones only.
    wave = page.wave(survey_id, official=g.account.has_role(Role.OFFICIAL)) or abort(404)
    villages = _visible(wave.survey)
    language = str(get_locale() or "nl")
    return render_template(
        "results/show.html",
        **page.context(wave, villages, language),
        failures=FAILURES,
        form=ButtonForm(),
    )


@bp.post("/surveys/<int:survey_id>/results/run")
@official_required
def rerun(survey_id: int):
    """Compute the wave's figures again (new margins, corrections); a published wave keeps
    its clusters, and the message says so."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        run = services.request_run(survey, trigger="official", by=g.account)
    except services.CannotAnalyse:
        flash(_("Figures are computed once the survey has closed."), "error")
    else:
        db.session.commit()
        flash(*_rerun_message(survey, run))
    return redirect(url_for(".show", survey_id=survey.id))


def _rerun_message(survey: Survey, run: AnalysisRun | None) -> tuple[str, str]:
    if run is None:
        text = _(
            "There are no figures to compute: this questionnaire has no questions for the "
            "liveability indicators."
        )
        return text, "info"
    if vision.kept_margins(survey, services.published_run(survey)):
        text = _(
            "The figures are being computed again, with the population margins and village "
            "clusters they were first published with (see below): margins imported since "
            "apply from the next survey wave. Refresh this page in a minute."
        )
        return text, "warning"
    if not vision.is_village_vision(survey) and clusters.kept_clusters(survey):
        text = _(
            "The figures are being computed again, with the village clusters they were first "
            "published with (see below). Refresh this page in a minute."
        )
        return text, "warning"
    return _("The figures are being computed again. Refresh this page in a minute."), "ok"


@bp.get("/surveys/<int:survey_id>/results/release")
@official_required
def confirm_release(survey_id: int):
    """What publishing the figures does, and who will see them."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    run = services.computed_run(survey)
    if run is None or run.released or survey.status not in services.FINISHED:
        return redirect(url_for(".show", survey_id=survey.id))
    return render_template(
        "results/release.html",
        survey=survey,
        run=run,
        audience=release.audience(survey),
        published=services.published_run(survey),
        form=ReleaseForm(),
    )


@bp.post("/surveys/<int:survey_id>/results/release")
@official_required
def release_results(survey_id: int):
    """Publish the reviewed figures to the village associations; once is enough."""
    survey = db.session.get(Survey, survey_id, with_for_update=True) or abort(404)
    form = ReleaseForm()
    if not form.validate_on_submit():
        abort(400)
    run = db.session.get(AnalysisRun, form.run.data)
    if run is None or run.survey_id != survey.id:
        abort(404)
    try:
        release.release_run(run, g.account)
    except release.CannotRelease as refused:
        db.session.rollback()
        flash(NOT_RELEASED[refused.reason], "error")
    else:
        db.session.commit()
        flash(_("The results are published: the village associations now see them."), "ok")
    return redirect(url_for(".show", survey_id=survey.id))


@bp.get("/surveys/<int:survey_id>/results.json")
@readers
def download(survey_id: int):
    """The figures as JSON: for officials the newest, for an association the published
    ones of its own villages."""
    survey, villages = _survey_and_villages(survey_id)
    run = _run_for(survey, villages) or abort(404)
    if vision.is_vision_run(run):
        document = vision.document(run, villages)
    else:
        document = services.published_document(run, villages)
    record("analysis.results_exported", survey, run=run.id, villages=_ids(villages))
    db.session.commit()
    return Response(
        json.dumps(document, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="results-{survey.id}-{run.id}.json"'
        },
    )


def _run_for(survey: Survey, villages: frozenset[int] | None) -> AnalysisRun | None:
    return services.computed_run(survey) if villages is None else services.published_run(survey)


def _ids(villages: frozenset[int] | None) -> list[int] | str:
    return "all" if villages is None else sorted(villages)
