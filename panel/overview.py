"""Reads for the officials' panel overview: counts per village and the panel's composition.

Everything is a SQL aggregate: no page loads the members themselves, and no individual's
data leaves here, only counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, case, func, select

from core.dates import local_today
from core.db import db
from panel.models import AgeBand, Channel, Member, MemberStatus, Sex
from panel.services import recruitment_target
from population.representativeness import age_band_on
from villages.models import Village
from villages.queries import panel_villages


@dataclass(frozen=True)
class VillageCounts:
    """Members of one village. `members` are those with status active, paused included."""

    village: Village | None  #: None for the totals row
    members: int = 0
    paused: int = 0
    left: int = 0
    web: int = 0
    paper: int = 0
    synthetic: int = 0
    target: int = 0

    @property
    def active(self) -> int:
        """Members who can be invited now."""
        return self.members - self.paused

    @property
    def progress(self) -> float:
        """Share of the recruitment target reached, at most 1."""
        return min(self.members / self.target, 1.0) if self.target else 1.0


def _total(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def _counts_by_village(today: date, village_id: int | None = None) -> dict[int, dict]:
    is_member = Member.status == MemberStatus.ACTIVE
    statement = select(
        Member.village_id,
        _total(is_member).label("members"),
        _total(is_member & (Member.paused_until >= today)).label("paused"),
        _total(Member.status == MemberStatus.LEFT).label("left"),
        _total(is_member & (Member.channel == Channel.WEB)).label("web"),
        _total(is_member & (Member.channel == Channel.PAPER)).label("paper"),
        _total(is_member & Member.synthetic).label("synthetic"),
    ).group_by(Member.village_id)
    if village_id is not None:
        statement = statement.where(Member.village_id == village_id)
    return {row.village_id: row._asdict() for row in db.session.execute(statement)}


def village_counts(village: Village, today: date | None = None) -> VillageCounts:
    """The member counts of one village."""
    row = _counts_by_village(today or local_today(), village.id).get(village.id, {})
    row.pop("village_id", None)
    return VillageCounts(village, **row, target=recruitment_target(village))


def overview(today: date | None = None) -> list[VillageCounts]:
    """Member counts of every village (neighbourhoods count with their village), by name."""
    villages = panel_villages()
    counts = _counts_by_village(today or local_today())
    rows = []
    for village in villages:
        row = counts.get(village.id, {})
        row.pop("village_id", None)
        rows.append(VillageCounts(village, **row, target=recruitment_target(village)))
    return rows


def totals(rows: list[VillageCounts]) -> VillageCounts:
    """The sum over villages, for the table's last row (its village is None)."""
    fields = ("members", "paused", "left", "web", "paper", "synthetic", "target")
    return VillageCounts(None, **{f: sum(getattr(r, f) for r in rows) for f in fields})


# Composition -----------------------------------------------------------------------------


def composition(village_id: int, reference: date) -> Counter[tuple[AgeBand | None, Sex]]:
    """Members (status active) per (age band on the reference date, sex).

    Counted per birth year in SQL, so no member is loaded.
    """
    rows = db.session.execute(
        select(Member.birth_year, Member.age_band, Member.sex, func.count())
        .where(Member.village_id == village_id, Member.status == MemberStatus.ACTIVE)
        .group_by(Member.birth_year, Member.age_band, Member.sex)
    )
    counts: Counter[tuple[AgeBand | None, Sex]] = Counter()
    for birth_year, band, sex, n in rows:
        counts[(age_band_on(birth_year, band, reference), sex)] += n
    return counts
