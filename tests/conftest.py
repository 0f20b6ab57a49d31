"""Fixtures: an app on a real, migrated database (SQLite and PostgreSQL), clients, factories.

Every test that uses `app` runs once per database. Each pytest run creates its own
databases and drops them at the end; tables are emptied after every test.

Set REQUIRE_POSTGRES=1 (CI does) to fail instead of skip when PostgreSQL is missing.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from core.db import db
from core.limits import limiter

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# The tests' `date.today()` is the municipality's, like the app's `core.dates.local_today()`
# (BABEL_DEFAULT_TIMEZONE): on a UTC machine the two differed by a day from midnight in
# the Netherlands until midnight UTC, and tests comparing them failed in that hour (two
# in summer). The app itself never reads the process's zone.
os.environ["TZ"] = "Europe/Amsterdam"
time.tzset()
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
        "MAIL_WEB_WORKER": False,  # tests deliver mail explicitly, to their own SMTP server
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 9,  # nothing listens here; `smtp_server` gives a real one
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


# --- snapshots: a database state built once per run, copied per test ---------------------

#: Builders of database states that many tests start from, by name. A test that uses a
#: fixture of that name (directly or through another fixture) gets its own copy of the
#: state, built once per database kind on first use: the demo takes ~20 s to seed, two
#: analysed waves ~5 s, a copy well under a second.
SNAPSHOTS: dict[str, Callable[[], object]] = {}


def snapshot(name: str, build: Callable[[], object]) -> None:
    """Register `build` (run in an app context on an empty, migrated database) as `name`."""
    SNAPSHOTS[name] = build


#: Databases made for one test only: dropped afterwards instead of emptied.
THROWAWAY: set[str] = set()


class Snapshots:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.templates: dict[tuple[str, str], str] = {}  # (name, kind) -> template url
        self.outputs: dict[tuple[str, str], object] = {}  # what the builder returned
        self.admin: sa.Engine | None = None
        self.made_postgres: list[str] = []

    def template(self, name: str, kind: str) -> str:
        if (name, kind) not in self.templates:
            url = self._empty_database(name, kind)
            migrate(url)
            app = create_app(base_config(url))
            with app.app_context():
                self.outputs[name, kind] = SNAPSHOTS[name]()
                db.session.commit()
                db.engine.dispose()
            for extension in ("jobs", "mail_worker"):
                stop = getattr(app.extensions[extension], "stop", None)
                if stop:
                    stop()
            self.templates[name, kind] = url
        return self.templates[name, kind]

    def _empty_database(self, name: str, kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.directory / f'{name}-template.db'}"
        created = create_postgres_database()
        if isinstance(created, str):
            skip_or_fail("postgres", created)
        engine, database, url = created
        if self.admin is None:
            self.admin = engine
        else:
            engine.dispose()
        self.made_postgres.append(database)
        return url

    def copy(self, name: str, kind: str) -> str:
        template_url = self.template(name, kind)
        if kind == "sqlite":
            path = self.directory / f"{name}-{uuid.uuid4().hex}.db"
            shutil.copyfile(sa.make_url(template_url).database, path)
            url = f"sqlite:///{path}"
        else:
            template = sa.make_url(template_url).database
            database = f"{template}_{secrets.token_hex(3)}"
            self._admin(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
            url = self.admin.url.set(database=database).render_as_string(hide_password=False)
        THROWAWAY.add(url)
        return url

    def drop(self, url: str) -> None:
        THROWAWAY.discard(url)
        if url.startswith("sqlite"):
            Path(sa.make_url(url).database).unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(statement))

    def close(self) -> None:
        if self.admin is not None:
            for database in self.made_postgres:
                self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            self.admin.dispose()


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory) -> Iterator[Snapshots]:
    made = Snapshots(tmp_path_factory.mktemp("snapshots"))
    yield made
    made.close()


def kind_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


@pytest.fixture(params=DATABASES)
def database_url(request) -> Iterator[str]:
    """This test's database: the run's own (emptied after each test), or its own copy of a
    snapshot when it uses a fixture named after one."""
    wanted = [name for name in SNAPSHOTS if name in request.fixturenames]
    if not wanted:
        yield request.getfixturevalue(f"{request.param}_url")
        return
    assert len(wanted) == 1, f"a test can start from one snapshot, not {wanted}"
    made = request.getfixturevalue("snapshots")
    url = made.copy(wanted[0], request.param)
    yield url
    made.drop(url)


def snapshot_output(request, name: str) -> object:
    """What the snapshot's builder returned, for the test's database kind."""
    url = request.getfixturevalue("database_url")
    return request.getfixturevalue("snapshots").outputs[name, kind_of(url)]


# --- the app ---------------------------------------------------------------------------


def empty_all_tables(database_url: str) -> None:
    """Between tests. TRUNCATE passes the audit log's row triggers on PostgreSQL; on SQLite
    the append-only triggers are dropped for the moment and put back."""
    engine = sa.create_engine(database_url)
    tables = list(reversed(db.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # DELETE is much cheaper than TRUNCATE on small tables; the replica role skips
            # the audit log's append-only triggers (the tests connect as a superuser).
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for table in tables:
                connection.execute(table.delete())
        else:
            triggers = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            ).all()
            for name, _ in triggers:
                connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
            for table in tables:
                connection.execute(table.delete())
            for _, sql in triggers:
                connection.exec_driver_sql(sql)
    engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production, even while the test holds
    one open for its own database work: `g` (CSRF token, locale) never leaks between them.
    Also each request a redirect leads to: a followed redirect inside the first request's
    context would wait for that request's SQLite write lock (BEGIN IMMEDIATE) until the
    busy timeout."""

    def run_wsgi_app(self, environ, buffered=False):
        with self.application.app_context():
            return super().run_wsgi_app(environ, buffered)


