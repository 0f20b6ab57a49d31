"""Printed questionnaires and what volunteers typed from them.

A `PrintBatch` is one print order: N numbered copies for a village, or one copy for each
named paper member (invitations and reminders). Every printed copy is a `Sheet` with a
random id (`paper.sheet_ids`) that is on every page, so a page is never put with another
form. A sheet becomes a response at most once.

Entries keep what each volunteer typed, round by round (two independent entries, then a
resolution where they differ). On an anonymous survey a sheet tied to a member is the same
link an invitation is: when the sheet is accepted its typed values are wiped, the answers
go to an `AnonymousResponse` like a web response, and the sheet only keeps that it was
entered, to refuse a second entry (see `paper.accepting`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from accounts.models import Account
from core.db import Base, UTCDateTime, utcnow, value_enum
from fieldwork.models import Invitation, Response
from surveys.models import QuestionnaireVersion, Survey
from villages.models import Village


class BatchKind(enum.Enum):
    VILLAGE = "village"  #: N unnamed copies to hand out in a village
    MEMBERS = "members"  #: one copy per named paper member, with a cover letter
    REMINDER = "reminder"  #: a new copy for named paper members who have not sent theirs


class SheetStatus(enum.Enum):
    PRINTED = "printed"
    RETURNED = "returned"  #: back at the town hall, not entered completely yet
    ENTERED = "entered"  #: accepted: it is a response now
    VOID = "void"  #: replaced by a reminder copy, or withdrawn; never entered


class PrintBatch(Base):
    __tablename__ = "paper_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    #: The questionnaire version printed: a paper response is that version's response.
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    kind: Mapped[BatchKind] = mapped_column(value_enum(BatchKind, "paper_batch_kind"))
    #: The village of a VILLAGE batch; for member batches the village the letters go to.
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="SET NULL"))
    copies: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    #: The job rendering the PDF (paper.jobs); the PDF itself once rendered. A member batch's
    #: PDF holds names and addresses: downloads are audit-logged.
    pdf_job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary()))
    pdf_pages: Mapped[int | None] = mapped_column()
    pdf_ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The PDF was deleted once printed; the sheets stay valid.
    pdf_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    survey: Mapped[Survey] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()
    village: Mapped[Village | None] = relationship()
    created_by: Mapped[Account | None] = relationship()
    sheets: Mapped[list[Sheet]] = relationship(back_populates="batch", order_by="Sheet.position")

    def __repr__(self) -> str:
        return f"<PrintBatch {self.id} survey={self.survey_id} {self.kind.value} x{self.copies}>"


class Sheet(Base):
    """One printed copy. Its id is the compact sheet id (`paper.sheet_ids`)."""

    __tablename__ = "paper_sheets"
    __table_args__ = (
        Index("ix_paper_sheets_survey_status", "survey_id", "status"),
        UniqueConstraint("batch_id", "position", name="uq_paper_sheets_batch_position"),
    )

    id: Mapped[str] = mapped_column(String(9), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("paper_batches.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    #: Copy number within the batch (1..copies), printed beside the id.
    position: Mapped[int] = mapped_column()
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="SET NULL"))
    #: A copy for a named member: their invitation. That member then answers on paper only.
    #: Deleting the member (on request) deletes the invitation and cuts this link.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[SheetStatus] = mapped_column(
        value_enum(SheetStatus, "paper_sheet_status"), default=SheetStatus.PRINTED
    )
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Entered once instead of twice (the survey allowed it): marked on the sheet for good.
    single_entry: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Fields on which the two entries differed (None until both are in).
    disagreements: Mapped[int | None] = mapped_column()
    #: The response of a named copy on a survey that is not anonymous, or of an unnamed copy
    #: on one; never set on an anonymous survey.
    response_id: Mapped[str | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True
    )

    batch: Mapped[PrintBatch] = relationship(back_populates="sheets")
    survey: Mapped[Survey] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()
    village: Mapped[Village | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    response: Mapped[Response | None] = relationship()
    entries: Mapped[list[SheetEntry]] = relationship(
        back_populates="sheet", order_by="SheetEntry.round", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Sheet {self.id} survey={self.survey_id} {self.status.value}>"


class EntryRound(enum.IntEnum):
    FIRST = 1
    SECOND = 2
    RESOLUTION = 3  #: an official or senior volunteer decides from the paper


class SheetEntry(Base):
    """What one person typed from one sheet, as typed: answer key -> text (see
    `paper.checking` for the codes). Wiped when an anonymous survey's sheet is accepted."""

    __tablename__ = "paper_entries"
    __table_args__ = (
        UniqueConstraint("sheet_id", "round", name="uq_paper_entries_sheet_round"),
        CheckConstraint("round BETWEEN 1 AND 3", name="known_round"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[str] = mapped_column(ForeignKey("paper_sheets.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column()
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Fields typed (for the report per volunteer, kept when the values are wiped).
    fields: Mapped[int] = mapped_column(default=0, server_default="0")
    wiped: Mapped[bool] = mapped_column(default=False, server_default=false())

    sheet: Mapped[Sheet] = relationship(back_populates="entries")
    entered_by: Mapped[Account | None] = relationship()

    def __repr__(self) -> str:
        return f"<SheetEntry sheet={self.sheet_id} round={self.round}>"


class SurveyAccess(Base):
    """A volunteer may enter paper questionnaires of this survey (and nothing else of it)."""

    __tablename__ = "paper_survey_access"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    #: A senior volunteer may also resolve differences between two entries.
    senior: Mapped[bool] = mapped_column(default=False, server_default=false())
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    survey: Mapped[Survey] = relationship()


class PaperSettings(Base):
    """Per survey: whether one entry per sheet is enough (marked on every such sheet)."""

    __tablename__ = "paper_settings"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    single_entry: Mapped[bool] = mapped_column(default=False, server_default=false())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class PaperImport(Base):
    """One spreadsheet imported for real: which file (by hash), by whom, what it did."""

    __tablename__ = "paper_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column()
    accepted: Mapped[int] = mapped_column()
    #: Rows whose sheet was already entered: skipped, so importing again changes nothing.
    skipped: Mapped[int] = mapped_column()
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
