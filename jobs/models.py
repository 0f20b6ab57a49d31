"""A job's life, stored in the database so any page and any worker machine can follow it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow, value_enum


class JobStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class IllegalJobTransition(Exception):
    pass


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("steps_done >= 0", name="steps_done_not_negative"),
        CheckConstraint(
            "steps_total IS NULL OR steps_done <= steps_total", name="steps_done_within_total"
        ),
    )

    #: Random, so a job's page cannot be guessed from another's.
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    #: Registered job function, e.g. `demo.count_villages`.
    name: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        value_enum(JobStatus, "job_status"), default=JobStatus.QUEUED, index=True
    )
    steps_done: Mapped[int] = mapped_column(default=0, server_default="0")
    #: NULL until the job knows how much work it has.
    steps_total: Mapped[int | None]
    #: What the job is working on now, as data (a village name), not interface text.
    detail: Mapped[str] = mapped_column(String(200), default="", server_default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Renewed by the running job's worker every few seconds (jobs.runner.Heartbeat); a job
    #: whose heartbeat stopped for a lease lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Job {self.name} {self.id} {self.status.value} {self.percent}%>"

    @property
    def percent(self) -> int:
        if self.status is JobStatus.SUCCEEDED:
            return 100
        if not self.steps_total:
            return 0
        return min(100, 100 * self.steps_done // self.steps_total)

    def _require(self, *allowed: JobStatus) -> None:
        if self.status not in allowed:
            raise IllegalJobTransition(f"job {self.id} is {self.status.value}")

    def report(self, done: int, total: int | None, detail: str = "") -> None:
        self._require(JobStatus.RUNNING)
        self.steps_done, self.steps_total, self.detail = done, total, detail[:200]

    def succeed(self, result: dict[str, Any] | None) -> None:
        self._require(JobStatus.RUNNING)
        self.status, self.result, self.finished_at = JobStatus.SUCCEEDED, result, utcnow()

    def fail(self, error: str) -> None:
        self._require(JobStatus.QUEUED, JobStatus.RUNNING)
        self.status, self.error, self.finished_at = JobStatus.FAILED, error[:4000], utcnow()
