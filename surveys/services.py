"""Surveys and their versions: create, edit, correct, publish, close and reopen, and the
village-vision proposal flow. Callers commit."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from accounts.models import Account, Role
from audit.services import record
from core.dates import local_today
from core.db import db, utcnow
from surveys import changes
from surveys.checks import Problem
from surveys.format import from_json, to_json
from surveys.models import (
    LifecycleError,
    ProposalEvent,
    ProposalEventKind,
    QuestionnaireVersion,
    ResultsBeingComputed,  # noqa: F401  (surveys.views words it)
    ReviewStatus,
    Survey,
    SurveyKind,
    SurveyStatus,
    TooFewForAnonymity,
)
from villages.models import Village

#: Two identical requests this close together are one double click.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)


class InvalidQuestionnaire(ValueError):
    """The definition has problems; nothing was saved."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def valid_definition(definition: Any) -> dict[str, Any]:
    """The definition in its canonical form, or InvalidQuestionnaire with every problem."""
    questionnaire, problems = from_json(definition)
    if problems:
        raise InvalidQuestionnaire(problems)
    return to_json(questionnaire)


def create_survey(
    definition: Any,
    by: Account | None,
    kind: SurveyKind = SurveyKind.GENERAL,
    villages: list[Village] | None = None,
) -> Survey:
    """A draft survey with version 1 of its questionnaire; a village-vision survey starts as
    a proposal its association is drafting."""
    canonical = valid_definition(definition)
    survey = Survey(
        title=canonical["title"]["nl"],
        kind=kind,
        review_status=ReviewStatus.DRAFTING if kind is SurveyKind.VILLAGE_VISION else None,
        created_by_id=by.id if by else None,
        villages=list(villages or []),
    )
    survey.versions.append(QuestionnaireVersion(number=1, definition=canonical))
    db.session.add(survey)
    db.session.flush()
    record("survey.created", survey, kind=kind.value)
    return survey


def duplicate_survey(survey: Survey, by: Account) -> Survey:
    """A new draft with a copy of the current questionnaire, its kind and its villages."""
    definition = copy.deepcopy(survey.current_version.definition)
    definition["title"]["nl"] = f"{definition['title']['nl']} (kopie)"
    if definition["title"].get("en"):
        definition["title"]["en"] = f"{definition['title']['en']} (copy)"
    twin = create_survey(definition, by, kind=survey.kind, villages=survey.villages)
    record("survey.duplicated", twin, original=survey.id)
    return twin


def delete_survey(survey: Survey) -> None:
    """Delete a draft survey with its versions; published ones stay (answers refer to them)."""
    survey.ensure_deletable()
    record("survey.deleted", survey, title=survey.title)
    db.session.delete(survey)
    db.session.flush()


def save_questionnaire(
    survey: Survey, definition: Any, by: Account | None = None
) -> QuestionnaireVersion:
    """Save a changed questionnaire: into the draft version, or as a new version when the
    current one is frozen (published). Changes to a proposal join its shared history."""
    canonical = valid_definition(definition)
    current = survey.current_version
    before = current.definition if current is not None else {"pages": []}
    if current is not None and not current.frozen:
        current.replace_definition(canonical)
        version = current
    else:
        version = QuestionnaireVersion(
            number=(current.number + 1) if current else 1, definition=canonical
        )
        survey.versions.append(version)
    survey.title = canonical["title"]["nl"]
    db.session.flush()
    record("survey.questionnaire_saved", survey, version=version.number)
    _note_changes(survey, before, canonical, by)
    return version


def correct_text(survey: Survey, definition: Any, by: Account) -> QuestionnaireVersion:
    """Correct typos in the frozen current version; codes and meaning stay, the change is
    logged with the old and new texts. LifecycleError if more than text changed."""
    canonical = valid_definition(definition)
    version = survey.current_version
    if not version.frozen:
        raise LifecycleError("a draft version is simply edited")
    before = version.definition
    version.correct_text(canonical)
    survey.title = canonical["title"]["nl"]
    described = changes.describe(before, canonical)
    record("survey.text_corrected", survey, version=version.number, changes=described)
    _note_changes(survey, before, canonical, by)
    return version


def _note_changes(survey: Survey, before: dict, after: dict, by: Account | None) -> None:
    described = changes.describe(before, after)
    if survey.is_proposal and described:
        _add_event(survey, ProposalEventKind.CHANGED, by, changes=described)


def set_scope(survey: Survey, villages: list[Village]) -> None:
    """The villages whose panel members are invited; an empty list means all of them."""
    if survey.status is not SurveyStatus.DRAFT or survey.is_proposal:
        raise LifecycleError("only a draft survey of the municipality changes its villages")
    survey.villages = list(villages)
    record("survey.scope_changed", survey, villages=[village.id for village in villages])


