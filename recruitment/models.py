"""Recruitment letters: a batch of single-use codes for a sample of addresses in one village."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from villages.models import Village


class RecruitmentBatch(Base):
    __tablename__ = "recruitment_batches"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    size: Mapped[int]
    #: Codes work up to and including this day.
    expires_on: Mapped[date] = mapped_column(Date())
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    #: The job that renders the letters; the codes reach it only as private parameters.
    letters_job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    #: The rendered PDF: the only place the plain codes exist.
    letters_pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary()))
    letters_ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    village: Mapped[Village] = relationship()
    codes: Mapped[list[RecruitmentCode]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<RecruitmentBatch {self.id} village={self.village_id} size={self.size}>"


class RecruitmentCode(Base):
    """One code of a batch, stored only as its hash."""

    __tablename__ = "recruitment_codes"
    __table_args__ = (Index("ix_recruitment_codes_batch_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("recruitment_batches.id", ondelete="CASCADE"))
    #: SHA-256 of the normalised code.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    batch: Mapped[RecruitmentBatch] = relationship(back_populates="codes")

    def __repr__(self) -> str:
        return f"<RecruitmentCode {self.id} batch={self.batch_id}>"
