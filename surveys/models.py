"""Surveys and their frozen questionnaire versions, with a lifecycle the model enforces.

A survey is drafted, published (open for answers between two dates), closed, then archived.
A closed survey may be reopened with a later closing date until its results are published
(released by an official to the village associations, results.release).
Its questionnaire lives in versions: the draft version may change; publishing freezes it.
Editing a published survey makes a new version, so every answer can record the version it
answered (the fieldwork issue adds responses).
"""

from __future__ import annotations

import enum
import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow, value_enum
from surveys.changes import same_structure
from villages.models import Village


class SurveyStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"  #: open for answers between opens_on and closes_on
    CLOSED = "closed"
    ARCHIVED = "archived"


class SurveyKind(enum.Enum):
    GENERAL = "general"  #: designed by the municipality
    VILLAGE_VISION = "village_vision"  #: a dorpsvisie survey a village association proposes


class ReviewStatus(enum.Enum):
    """Where a village-vision proposal stands; general surveys have none."""

    DRAFTING = "drafting"  #: the association is writing it
    SUBMITTED = "submitted"  #: waiting for an official's review
    CHANGES_REQUESTED = "changes_requested"  #: back with the association, with comments
    APPROVED = "approved"  #: may be scheduled (published)


class LifecycleError(ValueError):
    """A change of status the lifecycle does not allow."""


class TooFewForAnonymity(LifecycleError):
    """An anonymous survey with fewer members to invite than the disclosure threshold, in a
    village or as a whole (fieldwork.invitations.too_few_for_anonymity)."""


class ResultsBeingComputed(LifecycleError):
    """The wave's figures are being computed right now: wait until they are ready."""


survey_villages = Table(
    "survey_villages",
    Base.metadata,
    Column("survey_id", ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("villages.id", ondelete="CASCADE"), primary_key=True),
)


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("closes_on IS NULL OR opens_on <= closes_on", name="opens_before_close"),
        CheckConstraint(
            "status = 'draft' OR (opens_on IS NOT NULL AND closes_on IS NOT NULL)",
            name="published_has_dates",
        ),
        CheckConstraint(
            "(kind = 'village_vision') = (review_status IS NOT NULL)",
            name="proposal_has_review",
        ),
        CheckConstraint(
            "second_reminder_days IS NULL OR (first_reminder_days IS NOT NULL"
            " AND second_reminder_days > first_reminder_days)",
            name="reminders_in_order",
        ),
        CheckConstraint(
            "first_reminder_days IS NULL OR first_reminder_days > 0",
            name="first_reminder_after_a_day",
        ),
        CheckConstraint(
            "status = 'draft' OR review_status IS NULL OR review_status = 'approved'",
            name="proposal_published_after_approval",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SurveyKind] = mapped_column(
        value_enum(SurveyKind, "survey_kind"), default=SurveyKind.GENERAL
    )
    status: Mapped[SurveyStatus] = mapped_column(
        value_enum(SurveyStatus, "survey_status"), default=SurveyStatus.DRAFT
    )
    #: Village-vision proposals only: the association drafts, an official reviews.
    review_status: Mapped[ReviewStatus | None] = mapped_column(
        value_enum(ReviewStatus, "review_status")
    )
    #: Anonymous: once submitted, a response is cut from the member; only "took part" stays.
    #: Otherwise pseudonymous: linked to the respondent id, so waves can be compared.
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Reminders to those who have not finished, this many days after the invitation.
    first_reminder_days: Mapped[int | None] = mapped_column(default=5, server_default="5")
    second_reminder_days: Mapped[int | None] = mapped_column(default=10, server_default="10")
    opens_on: Mapped[date | None] = mapped_column(Date())
    closes_on: Mapped[date | None] = mapped_column(Date())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    #: The villages whose panel members are invited; none means every village.
    villages: Mapped[list[Village]] = relationship(
        secondary=survey_villages, order_by="Village.name"
    )
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="survey",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="QuestionnaireVersion.number",
    )
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="survey",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProposalEvent.id",
    )

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.status.value} {self.title!r}>"

    @property
    def current_version(self) -> QuestionnaireVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def live_version(self) -> QuestionnaireVersion | None:
        """The version residents answer: the last one frozen (None before publishing)."""
        return next((v for v in reversed(self.versions) if v.frozen), None)

    @property
    def has_draft_version(self) -> bool:
        """A published survey with a newer version still being edited."""
        return self.live_version is not None and not self.current_version.frozen

    def publish_version(self, now: datetime) -> None:
        """Freeze the newest version of a published survey: from now on it is answered."""
        self._require(SurveyStatus.PUBLISHED, "put a new version into use for")
        if not self.has_draft_version:
            raise LifecycleError("no new version to put into use")
        self.current_version.frozen_at = now

    @property
    def is_proposal(self) -> bool:
        return self.kind is SurveyKind.VILLAGE_VISION

    def submit_for_review(self) -> None:
        """The association hands its proposal to the municipality."""
        self._require_review(ReviewStatus.DRAFTING, ReviewStatus.CHANGES_REQUESTED)
        self.review_status = ReviewStatus.SUBMITTED

    def request_changes(self) -> None:
        self._require_review(ReviewStatus.SUBMITTED)
        self.review_status = ReviewStatus.CHANGES_REQUESTED

    def approve(self) -> None:
        self._require_review(ReviewStatus.SUBMITTED)
        self.review_status = ReviewStatus.APPROVED

    def publish(self, opens_on: date, closes_on: date, now: datetime) -> None:
        """Open the survey for answers between two dates; its current version is frozen."""
        self._require(SurveyStatus.DRAFT, "publish")
        if self.is_proposal and self.review_status is not ReviewStatus.APPROVED:
            raise LifecycleError("a village-vision proposal is published only once approved")
        if opens_on > closes_on:
            raise LifecycleError("opens after it closes")
        if self.current_version is None:
            raise LifecycleError("no questionnaire to publish")
        self.opens_on, self.closes_on = opens_on, closes_on
        self.current_version.frozen_at = now
        self.status = SurveyStatus.PUBLISHED

    def close(self) -> None:
        self._require(SurveyStatus.PUBLISHED, "close")
        self.status = SurveyStatus.CLOSED

    def reopen(self, closes_on: date, today: date, results_published: bool) -> None:
        """Open a closed survey again until a later date. Not once its results are
        published (released): figures of the same wave computed twice, on fewer and on more
        answers, would show what the late answers were."""
        self._require(SurveyStatus.CLOSED, "reopen")
        if results_published:
            raise LifecycleError("cannot reopen a survey whose results are published")
        if closes_on <= today or closes_on < self.opens_on:
            raise LifecycleError("a reopened survey closes after today and after it opens")
        self.closes_on = closes_on
        self.status = SurveyStatus.PUBLISHED

    def archive(self) -> None:
        self._require(SurveyStatus.CLOSED, "archive")
        self.status = SurveyStatus.ARCHIVED

    def ensure_deletable(self) -> None:
        """Only a draft may be deleted: once published, answers may refer to it."""
        self._require(SurveyStatus.DRAFT, "delete")

    @property
    def finished(self) -> bool:
        """Answering is over (closed or archived): the wave has, or will have, results."""
        return self.status in (SurveyStatus.CLOSED, SurveyStatus.ARCHIVED)

    def is_open(self, today: date) -> bool:
        return (
            self.status is SurveyStatus.PUBLISHED
            and self.opens_on is not None
            and self.closes_on is not None
            and self.opens_on <= today <= self.closes_on
        )

    def _require(self, status: SurveyStatus, action: str) -> None:
        if self.status is not status:
            raise LifecycleError(f"cannot {action} a {self.status.value} survey")

    def _require_review(self, *allowed: ReviewStatus) -> None:
        self._require(SurveyStatus.DRAFT, "review")
        if self.review_status not in allowed:
            state = self.review_status.value if self.review_status else "general"
            raise LifecycleError(f"not possible for a {state} survey")


