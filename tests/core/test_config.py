import stat

import pytest
from flask import request

from app import create_app
from core.config import development_secret_key, normalise_database_url

STRONG_KEY = "k" * 16 + "3f9a0c1d2e4b5a6978695a4b3c2d1e0f"


def production_app(tmp_path, **settings):
    config = {
        "APP_ENV": "production",
        "JOBS_WEB_WORKER": False,
        "BASE_URL": "https://panel.middendrenthe.nl",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        **settings,
    }
    return create_app(config)


@pytest.mark.parametrize(
    "key",
    [None, "", "dev", "changeme", "short-but-random-7f3a", "k" * 40, "ab" * 32, "12345678" * 5],
)
def test_production_refuses_missing_or_weak_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        production_app(tmp_path, SECRET_KEY=key)


def test_production_starts_with_strong_key_and_secure_cookies(tmp_path):
    app = production_app(tmp_path, SECRET_KEY=STRONG_KEY)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PREFERRED_URL_SCHEME"] == "https"


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="APP_ENV"):
        create_app({"APP_ENV": "staging", "SECRET_KEY": STRONG_KEY, "DATABASE_URL": "sqlite://"})


def test_development_key_is_generated_once_and_kept_private(tmp_path):
    first = development_secret_key(tmp_path)
    assert len(first) >= 64
    assert development_secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_environment_overrides_defaults_and_caller_overrides_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_JOBS_ENABLED", "true")
    monkeypatch.setenv("DEMO_JOB_DELAY", "0.25")
    monkeypatch.setenv("BASE_URL", "https://panel.example.nl")
    app = create_app(
        {
            "APP_ENV": "development",
            "SECRET_KEY": STRONG_KEY,
            "DATABASE_URL": "sqlite://",
            "BASE_URL": "https://caller.example.nl",
        }
    )
    assert app.config["DEMO_JOBS_ENABLED"] is True
    assert app.config["DEMO_JOB_DELAY"] == 0.25
    assert app.config["BASE_URL"] == "https://caller.example.nl"


@pytest.mark.parametrize(
    "unsafe",
    [
        {"SESSION_COOKIE_SECURE": False},
        {"DEMO_JOBS_ENABLED": True},
        {"DEBUG": True},
        {"MAIL_BACKEND": "console"},
        {"BASE_URL": "http://panel.middendrenthe.nl"},
        {"RATELIMIT_STORAGE_URI": "memory://"},
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, unsafe):
    with pytest.raises(RuntimeError, match="production"):
        production_app(tmp_path, SECRET_KEY=STRONG_KEY, **unsafe)


@pytest.mark.parametrize(("proxies", "scheme"), [(0, "http"), (1, "https")])
def test_proxy_headers_are_trusted_only_when_configured(tmp_path, proxies, scheme):
    app = create_app(
        {"APP_ENV": "testing", "SECRET_KEY": STRONG_KEY, "DATABASE_URL": "sqlite://"}
        | {"TRUSTED_PROXIES": proxies, "JOBS_WEB_WORKER": False, "MAIL_WEB_WORKER": False}
    )
    seen = []
    app.before_request(lambda: seen.append(request.scheme))
    app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert seen == [scheme]


def test_cookie_security_can_be_forced_outside_production(tmp_path, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    app = create_app(
        {"APP_ENV": "development", "SECRET_KEY": STRONG_KEY, "DATABASE_URL": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_use_the_installed_driver(given, expected):
    assert normalise_database_url(given) == expected
