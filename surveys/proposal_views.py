"""Village-vision proposals: an association starts one from the template and submits it; an
official comments, asks for changes or approves. Both read the shared history, where every
change the municipality made to the questionnaire stands out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.models import Role
from accounts.permissions import official_required, roles_required
from core.db import db
from core.once import create_once
from core.urls import local_path
from surveys import proposal_messages, proposal_services, services
from surveys.models import LifecycleError, ReviewStatus, Survey, SurveyStatus
from surveys.permissions import EDITABLE_BY_ASSOCIATION, can_view, is_official, survey_for_viewing
from surveys.proposal_forms import CommentForm, NewProposalForm, ReviewForm, SubmitProposalForm

bp = Blueprint("proposals", __name__, url_prefix="/surveys")
association_required = roles_required(Role.ASSOCIATION)
proposal_readers = roles_required(Role.ASSOCIATION, Role.OFFICIAL)

#: How many of the latest events the panel on the designer page shows.
RECENT_EVENTS = 3

DECISIONS = {
    "comment": services.comment_on_proposal,
    "request_changes": services.request_changes,
    "approve": services.approve_proposal,
}

# The sentences of surveys.proposal_messages, for every template (the designer's too).
for name in (
    "review_status_text",
    "event_kind_text",
    "author_text",
    "describe_change",
    "changed_texts",
    "review_state_label",
    "association_text",
):
    bp.add_app_template_global(getattr(proposal_messages, name), f"proposal_{name}")


@bp.route("/proposals/new", methods=["GET", "POST"])
@association_required
def new():
    """Start a village-vision proposal for one of the account's villages, from the template."""
    villages = proposal_services.association_villages(g.account)
    form = NewProposalForm(villages=villages)
    if request.method == "GET" and len(villages) == 1:
        form.title.data = proposal_services.default_title(villages[0])
    if form.validate_on_submit():
        village, title = form.chosen_village(), form.title.data
        survey_id, _made = create_once(
            "proposal.new",
            form.form_key.data,
            lambda: proposal_services.start_proposal(village, title, g.account),
        )
        flash(_("Your proposal has been created. Adapt the questionnaire, then submit it."), "ok")
        return redirect(url_for("surveys.show", survey_id=survey_id), 303)
    return render_template("surveys/proposals/new.html", form=form), 422 if form.errors else 200


@bp.post("/<int:survey_id>/submit")
@association_required
def submit(survey_id: int):
    """The association hands its proposal to the municipality, with an optional note."""
    # Viewing, not editing: a second click on "submit" should hear "already submitted", not 403.
    survey = _proposal(survey_id)
    form = SubmitProposalForm()
    if not form.validate_on_submit():
        return _history(survey, 422, submit_form=form)
    done = _("Your proposal has been submitted to the municipality.")
    return _step(survey, services.submit_proposal, form.comment.data or "", done)


@bp.post("/<int:survey_id>/review")
@official_required
def review(survey_id: int):
    """An official comments on a submitted proposal, asks for changes or approves it."""
    survey = _proposal(survey_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return render_template("surveys/proposals/review.html", survey=survey, form=form), 422
    done = {
        "comment": _("Your comment has been added to the history."),
        "request_changes": _("The proposal is back with the village association."),
        "approve": _("The proposal is approved and can be scheduled."),
    }[form.decision.data]
    return _step(survey, DECISIONS[form.decision.data], form.comment.data or "", done)


@bp.post("/<int:survey_id>/comments")
@proposal_readers
def comment(survey_id: int):
    """A comment in the shared history, by the association or an official."""
    survey = _proposal(survey_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _history(survey, 422, comment_form=form)
    done = _("Your comment has been added to the history.")
    return _step(survey, services.comment_on_proposal, form.comment.data, done)


@bp.get("/<int:survey_id>/history")
@proposal_readers
def history(survey_id: int):
    """Every event of a proposal: status changes, comments and changes to the questionnaire."""
    return _history(_proposal(survey_id), 200)


def panel_context(survey: Survey, **forms: Any) -> dict[str, Any]:
    """The variables of templates/surveys/proposals/_status.html: the latest events, their
    authors' names, and the forms the current account may use now (None for the others).
    A form given by keyword (e.g. one that failed validation) is shown instead."""
    account = g.get("account")
    context = {"proposal_events": [], "proposal_authors": {}}
    context |= dict.fromkeys(("submit_form", "review_form", "comment_form"))
    if not survey.is_proposal or not can_view(account, survey):
        return context
    draft = survey.status is SurveyStatus.DRAFT
    reviewing = draft and is_official(account) and survey.review_status is ReviewStatus.SUBMITTED
    submitting = (
        draft
        and account.has_role(Role.ASSOCIATION)
        and survey.review_status in EDITABLE_BY_ASSOCIATION
    )
    context |= {
        "proposal_events": survey.events[-RECENT_EVENTS:],
        "proposal_authors": proposal_services.author_names(survey.events),
        "submit_form": SubmitProposalForm() if submitting else None,
        "review_form": ReviewForm() if reviewing else None,
        # The review form can "only comment" itself: one comment box is enough.
        "comment_form": None if reviewing else CommentForm(),
    }
    return context | forms


def _history(survey: Survey, status: int, **forms: Any):
    context = panel_context(survey, **forms) | {"proposal_events": survey.events}
    return render_template("surveys/proposals/history.html", survey=survey, **context), status


def _step(survey: Survey, service: Callable, comment: str, done: str):
    """Run one step of the review and commit. A step the status no longer allows (a double
    click, or a colleague was quicker) changes nothing and says so."""
    back = local_path(request.args.get("next")) or url_for("surveys.show", survey_id=survey.id)
    # Two officials approving at once: on PostgreSQL the second waits here, then sees the
    # new status and is refused, instead of both passing the check.
    db.session.refresh(survey, with_for_update=True)
    try:
        proposal_services.take_step(survey, service, g.account, comment)
    except LifecycleError:
        db.session.rollback()
        flash(
            _("That is not possible at this stage of the proposal. Nothing was changed."), "error"
        )
    else:
        db.session.commit()
        flash(done, "ok")
    return redirect(back, 303)


def _proposal(survey_id: int) -> Survey:
    """The proposal the current account may see (404 / 403); 404 for a general survey."""
    survey = survey_for_viewing(survey_id)
    if not survey.is_proposal:
        abort(404)
    return survey
