"""What the village mirror keeps: the printed PDFs of the published figures, and which
waves' results were announced to the residents invited to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class MirrorPdf(Base):
    """The printed mirror of one village (or all of them together), built from the runs
    published when it was rendered. Published runs never change, so it is kept until they do."""

    __tablename__ = "mirror_pdfs"
    __table_args__ = (UniqueConstraint("runs", "area", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The published run of the newest wave; the PDF goes when that run goes.
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    #: Every published run it was built from (its trends), e.g. "3-7": the cache key.
    runs: Mapped[str] = mapped_column(String(200))
    #: A village's slug, or ALL for every village in one document.
    area: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(5))
    pdf: Mapped[bytes] = mapped_column(LargeBinary(), deferred=True)
    #: How long rendering took, for the benchmark and the log.
    seconds: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<MirrorPdf {self.area} runs={self.runs} {self.language}>"


class ResultsAnnouncement(Base):
    """The "results are online" mail of one wave: at most one per wave, whatever runs of it
    are published later."""

    __tablename__ = "results_announcements"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The last invitation mailed: a job that stopped halfway goes on after it.
    last_invitation_id: Mapped[int] = mapped_column(default=0, server_default="0")
    mails: Mapped[int] = mapped_column(default=0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<ResultsAnnouncement survey={self.survey_id} mails={self.mails}>"
