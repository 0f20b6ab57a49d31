"""`flask --app app users …`: make accounts from the command line."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from accounts import queries, services
from accounts.models import Role
from core.db import db
from villages import queries as villages

users_cli = AppGroup("users", help="Accounts and roles.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", "role_name", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--village", "village_names", multiple=True, help="For --role association.")
@click.option("--name", default="", help="Display name.")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
def create(email: str, role_name: str, village_names: tuple[str, ...], name: str, language: str):
    """Create EMAIL's account (or reuse it) and grant it a role."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    role = Role(role_name)
    if role is Role.ASSOCIATION and not village_names:
        raise click.UsageError("--role association needs at least one --village")
    if role in (Role.OFFICIAL, Role.VOLUNTEER) and village_names:
        raise click.UsageError(f"--role {role.value} takes no --village")
    account = services.get_or_create_account(email, name, language)
    for village_name in village_names or (None,):
        village = None
        if village_name is not None:
            village = villages.village_by_name(village_name)
            if village is None:
                raise click.BadParameter(f"no village called {village_name!r}")
        services.grant_role(account, role, village)
    db.session.commit()
    click.echo(f"{account.email}: {', '.join(sorted(r.value for r in account.roles))}")


@users_cli.command("list")
def list_users() -> None:
    """Print every account with its roles and last login."""
    for account in queries.accounts_with_grants():
        grants = ", ".join(
            g.role.value + (f" ({g.village.name})" if g.village else "") for g in account.grants
        )
        last = account.last_login_at.strftime("%Y-%m-%d %H:%M") if account.last_login_at else "-"
        click.echo(f"{account.email:<40} {last:<17} {grants}")
