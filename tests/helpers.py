"""Small helpers shared by tests."""

from sqlalchemy import func, select

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
