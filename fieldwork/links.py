"""The personal links in survey mails: signed, bound to one invitation (so one member and
one survey), and valid until the survey closes. They open that survey and nothing else:
they never log anyone in."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

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


def genuine_invitation(token: str) -> Invitation | None:
    """The invitation of a correctly signed survey link, whether or not its survey is open
    (the answering pages say when it is not)."""
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
    return invitation


#: An unsubscribe link keeps working this long: longer than any survey's fieldwork, so
#: every mail's link works, but an old forwarded mail does not stay a key for ever.
UNSUBSCRIBE_VALID = timedelta(days=400)


def unsubscribe_token(member_id: int) -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps(
        member_id
    )


def member_id_for_unsubscribe(token: str) -> int | None:
    signer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    try:
        member_id = signer.loads(token, max_age=int(UNSUBSCRIBE_VALID.total_seconds()))
    except BadSignature:  # also when expired (SignatureExpired is a BadSignature)
        return None
    return member_id if isinstance(member_id, int) else None


def may_answer(invitation: Invitation) -> bool:
    """Members who left the panel keep no access through old links."""
    return invitation.member.status is not MemberStatus.LEFT
