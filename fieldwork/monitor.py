"""The response monitor: invited, started and completed per village, age band and day.

Counted from the current invitations, joined to their members: a member deleted since is
gone from the invitations, so from every count and rate here (the answers stay, unlinked).
One grouped query per breakdown; no member or response is loaded, and nothing says who
answered. Officials see exact counts; associations see `association_view`: their own
villages only, rounded to 5, with counts below the disclosure threshold suppressed.

Definitions:
- invited: invitations of the survey;
- started: invitations whose member opened the questionnaire (completed ones included);
- completed: invitations marked completed (also kept for anonymous surveys, whose
  response is cut from the invitation on submission);
- village: the member's village now; age band: the member's age band on the day of the
  invitation (population.representativeness.age_band_on), for completed invitations too,
  because an anonymous survey's response cannot be traced back to its invitation, and
  numerator and denominator must come from the same rows;
- paper questionnaires entered: responses with channel paper. A named copy (a paper
  member's invitation) is in "completed" too; a copy handed out in a village is not an
  invitation and is counted only here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    Date,
    Integer,
    String,
    case,
    cast,
    func,
    or_,
    select,
    type_coerce,
)

from accounts.models import Account, Role
from core.cache import cached
from core.db import db
from fieldwork.models import AnonymousResponse, Invitation, Response, ResponseStatus
from fieldwork.monitor_fingerprint import Fingerprint, fingerprint
from panel.models import AgeBand, Channel, Member
from population.representativeness import age_band_on
from surveys.models import Survey, SurveyStatus, survey_villages
from villages.models import Village, VillageKind

if TYPE_CHECKING:
    from paper.print_queries import VillageSheets

#: Counts are rounded to this for associations.
ROUNDING_BASE = 5


@dataclass(frozen=True)
class Tally:
    """Exact counts of invitations."""

    invited: int = 0
    started: int = 0  #: completed included
    completed: int = 0

    @property
    def rate(self) -> float | None:
        """The response rate: completed of invited."""
        return self.completed / self.invited if self.invited else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.invited + other.invited,
            self.started + other.started,
            self.completed + other.completed,
        )


@dataclass(frozen=True)
class RoundedTally:
    """Counts as an association sees them: rounded, None when below the threshold."""

    invited: int | None
    started: int | None
    completed: int | None
    rate: float | None


Figures = Tally | RoundedTally


@dataclass(frozen=True)
class VillageRow:
    village_id: int
    name: str
    figures: Figures


@dataclass(frozen=True)
class AgeBandRow:
    band: AgeBand | None  #: None: not yet 18 on the day of the invitation
    figures: Figures


@dataclass(frozen=True)
class DayRow:
    day: date  #: the Dutch date
    completed: int | None  #: None: suppressed (associations)


@dataclass(frozen=True)
class SurveyProgress:
    """The whole survey, exact: what officials see."""

    total: Tally
    villages: list[VillageRow]
    age_bands: list[AgeBandRow]
    days: list[DayRow]  #: latest first
    paper_completed: int
    #: Exact counts per (village, age band), per (village, day) and paper per village:
    #: what `association_view` sums over an association's villages.
    cells: dict[tuple[int, AgeBand | None], Tally] = field(repr=False)
    day_cells: dict[tuple[int, date], int] = field(repr=False)
    paper_cells: dict[int | None, int] = field(repr=False)
    #: The days the survey is open, up to today.
    period: list[date] = field(repr=False)
    rounded: bool = False


@dataclass(frozen=True)
class AssociationView:
    """Some villages of a survey, rounded and suppressed: what an association sees."""

    total: RoundedTally
    villages: list[VillageRow]
    age_bands: list[AgeBandRow]
    days: list[DayRow]
    paper_completed: int | None
    threshold: int
    rounded: bool = True


MonitorView = SurveyProgress | AssociationView


# Queries ---------------------------------------------------------------------------------


def _count_if(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def _started() -> object:
    """Opened the questionnaire: a response is linked, or it was completed (an anonymous
    survey's response is cut from its invitation on submission)."""
    return or_(Invitation.response_id.is_not(None), Invitation.took_part.is_(True))


def _tally_cells(survey_id: int) -> dict[tuple[int, AgeBand | None], Tally]:
    """Invited, started and completed per (village, age band on the invitation day).

    Grouped in SQL per village, birth year, year of the invitation and whether it came
    before the mid-year birthday `age_band_on` assumes (764 rows for 10,528 invitations,
    bounded by villages times birth years, not by invitations); the age band is worked out
    per group.
    """
    year, before = _invitation_year_and_before_birthday()
    rows = db.session.execute(
        select(
            Member.village_id,
            Member.birth_year,
            Member.age_band,
            year,
            before,
            func.count(),
            _count_if(_started()),
            _count_if(Invitation.took_part.is_(True)),
        )
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.survey_id == survey_id)
        .group_by(Member.village_id, Member.birth_year, Member.age_band, year, before)
    )
    cells: dict[tuple[int, AgeBand | None], Tally] = {}
    for village_id, birth_year, band, in_year, earlier, invited, began, completed in rows:
        on = date(int(in_year), 1, 1) if earlier else date(int(in_year), 7, 2)
        key = (village_id, _band_on(birth_year, band, on))
        cells[key] = cells.get(key, Tally()) + Tally(invited, began, completed)
    return cells


