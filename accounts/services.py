"""Accounts, roles and magic links: the use-cases. Callers commit."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from limits import parse as parse_limit
from sqlalchemy import delete, func, select, update

from accounts.models import Account, LoginToken, Role, RoleGrant
from audit.services import record
from core.db import db, utcnow
from core.urls import external_url
from mail.services import queue_mail
from villages.models import Village

log = logging.getLogger(__name__)

#: Random bytes in a login link (256 bits).
TOKEN_BYTES = 32


class RoleScopeError(ValueError):
    """An association role needs a village; officials and volunteers take none."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(email: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.email == normalise_email(email)))


def get_or_create_account(email: str, name: str = "", language: str = "nl") -> Account:
    """The account for this address, created when new; an existing one keeps its details."""
    account = find_account(email)
    if account is None:
        account = Account(email=normalise_email(email), name=name.strip(), language=language)
        db.session.add(account)
        db.session.flush()
        record("account.created", account)
    return account


def grant_role(
    account: Account, role: Role, village: Village | None = None, by: Account | None = None
) -> RoleGrant:
    """Give `account` a role (for associations: in one village). Granting twice is harmless."""
    if (role is Role.ASSOCIATION) != (village is not None) and role is not Role.RESIDENT:
        raise RoleScopeError(role.value)
    for grant in account.grants:
        if grant.role is role and grant.village_id == (village.id if village else None):
            return grant
    grant = RoleGrant(role=role, village=village, granted_by_id=by.id if by else None)
    account.grants.append(grant)
    db.session.flush()
    record("role.granted", account, role=role.value, village=village.name if village else None)
    return grant


class LastOfficialError(ValueError):
    """Nobody could manage people any more."""


def revoke_grant(grant: RoleGrant) -> None:
    """Take a role away; the holder's sessions end at once."""
    account = grant.account
    if grant.role is Role.OFFICIAL and _official_count() <= 1:
        raise LastOfficialError(account.email)
    record(
        "role.revoked",
        account,
        role=grant.role.value,
        village=grant.village.name if grant.village else None,
    )
    account.grants.remove(grant)
    account.session_epoch += 1
    db.session.flush()


def _official_count() -> int:
    return len(
        db.session.scalars(select(RoleGrant.id).where(RoleGrant.role == Role.OFFICIAL)).all()
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_login_token(account: Account, valid_for: timedelta) -> tuple[str, LoginToken]:
    """Create a single-use token; returns the raw token, which is never stored, and its row."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = LoginToken(account=account, token_hash=token_hash(token), expires_at=utcnow() + valid_for)
    db.session.add(row)
    db.session.flush()
    return token, row


def request_login_link(email: str, next_path: str | None = None) -> None:
    """Mail a login link if the address has an account; silently nothing otherwise."""
    account = find_account(email)
    if account is None or not account.grants:
        log.info("Login link requested for an address without access")
        return
    if _login_mails_used_up(account):
        log.info("Login link for account %s not sent: too many asked for just now", account.id)
        return
    minutes = current_app.config["LOGIN_TOKEN_MINUTES"]
    mail_login_link(account, "login", timedelta(minutes=minutes), next_path, minutes=minutes)


def _login_mails_used_up(account: Account) -> bool:
    """At most LOGIN_LIMIT_PER_EMAIL login mails per address (e.g. "5 per 15 minutes").

    The mails are limited, not the requests: anyone can ask for links for any address, so
    refusing requests per address would let a stranger lock a named person out. Beyond the
    limit the person still has the links already sent, each valid until the window ends.
    """
    limit = parse_limit(current_app.config["LOGIN_LIMIT_PER_EMAIL"])
    since = utcnow() - timedelta(seconds=limit.get_expiry())
    sent = db.session.scalar(
        select(func.count(LoginToken.id)).where(
            LoginToken.account_id == account.id, LoginToken.created_at > since
        )
    )
    return sent >= limit.amount


def mail_login_link(
    account: Account, kind: str, valid_for: timedelta, next_path: str | None = None, **context
) -> None:
    """Queue a mail of `kind` holding a fresh single-use login link for `account`."""
    token, row = issue_login_token(account, valid_for)
    queue_mail(
        account.email,
        kind,
        account.language,
        expires_at=row.expires_at,
        name=account.name,
        link=external_url("accounts.confirm_login", token=token, next=next_path),
        **context,
    )


def _token_row(token: str) -> LoginToken | None:
    return db.session.scalar(select(LoginToken).where(LoginToken.token_hash == token_hash(token)))


def find_usable_token(token: str) -> LoginToken | None:
    """The token behind a link if it can still be used; looking consumes nothing."""
    found = _token_row(token)
    return found if found is not None and found.usable(utcnow()) else None


def consume_login_token(token: str) -> Account | None:
    """Use a token once: the conditional UPDATE lets exactly one of two clicks win."""
    now = utcnow()
    used = db.session.execute(
        update(LoginToken)
        .where(
            LoginToken.token_hash == token_hash(token),
            LoginToken.used_at.is_(None),
            LoginToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if used.rowcount != 1:
        return None
    account = _token_row(token).account
    if not account.grants:
        return None
    use_up_login_links(account)
    return account


def use_up_login_links(account: Account) -> None:
    """One login uses up every other link this account still has (older mails, invitations)."""
    db.session.execute(
        update(LoginToken)
        .where(LoginToken.account_id == account.id, LoginToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def used_moments_ago(token: str, seconds: int = 60) -> bool:
    """Was this link used within the last minute (probably by a double click)?"""
    found = _token_row(token)
    return bool(found and found.used_at and utcnow() - found.used_at < timedelta(seconds=seconds))


def invite(
    email: str,
    role: Role,
    village: Village | None,
    by: Account,
    name: str = "",
    language: str = "nl",
) -> Account:
    """Give a person a role and mail them a link to log in for the first time."""
    account = get_or_create_account(email, name, language)
    grant_role(account, role, village, by=by)
    hours = current_app.config["INVITATION_TOKEN_HOURS"]
    mail_login_link(
        account,
        "invitation",
        timedelta(hours=hours),
        inviter=by.name or by.email,
        role=role.value,
        village=village.name if village else None,
        hours=hours,
    )
    record("account.invited", account, role=role.value)
    return account


def hand_over_village(
    village: Village, email: str, by: Account, name: str = "", language: str = "nl"
) -> list[Account]:
    """Give a village's association access to one person and take it from everyone else.

    Returns the accounts that lost access, so the official sees who was handed over from.
    """
    # Lock the village: two hand-overs at once must not both leave their new holder in.
    db.session.execute(select(Village.id).where(Village.id == village.id).with_for_update())
    previous = db.session.scalars(
        select(RoleGrant).where(
            RoleGrant.role == Role.ASSOCIATION, RoleGrant.village_id == village.id
        )
    ).all()
    new_holder = invite(email, Role.ASSOCIATION, village, by, name, language)
    removed = []
    for grant in previous:
        if grant.account_id != new_holder.id:
            removed.append(grant.account)
            revoke_grant(grant)
    record("village.handed_over", village, to=new_holder.id, removed=[a.id for a in removed])
    return removed


def purge_spent_tokens(older_than: timedelta) -> int:
    """Delete login tokens that were used or expired longer ago than `older_than`."""
    cutoff = utcnow() - older_than
    result = db.session.execute(
        delete(LoginToken).where((LoginToken.used_at < cutoff) | (LoginToken.expires_at < cutoff))
    )
    return result.rowcount
