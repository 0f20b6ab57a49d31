"""Who may see and change which survey.

Officials: every survey. Village associations: the village-vision proposals of their own
villages, editable while the proposal is with them (drafting, or changes requested).
Everyone else: none.
"""

from __future__ import annotations

from flask import abort, g, request

from accounts.models import Account, Role
from core.db import db
from surveys.models import ReviewStatus, Survey, SurveyStatus

EDITABLE_BY_ASSOCIATION = (ReviewStatus.DRAFTING, ReviewStatus.CHANGES_REQUESTED)


def is_official(account: Account | None) -> bool:
    return account is not None and account.has_role(Role.OFFICIAL)


def can_view(account: Account | None, survey: Survey) -> bool:
    if account is None:
        return False
    if is_official(account):
        return True
    villages = {village.id for village in survey.villages}
    return (
        survey.is_proposal and bool(villages) and villages <= account.villages_for(Role.ASSOCIATION)
    )


def can_edit(account: Account | None, survey: Survey) -> bool:
    """May change the questionnaire or settings (of a draft; published ones get versions)."""
    if not can_view(account, survey):
        return False
    if survey.status not in (SurveyStatus.DRAFT, SurveyStatus.PUBLISHED):
        return False
    if is_official(account):
        return True
    return survey.status is SurveyStatus.DRAFT and survey.review_status in EDITABLE_BY_ASSOCIATION


def survey_for_viewing(survey_id: int, locking: bool = False) -> Survey:
    """Inside a view: the survey, or 404 / 403."""
    survey = db.session.get(Survey, survey_id, with_for_update=locking)
    if survey is None or survey.current_version is None:
        abort(404)
    if not can_view(g.get("account"), survey):
        abort(403)
    return survey


def survey_for_editing(survey_id: int) -> Survey:
    """Inside a view: the survey the current account may change, or 404 / 403. A POST
    locks its row until the commit, so two edits never interleave their read and write."""
    survey = survey_for_viewing(survey_id, locking=request.method == "POST")
    if not can_edit(g.get("account"), survey):
        abort(403)
    return survey


def can_delete(account: Account | None, survey: Survey) -> bool:
    """Drafts only. A proposal is the village's: only its association deletes it, and only
    before it was ever submitted (afterwards its history with the municipality stays)."""
    if not can_edit(account, survey) or survey.status is not SurveyStatus.DRAFT:
        return False
    if not survey.is_proposal:
        return is_official(account)
    return (
        account.has_role(Role.ASSOCIATION)
        and survey.review_status is ReviewStatus.DRAFTING
        and not survey.events
    )
