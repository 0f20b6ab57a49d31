import secrets

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import bindparam, select

from core.db import db
from core.pg import Cursor
from villages.models import Village

QUERY = "SELECT 1 AS one, 'Orvelte'::text AS village, now() AS at"


@pytest.fixture
def connection(app):
    """The psycopg connection under the app's session (PostgreSQL only)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("psycopg's cursors")
        yield db.session.connection().connection.dbapi_connection


def described(cursor) -> list[tuple[str, int]]:
    return [(column.name, column.type_code) for column in cursor.description]


def test_the_apps_cursors_describe_columns_as_psycopg_does(connection):
    ours, theirs = connection.cursor(), psycopg.Cursor(connection)
    assert isinstance(ours, Cursor)
    ours.execute(QUERY)
    theirs.execute(QUERY)
    assert len(ours.description) == 3
    assert described(ours) == described(theirs)
    assert [tuple(column) for column in ours.description] == [
        tuple(column) for column in theirs.description
    ]
    assert ours.fetchall() == theirs.fetchall()
    for cursor in (ours, theirs):
        cursor.execute("SET LOCAL lock_timeout = '1s'")
        assert cursor.description is None
        cursor.execute("SELECT")  # rows without columns
        assert len(cursor.description) == 0


def test_a_description_read_after_the_next_statement_is_refused(connection):
    cursor = connection.cursor()
    cursor.execute("SELECT 1 AS one")
    first = cursor.description
    cursor.execute("SELECT 2 AS two")
    with pytest.raises(psycopg.InterfaceError):
        first[0]
    assert described(cursor) == [("two", 23)]


def test_a_statement_run_again_has_its_columns_described_no_more(connection, monkeypatch):
    descriptions = []
    psycopgs = psycopg.Cursor.description.fget

    def describe(cursor):
        descriptions.append(cursor)
        return psycopgs(cursor)

    monkeypatch.setattr(psycopg.Cursor, "description", property(describe))
    # A label of its own: a statement SQLAlchemy has not compiled before.
    statement = select(Village.id.label(f"id_{secrets.token_hex(4)}"), Village.name).where(
        Village.name == bindparam("name")
    )
    for name in ("Beilen", "Orvelte", "Bovensmilde"):
        db.session.execute(statement, {"name": name}).all()
    assert len(descriptions) == 1  # the first run, where SQLAlchemy learns the columns


def test_a_pooled_connection_the_server_closed_is_replaced_before_use(
    app, database_url, monkeypatch
):
    """A restart or failover, as pg_terminate_backend does it: the next checkout gets a new
    connection instead of an error. A live one is reused, and checked without a round trip
    (no pre-ping's SELECT 1: the statements the server sees are the request's own)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("psycopg's connections")
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    engine = sa.create_engine(db.engine.url, **options, pool_size=1, max_overflow=0)
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection))
    try:
        first = backend_of(engine)
        assert backend_of(engine) == first
        terminate(database_url, first)
        assert backend_of(engine) != first
    finally:
        engine.dispose()
    assert pings == []


def backend_of(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def terminate(database_url: str, pid: int) -> None:
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    finally:
        admin.dispose()
