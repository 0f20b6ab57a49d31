"""Browse the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from audit.models import AuditEvent
from core.db import db

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None


def _filtered(criteria: AuditFilter) -> Select:
    statement = select(AuditEvent)
    if criteria.action:
        statement = statement.where(AuditEvent.action.startswith(criteria.action))
    if criteria.actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == criteria.actor_id)
    if criteria.since:
        statement = statement.where(AuditEvent.created_at >= _utc_midnight(criteria.since))
    if criteria.until:
        until = _utc_midnight(criteria.until + timedelta(days=1))
        statement = statement.where(AuditEvent.created_at < until)
    return statement


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def page_of_events(criteria: AuditFilter, page: int) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and the total number of matches."""
    statement = _filtered(criteria)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    events = db.session.scalars(
        statement.order_by(AuditEvent.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return list(events), total


def known_actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def known_actors() -> dict[int, str]:
    """Everyone who appears in the log, by email; accounts deleted since are left out."""
    from accounts.queries import names_by_id

    actor_ids = db.session.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    ).all()
    return names_by_id(set(actor_ids))
