"""Reads about members for officials' pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import Account
from accounts.services import normalise_email
from core.db import db
from panel.models import Member, MemberStatus, PrivacyStatement
from panel.services import needs_consent


def member_by_email(email: str) -> Member | None:
    statement = select(Member).join(Account, Member.account_id == Account.id)
    return db.session.scalar(statement.where(Account.email == normalise_email(email)))


def all_statements() -> list[PrivacyStatement]:
    return list(
        db.session.scalars(select(PrivacyStatement).order_by(PrivacyStatement.version.desc()))
    )


def members_without_current_consent(statement: PrivacyStatement | None) -> list[Member]:
    """Active members who have not yet agreed to the statement in force."""
    if statement is None:
        return []
    members = db.session.scalars(
        select(Member)
        .where(Member.status == MemberStatus.ACTIVE)
        .options(
            selectinload(Member.consents),
            selectinload(Member.respondent),
            selectinload(Member.village),
        )
        .order_by(Member.village_id, Member.id)
    )
    return [m for m in members if needs_consent(m, statement)]
