"""Reads for the officials' panel overview: counts per village and per recruitment batch.

Everything is a SQL aggregate: no page loads the members themselves, and no individual's
data leaves here, only counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, case, func, select

from core.db import db
from panel.models import AgeBand, Channel, Member, MemberStatus, Sex
from panel.services import recruitment_target
from recruitment.models import RecruitmentBatch, RecruitmentCode
from villages.models import Village, VillageKind


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
    row = _counts_by_village(today or date.today(), village.id).get(village.id, {})
    row.pop("village_id", None)
    return VillageCounts(village, **row, target=recruitment_target(village))


def overview(today: date | None = None) -> list[VillageCounts]:
    """Member counts of every village (neighbourhoods count with their village), by name."""
    villages = db.session.scalars(
        select(Village).where(Village.kind != VillageKind.NEIGHBOURHOOD).order_by(Village.name)
    )
    counts = _counts_by_village(today or date.today())
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


def composition(village_id: int, year: int) -> Counter[tuple[AgeBand | None, Sex]]:
    """Members (status active) per (age band in `year`, sex): counted per birth year in SQL."""
    rows = db.session.execute(
        select(Member.birth_year, Member.age_band, Member.sex, func.count())
        .where(Member.village_id == village_id, Member.status == MemberStatus.ACTIVE)
        .group_by(Member.birth_year, Member.age_band, Member.sex)
    )
    counts: Counter[tuple[AgeBand | None, Sex]] = Counter()
    for birth_year, band, sex, n in rows:
        member = Member(birth_year=birth_year, age_band=band)  # transient: reuses age_band_in
        counts[(member.age_band_in(year), sex)] += n
    return counts


# Recruitment funnel ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchFunnel:
    batch: RecruitmentBatch
    redeemed: int
    members: int  #: joined from this batch and still in the panel
    left: int  #: joined from this batch and left since

    @property
    def expired(self) -> bool:
        return self.batch.expires_on < date.today()


def funnels(village_id: int) -> list[BatchFunnel]:
    """Letters sent, codes redeemed and members still in, per batch of a village, newest first."""
    batches = list(
        db.session.scalars(
            select(RecruitmentBatch)
            .where(RecruitmentBatch.village_id == village_id)
            .order_by(RecruitmentBatch.created_at.desc(), RecruitmentBatch.id.desc())
        )
    )
    ids = [batch.id for batch in batches]
    if not ids:
        return []
    redeemed = dict(
        db.session.execute(
            select(RecruitmentCode.batch_id, func.count())
            .where(RecruitmentCode.batch_id.in_(ids), RecruitmentCode.redeemed_at.is_not(None))
            .group_by(RecruitmentCode.batch_id)
        ).all()
    )
    joined = {
        (batch_id, status): n
        for batch_id, status, n in db.session.execute(
            select(Member.recruitment_batch_id, Member.status, func.count())
            .where(Member.recruitment_batch_id.in_(ids))
            .group_by(Member.recruitment_batch_id, Member.status)
        )
    }
    return [
        BatchFunnel(
            batch,
            redeemed.get(batch.id, 0),
            joined.get((batch.id, MemberStatus.ACTIVE), 0),
            joined.get((batch.id, MemberStatus.LEFT), 0),
        )
        for batch in batches
    ]


# Settings --------------------------------------------------------------------------------
