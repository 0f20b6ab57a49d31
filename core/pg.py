"""psycopg, as our engine's connections use it on PostgreSQL.

psycopg builds a `Column` object for every column of every result as soon as a cursor's
`description` is read, and SQLAlchemy reads it once per statement. For a statement it has
run before, SQLAlchemy keeps the result's columns with the compiled statement and only
asks whether there is a description at all; so psycopg described 50-odd columns per
answer page for nothing (psycopg/psycopg#446 and #1240): a 34-column SELECT took 94 µs of
CPU, 71 µs without. Here the description is made by psycopg itself, but only when a
column is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.pq import ExecStatus

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
