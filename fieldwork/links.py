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
import hashlib
import hmac
import struct
from datetime import timedelta

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
TAG_BYTES = 16


def _key(purpose: bytes) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"naoberpanel.survey-link.v2." + purpose, hashlib.sha256).digest()


def _xor_keystream(tag: bytes, data: bytes) -> bytes:
    stream = hashlib.blake2b(tag, key=_key(b"encrypt"), digest_size=len(data)).digest()
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _tag(plain: bytes) -> bytes:
    return hmac.new(_key(b"authenticate"), plain, hashlib.sha256).digest()[:TAG_BYTES]


def survey_token(invitation: Invitation) -> str:
    """Deterministic authenticated encryption (SIV: the tag over the ids is also the nonce
    of a keyed-BLAKE2b keystream), from the standard library only. Deterministic on
    purpose: one invitation, one link. Validity ends with the survey (checked on use)."""
    plain = IDS.pack(invitation.id, invitation.survey_id, invitation.member_id)
    tag = _tag(plain)
    sealed = tag + _xor_keystream(tag, plain)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def _opened(token: str) -> tuple[int, int, int] | None:
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error):
        return None
    if len(sealed) != TAG_BYTES + IDS.size:
        return None
    tag, cipher = sealed[:TAG_BYTES], sealed[TAG_BYTES:]
    plain = _xor_keystream(tag, cipher)
    return IDS.unpack(plain) if hmac.compare_digest(tag, _tag(plain)) else None


def _signer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _legacy_ids(token: str) -> tuple[int, int, int] | None:
    try:
        invitation_id, survey_id, member_id = _signer(SURVEY_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return invitation_id, survey_id, member_id


def genuine_invitation(token: str) -> Invitation | None:
    """The invitation of a genuine survey link, whether or not its survey is open (the
    answering pages say when it is not)."""
    ids = _opened(token) or _legacy_ids(token)
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
