"""A job worker killed while it runs a job: the job is failed within its lease (minutes, not
an hour), its private parameters are erased, and it can be started again. A live worker
busy in one long step keeps its job by its heartbeat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from jobs.models import Job, JobStatus
from jobs.runner import fail_abandoned_jobs, lease, run_job, run_next
from jobs.services import enqueue

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 2.0


@pytest.fixture
def app(make_app):
    app = make_app(JOBS_LEASE_SECONDS=LEASE_SECONDS)
    with app.app_context():
        yield app


def job_worker(app) -> subprocess.Popen:
    """`flask jobs worker` as its own process, on the test's database."""
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["DATABASE_URL"],
        "DEMO_JOBS_ENABLED": "1",
        "JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
        "MAIL_WEB_WORKER": "0",
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def fresh(job_id: str) -> Job:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get_one(Job, job_id)


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_killed_job_worker_frees_its_job_within_the_lease(app, seeded):
    job_id = enqueue("demo.count_villages", delay=LEASE_SECONDS * 1.5).id
    db.session.commit()
    worker = job_worker(app)
    try:
        wait_until(lambda: fresh(job_id).steps_done >= 1)
        # One step takes longer than the lease: only the heartbeat keeps the job alive.
        time.sleep(LEASE_SECONDS * 1.25)
        assert fail_abandoned_jobs(lease()) == 0
        assert fresh(job_id).status is JobStatus.RUNNING
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
    killed = time.monotonic()

    wait_until(lambda: run_next() is False and fresh(job_id).status is JobStatus.FAILED)
    assert time.monotonic() - killed < LEASE_SECONDS * 3
    assert "Interrupted" in fresh(job_id).error

    again = enqueue("demo.count_villages", delay=0.0).id  # starting it again is not blocked
    db.session.commit()
    run_job(again)
    assert fresh(again).status is JobStatus.SUCCEEDED


def test_an_abandoned_job_keeps_no_recruitment_codes(app):
    job = Job(
        name="recruitment.render_letters",
        status=JobStatus.RUNNING,
        started_at=utcnow(),
        params={"batch_id": 1, "codes": ["ABCD2345EFG"]},
    )
    db.session.add(job)
    db.session.commit()
    time.sleep(LEASE_SECONDS + 0.5)  # claimed, then its worker fell silent
    run_next()
    job = db.session.scalars(select(Job)).one()
    assert (job.status, job.params) == (JobStatus.FAILED, {})
