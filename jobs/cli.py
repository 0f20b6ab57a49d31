"""`flask --app app jobs …`: run workers and hand over stranded jobs."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core.db import db
from jobs import runner, services

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
    """Fail jobs abandoned by a dead worker; hand queued jobs to the job queue again."""
    abandoned = runner.fail_abandoned_jobs(runner.lease())
    db.session.commit()
    job_ids = list(db.session.scalars(runner.queued_jobs()))
    if job_ids:
        services.backend().dispatch(job_ids)
    click.echo(f"{abandoned} abandoned job(s) marked failed.")
    click.echo(f"{len(job_ids)} queued job(s) handed over.")


@jobs_cli.command("demo")
@click.option("--delay", type=float, help="Seconds per village (default: DEMO_JOB_DELAY).")
def demo(delay: float | None) -> None:
    """Queue the demo job and print where to watch its progress."""
    if delay is None:
        delay = current_app.config["DEMO_JOB_DELAY"]
    job = services.enqueue("demo.count_villages", delay=delay)
    db.session.commit()
    click.echo(f"{current_app.config['BASE_URL'].rstrip('/')}/jobs/{job.id}")
    if not current_app.config.get("REDIS_URL"):
        click.echo("Queued: the running web app or `flask --app app jobs worker` will run it.")
