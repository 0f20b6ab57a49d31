"""`flask --app app villages …`: keep village figures current from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.db import db
from villages import queries, services

villages_cli = AppGroup("villages", help="List villages and set their population figures.")


@villages_cli.command("list")
def list_villages() -> None:
    """Print every village with its kind and population."""
    for village in queries.all_villages():
        figure = "unknown" if village.population is None else str(village.population)
        demo = " (demo)" if village.population_is_demo else ""
        click.echo(f"{village.name:<16} {village.kind.value:<14} {figure}{demo}")


@villages_cli.command("population")
@click.argument("name")
@click.argument("population", type=click.IntRange(min=0))
def set_population(name: str, population: int) -> None:
    """Set the official POPULATION of the village called NAME."""
    village = queries.village_by_name(name)
    if village is None:
        raise click.BadParameter(f"no village called {name!r}", param_hint="NAME")
    services.set_population(village, population)
    db.session.commit()
    click.echo(f"{village.name}: {population} inhabitants")


@villages_cli.command("default-clusters")
def default_clusters() -> None:
    """Add the default village clusters this install does not have yet; keep any an
    official made."""
    from results.clusters import add_default_clusters  # results build on villages
    from villages.seed_data import CLUSTERS

    made, skipped = add_default_clusters(CLUSTERS)
    db.session.commit()
    for cluster in made:
        click.echo(f"Added {cluster.name}: {', '.join(v.name for v in cluster.villages)}")
    for name, why in skipped:
        click.echo(f"Left out {name}: {why}")
