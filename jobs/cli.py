"""`flask --app app jobs …`: run workers and hand over stranded jobs."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from core.db import db
from jobs import services
from jobs.models import Job, JobStatus

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run jobs: from Redis when REDIS_URL is set, else straight from the database."""
    backend = services.backend()
    click.echo(f"Job worker ({type(backend).__name__}) started.")
    backend.work(burst=burst)


@jobs_cli.command("requeue")
def requeue() -> None:
    """Hand every job still queued in the database to the job queue again."""
    job_ids = list(db.session.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED)))
    if job_ids:
        services.backend().dispatch(job_ids)
    click.echo(f"{len(job_ids)} queued job(s) handed over.")


@jobs_cli.command("demo")
@click.option("--delay", default=0.5, show_default=True, help="Seconds per village.")
def demo(delay: float) -> None:
    """Queue the demo job and print where to watch its progress."""
    job = services.enqueue("demo.count_villages", delay=delay)
    db.session.commit()
    click.echo(f"{current_app.config['BASE_URL'].rstrip('/')}/jobs/{job.id}")
