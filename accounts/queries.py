"""Reads about accounts for the officials' pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import Account, Role, RoleGrant
from core.db import db


def accounts_with_grants(role: Role | None = None) -> list[Account]:
    statement = (
        select(Account)
        .options(selectinload(Account.grants).selectinload(RoleGrant.village))
        .order_by(Account.email)
    )
    if role is not None:
        statement = statement.where(Account.grants.any(RoleGrant.role == role))
    return list(db.session.scalars(statement))


def names_by_id(account_ids: set[int]) -> dict[int, str]:
    """Display names for the audit log; deleted accounts are simply absent."""
    if not account_ids:
        return {}
    rows = db.session.execute(
        select(Account.id, Account.email).where(Account.id.in_(account_ids))
    ).all()
    return {account_id: email for account_id, email in rows}


def association_members(village) -> list[Account]:
    """Who holds the association role for this village now."""
    return list(
        db.session.scalars(
            select(Account)
            .join(RoleGrant, RoleGrant.account_id == Account.id)
            .where(RoleGrant.role == Role.ASSOCIATION, RoleGrant.village_id == village.id)
            .order_by(Account.email)
        )
    )
