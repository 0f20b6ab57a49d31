"""Configuration: code defaults, then instance/config.py, then environment, then the caller's."""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

ENVIRONMENTS = ("development", "testing", "production")
MIN_SECRET_KEY_LENGTH = 32
#: Estimated from the key's own character frequencies: `secrets.token_hex(16)` scores 94 to
#: 125 bits, "k" * 40 zero and "ab" * 20 forty.
MIN_SECRET_KEY_BITS = 80
KNOWN_WEAK_KEYS = {"dev", "secret", "changeme", "change-me", "development", "test"}

#: Every setting the app knows, with its default. Only these are read from the environment.
DEFAULTS: dict[str, Any] = {
    "APP_ENV": "production",
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # SQLite file in instance/ when unset
    "REDIS_URL": None,  # jobs run in-process when unset
    "JOBS_QUEUE": "naoberpanel",
    "JOBS_WEB_WORKER": True,  # without Redis: run jobs in a thread of each web process
    "JOBS_LEASE_SECONDS": 120.0,  # a running job without heartbeat this long lost its worker
    "DEMO_JOBS_ENABLED": False,
    "DEMO_JOB_DELAY": 0.5,  # seconds per step of the demo job
    "BASE_URL": "http://127.0.0.1:5000",
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",  # dates and times as residents read them
    "LANGUAGES": ("nl", "en"),
    "SESSION_COOKIE_SECURE": None,  # None: secure everywhere but development and testing
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-* headers we believe
    "MUNICIPALITY_NAME": "Gemeente Midden-Drenthe",
    # Login
    "LOGIN_TOKEN_MINUTES": 15,
    "INVITATION_TOKEN_HOURS": 72,
    "SESSION_IDLE_MINUTES": 30,
    "LOGIN_LIMIT_PER_ADDRESS": "20 per hour",
    "LOGIN_LIMIT_PER_EMAIL": "5 per 15 minutes",
    # Open data (API and table downloads): per client address.
    "OPEN_DATA_LIMIT_PER_ADDRESS": "120 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    # Mail
    "MAIL_BACKEND": "smtp",  # or "console": mails are written to the log (development)
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Naoberpanel Midden-Drenthe <naoberpanel@localhost>",
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_SECONDS": 60,  # doubled after every failed attempt
    "MAIL_POLL_SECONDS": 5.0,
    "MAIL_WEB_WORKER": True,  # deliver mail from a thread of each web process
    "MAIL_RETENTION_DAYS": 30,  # delivered mail is deleted after this (maintenance purge)
    "JOB_RETENTION_DAYS": 90,  # finished jobs and their results likewise
    # Client addresses and officials' free-text explanations in the audit log are emptied
    # after this (maintenance purge); the events stay.
    "AUDIT_IP_RETENTION_DAYS": 90,
    # Key of the pseudonyms an erased member's audit events get; None: derived from
    # SECRET_KEY for this purpose alone (audit.services.pseudonym).
    "AUDIT_PSEUDONYM_KEY": None,
    # Panel
    "SIGN_UP_DAYS": 7,  # an unconfirmed sign-up is deleted after this
    "INVITATIONS_PER_QUARTER": 4,  # invitation fatigue rule: at most this many per member
    "DISCLOSURE_THRESHOLD": 10,  # no aggregate of fewer respondents leaves the server
    "EXPECTED_RESPONSE_RATE": 0.6,  # for the default recruitment target per village
    # Paper: where an import file waits between its dry run and the import (None: instance/).
    # Every web server must see the same folder (a shared volume) when there are several.
    "PAPER_IMPORT_DIR": None,
    # Exports: where finished microdata files wait a day for their download (None: instance/).
    "EXPORTS_DIR": None,
}


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Load settings in order of precedence, then refuse unsafe combinations."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(_from_environment())
    app.config.update(overrides or {})
    _apply_fixed_settings(app)
    _ensure_secret_key(app)
    _refuse_unsafe_production_settings(app)
    _set_database_uri(app)


