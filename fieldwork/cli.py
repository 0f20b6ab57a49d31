"""`flask --app app fieldwork remind`: run it daily (e.g. by cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.dates import local_today
from fieldwork.invitations import send_due_reminders

fieldwork_cli = AppGroup("fieldwork", help="Invitations and reminders.")


@fieldwork_cli.command("remind")
def remind() -> None:
    """Queue today's reminders to members who have not finished an open survey."""
    sent = send_due_reminders(local_today())
    click.echo(f"Queued {sent} reminder(s).")
