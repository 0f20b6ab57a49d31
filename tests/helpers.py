"""Small helpers shared by tests."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select

from core.db import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def wait_for_jobs(timeout: float = 10.0) -> None:
    """Wait until the app's job worker has run every queued job (login links, for one)."""
    import time

    from jobs.models import Job, JobStatus

    deadline = time.monotonic() + timeout
    unfinished = select(func.count()).where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
    while db.session.scalar(unfinished):
        assert time.monotonic() < deadline, "background jobs did not finish"
        time.sleep(0.01)
        db.session.rollback()  # see the worker's commits


def every_row_as_text() -> str:
    """Every row of every table as text, to prove that something is stored nowhere."""
    db.session.expire_all()
    return "\n".join(
        f"{table.name}: {row}"
        for table in db.metadata.sorted_tables
        for row in db.session.execute(select(table)).all()
    )


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """Statements run in this thread meanwhile: the test client runs a request in the
    test's thread, so the job and mail workers' polling is left out."""
    statements: list[str] = []
    thread = threading.get_ident()

    def count_statement(conn, cursor, statement, *args) -> None:
        if threading.get_ident() == thread:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statement)
