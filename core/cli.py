"""`flask --app app maintenance purge`: keep no more than needed (run it daily, e.g. by cron)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from accounts.services import purge_spent_tokens
from audit.services import purge_expired
from core.db import db
from jobs.services import purge_finished
from mail.services import purge_delivered
from panel.join import purge_unconfirmed_sign_ups

maintenance_cli = AppGroup("maintenance", help="Housekeeping.")


@maintenance_cli.command("purge")
def purge() -> None:
    """Delete delivered mail, spent login links, finished jobs and unconfirmed sign-ups
    past their retention; empty the client addresses and free text of old audit events."""
    config = current_app.config
    mails = purge_delivered(timedelta(days=config["MAIL_RETENTION_DAYS"]))
    tokens = purge_spent_tokens(timedelta(days=1))
    jobs = purge_finished(timedelta(days=config["JOB_RETENTION_DAYS"]))
    sign_ups = purge_unconfirmed_sign_ups()
    audited = purge_expired(timedelta(days=config["AUDIT_IP_RETENTION_DAYS"]))
    db.session.commit()
    click.echo(
        f"Deleted {mails} delivered mail(s), {tokens} login link(s), {jobs} job(s), "
        f"{sign_ups} unconfirmed sign-up(s); emptied the address and free text of "
        f"{audited} old audit event(s)."
    )
