from datetime import date

from sqlalchemy import func, select

from core.db import db
from panel.models import AgeBand, Sex
from population.demo import DEMO_SOURCE, demo_cells, seed_demo_margins
from population.models import MarginCell, MarginImport
from population.services import current_margins, margins_for
from tests.helpers import count
from villages.queries import village_by_name


def test_demo_cells_add_up_to_the_adults_and_lean_to_the_fifties_to_seventies():
    cells = demo_cells(9950)
    assert sum(cells.values()) == 7960 and len(cells) == 10
    per_band = {band: cells[(band, Sex.FEMALE)] + cells[(band, Sex.MALE)] for band in AgeBand}
    assert max(per_band, key=per_band.get) is AgeBand.A50_64
    assert cells[(AgeBand.A75_PLUS, Sex.FEMALE)] > cells[(AgeBand.A75_PLUS, Sex.MALE)]
    assert demo_cells(97) == demo_cells(97) and sum(demo_cells(97).values()) == 78


def test_seed_demo_margins_once_for_every_village_with_a_population(seeded):
    margin_import = seed_demo_margins(today=date(2026, 5, 4))
    db.session.commit()
    assert margin_import.is_demo and margin_import.reference_date == date(2026, 1, 1)
    assert margin_import.source == DEMO_SOURCE
    assert count(MarginCell) == 33 * 10
    assert current_margins() == margin_import
    orvelte = margins_for(margin_import, village_by_name("Orvelte").id)
    assert sum(orvelte.values()) == 78
    assert seed_demo_margins(today=date(2026, 12, 31)) == margin_import
    db.session.commit()
    assert count(MarginImport) == 1 and count(MarginCell) == 330
    total = db.session.scalar(select(func.sum(MarginCell.count)))
    assert total == sum(sum(demo_cells(v.population).values()) for v in all_with_population())


def all_with_population():
    from villages.queries import panel_villages

    return [v for v in panel_villages() if v.population is not None]
