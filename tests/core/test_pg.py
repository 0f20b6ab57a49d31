import secrets

import psycopg
import pytest
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
