"""Fixtures for the village mirror: two released liveability waves (so there is a trend),
with Orvelte and Eursinge in a cluster."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from results import services
from results.models import VillageCluster
from results.release import release_run
from tests.waves import make_margins, make_wave  # noqa: F401  (fixtures)
from villages.queries import village_by_name

#: Hooghalen too few on its own, and in no cluster; Orvelte and Eursinge in one.
PER_VILLAGE = {"Beilen": 120, "Bovensmilde": 70, "Hooghalen": 4, "Orvelte": 8, "Eursinge": 9}


@pytest.fixture
def mirrored(make_margins, make_wave):  # noqa: F811
    """Two released waves, a year apart; returns the newer survey."""
    make_margins(date(2025, 1, 1))
    make_margins(date(2026, 1, 1))
    db.session.add(
        VillageCluster(
            name="Kleine kernen",
            villages=[village_by_name("Orvelte"), village_by_name("Eursinge")],
        )
    )
    db.session.commit()
    earlier = make_wave(PER_VILLAGE, opens_on=date(2025, 3, 1), seed=3)
    earlier.title = "Leefbaarheid 2025"
    release_run(services.run_now(earlier), by=None)
    db.session.commit()
    later = make_wave(PER_VILLAGE, opens_on=date(2026, 3, 1), seed=4)
    later.title = "Leefbaarheid 2026"
    release_run(services.run_now(later), by=None)
    db.session.commit()
    return later
