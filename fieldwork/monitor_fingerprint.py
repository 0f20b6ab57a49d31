"""The response monitor's fingerprint: one statement, checked on every request, that
changes whenever anything the monitor counts changes (fieldwork.monitor.counted keeps the
counted figures under it)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    select,
    true,
    type_coerce,
)

from core.db import db
from fieldwork.models import AnonymousResponse, Invitation, Response, ResponseStatus
from panel.models import Channel, Member
from surveys.models import survey_villages
from villages.models import Village


def _weight(column) -> object:
    """A pseudo-random weight per row id (1 to 1,000,003): a weighted sum changes when one
    row's value changes, and two changes cancel out by a one-in-a-million chance only."""
    return (cast(column, BigInteger) * 2654435761) % 1000003 + 1


def fingerprint(survey_id: int) -> tuple:
    """What the counted figures are made of, summed up in one statement (see
    `_fingerprint_statement`)."""
    return tuple(db.session.execute(_fingerprint_statement(), {"survey_id": survey_id}).one())


@lru_cache(maxsize=1)
def _fingerprint_statement() -> object:
    """One row of every part the monitor counts from, built once: the same statement
    object skips SQLAlchemy's work of building it and of working out its cache key.

    - The survey's invitations: an invitation only moves forward (started, then completed;
      an anonymous one loses its response when completed), so their counts change with
      every step, and with every invitation added or deleted.
    - The panel's members: village, birth year and age band change without touching an
      invitation (a move, a correction), so those are summed with a weight per member.
    - Completed paper responses and anonymous ones: a copy handed out in a village has no
      invitation. Counted per village, so their villages are summed with a weight each.
    - Paper copies per village and how far they got, weighted the same way.
    - The villages (their names, kinds and whether they are the survey's), in full.
    Counts and sums, not a newest id: on PostgreSQL rows become visible in commit order,
    not in id order.
    """
    survey_id = bindparam("survey_id", type_=Integer)
    parts = [
        _invitations_part(survey_id),
        _members_part(),
        _paper_part(Response, survey_id, Response.status == ResponseStatus.COMPLETED),
        _paper_part(AnonymousResponse, survey_id, true()),
        _sheets_part(survey_id),
        _villages_part(survey_id),
    ]
    subqueries = [part.subquery() for part in parts]
    joined = subqueries[0]
    for subquery in subqueries[1:]:
        joined = joined.join(subquery, true())
    return select(*(column for subquery in subqueries for column in subquery.c)).select_from(joined)


def _invitations_part(survey_id) -> Select:
    return select(
        func.count(),
        func.max(Invitation.id),
        func.count(Invitation.response_id),
        func.coalesce(func.sum(case((Invitation.took_part.is_(True), 1), else_=0)), 0),
        func.count(Invitation.completed_at),
    ).where(Invitation.survey_id == survey_id)


def _members_part() -> Select:
    # The age band counts only without a birth year; its first two digits ('18-34', …,
    # '75+') tell it apart from any year. Village and year or band packed in one number
    # (years below 4096), summed with one weight: within 64 bits up to 100,000 members.
    band = cast(func.substr(Member.age_band, 1, 2), Integer)
    year_or_band = func.coalesce(Member.birth_year, band, 0)
    return select(
        func.count(),
        func.max(Member.id),
        func.sum(_weight(Member.id) * (Member.village_id * 4096 + year_or_band)),
    )


def _paper_part(model, survey_id, counted) -> Select:
    weight = _weight(func.coalesce(model.village_id, 0))
    return select(func.count(), func.coalesce(func.sum(weight), 0)).where(
        model.survey_id == survey_id, model.channel == Channel.PAPER, counted
    )


def _sheets_part(survey_id) -> Select:
    from paper.models import Sheet, SheetStatus  # paper builds on fieldwork

    weight = _weight(func.coalesce(Sheet.village_id, 0))
    back = Sheet.status.in_([SheetStatus.RETURNED, SheetStatus.ENTERED])
    return select(
        func.count(),
        func.coalesce(func.sum(weight), 0),
        func.coalesce(func.sum(case((back, weight), else_=0)), 0),
        func.coalesce(func.sum(case((Sheet.status == SheetStatus.ENTERED, weight), else_=0)), 0),
    ).where(Sheet.survey_id == survey_id, Sheet.status != SheetStatus.VOID)


def _villages_part(survey_id) -> Select:
    """Every village as text: id, name, slug, kind and '*' when it is the survey's."""
    chosen = survey_villages.c.village_id.is_not(None)
    text = (
        cast(Village.id, String)
        + "\x1f"
        + Village.name
        + "\x1f"
        + Village.slug
        + "\x1f"
        + type_coerce(Village.kind, String)
        + case((chosen, "*"), else_="")
    )
    return select(func.count(), func.aggregate_strings(text, "\x1e")).outerjoin(
        survey_villages,
        (survey_villages.c.village_id == Village.id) & (survey_villages.c.survey_id == survey_id),
    )
