"""The questionnaire designer's survey pages: the list, new, import and export, the
outline, copy and delete, villages, anonymity and reminders, and the lifecycle. The edits of
pages and questions are in surveys.outline_views. Works without JavaScript."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from accounts.models import Role
from accounts.permissions import official_required, roles_required
from core.dates import local_today
from core.db import db
from core.forms import ButtonForm, OnceForm
from core.once import create_once
from surveys import editing, queries, services
from surveys.forms import (
    UNREADABLE,
    FieldworkSettingsForm,
    ImportForm,
    NewSurveyForm,
    PublishForm,
    ScopeForm,
)
from surveys.lifecycle_forms import ReopenForm
from surveys.messages import describe_condition, problem_message, where
from surveys.models import LifecycleError, Survey, SurveyStatus, TooFewForAnonymity
from surveys.permissions import can_delete, can_edit, survey_for_editing, survey_for_viewing
from surveys.templates import load_template
from villages.queries import panel_villages

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
designers = roles_required(Role.OFFICIAL, Role.ASSOCIATION)


@bp.get("/")
@designers
def index():
    """Every survey an account may see, drafts first."""
    return render_template(
        "surveys/index.html",
        surveys=queries.visible_surveys(g.account),
        is_official=g.account.has_role(Role.OFFICIAL),
        is_association=g.account.has_role(Role.ASSOCIATION),
    )


@bp.route("/new", methods=["GET", "POST"])
@official_required
def new():
    """Start a survey from an empty questionnaire or a shipped template."""
    form = NewSurveyForm()
    if form.validate_on_submit():
        if form.start.data == "blank":
            definition = editing.blank(form.title.data)
        else:
            definition = load_template(form.start.data)
            definition["title"] = {"nl": form.title.data}
        survey_id, _made = create_once(
            "survey.new", form.form_key.data, lambda: services.create_survey(definition, g.account)
        )
        flash(_("The survey has been created as a draft."), "ok")
        return redirect(url_for(".show", survey_id=survey_id))
    return render_template("surveys/new.html", form=form), 422 if form.errors else 200


@bp.route("/import", methods=["GET", "POST"])
@official_required
def import_questionnaire():
    """A questionnaire from a JSON file (docs/questionnaire-format.md): all of it or nothing."""
    form, problems = ImportForm(), []
    if form.validate_on_submit() and (document := form.document()) is not UNREADABLE:
        try:
            survey_id, _made = create_once(
                "survey.import",
                form.form_key.data,
                lambda: services.create_survey(document, g.account),
            )
        except services.InvalidQuestionnaire as invalid:
            problems = described(invalid.problems, document)
        else:
            flash(_("The questionnaire has been imported as a new draft survey."), "ok")
            return redirect(url_for(".show", survey_id=survey_id))
    status = 422 if form.errors or problems else 200
    return render_template("surveys/import.html", form=form, problems=problems), status


@bp.get("/<int:survey_id>")
@designers
def show(survey_id: int):
    """The designer's outline: pages and questions with their actions, and the lifecycle."""
    survey = survey_for_viewing(survey_id)
    return render_designer(survey)


def render_designer(survey: Survey, problems=(), status: int = 200):
    from surveys.proposal_views import panel_context

    return render_template(
        "surveys/show.html",
        survey=survey,
        definition=survey.current_version.definition,
        editable=can_edit(g.account, survey),
        deletable=can_delete(g.account, survey),
        is_official=g.account.has_role(Role.OFFICIAL),
        button=ButtonForm(),
        copy_form=OnceForm(formdata=None),
        publish_form=PublishForm(meta={"csrf": False}),
        problems=problems,
        today=local_today(),
        results_published=survey.finished and services.results_published(survey),
        **panel_context(survey),
    ), status


@bp.get("/<int:survey_id>/export.json")
@designers
def export(survey_id: int):
    """The current questionnaire as a JSON file, to share with other municipalities."""
    survey = survey_for_viewing(survey_id)
    version = survey.current_version
    body = json.dumps(version.definition, ensure_ascii=False, indent=2)
    name = f"vragenlijst-{survey.id}-v{version.number}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/<int:survey_id>/duplicate")
@official_required
def duplicate(survey_id: int):
    """A new draft survey with a copy of this questionnaire."""
    survey = survey_for_viewing(survey_id)
    form = OnceForm()
    if not form.validate_on_submit():
        abort(400)
    twin_id, _made = create_once(
        f"survey.copy.{survey.id}",
        form.form_key.data,
        lambda: services.duplicate_survey(survey, g.account),
    )
    flash(_("The copy has been made. You are now working on the copy."), "ok")
    return redirect(url_for(".show", survey_id=twin_id))


