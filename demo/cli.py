"""`flask --app app demo seed`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.db import db
from demo import services

demo_cli = AppGroup("demo", help="Demo data for development and trying things out.")


@demo_cli.command("seed")
def seed() -> None:
    """Load the demo data (safe to run again)."""
    count = services.seed_villages()
    db.session.commit()
    click.echo(f"Loaded {count} villages and neighbourhoods of Midden-Drenthe.")
