"""The personal links in survey mails: bound to one invitation (so one member and one
survey), and valid until the survey closes. They open that survey and nothing else: they
never log anyone in.

A survey link's key is opaque: the invitation, survey and member ids are encrypted, so the
link (in a mail, an access log, a browser history) says nothing about who it belongs to.
The same invitation always gets the same key, so every mail about it, and the resident's
page, carry one link. On first use the key is swapped for a cookie (see `answer_views`).
"""

from __future__ import annotations

import base64
import binascii
import struct
from datetime import timedelta
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from core.db import db
from fieldwork.models import Invitation
from panel.models import MemberStatus

#: Salt of the links mailed before 6 December 2026 (readable, signed ids); still accepted so
#: that residents' links to surveys open at the change keep working.
SURVEY_SALT = "naoberpanel.survey-link"
UNSUBSCRIBE_SALT = "naoberpanel.unsubscribe"
IDS = struct.Struct(">QQQ")  # invitation, survey, member
SIV_TAG_BYTES = 16
ASSOCIATED_DATA = b"naoberpanel survey link"


def _cipher() -> AESSIV:
    """AES-SIV (RFC 5297) with a key derived from the app's secret for this purpose only."""
    secret = current_app.config["SECRET_KEY"]
    return _cipher_for(secret.encode() if isinstance(secret, str) else secret)


@lru_cache(maxsize=4)
def _cipher_for(secret: bytes) -> AESSIV:
    """Derived once: deriving took most of a link's time (a job mails thousands)."""
    key = HKDF(hashes.SHA256(), 64, salt=None, info=b"naoberpanel.survey-link.v2").derive(secret)
    return AESSIV(key)


def survey_token(invitation: Invitation) -> str:
    """The ids sealed with deterministic authenticated encryption (AES-SIV): deterministic
    on purpose, one invitation, one link. Validity ends with the survey (checked on use)."""
    plain = IDS.pack(invitation.id, invitation.survey_id, invitation.member_id)
    sealed = _cipher().encrypt(plain, [ASSOCIATED_DATA])
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def _opened(token: str) -> tuple[int, int, int] | None:
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error):
        return None
    if len(sealed) != SIV_TAG_BYTES + IDS.size:
        return None
    try:
        return IDS.unpack(_cipher().decrypt(sealed, [ASSOCIATED_DATA]))
    except InvalidTag:
        return None


def _signer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _legacy_ids(token: str) -> tuple[int, int, int] | None:
    try:
        invitation_id, survey_id, member_id = _signer(SURVEY_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return invitation_id, survey_id, member_id


def link_ids(token: str) -> tuple[int, int, int] | None:
    """The invitation, survey and member ids of a genuine survey link, or None."""
    return _opened(token) or _legacy_ids(token)


def genuine_invitation(token: str) -> Invitation | None:
    """The invitation of a genuine survey link, whether or not its survey is open (the
    answering pages say when it is not)."""
    ids = link_ids(token)
    if ids is None:
        return None
    invitation_id, survey_id, member_id = ids
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


@lru_cache(maxsize=4)
def _unsubscribe_signer(secret: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(member_id: int) -> str:
    return _unsubscribe_signer(current_app.config["SECRET_KEY"]).dumps(member_id)


def member_id_for_unsubscribe(token: str) -> int | None:
    signer = _unsubscribe_signer(current_app.config["SECRET_KEY"])
    try:
        member_id = signer.loads(token, max_age=int(UNSUBSCRIBE_VALID.total_seconds()))
    except BadSignature:  # also when expired (SignatureExpired is a BadSignature)
        return None
    return member_id if isinstance(member_id, int) else None


def may_answer(invitation: Invitation) -> bool:
    """Members who left the panel keep no access through old links."""
    return invitation.member.status is not MemberStatus.LEFT
