"""The personal links in survey mails: signed, bound to one invitation (so one member and
one survey), and valid until the survey closes. They open that survey and nothing else:
they never log anyone in."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from core.dates import local_today
from core.db import db
from fieldwork.models import Invitation
from panel.models import MemberStatus

SURVEY_SALT = "naoberpanel.survey-link"
UNSUBSCRIBE_SALT = "naoberpanel.unsubscribe"


def _signer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def survey_token(invitation: Invitation) -> str:
    """Validity ends with the survey (checked on use), so the token itself has no age."""
    return _signer(SURVEY_SALT).dumps([invitation.id, invitation.survey_id, invitation.member_id])


def invitation_for(token: str) -> Invitation | None:
    """The invitation a survey link belongs to, if the link is genuine and still usable:
    the survey is open today and the member has not been deleted."""
    try:
        invitation_id, survey_id, member_id = _signer(SURVEY_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or (invitation.survey_id, invitation.member_id) != (
        survey_id,
        member_id,
    ):
        return None
    if not invitation.survey.is_open(local_today()):
        return None
    return invitation


def unsubscribe_token(member_id: int) -> str:
    return _signer(UNSUBSCRIBE_SALT).dumps(member_id)


def member_id_for_unsubscribe(token: str) -> int | None:
    try:
        member_id = _signer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    return member_id if isinstance(member_id, int) else None


def may_answer(invitation: Invitation) -> bool:
    """Members who left the panel keep no access through old links."""
    return invitation.member.status is not MemberStatus.LEFT
