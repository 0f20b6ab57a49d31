"""Reads about villages for pages and commands."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.db import db
from villages.models import Village, VillageKind

KIND_ORDER = (
    VillageKind.LARGE_VILLAGE,
    VillageKind.VILLAGE,
    VillageKind.HAMLET,
    VillageKind.NEIGHBOURHOOD,
)


def all_villages() -> list[Village]:
    statement = (
        select(Village)
        .options(selectinload(Village.associations), selectinload(Village.part_of))
        .order_by(Village.name)
    )
    return list(db.session.scalars(statement))


def grouped_by_kind() -> list[tuple[VillageKind, list[Village]]]:
    """Villages per kind, large villages first, in one round of queries."""
    villages = all_villages()
    return [
        (kind, [v for v in villages if v.kind is kind])
        for kind in KIND_ORDER
        if any(v.kind is kind for v in villages)
    ]


def panel_villages() -> list[Village]:
    """Villages and hamlets by name: the places a panel, letters and margins are for.

    Neighbourhoods count with their village.
    """
    statement = select(Village).where(Village.kind != VillageKind.NEIGHBOURHOOD)
    return list(db.session.scalars(statement.order_by(Village.name)))


def village_by_name(name: str) -> Village | None:
    return db.session.scalar(select(Village).where(Village.name == name))
