"""One declarative base, one session per request, and time stored the same on every database."""

from __future__ import annotations

import enum
import sqlite3
from datetime import UTC, datetime

from flask import Flask, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: One session per app context, so one per request (Flask pushes a context per request),
#: closed and rolled back, if not committed, when the request ends.
db = SQLAlchemy(model_class=Base)


def value_enum(kind: type[enum.Enum], name: str) -> Enum:
    """Store an Enum as its value in a VARCHAR with a CHECK, identical on SQLite and PostgreSQL."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database.

    SQLite drops time zones, PostgreSQL keeps them: storing naive UTC and
    returning aware UTC makes both behave identically.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.db.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


SQLITE_BUSY_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Enforce foreign keys and let a worker thread and requests write side by side."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


#: Requests that only read; any other request's transactions take SQLite's write lock at once.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "begin")
def _begin_sqlite_writes_immediately(connection) -> None:
    """On SQLite a POST's transaction takes the write lock when it begins (`BEGIN IMMEDIATE`).

    SQLite ignores `FOR UPDATE`, and pysqlite begins a transaction only at the first write,
    so two simultaneous POSTs would both read "not yet done" and then both write it. With the
    lock taken first, the second POST waits (busy_timeout) and reads what the first committed:
    the row locks PostgreSQL gives, for the price of one writer at a time, which SQLite has
    anyway. Reading requests and workers keep pysqlite's behaviour (see the SQLAlchemy notes
    on pysqlite transactions); they rely on single conditional UPDATEs instead.
    """
    if connection.dialect.name != "sqlite" or not has_request_context():
        return
    if request.method not in READING_METHODS:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# --- Reading requests end with COMMIT on PostgreSQL -----------------------------------------

#: Set on a PostgreSQL connection when its transaction begins, cleared by any statement that
#: is not a SELECT and by any error.
ONLY_READ = "naoberpanel.only_read"
#: The session's connection whose transaction is watched.
WATCHED = "naoberpanel.watched_connection"


@event.listens_for(Session, "after_begin")
def _watch_for_writes(session: Session, transaction, connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.info[ONLY_READ] = True
        session.info[WATCHED] = connection


@event.listens_for(Engine, "before_cursor_execute")
def _note_a_write(conn, cursor, statement: str, parameters, context, executemany) -> None:
    if conn.info.get(ONLY_READ) and statement.lstrip()[:6].upper() != "SELECT":
        conn.info[ONLY_READ] = False


@event.listens_for(Engine, "handle_error")
def _note_an_error(context) -> None:
    if context.connection is not None:
        context.connection.info[ONLY_READ] = False


def end_reading_transactions_with_commit(app: Flask) -> None:
    """Call after `db.init_app`: Flask runs teardowns in reverse, so this one runs before
    Flask-SQLAlchemy's removes the session."""
    app.teardown_appcontext(_commit_what_only_read)


def _commit_what_only_read(error: BaseException | None) -> None:
    """End a transaction that only ran SELECTs with COMMIT instead of the ROLLBACK that
    closing the session sends: the same for the database, but psycopg forgets its prepared
    statements at every ROLLBACK, so with reading requests in between, no statement ever
    got prepared and PostgreSQL planned each one again (a page request's joined SELECT
    over four tables among them)."""
    if not db.session.registry.has():  # the request never used the database
        return
    session = db.session()
    connection = session.info.pop(WATCHED, None)
    if (
        connection is None
        or connection.closed
        or not connection.info.get(ONLY_READ)
        or not session.in_transaction()
        or session.in_nested_transaction()
        or session.new
        or session.deleted
        or session.dirty
    ):
        return
    try:
        session.commit()
    except Exception:  # the session's removal rolls back, as without this
        session.rollback()
