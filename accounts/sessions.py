"""Who is logged in: an account id, its session epoch, and when it logged in and was last seen.

Sessions live in a signed cookie. Raising the account's session epoch ends every copy of
that cookie at once: logging out does so, and so does losing a role.
"""

from __future__ import annotations

import time
from functools import cache

from flask import Flask, current_app, flash, g, session
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from accounts.models import Account
from audit.services import record
from core.db import db, utcnow
from core.i18n import SESSION_KEY as LANGUAGE_KEY

ACCOUNT_KEY, EPOCH_KEY, SEEN_KEY, SINCE_KEY = "account_id", "epoch", "seen", "since"
#: Refresh the idle timer at most this often, so not every request rewrites the cookie.
SEEN_RESOLUTION_SECONDS = 60
#: However active, a session ends this long after its login.
MAX_SESSION_SECONDS = 12 * 3600


def log_in(account: Account, via: str) -> None:
    """Start a fresh session (a new cookie, nothing carried over but the language).

    The one way a session starts, so every login is in the audit log, with how it came
    about (`via`: the kind of link used).
    """
    language = session.get(LANGUAGE_KEY) or account.language
    now = int(time.time())
    session.clear()
    session.permanent = True
    session.update(
        {
            ACCOUNT_KEY: account.id,
            EPOCH_KEY: account.session_epoch,
            SEEN_KEY: now,
            SINCE_KEY: now,
            LANGUAGE_KEY: language,
        }
    )
    g.account = account
    account.last_login_at = utcnow()
    record("login", account, actor_id=account.id, via=via)


def log_out(everywhere: bool = True) -> None:
    """End the session; by default every copy of it, on every device."""
    account = g.get("account")
    if everywhere and account is not None:
        end_all_sessions(account)
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language
    g.account = None


def end_all_sessions(account: Account) -> None:
    account.session_epoch += 1


def _expired(account: Account | None, now: int) -> bool:
    return (
        account is None
        or session.get(EPOCH_KEY) != account.session_epoch
        or now - session.get(SEEN_KEY, 0) > current_app.config["SESSION_IDLE_MINUTES"] * 60
        or now - session.get(SINCE_KEY, 0) > MAX_SESSION_SECONDS
    )


def load_account() -> None:
    """Before each request: put the logged-in account, if any, in `g.account`."""
    g.account = None
    account_id = session.get(ACCOUNT_KEY)
    if account_id is None:
        return
    now = int(time.time())
    account = _with_roles_and_membership(account_id)
    if _expired(account, now):
        log_out(everywhere=False)
        flash(_("You were logged out because you had not done anything for a while."), "info")
        return
    if now - session[SEEN_KEY] >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_KEY] = now
    g.account = account


def _with_roles_and_membership(account_id: int) -> Account | None:
    """The account with its role grants and panel membership, in one statement: every page
    checks the roles, and the consent check reads the membership."""
    statement = _account_statement()
    return db.session.scalars(statement, {"account_id": account_id}).unique().one_or_none()


@cache
def _account_statement() -> Select:
    """Built once: building it costs about as much as running it."""
    return (
        select(Account)
        .where(Account.id == bindparam("account_id"))
        .options(joinedload(Account.grants), joinedload(Account.member))
    )


def init_app(app: Flask) -> None:
    app.before_request(load_account)

    @app.context_processor
    def account_context() -> dict:
        return {"current_account": g.get("account")}
