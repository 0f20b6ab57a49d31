"""Results of a survey wave: analysis runs, their published figures, village clusters and
curated quotes.

Only what passed disclosure control is stored here (analysis.publication): pages and
exports read these rows and never recompute, so nothing below the threshold can leave.
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
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow, value_enum
from surveys.models import Survey
from villages.models import Village

cluster_villages = Table(
    "cluster_villages",
    Base.metadata,
    Column("cluster_id", ForeignKey("village_clusters.id", ondelete="CASCADE"), nullable=False),
    #: The primary key: a village belongs to at most one cluster.
    Column("village_id", ForeignKey("villages.id", ondelete="CASCADE"), primary_key=True),
)


class VillageCluster(Base):
    """A group of small villages whose figures are published together when a
    village alone has too few respondents (disclosure rule 5)."""

    __tablename__ = "village_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    villages: Mapped[list[Village]] = relationship(
        secondary=cluster_villages, order_by="Village.name"
    )

    def __repr__(self) -> str:
        return f"<VillageCluster {self.name!r}>"


class ClusterSnapshot(Base):
    """The clusters as they were when a wave closed: its figures always use these, so
    officials may change the clusters for the waves still to close (results.clusters)."""

    __tablename__ = "cluster_snapshots"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    #: {cluster name: [village names]}, as `analysis.pipeline.Settings.clusters` takes them.
    clusters: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    survey: Mapped[Survey] = relationship()

    def __repr__(self) -> str:
        return f"<ClusterSnapshot survey={self.survey_id} {sorted(self.clusters)}>"


#: The failure reason of a run given up because its survey was reopened before release.
WITHDRAWN = "reopened"


class RunStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class AnalysisRun(Base):
    """One computation of a survey wave's figures. Runs are kept. A run that succeeded is
    seen by officials only, until one of them releases it: from then on the village
    associations see it too (the newest released run is the published one)."""

    __tablename__ = "analysis_runs"
    __table_args__ = (
        Index("ix_analysis_runs_survey_status", "survey_id", "status"),
        CheckConstraint(
            "(status IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)",
            name="finished_has_date",
        ),
        CheckConstraint(
            "released_at IS NULL OR status = 'succeeded'", name="released_has_succeeded"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    status: Mapped[RunStatus] = mapped_column(
        value_enum(RunStatus, "analysis_run_status"), default=RunStatus.QUEUED
    )
    #: What started it: "closed" (the survey closed), "official" or "cli".
    trigger: Mapped[str] = mapped_column(String(20))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    job_id: Mapped[str | None] = mapped_column(String(36))
    margin_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("margin_imports.id", ondelete="SET NULL")
    )
    #: The reference date of the margins the weights were raked to.
    reference_date: Mapped[date | None] = mapped_column(Date())
    #: The wave the changes are measured against.
    previous_survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="SET NULL")
    )
    #: Scheme, threshold, clusters and indicators as used, so the run can be repeated.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The published document (analysis.report), identical to `flask analysis compute`.
    output: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When an official released the figures to the associations: from then on published.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    survey: Mapped[Survey] = relationship(foreign_keys=[survey_id])
    previous_survey: Mapped[Survey | None] = relationship(foreign_keys=[previous_survey_id])
    figures: Mapped[list[ResultFigure]] = relationship(
        back_populates="run",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ResultFigure.id",
    )

    def __repr__(self) -> str:
        return f"<AnalysisRun {self.id} survey={self.survey_id} {self.status.value}>"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)

    def start(self) -> None:
        if self.status is not RunStatus.QUEUED:
            raise ValueError(f"run {self.id} is {self.status.value}")
        self.status = RunStatus.RUNNING

    def succeed(self, output: dict[str, Any], now: datetime) -> None:
        self.status, self.output, self.finished_at = RunStatus.SUCCEEDED, output, now

    def fail(self, error: str, now: datetime) -> None:
        self.status, self.error, self.finished_at = RunStatus.FAILED, error[:4000], now

    @property
    def released(self) -> bool:
        return self.released_at is not None

    @property
    def withdrawn(self) -> bool:
        """Given up because the survey was reopened before its figures were released."""
        return self.status is RunStatus.FAILED and (self.settings or {}).get("failure") == WITHDRAWN

    def release(self, by_id: int | None, now: datetime) -> None:
        if self.status is not RunStatus.SUCCEEDED:
            raise ValueError(f"run {self.id} is {self.status.value}")
        if self.released_at is None:
            self.released_at, self.released_by_id = now, by_id

    def withdraw(self, now: datetime) -> None:
        """The survey is answered again: this run's figures, on fewer answers, may never be
        released. A run that succeeded loses its figures; a released one refuses."""
        if self.released:
            raise ValueError(f"run {self.id} is released")
        self.status, self.error = RunStatus.FAILED, "withdrawn: the survey was reopened"
        self.finished_at = self.finished_at or now
        self.output, self.settings = None, {"failure": WITHDRAWN}
        self.figures.clear()


class AreaKind(enum.Enum):
    MUNICIPALITY = "municipality"
    VILLAGE = "village"
    CLUSTER = "cluster"


class ResultFigure(Base):
    """One published figure: an indicator in an area (and subgroup) of one run. Hidden
    figures keep only their status; their numbers were never stored."""

    __tablename__ = "result_figures"
    __table_args__ = (
        UniqueConstraint(
            "run_id", "area_kind", "area", "subgroup", "indicator", name="uq_result_figures_cell"
        ),
        CheckConstraint(
            "status = 'publish' OR (value IS NULL AND low IS NULL AND high IS NULL)",
            name="hidden_has_no_value",
        ),
        CheckConstraint("n IS NULL OR n % 5 = 0", name="count_rounded_to_five"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_runs.id", ondelete="CASCADE"), index=True
    )
    area_kind: Mapped[AreaKind] = mapped_column(value_enum(AreaKind, "area_kind"))
    #: Village or cluster name as it was at the time of the run; "" for the municipality.
    area: Mapped[str] = mapped_column(String(80))
    village_id: Mapped[int | None] = mapped_column(
        ForeignKey("villages.id", ondelete="SET NULL"), index=True
    )
    #: "" for the whole area, else e.g. "under_65" or "65_plus".
    subgroup: Mapped[str] = mapped_column(String(20), default="", server_default="")
    indicator: Mapped[str] = mapped_column(String(60))
    #: analysis.disclosure.ShareOutcome's value: publish, almost_everyone, almost_no_one,
    #: suppressed, dominated (one respondent carries too much of its weight).
    status: Mapped[str] = mapped_column(String(20))
    #: Respondents, rounded to 5; NULL when hidden.
    n: Mapped[int | None]
    #: A whole percentage for a share, a mark to one decimal for a mean.
    value: Mapped[float | None]
    low: Mapped[float | None]
    high: Mapped[float | None]
    #: Effective n below 30: shown with its interval, never flagged.
    indicative: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: For a hidden village: the cluster whose figure stands in for it.
    shown_in_cluster: Mapped[str | None] = mapped_column(String(80))
    #: {"value", "low", "high", "flagged"}: village against the rest of the municipality.
    versus_rest: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The same against the previous wave.
    change: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Beside a share: {"status", "value"} of the share that answered "don't know", which
    #: the figure leaves out of its base.
    dont_know: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    run: Mapped[AnalysisRun] = relationship(back_populates="figures")

    def __repr__(self) -> str:
        return f"<ResultFigure {self.indicator} {self.area_kind.value} {self.area!r} {self.status}>"

    @property
    def published(self) -> bool:
        return self.status == "publish"


class QuoteStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Quote(Base):
    """An open answer curated by an official, with identifying details removed, for the
    whole municipality: open text is never published per village (disclosure rule 6)."""

    __tablename__ = "result_quotes"
    __table_args__ = (
        CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)", name="published_has_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    #: The open question it answers.
    question: Mapped[str] = mapped_column(String(60))
    #: The answer it was made from, so the same answer is not curated twice: the id of a
    #: `Response` or, for an anonymous survey, of an `AnonymousResponse` (so no foreign key).
    response_id: Mapped[str | None] = mapped_column(String(32))
    #: The text as edited by the official: what is published.
    text: Mapped[str] = mapped_column(Text())
    status: Mapped[QuoteStatus] = mapped_column(
        value_enum(QuoteStatus, "quote_status"), default=QuoteStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    survey: Mapped[Survey] = relationship()

    def __repr__(self) -> str:
        return f"<Quote {self.id} survey={self.survey_id} {self.status.value}>"

    def publish(self, now: datetime) -> None:
        if self.status is QuoteStatus.PUBLISHED:
            raise ValueError("already published")
        self.status, self.published_at = QuoteStatus.PUBLISHED, now

    def withdraw(self) -> None:
        if self.status is not QuoteStatus.PUBLISHED:
            raise ValueError("not published")
        self.status, self.published_at = QuoteStatus.WITHDRAWN, None
