"""`flask --app app mail send|worker`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from jobs.runner import run_urgent_jobs
from mail.delivery import deliver_all_due, start_worker

mail_cli = AppGroup("mail", help="Deliver mail from the outbox.")


@mail_cli.command("send")
def send() -> None:
    """Run waiting login-link jobs and deliver every mail that is due, then stop."""
    run_urgent_jobs()
    batches = deliver_all_due()
    click.echo(f"Outbox delivered ({batches} batch(es)).")


@mail_cli.command("worker")
def worker() -> None:
    """Keep delivering mail as it becomes due; SIGTERM stops it after the batch in hand."""
    click.echo(f"Mail worker started ({current_app.config['MAIL_BACKEND']}).")
    start_worker()
    current_app.extensions["mail_worker"].work_until_signalled()
