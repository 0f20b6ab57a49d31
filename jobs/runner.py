"""Run one job to its end. The same code runs in an RQ worker and in the in-process thread."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.db import db, utcnow
from jobs import registry
from jobs.models import Job, JobStatus

log = logging.getLogger(__name__)


class DatabaseProgress:
    """Writes progress in its own short transaction, so pages see it while the job runs."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id

    def __call__(self, done: int, total: int | None, detail: str = "") -> None:
        try:
            with Session(db.engine) as session, session.begin():
                session.get_one(Job, self.job_id).report(done, total, detail)
        except OperationalError:
            # SQLite allows one writer: while the job itself holds the write lock,
            # progress waits for the next step rather than blocking the job.
            log.warning("Progress of job %s not recorded (database busy)", self.job_id)


def claim(job_id: str) -> bool:
    """Atomically move a queued job to running; False if another worker got it first."""
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow())
    )
    db.session.commit()
    return claimed.rowcount == 1


def next_queued_job_id() -> str | None:
    statement = (
        select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.created_at).limit(1)
    )
    return db.session.scalar(statement)


def run_job(job_id: str) -> None:
    """Run the job with this id if it is still queued. Needs an app context."""
    if not claim(job_id):
        log.info("Job %s already taken or gone", job_id)
        return
    job = db.session.get_one(Job, job_id)
    log.info("Job %s (%s) started", job.name, job_id)
    try:
        result = registry.get(job.name)(DatabaseProgress(job_id), **job.params)
        db.session.refresh(job)
        job.succeed(result)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("Job %s (%s) failed", job.name, job_id)
        job = db.session.get_one(Job, job_id)
        job.fail(f"{type(error).__name__}: {error}")
        db.session.commit()
        return
    log.info("Job %s (%s) succeeded", job.name, job_id)
