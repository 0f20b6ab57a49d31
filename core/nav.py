"""The header menu (templates/_account_nav.html), rendered once per kind of reader, language
and page: every page shows it, and its dozen links and translated labels cost as much to
build as a small page."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from core.cache import cached

TEMPLATE = "_account_nav.html"
#: Role sets times pages times languages: a few hundred menus of a few KB at most.
CACHE_SIZE = 512


@pass_context
def account_nav(context: Context) -> Markup:
    """The menu as `{% include "_account_nav.html" %}` renders it. It reads only the
    reader's roles, the language and the page (its links and which one is current)."""
    language = context.get("current_language")
    if language is None or not has_request_context():
        return _render(context)
    account = context.get("current_account")
    roles = None if account is None else tuple(sorted(role.value for role in account.roles))
    key = (roles, language, request.endpoint, request.script_root)
    return cached("account_nav", key, lambda: _render(context), size=CACHE_SIZE)


def _render(context: Context) -> Markup:
    return Markup(context.environment.get_template(TEMPLATE).render(context.get_all()))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["account_nav"] = account_nav
