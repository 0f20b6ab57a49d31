"""Village-vision proposals: starting one from the template, who wrote what in their shared
history, and the mail that tells the other side a step was taken. The review steps
themselves are in surveys.services. Callers commit."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select

from accounts.models import Account, Role, RoleGrant
from core.db import db
from core.urls import external_url
from mail.services import queue_mail
from surveys.models import ProposalEvent, ProposalEventKind, Survey, SurveyKind
from surveys.services import create_survey
from surveys.templates import load_template
from villages.models import Village

log = logging.getLogger(__name__)


def default_title(village: Village) -> str:
    """The Dutch title a new proposal gets unless the association chooses another."""
    return f"Dorpsvisie {village.name}"


def start_proposal(village: Village, title: str, by: Account) -> Survey:
    """A village-vision proposal for `village`, drafted by its association from the template."""
    definition = load_template("dorpsvisie")
    definition["title"] = {"nl": title}
    survey = create_survey(definition, by=by, kind=SurveyKind.VILLAGE_VISION, villages=[village])
    log.info("Proposal %s started for village %s by account %s", survey.id, village.id, by.id)
    return survey


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


#: What an official does that the association must hear about.
REVIEW_KINDS = {
    ProposalEventKind.COMMENTED,
    ProposalEventKind.CHANGES_REQUESTED,
    ProposalEventKind.APPROVED,
}


def take_step(survey: Survey, step: Callable, by: Account, comment: str) -> None:
    """Run one step of the review (a service of surveys.services) and mail the other side
    about each event it added. A step that added nothing (a double click) mails nobody."""
    before = len(survey.events)
    step(survey, by, comment)
    for event in survey.events[before:]:
        _mail_about(survey, event, by)


def _mail_about(survey: Survey, event: ProposalEvent, by: Account) -> None:
    if event.kind is ProposalEventKind.SUBMITTED:
        kind, reader, recipients = "proposal_submitted", "official", _officials()
    elif event.by_municipality and event.kind in REVIEW_KINDS:
        kind, reader, recipients = "proposal_reviewed", "association", _association_of(survey)
    else:
        return
    link = external_url("proposals.history", survey_id=survey.id)
    for account in recipients:
        if account.id == by.id:
            continue
        queue_mail(
            account.email,
            kind,
            account.language,
            name=account.name,
            reader=reader,
            title=survey.title,
            villages=", ".join(village.name for village in survey.villages),
            decision=event.kind.value,
            comment=event.comment,
            link=link,
        )
    log.info("Proposal %s: %s mailed to %s accounts", survey.id, kind, len(recipients))


def _officials() -> list[Account]:
    return _accounts_with(RoleGrant.role == Role.OFFICIAL)


def _association_of(survey: Survey) -> list[Account]:
    """The accounts that speak for one of the proposal's villages as its association."""
    villages = [village.id for village in survey.villages]
    return _accounts_with(RoleGrant.role == Role.ASSOCIATION, RoleGrant.village_id.in_(villages))


def _accounts_with(*conditions) -> list[Account]:
    grants = select(RoleGrant.account_id).where(*conditions)
    return list(
        db.session.scalars(select(Account).where(Account.id.in_(grants)).order_by(Account.id))
    )