@bp.route("/<int:survey_id>/scope", methods=["GET", "POST"])
@official_required
def scope(survey_id: int):
    """Which villages' panel members are invited. A proposal stays with its village."""
    survey = survey_for_editing(survey_id)
    if survey.is_proposal:
        abort(403)
    form = ScopeForm(panel_villages(), data={"villages": [str(v.id) for v in survey.villages]})
    if form.validate_on_submit():
        chosen = {int(value) for value in form.villages.data}
        try:
            services.set_scope(survey, [v for v in panel_villages() if v.id in chosen])
        except LifecycleError:
            flash(_("The villages of a published survey cannot change."), "error")
        else:
            db.session.commit()
            flash(_("The villages have been saved."), "ok")
        return redirect(url_for(".show", survey_id=survey.id))
    return render_form("surveys/scope.html", survey, form, [])


@bp.route("/<int:survey_id>/fieldwork", methods=["GET", "POST"])
@official_required
def fieldwork_settings(survey_id: int):
    """Anonymous or pseudonymous, and the reminder days."""
    survey = survey_for_editing(survey_id)
    form = FieldworkSettingsForm(
        data={
            "anonymous": "anonymous" if survey.anonymous else "pseudonymous",
            "first_reminder_days": survey.first_reminder_days,
            "second_reminder_days": survey.second_reminder_days,
        }
    )
    if form.validate_on_submit():
        try:
            services.change_fieldwork_settings(
                survey,
                form.anonymous.data == "anonymous",
                form.first_reminder_days.data,
                form.second_reminder_days.data,
            )
        except LifecycleError:
            form.anonymous.errors = [_("Anonymity cannot change once the survey is published.")]
        else:
            db.session.commit()
            flash(_("Saved."), "ok")
            return redirect(url_for(".show", survey_id=survey.id))
    return render_form("surveys/fieldwork.html", survey, form, [])


@bp.route("/<int:survey_id>/delete", methods=["GET", "POST"])
@designers
def delete(survey_id: int):
    """Ask, then delete a draft survey."""
    survey = survey_for_editing(survey_id)
    if not can_delete(g.account, survey):
        abort(403)
    if request.method == "GET":
        return render_form("surveys/delete.html", survey, ButtonForm(), [], whole=True)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.delete_survey(survey)
    except LifecycleError:
        flash(_("Only a draft survey can be deleted."), "error")
        return redirect(url_for(".show", survey_id=survey.id))
    db.session.commit()
    flash(_("The survey has been deleted."), "ok")
    return redirect(url_for(".index"))


@bp.get("/<int:survey_id>/publish")
@official_required
def confirm_publish(survey_id: int):
    """What publishing with the chosen dates does, per village what response to expect;
    nothing changes until the official confirms."""
    survey = survey_for_editing(survey_id)
    if survey.status is not SurveyStatus.DRAFT:
        return redirect(url_for(".show", survey_id=survey.id))
    form = PublishForm(formdata=request.args or None, meta={"csrf": False})
    chosen = bool(request.args) and form.validate()
    return render_publish(survey, form, chosen, 422 if request.args and not chosen else 200)


def _refused_publication(error: LifecycleError) -> str:
    if isinstance(error, TooFewForAnonymity):
        return _(
            "This anonymous survey has too few members to invite to keep the answers "
            "anonymous; it has not been published."
        )
    return _("That is not possible in the survey's current state.")


def render_publish(survey: Survey, form, chosen: bool, status: int = 200):
    """The publish confirmation; `chosen`: the dates in `form` are valid, so it can be sent."""
    # fieldwork and results build on surveys
    from fieldwork import invitations
    from results.clusters import clusters_by_village

    preview = invitations.invitation_preview(survey, local_today())
    return render_template(
        "surveys/publish.html",
        survey=survey,
        form=form,
        chosen=chosen,
        expected=invitations.expected_responses(survey, preview, clusters_by_village()),
        min_past_invitations=invitations.MIN_PAST_INVITATIONS,
        button=ButtonForm(),
        too_few=preview.too_few,
        publishing=True,
    ), status


@bp.post("/<int:survey_id>/publish")
@official_required
def publish(survey_id: int):
    """Open the survey for answers between two dates; its questionnaire is frozen."""
    survey = survey_for_editing(survey_id)
    form = PublishForm()
    if form.validate_on_submit():
        dates = (form.opens_on.data, form.closes_on.data)
        return _lifecycle(
            survey,
            lambda: services.publish(survey, *dates),
            _("The survey has been published."),
            done=lambda: (survey.opens_on, survey.closes_on) == dates,
            refused=_refused_publication,
        )
    return render_publish(survey, form, chosen=False, status=422)


