"""`flask --app app demo seed`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.db import db
from demo import panel, services
from demo.results import seed_results_wave
from population.demo import seed_demo_margins

demo_cli = AppGroup("demo", help="Demo data for development and trying things out.")


@demo_cli.command("seed")
def seed() -> None:
    """Load the demo data (safe to run again)."""
    count = services.seed_villages()
    clusters = services.seed_clusters()
    demo_accounts = services.seed_accounts()
    panel.seed_demo_residents([email for email, role in demo_accounts if role.value == "resident"])
    members = panel.seed_panel()
    seed_demo_margins(years_back=1)  # last year's, a little younger, for the first wave
    seed_demo_margins()
    surveys = panel.seed_template_surveys()
    responses = seed_results_wave()
    db.session.commit()
    click.echo(f"Loaded {count} villages and neighbourhoods of Midden-Drenthe.")
    if clusters:
        click.echo(f"Added {clusters} default clusters of small villages.")
    if members:
        click.echo(f"Added a demo panel of {members} synthetic members and demo margins.")
    if surveys:
        click.echo(f"Added {surveys} draft survey(s) from the questionnaire templates.")
    if responses:
        click.echo(f"Added two closed demo waves with {responses} responses and their results.")
    click.echo("Demo accounts (log in at /login; the login mail appears in the server log):")
    for email, role in demo_accounts:
        click.echo(f"  {role.value:<12} {email}")
