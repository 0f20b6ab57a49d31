"""Population margins: importing them, and reading the current ones. Callers commit."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from accounts.models import Account
from audit.services import record
from core.db import db
from panel.models import AgeBand, Sex
from population.csv_import import Cell
from population.models import MarginCell, MarginImport
from villages.models import Village
from villages.queries import panel_villages

log = logging.getLogger(__name__)


def import_margins(
    cells: Mapping[Cell, int], reference_date: date, source: str, by: Account | None
) -> MarginImport:
    """Store a validated table of margins as a new import; earlier imports stay as history."""
    margin_import = MarginImport(
        reference_date=reference_date,
        source=source.strip(),
        imported_by_id=by.id if by else None,
        cells=[
            MarginCell(village_id=village_id, age_band=band, sex=sex, count=count)
            for (village_id, band, sex), count in cells.items()
        ],
    )
    db.session.add(margin_import)
    db.session.flush()
    villages = len({village_id for village_id, _, _ in cells})
    record(
        "population.margins_imported",
        margin_import,
        reference_date=reference_date.isoformat(),
        villages=villages,
        cells=len(cells),
    )
    log.info("Margins for %s imported: %s villages", reference_date, villages)
    return margin_import


def current_margins() -> MarginImport | None:
    """The margins in force: the latest reference date; of equal dates, the latest import."""
    return db.session.scalar(
        select(MarginImport)
        .order_by(
            MarginImport.reference_date.desc(),
            MarginImport.imported_at.desc(),
            MarginImport.id.desc(),
        )
        .limit(1)
    )


def margins_for(margin_import: MarginImport, village_id: int) -> dict[tuple[AgeBand, Sex], int]:
    """Adults per (age band, sex) of one village in an import; empty if it has no figures."""
    rows = db.session.execute(
        select(MarginCell.age_band, MarginCell.sex, MarginCell.count).where(
            MarginCell.import_id == margin_import.id, MarginCell.village_id == village_id
        )
    )
    return {(band, sex): count for band, sex, count in rows}


@dataclass(frozen=True)
class ImportSummary:
    margin_import: MarginImport
    adults: int
    villages: int


def import_history() -> list[ImportSummary]:
    """Every import, newest reference date first, with its total of adults."""
    totals = (
        select(
            MarginCell.import_id,
            func.sum(MarginCell.count).label("adults"),
            func.count(func.distinct(MarginCell.village_id)).label("villages"),
        )
        .group_by(MarginCell.import_id)
        .subquery()
    )
    rows = db.session.execute(
        select(MarginImport, totals.c.adults, totals.c.villages)
        .outerjoin(totals, totals.c.import_id == MarginImport.id)
        .order_by(
            MarginImport.reference_date.desc(),
            MarginImport.imported_at.desc(),
            MarginImport.id.desc(),
        )
    )
    return [ImportSummary(imp, adults or 0, villages or 0) for imp, adults, villages in rows]


@dataclass(frozen=True)
class VillageMargins:
    village: Village
    counts: dict[tuple[AgeBand, Sex], int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def import_table(margin_import: MarginImport) -> list[VillageMargins]:
    """An import's counts per village, every village listed (empty when not in the file)."""
    counts: dict[int, dict[tuple[AgeBand, Sex], int]] = {}
    rows = db.session.execute(
        select(MarginCell.village_id, MarginCell.age_band, MarginCell.sex, MarginCell.count).where(
            MarginCell.import_id == margin_import.id
        )
    )
    for village_id, band, sex, count in rows:
        counts.setdefault(village_id, {})[(band, sex)] = count
    return [VillageMargins(v, counts.get(v.id, {})) for v in panel_villages()]
