"""Queue jobs. A job is handed to a worker only once the transaction that created it commits."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from core.db import db, utcnow
from jobs import registry
from jobs.backends import RQBackend, ThreadBackend
from jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
PENDING = "naoberpanel.pending_job_ids"
PENDING_URGENT = "naoberpanel.pending_urgent_job"


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        backend = RQBackend(app.config["REDIS_URL"], app.config["JOBS_QUEUE"])
    else:
        backend = ThreadBackend(app)
    app.extensions["jobs"] = backend


def backend(app: Flask | None = None) -> RQBackend | ThreadBackend:
    """The app's job backend: RQ when REDIS_URL is set, else the in-process thread."""
    return (app or current_app).extensions["jobs"]


def enqueue(name: str, **params: Any) -> Job:
    """Create a queued job in the current transaction; callers commit."""
    function = registry.get(name)  # refuse unknown job names now, not in the worker
    job = Job(name=name, params=params)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(PENDING, []).append(job.id)
    if function.urgent:
        db.session.info[PENDING_URGENT] = True
    log.info("Job %s (%s) queued", name, job.id)
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_committed_jobs(session: Session) -> None:
    job_ids = session.info.pop(PENDING, None)
    if not job_ids:
        return
    if session.info.pop(PENDING_URGENT, False):
        from mail.delivery import wake_worker

        wake_worker()
    try:
        backend().dispatch(job_ids)
    except Exception:
        # The jobs stay queued in the database; `flask --app app jobs requeue` hands them over.
        log.exception("Could not hand jobs %s to the job queue", job_ids)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_jobs(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(PENDING_URGENT, None)


def get_job(job_id: str) -> Job | None:
    """The job with this id, or None."""
    return db.session.get(Job, job_id)


def purge_finished(older_than: timedelta) -> int:
    """Delete finished jobs (and their results) older than `older_than`."""
    result = db.session.execute(
        delete(Job).where(
            Job.status.in_([JobStatus.SUCCEEDED, JobStatus.FAILED]),
            Job.finished_at < utcnow() - older_than,
        )
    )
    return result.rowcount
