"""Fieldwork: who is invited to which survey, and the responses.

Contact data never meets answers here: an Invitation knows the member (to mail and remind),
a Response knows only the pseudonymous Respondent, and for an anonymous survey not even
that once it is submitted; the invitation then only remembers that the member took part.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.db import Base, UTCDateTime, utcnow, value_enum
from panel.models import Channel, Member, Respondent
from surveys.models import QuestionnaireVersion, Survey


class ResponseStatus(enum.Enum):
    STARTED = "started"  #: answers are saved page by page; can be continued
    COMPLETED = "completed"  #: submitted: locked for good


class ResponseLocked(ValueError):
    """A submitted response cannot change."""


def new_response_id() -> str:
    """128 random bits: ids say nothing about order or time."""
    return secrets.token_hex(16)


class Invitation(Base):
    """One member invited to one survey. Its id is in the personal link of the mails."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("survey_id", "member_id", name="uq_invitations_survey_member"),
        CheckConstraint("reminders_sent BETWEEN 0 AND 2", name="at_most_two_reminders"),
        Index("ix_invitations_member_invited_at", "member_id", "invited_at"),
        CheckConstraint("completed_at IS NULL OR took_part", name="completed_took_part"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    #: Deleting a member (on request) deletes their invitations; answers stay, unlinked.
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id", ondelete="CASCADE"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The member finished the survey. For an anonymous survey this is all that is kept.
    took_part: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: When the member finished; never set for an anonymous survey (the moment would match
    #: the response to the member, e.g. by a quote or a count appearing).
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The response being filled in; cut when an anonymous survey's response is submitted.
    response_id: Mapped[str | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True
    )

    survey: Mapped[Survey] = relationship()
    member: Mapped[Member] = relationship()
    response: Mapped[Response | None] = relationship(foreign_keys=[response_id])

    def __repr__(self) -> str:
        return f"<Invitation {self.id} survey={self.survey_id} member={self.member_id}>"

    @validates("completed_at")
    def _completed_took_part(self, _key: str, moment: datetime | None) -> datetime | None:
        if moment is not None:
            self.took_part = True
        return moment


class Response(Base):
    """One set of answers to one questionnaire version. The id is random and also serves
    as the idempotency key: a replayed or doubled request finds the same row."""

    __tablename__ = "responses"
    __table_args__ = (
        # One response per respondent per survey; anonymous responses have no respondent.
        UniqueConstraint("survey_id", "respondent_id", name="uq_responses_survey_respondent"),
        CheckConstraint(
            "(status = 'completed') = (completed_at IS NOT NULL)", name="completed_has_date"
        ),
        Index("ix_responses_survey_status", "survey_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_response_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    #: The pseudonym. An anonymous survey's response is here only while being filled in;
    #: on submission its answers move to `AnonymousResponse`.
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondents.id", ondelete="SET NULL")
    )
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "channel"))
    status: Mapped[ResponseStatus] = mapped_column(
        value_enum(ResponseStatus, "response_status"), default=ResponseStatus.STARTED
    )
    #: Question (or grid item) code -> answer, in the shapes of surveys.answer_form.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The page to continue on (index into the questionnaire's pages).
    current_page: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Village, age band and sex at the time of answering, for response rates and weighting
    #: without going back to the member (copied, so anonymous responses keep them too).
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="SET NULL"))
    age_band: Mapped[str | None] = mapped_column(String(8))
    #: The member's sex at answering time, for weighting (female, male or other).
    sex: Mapped[str | None] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    survey: Mapped[Survey] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()
    respondent: Mapped[Respondent | None] = relationship()

    def __repr__(self) -> str:
        return f"<Response {self.id} survey={self.survey_id} {self.status.value}>"

    @property
    def completed(self) -> bool:
        return self.status is ResponseStatus.COMPLETED

    def save_page(self, answers: dict[str, Any], next_page: int, now: datetime) -> None:
        """Store the answers given so far and where to continue."""
        self._require_open()
        self.answers, self.current_page, self.updated_at = answers, next_page, now

    def complete(self, now: datetime) -> None:
        self._require_open()
        self.status, self.completed_at, self.updated_at = ResponseStatus.COMPLETED, now, now

    def _require_open(self) -> None:
        if self.completed:
            raise ResponseLocked("this response has been submitted")


class AnonymousResponse(Base):
    """The sent answers of an anonymous survey. A row is inserted once, on submission, with
    a fresh random id, and never updated: no version of it ever held the member, the
    invitation or the response it was filled in as. It has no times (they would match it to
    the invitation's write), and its village, age band and sex are coarsened so that at
    least k members who took part share them (see `fieldwork.anonymity`)."""

    __tablename__ = "anonymous_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_response_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "channel"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: NULL where fewer than k participants shared the value (see `fieldwork.anonymity`).
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="SET NULL"))
    age_band: Mapped[str | None] = mapped_column(String(8))
    sex: Mapped[str | None] = mapped_column(String(8))

    survey: Mapped[Survey] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()

    def __repr__(self) -> str:
        return f"<AnonymousResponse {self.id} survey={self.survey_id}>"

    @property
    def completed(self) -> bool:
        return True


class MonitorChanges(Base):
    """How often anything the response monitor counts of a survey has changed, summed over
    its rows: its fingerprint (fieldwork.monitor_fingerprint). Kept by triggers in the
    database (migration f3b8d5a1c62e), so that every way of changing the data counts: the
    ORM, bulk statements, imports, cascades and migrations alike."""

    __tablename__ = "monitor_changes"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    #: Several rows per survey on PostgreSQL, so concurrent answers do not wait for each
    #: other's commit to count a change (see the migration).
    shard: Mapped[int] = mapped_column(SmallInteger(), primary_key=True, autoincrement=False)
    changes: Mapped[int] = mapped_column(BigInteger(), default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<MonitorChanges survey={self.survey_id} shard={self.shard} {self.changes}>"
