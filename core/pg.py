"""psycopg, as our engine's connections use it on PostgreSQL: cursors that describe their
columns when asked, and pooled connections checked without a round trip.

psycopg builds a `Column` object for every column of every result as soon as a cursor's
`description` is read, and SQLAlchemy reads it once per statement. For a statement it has
run before, SQLAlchemy keeps the result's columns with the compiled statement and only
asks whether there is a description at all; so psycopg described 50-odd columns per
answer page for nothing (psycopg/psycopg#446 and #1240): a 34-column SELECT took 94 µs of
CPU, 71 µs without. Here the description is made by psycopg itself, but only when a
column is read.
"""

from __future__ import annotations

import select
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

#: The results psycopg describes even when they have no columns (see its `description`).
_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class Description(Sequence):
    """The columns of one result, described by psycopg on first use."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: psycopg.Cursor, result: Any):
        self._cursor, self._result = cursor, result
        self._columns: list[psycopg.Column] | None = None

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):
        return self.columns()[index]

    def __repr__(self) -> str:
        return repr(self.columns())

    def columns(self) -> list[psycopg.Column]:
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                # Described now, the columns would be another result's.
                raise psycopg.InterfaceError("the cursor has moved on to another result")
            self._columns = psycopg.Cursor.description.fget(self._cursor)
        return self._columns


class Cursor(psycopg.Cursor):
    """psycopg's cursor, describing its result's columns only when they are read."""

    @property
    def description(self) -> Description | None:
        result = self.pgresult
        if result is None or not (result.nfields or result.status in _ROWS):
            return None
        return Description(self, result)


@event.listens_for(Pool, "checkout")
def _replace_if_the_server_closed_it(dbapi_connection, connection_record, proxy) -> None:
    """A pooled connection the server closed (a restart, a failover, pg_terminate_backend,
    idle_session_timeout) is replaced before a request uses it. The server says so on the
    socket, an error and then end of file, so a glance at whether the idle socket has
    anything to read tells, where SQLAlchemy's pre-ping sent SELECT 1 on every checkout: a
    round trip per request. (A server that vanished without a word is found by the first
    statement, as with the pre-ping, which waited for it as long.)"""
    if isinstance(dbapi_connection, psycopg.Connection) and not idle_and_open(dbapi_connection):
        raise DisconnectionError("the database server closed this connection")


def idle_and_open(connection: psycopg.Connection) -> bool:
    """Open, outside a transaction, and with nothing from the server waiting: an idle
    connection's server only writes when it ends the session (we LISTEN to nothing)."""
    if connection.closed or connection.info.transaction_status != TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
    return not poller.poll(0)
