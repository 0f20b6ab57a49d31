"""Surveys and their frozen questionnaire versions, with a lifecycle the model enforces.

A survey is drafted, published (open for answers between two dates), closed, then archived.
Its questionnaire lives in versions: the draft version may change; publishing freezes it.
Editing a published survey makes a new version, so every answer can record the version it
answered (the fieldwork issue adds responses).
"""

from __future__ import annotations

import enum
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow, value_enum
from villages.models import Village


class SurveyStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"  #: open for answers between opens_on and closes_on
    CLOSED = "closed"
    ARCHIVED = "archived"


class SurveyKind(enum.Enum):
    GENERAL = "general"  #: designed by the municipality
    VILLAGE_VISION = "village_vision"  #: a dorpsvisie survey a village association proposes


class LifecycleError(ValueError):
    """A change of status the lifecycle does not allow."""


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SurveyKind] = mapped_column(
        value_enum(SurveyKind, "survey_kind"), default=SurveyKind.GENERAL
    )
    status: Mapped[SurveyStatus] = mapped_column(
        value_enum(SurveyStatus, "survey_status"), default=SurveyStatus.DRAFT
    )
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

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.status.value} {self.title!r}>"

    @property
    def current_version(self) -> QuestionnaireVersion | None:
        return self.versions[-1] if self.versions else None

    def publish(self, opens_on: date, closes_on: date, now: datetime) -> None:
        """Open the survey for answers between two dates; its current version is frozen."""
        self._require(SurveyStatus.DRAFT, "publish")
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

    def archive(self) -> None:
        self._require(SurveyStatus.CLOSED, "archive")
        self.status = SurveyStatus.ARCHIVED

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

    def replace_definition(self, definition: dict[str, Any]) -> None:
        """Change a draft version; a frozen one refuses (make a new version instead)."""
        if self.frozen:
            raise LifecycleError("a published version cannot change")
        self.definition = definition
