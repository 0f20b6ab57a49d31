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