@lru_cache(maxsize=4096)
def _band_on(birth_year: int | None, band: AgeBand | None, on: date) -> AgeBand | None:
    """`age_band_on`, cached: a panel has some 80 birth years, a survey a date or two."""
    return age_band_on(birth_year, band, on)


def _invitation_year_and_before_birthday() -> tuple[object, object]:
    """The (UTC) year of the invitation, and whether it came before 2 July, the birthday
    `age_band_on` assumes. SQLite keeps moments as 'YYYY-MM-DD HH:MM:SS' text: slicing it
    costs a third of its date functions on 10,000 rows."""
    invited = Invitation.invited_at
    if db.session.get_bind().dialect.name == "sqlite":
        text = type_coerce(invited, String)
        return func.substr(text, 1, 4), func.substr(text, 6, 5) < "07-02"
    return func.date_part("year", invited), func.to_char(invited, "MM-DD") < "07-02"


def _day_cells(survey_id: int, zone: ZoneInfo, today: date) -> Counter:
    """Completed invitations per (village, Dutch date), grouped in the database. PostgreSQL
    knows time zones and groups by the local date itself. SQLite does not: there the local
    date is the UTC moment shifted by the zone's offset at that moment, which `_utc_spans`
    lists for last year and this one (the newest first: most moments are recent); older
    moments are grouped by UTC hour and folded into local dates here (exact: Dutch time
    differs from UTC by whole hours). An anonymous survey keeps no moments: no days."""
    completed = Invitation.completed_at
    if db.session.get_bind().dialect.name == "postgresql":
        moment = func.timezone(zone.key, func.timezone("UTC", completed))
        day = cast(moment, Date)
    else:
        shifted = [
            ((completed >= start) & (completed < end), func.date(completed, f"{shift:+d} minutes"))
            for start, end, shift in reversed(_utc_spans(zone, today.year - 1, today.year))
        ]
        day = case(*shifted, else_=func.strftime("%Y-%m-%d %H", completed))
    rows = db.session.execute(
        select(Member.village_id, day, func.count())
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.survey_id == survey_id, completed.is_not(None))
        .group_by(Member.village_id, day)
    )
    cells: Counter = Counter()
    for village_id, day_or_hour, n in rows:
        cells[village_id, _local_date(day_or_hour, zone)] += n
    return cells


