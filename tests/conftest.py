"""Fixtures: an app on a real, migrated database (SQLite and PostgreSQL), clients, factories.

Every test that uses `app` runs once per database. Each pytest run creates its own
databases and drops them at the end; tables are emptied after every test.

Set REQUIRE_POSTGRES=1 (CI does) to fail instead of skip when PostgreSQL is missing.
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from core.db import db

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")


def required(name: str) -> bool:
    return os.environ.get(f"REQUIRE_{name.upper()}", "") not in ("", "0")


def skip_or_fail(name: str, reason: str) -> None:
    if required(name):
        pytest.fail(f"{reason} (REQUIRE_{name.upper()} is set)")
    pytest.skip(reason)


def base_config(database_url: str) -> dict:
    return {
        "APP_ENV": "testing",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "BASE_URL": "http://naoberpanel.test",
        "DEMO_JOBS_ENABLED": True,
        "DEMO_JOB_DELAY": 0.0,
        "REDIS_URL": None,  # in-process jobs unless a test asks for Redis
        "JOBS_QUEUE": f"naoberpanel-test-{uuid.uuid4().hex}",
    }


def migrate(database_url: str) -> None:
    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        db.engine.dispose()


# --- databases, one of each per pytest run ---------------------------------------------


@pytest.fixture(scope="session")
def database_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("databases")


@pytest.fixture(scope="session")
def sqlite_url(database_dir) -> str:
    url = f"sqlite:///{database_dir / 'test.db'}"
    migrate(url)
    return url


def create_postgres_database() -> tuple[sa.Engine, str, str] | str:
    admin_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"naoberpanel_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        engine.dispose()
        return f"PostgreSQL not reachable at {admin_url}: {error.orig}"
    url = engine.url.set(database=name).render_as_string(hide_password=False)
    return engine, name, url


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    created = create_postgres_database()
    if isinstance(created, str):
        skip_or_fail("postgres", created)
    engine, name, url = created
    try:
        migrate(url)
        yield url
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


# --- the app ---------------------------------------------------------------------------


def empty_all_tables(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    tables = list(reversed(db.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def make_app(database_url) -> Iterator:
    """Build apps on this test's database; `make_app(KEY=value)` overrides settings."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        app = create_app({**base_config(database_url), **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        jobs = app.extensions["jobs"]
        if hasattr(jobs, "stop"):
            jobs.stop()
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    empty_all_tables(database_url)


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def post_form(client):
    """POST a form the way a browser does: first GET the page for its CSRF token."""

    def post(page_url: str, action_url: str | None = None, data: dict | None = None, **kwargs):
        token = csrf_token_from(client.get(page_url).text)
        return client.post(
            action_url or page_url, data={"csrf_token": token, **(data or {})}, **kwargs
        )

    return post


# --- factories -------------------------------------------------------------------------


@pytest.fixture
def seeded(app):
    """The demo villages and associations of Midden-Drenthe."""
    from demo.services import seed_villages

    seed_villages()
    db.session.commit()


@pytest.fixture
def make_village(app):
    from villages.models import VillageKind
    from villages.services import upsert_village

    def make(name: str = "Orvelte", kind: VillageKind = VillageKind.VILLAGE, population=97):
        village = upsert_village(name, kind, population)
        db.session.commit()
        return village

    return make
