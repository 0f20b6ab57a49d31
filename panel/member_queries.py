"""Reads about members for officials' pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from accounts.models import Account
from accounts.services import normalise_email
from core.db import db
from panel.models import Consent, ConsentKind, Member, MemberStatus, PrivacyStatement
from villages.models import Village


def member_by_email(email: str) -> Member | None:
    statement = select(Member).join(Account, Member.account_id == Account.id)
    return db.session.scalar(statement.where(Account.email == normalise_email(email)))


def all_statements() -> list[PrivacyStatement]:
    return list(
        db.session.scalars(select(PrivacyStatement).order_by(PrivacyStatement.version.desc()))
    )


#: The officials' list of members still to agree shows at most this many; counts are complete.
BACKLOG_LIST_LIMIT = 100


@dataclass(frozen=True)
class ConsentBacklog:
    """Active members who have not yet agreed to the statement in force."""

    total: int
    per_village: list[tuple[str, int]]
    #: (member, version agreed or None), the first BACKLOG_LIST_LIMIT by village.
    members: list[tuple[Member, int | None]]


def consent_backlog(statement: PrivacyStatement | None) -> ConsentBacklog:
    """Who still has to agree to `statement`, counted in SQL."""
    if statement is None:
        return ConsentBacklog(0, [], [])
    agreed = (
        select(Consent.member_id, func.max(Consent.statement_version).label("version"))
        .where(Consent.kind == ConsentKind.PRIVACY, Consent.withdrawn_at.is_(None))
        .group_by(Consent.member_id)
        .subquery()
    )
    behind = (
        select(Member, agreed.c.version)
        .outerjoin(agreed, agreed.c.member_id == Member.id)
        .where(
            Member.status == MemberStatus.ACTIVE,
            or_(agreed.c.version.is_(None), agreed.c.version < statement.version),
        )
    )
    behind_rows = behind.subquery()
    counts = db.session.execute(
        select(Village.name, func.count())
        .join(behind_rows, Village.id == behind_rows.c.village_id)
        .group_by(Village.name)
        .order_by(Village.name)
    ).all()
    rows = db.session.execute(
        behind.options(selectinload(Member.village))
        .order_by(Member.village_id, Member.id)
        .limit(BACKLOG_LIST_LIMIT)
    ).all()
    per_village = [(name, number) for name, number in counts]
    return ConsentBacklog(sum(n for _, n in per_village), per_village, [tuple(r) for r in rows])