@bp.post("/<int:survey_id>/publish-version")
@official_required
def publish_version(survey_id: int):
    """Put the new version of a published survey into use for everyone who starts now."""
    survey = survey_for_editing(survey_id)
    return _lifecycle(
        survey,
        lambda: services.publish_version(survey),
        _("The new version is now in use."),
        done=lambda: survey.status is SurveyStatus.PUBLISHED and not survey.has_draft_version,
    )


@bp.get("/<int:survey_id>/close")
@official_required
def confirm_close(survey_id: int):
    """What closing does now: who is still answering, and that the results are computed."""
    from fieldwork.monitor import survey_progress  # fieldwork builds on surveys
    from results.vision import has_figures  # results build on surveys

    survey = survey_for_viewing(survey_id)
    if survey.status is not SurveyStatus.PUBLISHED:
        return redirect(url_for(".show", survey_id=survey.id))
    return render_template(
        "surveys/close.html",
        survey=survey,
        tally=survey_progress(survey, local_today()).total,
        has_figures=has_figures(survey),
        today=local_today(),
        button=ButtonForm(),
    )


@bp.post("/<int:survey_id>/<any(close, archive):action>")
@official_required
def change_status(survey_id: int, action: str):
    """Close a published survey, or archive a closed one."""
    survey = survey_for_viewing(survey_id, locking=True)
    messages = {"close": _("The survey is closed."), "archive": _("The survey is archived.")}
    target = {"close": SurveyStatus.CLOSED, "archive": SurveyStatus.ARCHIVED}[action]
    return _lifecycle(
        survey,
        lambda: getattr(services, action)(survey),
        messages[action],
        done=lambda: survey.status is target,
    )


@bp.route("/<int:survey_id>/reopen", methods=["GET", "POST"])
@official_required
def reopen(survey_id: int):
    """Open a closed survey again until a new closing date, while no results are published."""
    survey = survey_for_viewing(survey_id, locking=request.method == "POST")
    today = local_today()
    form = ReopenForm(today, survey.opens_on)
    if form.validate_on_submit():
        closes_on = form.closes_on.data
        return _lifecycle(
            survey,
            lambda: services.reopen(survey, closes_on, today),
            _(
                "The survey is open again until and including %(date)s.",
                date=format_date(closes_on, "long"),
            ),
            done=lambda: survey.status is SurveyStatus.PUBLISHED and survey.closes_on == closes_on,
            refused=lambda error: _reopen_refused(survey, error),
        )
    if survey.status is not SurveyStatus.CLOSED:
        return redirect(url_for(".show", survey_id=survey.id))
    return render_template(
        "surveys/reopen.html",
        survey=survey,
        form=form,
        results_published=services.results_published(survey),
    ), 422 if form.errors else 200


def _reopen_refused(survey: Survey, error: LifecycleError) -> str:
    if isinstance(error, services.ResultsBeingComputed):
        return _(
            "The results are being computed right now. Try again in a minute; once they "
            "are published, the survey can no longer be reopened."
        )
    if services.results_published(survey):
        return _("The results of this survey are published, so it cannot be reopened.")
    return _("That is not possible in the survey's current state.")


def _lifecycle(survey: Survey, change, message: str, done=lambda: False, refused=None):
    """Run one lifecycle step; `done` says whether it has already happened (a double click
    then gets the same message, not an error); `refused` words a LifecycleError."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    if done():
        flash(message, "ok")
        return redirect(url_for(".show", survey_id=survey.id))
    try:
        change()
    except LifecycleError as error:
        db.session.rollback()
        flash(
            refused(error) if refused else _("That is not possible in the survey's current state."),
            "error",
        )
    else:
        db.session.commit()
        flash(message, "ok")
    return redirect(url_for(".show", survey_id=survey.id))


def described(problems, definition) -> list[str]:
    return [f"{where(p.location, definition)}: {problem_message(p)}" for p in problems]


def render_form(template: str, survey: Survey, form, problems, **context):
    if getattr(form, "revision", None) is not None and not form.revision.data:
        form.revision.data = survey.current_version.revision
    correction = context.get("correction")
    refused = form.errors or problems or getattr(form, "form_errors", None)
    status = 422 if refused or (correction is not None and correction.errors) else 200
    return render_template(
        template,
        survey=survey,
        definition=survey.current_version.definition,
        form=form,
        problems=problems,
        **context,
    ), status


@bp.app_template_filter("condition_text")
def condition_text(condition) -> str:
    return describe_condition(condition)
