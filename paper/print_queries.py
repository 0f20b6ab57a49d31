"""What the print pages and the response monitor show: batches, and sheets per village."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, case, func, select

from core.db import db
from paper.models import PrintBatch, Sheet, SheetStatus
from villages.models import Village


@dataclass
class VillageSheets:
    """Paper copies of one village (None: unknown, or all villages), by how far they got."""

    name: str | None
    slug: str | None
    printed: int = 0
    #: Back at the town hall: entered or not yet.
    returned: int = 0
    entered: int = 0


def _total(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def sheets_per_village(survey_id: int) -> tuple[list[VillageSheets], VillageSheets]:
    """Printed, returned and entered copies per village (withdrawn ones not counted), by
    village name (unknown last); one query."""
    statement = (
        select(
            Village.name,
            Village.slug,
            func.count(),
            _total(Sheet.status.in_([SheetStatus.RETURNED, SheetStatus.ENTERED])),
            _total(Sheet.status == SheetStatus.ENTERED),
        )
        .select_from(Sheet)
        .outerjoin(Village, Village.id == Sheet.village_id)
        .where(Sheet.survey_id == survey_id, Sheet.status != SheetStatus.VOID)
        .group_by(Village.name, Village.slug)
    )
    rows = [VillageSheets(*row) for row in db.session.execute(statement)]
    rows.sort(key=lambda row: (row.name is None, row.name or ""))
    counts = ("printed", "returned", "entered")
    totals = VillageSheets(None, None, *(sum(getattr(r, f) for r in rows) for f in counts))
    return rows, totals


def batches_of(survey_id: int) -> list[PrintBatch]:
    """The survey's print batches, newest first."""
    return list(
        db.session.scalars(
            select(PrintBatch)
            .where(PrintBatch.survey_id == survey_id)
            .order_by(PrintBatch.created_at.desc(), PrintBatch.id.desc())
        )
    )