@lru_cache(maxsize=16)
def _utc_spans(zone: ZoneInfo, first: int, last: int) -> tuple[tuple[datetime, datetime, int], ...]:
    """The stretches of UTC time from the start of year `first` to the end of `last` in
    which `zone` keeps one offset, with that offset in minutes (its changes fall on whole
    UTC hours, as in the Netherlands)."""
    spans = []
    start = moment = datetime(first, 1, 1, tzinfo=UTC)
    end = datetime(last + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        moment += timedelta(hours=1)
        now = moment.astimezone(zone).utcoffset()
        if now != offset or moment >= end:
            spans.append((start, moment, int(offset.total_seconds()) // 60))
            start, offset = moment, now
    return tuple(spans)


def _local_date(day_or_hour: date | str, zone: ZoneInfo) -> date:
    """A local date from PostgreSQL as it is; from SQLite a local date as text, or a UTC
    hour folded into its local date."""
    if isinstance(day_or_hour, date):
        return day_or_hour
    if len(day_or_hour) == len("YYYY-MM-DD"):
        return date.fromisoformat(day_or_hour)
    return _hour_to_date(day_or_hour, zone)


@lru_cache(maxsize=4096)
def _hour_to_date(hour: str, zone: ZoneInfo) -> date:
    """'YYYY-MM-DD HH' in UTC as a local date (cached: a fieldwork period has few hours)."""
    year, month, day, at = int(hour[:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13])
    return datetime(year, month, day, at, tzinfo=UTC).astimezone(zone).date()


def _paper_cells(survey_id: int) -> dict[int | None, int]:
    """Completed paper responses per village (as copied onto the response)."""
    rows = db.session.execute(
        select(Response.village_id, func.count())
        .where(
            Response.survey_id == survey_id,
            Response.channel == Channel.PAPER,
            Response.status == ResponseStatus.COMPLETED,
        )
        .group_by(Response.village_id)
    )
    anonymous = db.session.execute(
        select(AnonymousResponse.village_id, func.count())
        .where(
            AnonymousResponse.survey_id == survey_id,
            AnonymousResponse.channel == Channel.PAPER,
        )
        .group_by(AnonymousResponse.village_id)
    )
    cells: Counter = Counter()
    for village_id, n in [*rows, *anonymous]:
        cells[village_id] += n
    return dict(cells)


def _villages(survey_id: int, counted: Set[int]) -> list[tuple[int, str]]:
    """The survey's villages (every panel village when it has none) and any with counts,
    by name, in one query."""
    in_scope = survey_villages.c.village_id.is_not(None)
    rows = db.session.execute(
        select(Village.id, Village.name, Village.kind, in_scope)
        .outerjoin(
            survey_villages,
            (survey_villages.c.village_id == Village.id)
            & (survey_villages.c.survey_id == survey_id),
        )
        .order_by(Village.name)
    ).all()
    scope = {village_id for village_id, _, _, chosen in rows if chosen}
    return [
        (village_id, name)
        for village_id, name, kind, chosen in rows
        if village_id in counted or (chosen if scope else kind is not VillageKind.NEIGHBOURHOOD)
    ]


@dataclass(frozen=True)
class Counted:
    """Everything the monitor shows of a survey, counted for one state of its data."""

    #: What it was counted from: the survey, its fieldwork period, today and its `fingerprint`.
    key: tuple
    progress: SurveyProgress
    #: Printed, returned and entered paper copies per village and in total (officials only).
    sheets: tuple[list[VillageSheets], VillageSheets] = field(repr=False)


#: Counted figures kept per worker, one entry per survey, day and state of its data (a few KB).
COUNTED_CACHE_SIZE = 32


def counted(survey: Survey, today: date, checked: Fingerprint | None = None) -> Counted:
    """What the monitor shows of `survey` today, counted again only when its `fingerprint`
    changed (`checked`: when the caller has just read it).

    Counting costs ~30 ms on 10,000 invitations, the fingerprint one row by its key. It is
    checked against the database on every request, so a change made by another worker
    shows at the next request. The counting reads after the fingerprint: a change in
    between is in the figures already, and counted again at the next request, never missing.
    """
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    period = (survey.opens_on, survey.closes_on)
    changes = (checked or fingerprint(survey.id)).changes
    key = (survey.id, *period, zone.key, today, changes)

    def build() -> Counted:
        return Counted(key, _survey_progress(survey, zone, today), paper_sheets(survey))

    return cached("monitor_counted", key, build, size=COUNTED_CACHE_SIZE)


def survey_progress(survey: Survey, today: date) -> SurveyProgress:
    """How fieldwork of `survey` is going, exactly (what officials see)."""
    return counted(survey, today).progress


def _survey_progress(survey: Survey, zone: ZoneInfo, today: date) -> SurveyProgress:
    """`survey_progress`, counted in a few grouped queries whatever the number of
    invitations."""
    cells = _tally_cells(survey.id)
    day_cells = _day_cells(survey.id, zone, today)
    paper_cells = _paper_cells(survey.id)
    villages = _villages(survey.id, {village_id for village_id, _ in cells})
    by_village = _sum_by(cells, lambda key: key[0])
    by_band = _sum_by(cells, lambda key: key[1])
    by_day = _per_day(day_cells)
    period = fieldwork_period(survey, today)
    return SurveyProgress(
        total=sum(cells.values(), Tally()),
        villages=[VillageRow(id_, name, by_village.get(id_, Tally())) for id_, name in villages],
        age_bands=[AgeBandRow(band, tally) for band, tally in _in_band_order(by_band)],
        days=[DayRow(day, by_day[day]) for day in latest_first(period, by_day)],
        paper_completed=sum(paper_cells.values()),
        cells=cells,
        day_cells=dict(day_cells),
        paper_cells=paper_cells,
        period=period,
    )


def survey_totals(survey_ids: Iterable[int]) -> dict[int, Tally]:
    """Invited, started and completed of each survey, as `survey_progress` totals them,
    in one grouped query however many surveys (the officials' start page)."""
    ids = list(survey_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Invitation.survey_id,
            func.count(),
            _count_if(_started()),
            _count_if(Invitation.took_part.is_(True)),
        )
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.survey_id.in_(ids))
        .group_by(Invitation.survey_id)
    )
    totals = {survey_id: Tally() for survey_id in ids}
    for survey_id, invited, began, completed in rows:
        totals[survey_id] = Tally(invited, began, completed)
    return totals


def _sum_by(cells: dict, key: Callable) -> dict:
    sums: dict = {}
    for cell, tally in cells.items():
        sums[key(cell)] = sums.get(key(cell), Tally()) + tally
    return sums


def _per_day(day_cells: dict[tuple[int, date], int], villages: Set[int] | None = None) -> Counter:
    """Completes per day, of `villages` or of all."""
    by_day: Counter[date] = Counter()
    for (village_id, day), n in day_cells.items():
        if villages is None or village_id in villages:
            by_day[day] += n
    return by_day


def _in_band_order(by_band: dict[AgeBand | None, Tally]) -> list[tuple[AgeBand | None, Tally]]:
    """Every adult age band, youngest first, then the under-18s if any were invited."""
    bands: list[AgeBand | None] = list(AgeBand)
    if None in by_band:
        bands.append(None)
    return [(band, by_band.get(band, Tally())) for band in bands]


def fieldwork_period(survey: Survey, today: date) -> list[date]:
    """Every day from opening until today, or until closing when that came first."""
    if survey.opens_on is None:
        return []
    last = min(today, survey.closes_on or today)
    return [survey.opens_on + timedelta(days=n) for n in range((last - survey.opens_on).days + 1)]


def latest_first(period: Iterable[date], counts: Counter) -> list[date]:
    """The period's days and any other day with a complete, latest first."""
    return sorted(set(period) | {day for day, n in counts.items() if n}, reverse=True)


# Who sees what ---------------------------------------------------------------------------


def visible_villages(
    account: Account | None, survey: Survey, scope: Set[int] | None = None
) -> frozenset[int] | None:
    """The villages whose figures `account` may see: None for all (officials, exact).

    An association sees any survey that has been published, but only for its own villages
    in the survey's scope (all of them when the survey is for every village). Empty: none.
    `scope`: the survey's villages when already known (`Fingerprint.scope`).
    """
    if account is None:
        return frozenset()
    if account.has_role(Role.OFFICIAL):
        return None
    if survey.status is SurveyStatus.DRAFT:
        return frozenset()
    own = account.villages_for(Role.ASSOCIATION)
    if scope is None:
        scope = {village.id for village in survey.villages}
    return frozenset(own & scope if scope else own)


# What an association sees -----------------------------------------------------------------


def rounded(count: int, threshold: int) -> int | None:
    """`count` rounded to the nearest 5; None (suppressed) when it is below the threshold."""
    if count < threshold:
        return None
    return ROUNDING_BASE * ((count + ROUNDING_BASE // 2) // ROUNDING_BASE)


def rounded_tally(tally: Tally, threshold: int) -> RoundedTally:
    """Rounded counts; a rate only from shown counts, with at least `threshold` invited.

    The rate is worked out from the rounded counts, so it gives nothing exact away.
    """
    invited, started, completed = (
        rounded(n, threshold) for n in (tally.invited, tally.started, tally.completed)
    )
    rate = None
    if invited is not None and invited >= threshold and completed is not None:
        rate = completed / invited
    return RoundedTally(invited, started, completed, rate)


def shown(counted: Counted, villages: Set[int] | None, threshold: int) -> MonitorView:
    """What an account that may see `villages` sees: all, exact (None), or those villages
    rounded and suppressed."""
    if villages is None:
        return counted.progress
    return association_view(counted.progress, villages, threshold)


def association_view(
    progress: SurveyProgress, villages: Set[int], threshold: int
) -> AssociationView:
    """Only `villages`' figures, summed exactly, then rounded and suppressed."""
    cells = {key: tally for key, tally in progress.cells.items() if key[0] in villages}
    by_band = _sum_by(cells, lambda key: key[1])
    by_day = _per_day(progress.day_cells, villages)
    paper = sum(n for village_id, n in progress.paper_cells.items() if village_id in villages)
    village_rows = [
        VillageRow(row.village_id, row.name, rounded_tally(row.figures, threshold))
        for row in progress.villages
        if row.village_id in villages
    ]
    band_rows = [
        AgeBandRow(band, rounded_tally(tally, threshold)) for band, tally in _in_band_order(by_band)
    ]
    days = [
        DayRow(day, rounded(by_day[day], threshold))
        for day in latest_first(progress.period, by_day)
    ]
    total = rounded_tally(sum(cells.values(), Tally()), threshold)
    return AssociationView(
        total=_protected_total(
            total, [[r.figures for r in village_rows], [r.figures for r in band_rows]], days
        ),
        villages=village_rows,
        age_bands=band_rows,
        days=days,
        paper_completed=rounded(paper, threshold),
        threshold=threshold,
    )


def _protected_total(
    total: RoundedTally, groups: list[list[RoundedTally]], days: list[DayRow]
) -> RoundedTally:
    """Secondary suppression: a total with exactly one hidden part among the villages, the
    age groups or the days would give that part away by subtraction, so it is hidden too."""

    def one_hidden(values: list[int | None]) -> bool:
        return sum(value is None for value in values) == 1

    hidden = {
        name: any(one_hidden([getattr(part, name) for part in group]) for group in groups)
        for name in ("invited", "started", "completed")
    }
    hidden["completed"] = hidden["completed"] or one_hidden([d.completed for d in days])
    invited = None if hidden["invited"] else total.invited
    completed = None if hidden["completed"] else total.completed
    started = None if hidden["started"] else total.started
    rate = total.rate if invited is not None and completed is not None else None
    return RoundedTally(invited, started, completed, rate)


def figures(view: MonitorView, today: date) -> dict[str, int | float | None]:
    """Every number of the monitor under a flat key, for the page's refresh script.

    The page marks each number with the same key (`data-figure`).
    """
    values: dict[str, int | float | None] = {}

    def add(prefix: str, tally: Figures) -> None:
        for name in ("invited", "started", "completed", "rate"):
            values[f"{prefix}.{name}"] = getattr(tally, name)

    add("total", view.total)
    values["paper.completed"] = view.paper_completed
    for row in view.villages:
        add(f"village.{row.village_id}", row.figures)
    for row in view.age_bands:
        add(f"band.{band_key(row.band)}", row.figures)
    for row in view.days:
        values[f"day.{row.day.isoformat()}"] = row.completed
    values["today.completed"] = completed_on(view, today)
    return values


def completed_on(view: MonitorView, day: date) -> int | None:
    """Completes on one day, as the view shows them."""
    row = next((row for row in view.days if row.day == day), None)
    if row is not None:
        return row.completed
    return None if view.rounded else 0


def band_key(band: AgeBand | None) -> str:
    return band.value if band is not None else "under-18"


def paper_sheets(survey: Survey) -> tuple[list[VillageSheets], VillageSheets]:
    """Printed, returned and entered paper questionnaires per village, for officials (no
    person behind these counts: they are copies, not answers)."""
    from paper.print_queries import sheets_per_village  # paper builds on fieldwork

    return sheets_per_village(survey.id)
