"""Village-vision proposals: starting one from the template, and who wrote what in their
shared history. The review steps themselves are in surveys.services. Callers commit."""

from __future__ import annotations

import logging

from sqlalchemy import select

from accounts.models import Account, Role
from core.db import db, utcnow
from surveys.models import ProposalEvent, Survey, SurveyKind
from surveys.services import DOUBLE_SUBMIT_WINDOW, create_survey
from surveys.templates import load_template
from villages.models import Village

log = logging.getLogger(__name__)


def default_title(village: Village) -> str:
    """The Dutch title a new proposal gets unless the association chooses another."""
    return f"Dorpsvisie {village.name}"


def start_proposal(village: Village, title: str, by: Account) -> Survey:
    """A village-vision proposal for `village`, drafted by its association from the template.

    The same village and title sent twice by the same account within two minutes (a double
    click) makes one proposal: the first is returned.
    """
    if same := _recent_same_proposal(village, title, by):
        log.info("Proposal %s started twice by account %s", same.id, by.id)
        return same
    definition = load_template("dorpsvisie")
    definition["title"] = {"nl": title}
    survey = create_survey(definition, by=by, kind=SurveyKind.VILLAGE_VISION, villages=[village])
    log.info("Proposal %s started for village %s by account %s", survey.id, village.id, by.id)
    return survey


def _recent_same_proposal(village: Village, title: str, by: Account) -> Survey | None:
    return db.session.scalar(
        select(Survey)
        .where(
            Survey.created_by_id == by.id,
            Survey.kind == SurveyKind.VILLAGE_VISION,
            Survey.title == title,
            Survey.villages.any(Village.id == village.id),
            Survey.created_at > utcnow() - DOUBLE_SUBMIT_WINDOW,
        )
        .order_by(Survey.created_at.desc(), Survey.id.desc())
        .limit(1)
    )


def author_names(events: list[ProposalEvent]) -> dict[int, str]:
    """The names set on the accounts behind `events`, by account id. Email addresses are
    left out on purpose: an association sees "the municipality", not an official's address."""
    ids = {event.account_id for event in events} - {None}
    if not ids:
        return {}
    rows = db.session.execute(select(Account.id, Account.name).where(Account.id.in_(ids)))
    return {account_id: name for account_id, name in rows if name}


def association_villages(account: Account) -> list[Village]:
    """The villages `account` speaks for as a village association, by name."""
    ids = account.villages_for(Role.ASSOCIATION)
    return list(
        db.session.scalars(select(Village).where(Village.id.in_(ids)).order_by(Village.name))
    )
