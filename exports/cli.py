"""`flask --app app exports purge`: finished export files go after a day (run it daily, e.g.
by cron; making a new file purges too)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from exports import store

exports_cli = AppGroup("exports", help="Downloads of the answers.")


@exports_cli.command("purge")
def purge() -> None:
    """Delete export files older than a day."""
    click.echo(f"Deleted {store.purge()} export file(s) older than a day.")