class QuestionnaireVersion(Base):
    """One version of a survey's questionnaire, as the JSON of surveys.format."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (
        UniqueConstraint("survey_id", "number", name="uq_questionnaire_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    number: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when published: from then on its questions and options never change.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    survey: Mapped[Survey] = relationship(back_populates="versions")

    def __repr__(self) -> str:
        return f"<QuestionnaireVersion survey={self.survey_id} v{self.number}>"

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def revision(self) -> str:
        """A fingerprint of the definition: a form carries the one it was made from, so a
        double click or someone else's edit in between is noticed instead of applied twice."""
        text = json.dumps(self.definition, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def replace_definition(self, definition: dict[str, Any]) -> None:
        """Change a draft version; a frozen one refuses (make a new version instead)."""
        if self.frozen:
            raise LifecycleError("a published version cannot change")
        self.definition = definition

    def correct_text(self, definition: dict[str, Any]) -> None:
        """Correct typos in a frozen version: only texts may differ, never codes, options,
        routing or limits, so answers already given keep their meaning."""
        if not same_structure(self.definition, definition):
            raise LifecycleError("only texts may change in a published version")
        self.definition = definition


class ProposalEventKind(enum.Enum):
    SUBMITTED = "submitted"
    COMMENTED = "commented"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    #: The questionnaire changed; `changes` says what (surveys.changes).
    CHANGED = "changed"


class ProposalEvent(Base):
    """The shared history of a village-vision proposal, shown to the association and the
    officials alike: the village leads, so no change by the municipality goes unseen."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ProposalEventKind] = mapped_column(value_enum(ProposalEventKind, "proposal_event"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    #: True when a municipal official did it (kept even if the account is deleted later).
    by_municipality: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text(), default="")
    #: For CHANGED: a list of {"what": ..., "code": ...} from surveys.changes.describe.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<ProposalEvent {self.kind.value} survey={self.survey_id}>"
