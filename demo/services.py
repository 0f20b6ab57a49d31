"""Load demo data. Idempotent: running it twice changes nothing the second time."""

from __future__ import annotations

from villages import services as villages
from villages.seed_data import ASSOCIATIONS, VILLAGES


def seed_villages() -> int:
    """Load the villages, neighbourhoods and associations of Midden-Drenthe."""
    by_name = {}
    for name, kind, population, is_demo, part_of in VILLAGES:
        by_name[name] = villages.upsert_village(
            name, kind, population, is_demo, part_of=by_name.get(part_of) if part_of else None
        )
    for name, kind, members in ASSOCIATIONS:
        villages.upsert_association(name, kind, [by_name[m] for m in members])
    return len(by_name)
