"""Role and scope checks for views: anonymous visitors go to login, others get 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g, redirect, request, url_for

from accounts.models import Account, Role


def can_see_village(account: Account | None, village_id: int) -> bool:
    """Officials see every village; association members only their own."""
    if account is None:
        return False
    if account.has_role(Role.OFFICIAL):
        return True
    return village_id in account.villages_for(Role.ASSOCIATION)


def _login_redirect():
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("accounts.login", next=target))


def roles_required(*roles: Role) -> Callable:
    """Let the view run only for an account holding one of `roles`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            account = g.get("account")
            if account is None:
                return _login_redirect()
            if roles and not (account.roles & set(roles)):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_roles = frozenset(roles)
        return guarded

    return decorate


login_required = roles_required()
official_required = roles_required(Role.OFFICIAL)


def require_village_access(village_id: int) -> None:
    """Inside a view: 403 unless the current account may see this village."""
    if not can_see_village(g.get("account"), village_id):
        abort(403)
