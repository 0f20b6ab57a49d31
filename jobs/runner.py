"""Run one job to its end. The same code runs in an RQ worker and in the in-process thread."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.db import SQLITE_BUSY_TIMEOUT_MS, db, utcnow
from jobs import registry
from jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

#: How long progress may wait for SQLite's single write lock before it skips a step.
SQLITE_PROGRESS_WAIT_MS = 200


def lease() -> timedelta:
    """A running job whose heartbeat is older than this lost its worker (killed, machine
    gone): it is failed, its private parameters erased, and it can be started again."""
    return timedelta(seconds=current_app.config["JOBS_LEASE_SECONDS"])


class Heartbeat:
    """Renews a running job's `heartbeat_at` from a side thread in its own short
    transactions, also while the job is busy in one long step (rendering a PDF)."""

    def __init__(self, job_id: str, every: timedelta) -> None:
        self.job_id, self.every = job_id, every.total_seconds()
        self.engine = db.engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with _progress_connection(self.engine) as connection:
                    connection.execute(
                        update(Job)
                        .where(Job.id == self.job_id, Job.status == JobStatus.RUNNING)
                        .values(heartbeat_at=utcnow())
                    )
                    connection.commit()
            except OperationalError:
                log.warning("Heartbeat of job %s not recorded (database busy or away)", self.job_id)


class DatabaseProgress:
    """Writes progress in its own short transaction, so pages see it while the job runs."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id

    def __call__(self, done: int, total: int | None, detail: str = "") -> None:
        try:
            with _progress_connection() as connection, Session(bind=connection) as session:
                session.get_one(Job, self.job_id).report(done, total, detail)
                session.commit()
        except OperationalError:
            # SQLite allows one writer: while the job itself holds the write lock,
            # progress skips this step rather than stalling the job.
            log.warning("Progress of job %s not recorded (database busy)", self.job_id)


@contextmanager
def _progress_connection(engine=None):
    with (engine or db.engine).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_busy_timeout(connection, SQLITE_PROGRESS_WAIT_MS)
        try:
            yield connection
        finally:
            if sqlite:
                _set_busy_timeout(connection, SQLITE_BUSY_TIMEOUT_MS)


def _set_busy_timeout(connection, milliseconds: int) -> None:
    connection.rollback()
    connection.exec_driver_sql(f"PRAGMA busy_timeout={milliseconds}")
    connection.commit()


def queued_jobs(names: list[str] | None = None) -> Select:
    statement = select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.created_at)
    if names is not None:
        statement = statement.where(Job.name.in_(names))
    return statement


def next_queued_job_id(names: list[str] | None = None) -> str | None:
    return db.session.scalar(queued_jobs(names).limit(1))


def run_next(names: list[str] | None = None) -> bool:
    """Run the oldest queued job (of these names); False when there is none. First fail
    the jobs whose worker stopped, so they do not block starting them again."""
    if fail_abandoned_jobs(lease()):
        db.session.commit()
    job_id = next_queued_job_id(names)
    if job_id is None:
        return False
    run_job(job_id)
    return True


def run_urgent_jobs() -> bool:
    """Run every queued urgent job; False when there was none."""
    ran = False
    while run_next(registry.urgent_names()):
        ran = True
    return ran


def claim(job_id: str) -> bool:
    """Move a queued job to running; False if another worker got it first.

    A conditional UPDATE rather than `Job` methods: it is the one step that must be
    atomic across processes and machines, on SQLite as on PostgreSQL.
    """
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow(), heartbeat_at=utcnow())
    )
    db.session.commit()
    return claimed.rowcount == 1


def fail_abandoned_jobs(older_than: timedelta) -> int:
    """Mark running jobs failed whose heartbeat stopped `older_than` ago: their worker died.
    Their private parameters are erased at once. Callers commit."""
    cutoff = utcnow() - older_than
    stuck = db.session.scalars(
        select(Job).where(
            Job.status == JobStatus.RUNNING,
            func.coalesce(Job.heartbeat_at, Job.started_at) < cutoff,
        )
    ).all()
    for job in stuck:
        job.fail("Interrupted: the worker stopped before the job finished.")
        _forget_private_params(job)
        log.warning("Job %s (%s) abandoned by its worker", job.name, job.id)
    return len(stuck)


def run_job(job_id: str) -> None:
    """Run the job with this id if it is still queued. Needs an app context."""
    try:
        _run_claimed(job_id)
    finally:
        # A worker's app context outlives one job: start the next job with a fresh session.
        db.session.remove()


def _run_claimed(job_id: str) -> None:
    if not claim(job_id):
        log.info("Job %s already taken or gone", job_id)
        return
    job = db.session.get_one(Job, job_id)
    name, params = job.name, dict(job.params)
    db.session.commit()  # hold no transaction open while the job runs
    log.info("Job %s (%s) started", name, job_id)
    function = registry.get(name)
    try:
        with Heartbeat(job_id, every=lease() / 4):
            result = function(DatabaseProgress(job_id), **params)
        _finish(job_id).succeed(result)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("Job %s (%s) failed", name, job_id)
        _finish(job_id).fail(f"{type(error).__name__}: {error}")
        db.session.commit()
        return
    log.info("Job %s (%s) succeeded", name, job_id)


def _finish(job_id: str) -> Job:
    job = db.session.get_one(Job, job_id)
    _forget_private_params(job)
    return job


def _forget_private_params(job: Job) -> None:
    """Erase parameters that hold personal data or secrets once the job has ended."""
    try:
        private = registry.get(job.name).private_params
    except LookupError:
        private = True  # a job whose function is gone never runs again: keep nothing
    if private:
        job.params = {}
