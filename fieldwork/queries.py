"""Reads about fieldwork for the member's own pages: open invitations, surveys taken part in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from core.db import db
from fieldwork.links import survey_token
from fieldwork.models import Invitation
from panel.models import Member, MemberStatus
from surveys.models import Survey, SurveyStatus


@dataclass(frozen=True)
class OpenSurvey:
    """A survey the member is invited to and can still fill in, with their personal link."""

    title: str
    token: str
    closes_on: date
    started: bool


@dataclass(frozen=True)
class SurveyTakenPartIn:
    """Only that the member took part, and when: never the answers."""

    title: str
    #: None for an anonymous survey: only that the member took part is kept.
    answered_at: datetime | None
    anonymous: bool = False


def open_surveys(member: Member, today: date) -> list[OpenSurvey]:
    """Invitations not finished yet whose survey is open today, closing first on top."""
    if member.status is MemberStatus.LEFT:
        return []  # their links no longer work (fieldwork.links.may_answer)
    invitations = db.session.scalars(
        select(Invitation)
        .join(Invitation.survey)
        .where(
            Invitation.member_id == member.id,
            Invitation.took_part.is_(False),
            Survey.status == SurveyStatus.PUBLISHED,
            Survey.opens_on <= today,
            Survey.closes_on >= today,
        )
        .order_by(Survey.closes_on, Survey.id)
    )
    return [
        OpenSurvey(i.survey.title, survey_token(i), i.survey.closes_on, i.response_id is not None)
        for i in invitations
    ]


def surveys_taken_part_in(member: Member) -> list[SurveyTakenPartIn]:
    """The surveys this member finished, newest first. For anonymous surveys this is all
    that is known; for the others the answers are never shown here either."""
    rows = db.session.execute(
        select(Survey.title, Invitation.completed_at, Survey.anonymous)
        .join(Invitation.survey)
        .where(Invitation.member_id == member.id, Invitation.took_part.is_(True))
        .order_by(Invitation.completed_at.desc().nulls_last(), Survey.id.desc())
    )
    return [
        SurveyTakenPartIn(title, None if anonymous else answered_at, anonymous)
        for title, answered_at, anonymous in rows
    ]
