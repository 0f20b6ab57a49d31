"""Members agree again when the privacy statement changes, before they go on."""

from __future__ import annotations

from flask import Flask, g, redirect, request, url_for

from panel.models import MemberStatus
from panel.services import current_statement, needs_consent

#: Pages a member may open without agreeing: the statement itself, consent, and the ways
#: out (log out, leave, export, delete, unsubscribe), which must never depend on agreeing.
#: Survey links work without logging in, so they behave the same for a logged-in member
#: (a page of answers is never lost to a redirect).
EXEMPT_ENDPOINTS = {
    "static",
    "accounts.logout",
    "core.choose_language",
    "core.healthz",
}
EXEMPT_PREFIXES = (
    "panel.",
    "me.leave",
    "me.delete",
    "me.export",
    "me.rejoin",
    "answer.",
    "invitations.unsubscribe",
)


def _exempt(endpoint: str | None) -> bool:
    return endpoint is None or endpoint in EXEMPT_ENDPOINTS or endpoint.startswith(EXEMPT_PREFIXES)


def ask_for_consent():
    account = g.get("account")
    if account is None or _exempt(request.endpoint):
        return None
    member = account.member  # loaded with the account (accounts.sessions)
    if member is None or member.status is not MemberStatus.ACTIVE:
        return None
    if not needs_consent(member, current_statement()):
        return None
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("panel.consent", next=target), 303)


def init_app(app: Flask) -> None:
    """Register after the session hook, which sets `g.account`."""
    app.before_request(ask_for_consent)
