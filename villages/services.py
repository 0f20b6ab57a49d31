"""Writes to villages and associations. Callers commit."""

from __future__ import annotations

import logging
import re
import unicodedata

from sqlalchemy import select

from audit.services import record
from core.db import db, utcnow
from villages.models import Association, AssociationKind, Village, VillageKind

log = logging.getLogger(__name__)


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def upsert_village(
    name: str,
    kind: VillageKind,
    population: int | None = None,
    population_is_demo: bool = False,
    part_of: Village | None = None,
) -> Village:
    """Create a village or bring an existing one in line, keeping figures an official set."""
    village = db.session.scalar(select(Village).where(Village.name == name))
    if village is None:
        village = Village(name=name, slug=slugify(name))
        db.session.add(village)
        village.population = population
        village.population_is_demo = population_is_demo
        village.population_updated_at = utcnow() if population is not None else None
    village.kind = kind
    village.part_of = part_of
    db.session.flush()
    return village


def upsert_association(name: str, kind: AssociationKind, villages: list[Village]) -> Association:
    """Create an association or bring its kind and villages in line."""
    association = db.session.scalar(select(Association).where(Association.name == name))
    if association is None:
        association = Association(name=name)
        db.session.add(association)
    association.kind = kind
    association.villages = villages
    db.session.flush()
    return association


def set_population(village: Village, population: int) -> None:
    """Record an official population figure, replacing any demo figure."""
    if population < 0:
        raise ValueError("population cannot be negative")
    village.population = population
    village.population_is_demo = False
    village.population_updated_at = utcnow()
    log.info("Population of %s set to %s", village.name, population)


def change_panel_settings(village: Village, open_sign_up: bool, target: int | None) -> bool:
    """Switch open sign-up and set the recruitment target (None: the default).

    True when anything changed; only a change is audit-logged.
    """
    if (village.open_sign_up, village.recruitment_target) == (open_sign_up, target):
        return False
    village.open_sign_up, village.recruitment_target = open_sign_up, target
    db.session.flush()
    record(
        "village.panel_settings_changed",
        village,
        open_sign_up=open_sign_up,
        recruitment_target=target,
    )
    return True
