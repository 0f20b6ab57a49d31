"""The open-data tests start from the village mirror's snapshot: two released waves."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from results import services
from surveys.models import Survey
from tests.mirror.conftest import PER_VILLAGE, mirrored  # noqa: F401  (fixture)
from tests.waves import make_margins, make_wave, new_margins, new_wave  # noqa: F401  (fixtures)


@pytest.fixture
def unreleased(mirrored, make_wave) -> Survey:  # noqa: F811
    """A third wave, computed and not released: nothing of it may reach the public."""
    survey = make_wave(PER_VILLAGE, opens_on=date(2027, 3, 1), seed=9)
    survey.title = "Leefbaarheid 2027"
    services.run_now(survey)
    db.session.commit()
    return survey