def change_fieldwork_settings(
    survey: Survey, anonymous: bool, first_reminder: int | None, second_reminder: int | None
) -> None:
    """Anonymity is promised in the invitation, so it is fixed once published; reminder
    days may change until the survey closes."""
    if survey.status is SurveyStatus.PUBLISHED and anonymous != survey.anonymous:
        raise LifecycleError("anonymity is fixed once the survey is published")
    if survey.status not in (SurveyStatus.DRAFT, SurveyStatus.PUBLISHED):
        raise LifecycleError("a closed survey has no fieldwork left")
    survey.anonymous = anonymous
    survey.first_reminder_days, survey.second_reminder_days = first_reminder, second_reminder
    record(
        "survey.fieldwork_settings_changed",
        survey,
        anonymous=anonymous,
        reminders=[first_reminder, second_reminder],
    )


def publish(survey: Survey, opens_on: date, closes_on: date) -> None:
    """Open the survey between the dates; TooFewForAnonymity for an anonymous survey with
    too few members to invite, where answers could be traced to who gave them."""
    from fieldwork.invitations import invitation_preview  # fieldwork builds on surveys

    if survey.anonymous and invitation_preview(survey, local_today()).too_few:
        raise TooFewForAnonymity(survey.id)
    survey.publish(opens_on, closes_on, now=utcnow())
    record(
        "survey.published", survey, opens_on=opens_on.isoformat(), closes_on=closes_on.isoformat()
    )


def publish_version(survey: Survey) -> None:
    survey.publish_version(now=utcnow())
    record("survey.version_published", survey, version=survey.current_version.number)


def close(survey: Survey) -> None:
    """No more answers; an anonymous survey also drops the answers never sent. The wave
    keeps the village clusters of this moment, and its analysis starts in the background."""
    # fieldwork and results build on surveys
    from fieldwork.answering import discard_unsent_anonymous
    from results.clusters import take_snapshot
    from results.services import request_run

    survey.close()
    take_snapshot(survey)
    record("survey.closed", survey, unsent_discarded=discard_unsent_anonymous(survey))
    request_run(survey, trigger="closed")


def results_published(survey: Survey) -> bool:
    """Figures of the survey were released to the associations (results.release)."""
    from results.release import results_released  # results build on surveys

    return results_released(survey)


def reopen(survey: Survey, closes_on: date, today: date) -> None:
    """Open a closed survey again until `closes_on`, unless its results are published.
    Figures computed but not released are discarded and a run queued at closing is
    withdrawn (closing again computes anew), so figures of a survey that is answered again
    are never published. Personal links work again. Lock the survey row first."""
    from results.release import withdraw_unreleased_runs  # results build on surveys

    previous_closes_on = survey.closes_on
    survey.reopen(closes_on, today, results_published=results_published(survey))
    record(
        "survey.reopened",
        survey,
        closes_on=closes_on.isoformat(),
        previous_closes_on=previous_closes_on.isoformat(),
        withdrawn_runs=withdraw_unreleased_runs(survey),
    )


def archive(survey: Survey) -> None:
    survey.archive()
    record("survey.archived", survey)


def submit_proposal(survey: Survey, by: Account, comment: str = "") -> None:
    """The association hands its village-vision proposal to the municipality."""
    survey.submit_for_review()
    _add_event(survey, ProposalEventKind.SUBMITTED, by, comment=comment)
    record("survey.proposal_submitted", survey)


def comment_on_proposal(survey: Survey, by: Account, comment: str) -> None:
    """Add a comment to the shared history; the same comment sent twice in a row by the
    same person moments apart (a double click) is added once."""
    if not survey.is_proposal:
        raise LifecycleError("only proposals have comments")
    last = survey.events[-1] if survey.events else None
    if (
        last is not None
        and (last.kind, last.account_id, last.comment)
        == (ProposalEventKind.COMMENTED, by.id, comment)
        and last.created_at >= utcnow() - DOUBLE_SUBMIT_WINDOW
    ):
        return
    _add_event(survey, ProposalEventKind.COMMENTED, by, comment=comment)


def request_changes(survey: Survey, by: Account, comment: str) -> None:
    """Send the proposal back to the association, saying what should change."""
    survey.request_changes()
    _add_event(survey, ProposalEventKind.CHANGES_REQUESTED, by, comment=comment)
    record("survey.proposal_changes_requested", survey)


def approve_proposal(survey: Survey, by: Account, comment: str = "") -> None:
    """From now on the proposal may be scheduled (published)."""
    survey.approve()
    _add_event(survey, ProposalEventKind.APPROVED, by, comment=comment)
    record("survey.proposal_approved", survey)


def _add_event(survey: Survey, kind: ProposalEventKind, by: Account | None, **fields) -> None:
    survey.events.append(
        ProposalEvent(
            kind=kind,
            account_id=by.id if by else None,
            by_municipality=by is not None and by.has_role(Role.OFFICIAL),
            **fields,
        )
    )
    db.session.flush()
