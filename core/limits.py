"""Rate limits (Flask-Limiter): in memory by default, Redis via RATELIMIT_STORAGE_URI."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address)


def login_email_key() -> str:
    """Limit login requests per address typed, whoever sends them."""
    return "login-email:" + request.form.get("email", "").strip().lower()


def init_app(app: Flask) -> None:
    limiter.init_app(app)
