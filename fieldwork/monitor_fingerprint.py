"""The response monitor's fingerprint, checked on every request: a number that changes
whenever anything the monitor counts of a survey changes (fieldwork.monitor.counted keeps
the counted figures under it).

It is the sum of the survey's `MonitorChanges` rows, which triggers in the database bump in every
transaction that changes what the monitor counts (migration f3b8d5a1c62e): the survey's
invitations (added, deleted, started, completed), the village, birth year or age band of
its invited members, its completed paper responses and anonymous paper ones, its paper
copies, its villages, and every village's name, slug and kind. A few rows by their key
(and the survey's villages beside them), where summing the survey's invitations and
every member took ~5 ms on 10,000.

A count of changes, not a newest id or time: on PostgreSQL rows become visible in commit
order, not in the order of their ids, and the count grows with every commit whatever its
order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import BigInteger, Integer, String, bindparam, cast, func, select

from core.db import db
from fieldwork.models import MonitorChanges
from surveys.models import survey_villages


@dataclass(frozen=True)
class Fingerprint:
    #: How often what the monitor counts of the survey changed (None: no such survey).
    changes: int | None
    #: The survey's villages (empty: every village): who may see the monitor depends on
    #: them, so they come along, to refuse an account before anything is counted.
    scope: frozenset[int]


def fingerprint(survey_id: int) -> Fingerprint:
    """The survey's count of changes and its villages, in one statement."""
    changes, villages = db.session.execute(_fingerprint_statement(), {"survey_id": survey_id}).one()
    return Fingerprint(changes, frozenset(int(id_) for id_ in (villages or "").split(",") if id_))


@lru_cache(maxsize=1)
def _fingerprint_statement() -> object:
    """Built once: the same statement object skips SQLAlchemy's work of building it and of
    working out its cache key."""
    survey_id = bindparam("survey_id", type_=Integer)
    villages = (
        select(func.aggregate_strings(cast(survey_villages.c.village_id, String), ","))
        .where(survey_villages.c.survey_id == survey_id)
        .scalar_subquery()
    )
    changes = cast(func.sum(MonitorChanges.changes), BigInteger)
    return select(changes, villages).where(MonitorChanges.survey_id == survey_id)
