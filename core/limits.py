"""Rate limits (Flask-Limiter): in memory by default, Redis via RATELIMIT_STORAGE_URI."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address)


def login_email_key() -> str:
    """Limit requests per email address typed, whoever sends them; without an address, per
    client, so that empty submissions do not all share one bucket."""
    email = request.form.get("email", "").strip().lower()
    return "login-email:" + email if email else "login-client:" + get_remote_address()


def init_app(app: Flask) -> None:
    limiter.init_app(app)


def leave_checks_to_the_decorators(app: Flask, extension: Limiter = limiter) -> None:
    """Every limit of ours decorates its view, and the decorator checks it. Flask-Limiter
    also checks before every request for limits that apply to all routes (default,
    application, blueprint and meta limits): with none set, it looked up every request's
    limits and exemptions to find nothing: 4% of an answer journey's Python calls. Called
    once the blueprints are registered: a blueprint's limit, set as its views are
    imported, keeps the check. (With RATELIMIT_ENABLED off there is no check to drop.)"""
    manager = extension.limit_manager
    if (
        manager.default_limits
        or manager.application_limits
        or manager._blueprint_limits
        or extension._meta_limits
    ):
        return
    hooks = app.before_request_funcs.get(None, [])
    if extension._check_request_limit in hooks:
        hooks.remove(extension._check_request_limit)
