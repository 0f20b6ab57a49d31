"""Joining the panel: open sign-up with double opt-in, letters with a code, paper members.

Nothing counts as a member until the address is confirmed: a sign-up waits in
`pending_sign_ups` and is deleted on confirmation or after `SIGN_UP_DAYS`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from accounts.models import Account, Role
from accounts.services import find_account, get_or_create_account, normalise_email
from audit.services import record
from core.db import db, utcnow
from core.urls import external_url
from mail.services import queue_mail
from panel.models import Channel, ContactDetails, Member, PrivacyStatement, SignUp
from panel.services import Profile, member_for, register_member
from recruitment.models import RecruitmentCode
from recruitment.services import redeem
from villages.models import Village

log = logging.getLogger(__name__)

TOKEN_BYTES = 32


class SignUpClosed(ValueError):
    """Open sign-up is switched off for this village: only letters with a code work."""


class ConfirmationFailed(ValueError):
    """The confirmation link is unknown, expired or already used."""


class CodeAlreadyUsed(ValueError):
    """Someone else confirmed a sign-up with the same letter first."""


@dataclass(frozen=True)
class SignUpRequest:
    email: str
    language: str
    profile: Profile
    statement: PrivacyStatement
    association_contact: bool = False
    code: RecruitmentCode | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_sign_up(request: SignUpRequest) -> None:
    """Mail a confirmation link, or, to a member, a 'you are already a member' mail.

    The page afterwards is the same either way, so the form cannot be used to find out
    whether an address is in the panel.
    """
    village = db.session.get(Village, request.profile.village_id)
    if request.code is None and not village.open_sign_up:
        raise SignUpClosed(village.name)
    email = normalise_email(request.email)
    account = find_account(email)
    if account is not None and member_for(account) is not None:
        _mail_already_member(account)
        return
    if _just_signed_up(email):
        return
    token = secrets.token_urlsafe(TOKEN_BYTES)
    days = current_app.config["SIGN_UP_DAYS"]
    sign_up = SignUp(
        token_hash=_hash(token),
        email=email,
        language=request.language,
        village_id=village.id,
        profile=request.profile.as_json(),
        statement_version=request.statement.version,
        association_contact=request.association_contact,
        recruitment_code_id=request.code.id if request.code else None,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(sign_up)
    db.session.flush()
    queue_mail(
        email,
        "confirm_sign_up",
        request.language,
        expires_at=sign_up.expires_at,
        link=external_url("panel.confirm_sign_up", token=token),
        village=village.name,
        days=days,
    )
    log.info("Sign-up %s started for village %s", sign_up.id, village.id)


#: A second sign-up for the same address this soon is a double submit: no second mail.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)


def _just_signed_up(email: str) -> bool:
    recent = select(SignUp.id).where(
        SignUp.email == email, SignUp.created_at > utcnow() - DOUBLE_SUBMIT_WINDOW
    )
    return db.session.scalar(recent.limit(1)) is not None


def _mail_already_member(account: Account) -> None:
    queue_mail(
        account.email,
        "already_member",
        account.language,
        name=account.name,
        link=external_url("accounts.login"),
    )
    log.info("Sign-up attempted for existing member account %s", account.id)


def pending_sign_up(token: str) -> SignUp | None:
    """The sign-up behind a confirmation link, if it can still be confirmed."""
    found = db.session.scalar(select(SignUp).where(SignUp.token_hash == _hash(token)))
    return found if found is not None and found.expires_at > utcnow() else None


def confirm_sign_up(token: str) -> Member:
    """Turn a confirmed sign-up into a member; the account is created if new.

    The sign-up row is deleted first with a conditional DELETE: of two clicks, exactly one
    gets the row and goes on; the other raises ConfirmationFailed.
    """
    sign_up = pending_sign_up(token)
    if sign_up is None:
        raise ConfirmationFailed()
    _lock_sign_ups_of(sign_up.email)
    claimed = db.session.execute(
        delete(SignUp).where(SignUp.id == sign_up.id).execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ConfirmationFailed()
    account = get_or_create_account(sign_up.email, language=sign_up.language)
    existing = member_for(account)
    if existing is not None:
        return existing
    batch_id = _redeem_code(sign_up.recruitment_code_id)
    member = register_member(
        Profile.from_json(sign_up.profile),
        Channel.WEB,
        account=account,
        statement=db.session.get(PrivacyStatement, sign_up.statement_version),
        association_contact=sign_up.association_contact,
        batch_id=batch_id,
    )
    db.session.execute(delete(SignUp).where(SignUp.email == sign_up.email))
    return member


def may_log_in_by_confirmation(account: Account) -> bool:
    """Confirming an address starts a session only for a resident: the link lives for days
    and anyone can have it sent to any address via /join, so it must never open an
    official's, association's or volunteer's rights. They log in with a login link."""
    return account.roles <= {Role.RESIDENT}


def _lock_sign_ups_of(email: str) -> None:
    """Lock every pending sign-up of this address, in id order, on PostgreSQL: two
    confirmations for one address then wait for each other instead of deadlocking when each
    deletes the other's row. (SQLite lets one writer in at a time anyway.)"""
    db.session.scalars(
        select(SignUp.id).where(SignUp.email == email).order_by(SignUp.id).with_for_update()
    ).all()


def _redeem_code(code_id: int | None) -> int | None:
    if code_id is None:
        return None
    code = db.session.get(RecruitmentCode, code_id)
    if code is None or not redeem(code):
        raise CodeAlreadyUsed()
    return code.batch_id


def register_paper_member(
    profile: Profile,
    contact: ContactDetails,
    statement: PrivacyStatement,
    association_contact: bool,
    by: Account,
) -> Member:
    """Register a resident who answers on paper: no email, postal address kept as contact.

    The same resident sent twice by the same person within moments (a double click) is
    registered once.
    """
    existing = db.session.scalar(
        select(Member)
        .join(ContactDetails)
        .where(
            ContactDetails.name == contact.name,
            ContactDetails.address == contact.address,
            ContactDetails.postcode == contact.postcode,
            Member.registered_by_id == by.id,
            Member.joined_at > utcnow() - DOUBLE_SUBMIT_WINDOW,
        )
    )
    if existing is not None:
        return existing
    return register_member(
        profile,
        Channel.PAPER,
        contact=contact,
        statement=statement,
        association_contact=association_contact,
        registered_by=by,
    )


def purge_unconfirmed_sign_ups() -> int:
    """Delete sign-ups whose confirmation link has expired."""
    result = db.session.execute(
        delete(SignUp)
        .where(SignUp.expires_at <= utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        record("sign_ups.purged", None, count=result.rowcount)
    return result.rowcount
