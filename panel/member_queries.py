"""Reads about members for officials' pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import selectinload

from accounts.models import Account
from accounts.services import normalise_email
from core.db import db
from panel.models import (
    Channel,
    Consent,
    ConsentKind,
    ContactDetails,
    Member,
    MemberStatus,
    PrivacyStatement,
    Respondent,
)
from panel.services import PSEUDONYM_ALPHABET, PSEUDONYM_LENGTH
from villages.models import Village

#: A search shows at most this many members; a longer list asks for a more precise search.
SEARCH_LIMIT = 50
POSTCODE_START = re.compile(r"\d{4}(?:[A-Z]{1,2})?")
RESPONDENT_NUMBER = re.compile(f"[{PSEUDONYM_ALPHABET}]{{{PSEUDONYM_LENGTH}}}")


def search_kind(text: str) -> str:
    """What a search text looks like, for the audit log (which never holds the text itself)."""
    compact = _compact(text)
    if "@" in text:
        return "email"
    if POSTCODE_START.fullmatch(compact):
        return "postcode"
    if RESPONDENT_NUMBER.fullmatch(compact):
        return "respondent_number"
    return "name"


def find_members(text: str, paper_only: bool) -> list[Member]:
    """Members whose email address is `text`, whose postcode starts with it, whose name
    holds it, or (paper members only) whose respondent number it is; at most SEARCH_LIMIT + 1,
    so a caller can tell there are more. `paper_only` limits the search to paper members."""
    query = (
        select(Member)
        .join(Respondent, Member.respondent_id == Respondent.id)
        .outerjoin(ContactDetails, ContactDetails.member_id == Member.id)
        .outerjoin(Account, Member.account_id == Account.id)
        .where(_matching(text))
        .options(
            selectinload(Member.contact),
            selectinload(Member.account),
            selectinload(Member.village),
            selectinload(Member.respondent),
        )
        .order_by(Member.village_id, Member.id)
        .limit(SEARCH_LIMIT + 1)
    )
    if paper_only:
        query = query.where(Member.channel == Channel.PAPER)
    return list(db.session.scalars(query))


def _matching(text: str) -> ColumnElement[bool]:
    kind = search_kind(text)
    if kind == "email":
        return Account.email == normalise_email(text)
    compact = _compact(text)
    if kind == "postcode":
        postcode = func.upper(func.replace(ContactDetails.postcode, " ", ""))
        return postcode.startswith(compact, autoescape=True)
    name = or_(
        ContactDetails.name.icontains(text, autoescape=True),
        Account.name.icontains(text, autoescape=True),
    )
    if kind == "respondent_number":
        # Only paper members: their number is on their paper questionnaires anyway. A web
        # member's number is never linked to their name: their answers carry it.
        return or_(name, (Respondent.pseudonym == compact) & (Member.channel == Channel.PAPER))
    return name


def _compact(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


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