@pytest.fixture
def make_app(database_url) -> Iterator:
    """Build apps on this test's database; `make_app(KEY=value)` overrides settings."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        app = create_app({**base_config(database_url), **overrides})
        app.test_client_class = FreshContextClient
        apps.append(app)
        return app

    limiter.reset()
    yield build
    for app in apps:
        jobs = app.extensions["jobs"]
        if hasattr(jobs, "stop"):
            jobs.stop()
        app.extensions["mail_worker"].stop()
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    if database_url not in THROWAWAY:
        empty_all_tables(database_url)


@pytest.fixture
def app(make_app, request) -> Iterator[Flask]:
    """The test's app; it delivers mail to `smtp_server` when the test uses that."""
    settings = {}
    if "smtp_server" in request.fixturenames:
        settings["MAIL_PORT"] = request.getfixturevalue("smtp_server").port
    app = make_app(**settings)
    with app.app_context():
        yield app


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def form_key_from(html: str) -> dict[str, str]:
    """The one-time key of a creating form (core.forms.OnceForm), as a browser sends it."""
    match = re.search(r'name="form_key"[^>]*value="([^"]+)"', html)
    return {"form_key": match.group(1)} if match else {}


@pytest.fixture
def post_form(client):
    """POST a form the way a browser does: first GET the page for its CSRF token."""

    def post(page_url: str, action_url: str | None = None, data: dict | None = None, **kwargs):
        html = client.get(page_url).text
        sent = {"csrf_token": csrf_token_from(html), **form_key_from(html), **(data or {})}
        return client.post(action_url or page_url, data=sent, **kwargs)

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


@pytest.fixture
def make_account(app):
    """Create an account with one role; `village` is a name, for associations and residents."""
    from accounts.models import Role
    from accounts.services import get_or_create_account, grant_role
    from villages.queries import village_by_name

    def make(role: Role | str = "official", email: str | None = None, village: str | None = None):
        role = Role(role)
        account = get_or_create_account(email or f"{role.value}-{secrets.token_hex(3)}@example.nl")
        if village is not None:
            place = village_by_name(village) or make_village_named(village)
            grant_role(account, role, place)
        else:
            grant_role(account, role)
        db.session.commit()
        return account

    def make_village_named(name: str):
        from villages.models import VillageKind
        from villages.services import upsert_village

        return upsert_village(name, VillageKind.VILLAGE)

    return make


@pytest.fixture
def privacy_statement(app):
    """Publish a privacy statement (version 1, or the next) and return it."""
    from panel.services import publish_statement

    def publish(body_nl: str = "Privacyverklaring.", changes_nl: str = ""):
        statement = publish_statement(body_nl, "Privacy statement.", changes_nl, "", by=None)
        db.session.commit()
        return statement

    return publish


@pytest.fixture
def make_member(app, make_village):
    """Create a panel member. `email=None` with channel "paper" makes a paper-only member."""
    from accounts.services import get_or_create_account
    from panel.models import AgeBand, Channel, ContactDetails, Household, Sex
    from panel.services import Profile, current_statement, register_member
    from villages.queries import village_by_name

    def make(
        village: str = "Orvelte",
        email: str | None = "",
        *,
        birth_year: int | None = 1960,
        age_band: AgeBand | None = None,
        sex: Sex = Sex.FEMALE,
        household: Household = Household.COUPLE,
        channel: str = "web",
        name: str = "",
        **fields,
    ):
        place = village_by_name(village) or make_village(village)
        channel = Channel(channel)
        account = None
        if channel is Channel.WEB:
            account = get_or_create_account(email or f"lid-{secrets.token_hex(3)}@example.nl")
        profile = Profile(
            village_id=place.id,
            sex=sex,
            household=household,
            birth_year=birth_year,
            age_band=age_band,
        )
        member = register_member(
            profile,
            channel,
            account=account,
            contact=ContactDetails(name=name) if name or channel is Channel.PAPER else None,
            statement=current_statement(),
        )
        for key, value in fields.items():
            setattr(member, key, value)
        db.session.commit()
        return member

    return make


def start_session(client, account) -> None:
    """Give a test client the session a real magic-link login makes for `account`."""
    with client.session_transaction() as session:
        session.update(
            {
                "account_id": account.id,
                "epoch": account.session_epoch,
                "seen": int(time.time()),
                "since": int(time.time()),
            }
        )


@pytest.fixture
def login_as(client, make_account):
    """Log the test client in as a new account with `role`."""

    def login(role="official", **kwargs):
        account = make_account(role, **kwargs)
        start_session(client, account)
        return account

    return login


class SmtpInbox:
    """Messages received by the test SMTP server, as parsed email objects."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on loopback; `.inbox.messages` holds what it received."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.inbox = inbox
    yield controller
    controller.stop()