BOOLEAN_KEYS = {
    "DEMO_JOBS_ENABLED",
    "SESSION_COOKIE_SECURE",
    "JOBS_WEB_WORKER",
    "RATELIMIT_ENABLED",
    "MAIL_USE_TLS",
    "MAIL_WEB_WORKER",
}


def _from_environment() -> dict[str, Any]:
    return {key: _parse(key, os.environ[key]) for key in DEFAULTS if key in os.environ}


def _parse(key: str, raw: str) -> Any:
    default = DEFAULTS[key]
    if key in BOOLEAN_KEYS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def _apply_fixed_settings(app: Flask) -> None:
    env = app.config["APP_ENV"]
    if env not in ENVIRONMENTS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = env == "production"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PREFERRED_URL_SCHEME"] = "https" if env == "production" else "http"
    app.config["TESTING"] = env == "testing" or app.config.get("TESTING", False)
    app.config["SQLALCHEMY_RECORD_QUERIES"] = app.config["TESTING"]
    # The idle timeout ends a session sooner; this is the hard upper bound.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)
    # The cookie is written when the session changes, which includes the idle timer once a
    # minute (accounts.sessions): signing and sending it with every response bought nothing.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    if app.config["MAIL_BACKEND"] not in ("smtp", "console"):
        raise RuntimeError("MAIL_BACKEND must be smtp or console")


def _ensure_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if app.config["APP_ENV"] == "production":
        if not strong_secret_key(key):
            raise RuntimeError(
                "Refusing to start in production without a strong SECRET_KEY "
                f"(at least {MIN_SECRET_KEY_LENGTH} random characters); "
                'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
            )
        return
    if not key:
        app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))


def strong_secret_key(key: str | bytes | None) -> bool:
    """Long enough and varied enough to be random, and not a known placeholder."""
    if not key or len(key) < MIN_SECRET_KEY_LENGTH:
        return False
    text = key.decode("latin-1") if isinstance(key, bytes) else key
    repeats_itself = (text + text).find(text, 1) < len(text)  # "abc123" * 6
    return (
        text.lower() not in KNOWN_WEAK_KEYS
        and not repeats_itself
        and estimated_bits(text) >= MIN_SECRET_KEY_BITS
    )


def estimated_bits(text: str) -> float:
    """Shannon entropy of the text's own characters times its length: a low estimate for
    random keys, and near zero for repetitive ones."""
    total = len(text)
    per_character = -sum(n / total * math.log2(n / total) for n in Counter(text).values())
    return per_character * total


def _refuse_unsafe_production_settings(app: Flask) -> None:
    if app.config["APP_ENV"] != "production":
        return
    unsafe = [
        name
        for name, is_unsafe in [
            ("SESSION_COOKIE_SECURE off", not app.config["SESSION_COOKIE_SECURE"]),
            ("DEMO_JOBS_ENABLED on", app.config["DEMO_JOBS_ENABLED"]),
            ("DEBUG on", app.config.get("DEBUG")),
            ("MAIL_BACKEND console", app.config["MAIL_BACKEND"] == "console"),
            ("a BASE_URL that is not https://", not app.config["BASE_URL"].startswith("https://")),
            (
                "rate limits kept per process (set RATELIMIT_STORAGE_URI to redis://…)",
                app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"),
            ),
        ]
        if is_unsafe
    ]
    if unsafe:
        raise RuntimeError(f"Refusing to start in production with {', '.join(unsafe)}")


def development_secret_key(instance: Path) -> str:
    """Generate a key once and keep it, so development sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _set_database_uri(app: Flask) -> None:
    url = app.config.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'naoberpanel.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if not url.startswith("sqlite"):
        # After a database restart or failover, pooled connections are dead: test each one
        # as it leaves the pool, so the next request reconnects instead of failing.
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("pool_pre_ping", True)
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://"):
            from core.pg import Cursor

            options.setdefault("connect_args", {}).setdefault("cursor_factory", Cursor)


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at psycopg 3, the only driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
