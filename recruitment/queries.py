"""Reads for the officials' pages: batches with their letters and what came of them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.db import db
from jobs.models import Job, JobStatus
from panel.models import Member, MemberStatus
from recruitment.models import RecruitmentBatch, RecruitmentCode
from villages.models import Village, VillageKind


class LettersStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    DELETED = "deleted"  #: printed, and the PDF deleted
    FAILED = "failed"


@dataclass(frozen=True)
class BatchOverview:
    batch: RecruitmentBatch
    redeemed: int
    has_pdf: bool
    job_status: JobStatus | None

    @property
    def letters_status(self) -> LettersStatus:
        if self.has_pdf:
            return LettersStatus.READY
        if self.batch.letters_ready_at is not None:
            return LettersStatus.DELETED
        if self.job_status is JobStatus.QUEUED:
            return LettersStatus.QUEUED
        if self.job_status is JobStatus.RUNNING:
            return LettersStatus.RUNNING
        return LettersStatus.FAILED  # the job failed, or failed long ago and was purged


@dataclass(frozen=True)
class Funnel:
    letters: int
    redeemed: int
    active: int  #: members from this batch still in the panel
    left: int  #: members from this batch who have left the panel since

    @property
    def unused(self) -> int:
        return self.letters - self.redeemed


def _overviews(*conditions) -> list[BatchOverview]:
    redeemed = (
        select(func.count(RecruitmentCode.id))
        .where(
            RecruitmentCode.batch_id == RecruitmentBatch.id,
            RecruitmentCode.redeemed_at.is_not(None),
        )
        .correlate(RecruitmentBatch)
        .scalar_subquery()
    )
    statement = (
        # `letters_pdf IS NOT NULL` tells whether the PDF is there without loading it.
        select(RecruitmentBatch, redeemed, RecruitmentBatch.letters_pdf.is_not(None), Job.status)
        .outerjoin(Job, Job.id == RecruitmentBatch.letters_job_id)
        .options(joinedload(RecruitmentBatch.village))
        .where(*conditions)
        .order_by(RecruitmentBatch.created_at.desc(), RecruitmentBatch.id.desc())
    )
    return [BatchOverview(*row) for row in db.session.execute(statement)]


def batch_overviews() -> list[BatchOverview]:
    """Every batch, newest first, in one query."""
    return _overviews()


def batch_overview(batch_id: int) -> BatchOverview | None:
    found = _overviews(RecruitmentBatch.id == batch_id)
    return found[0] if found else None


def funnel(overview: BatchOverview) -> Funnel:
    """From letters to panel members, for one batch."""
    counts = dict(
        db.session.execute(
            select(Member.status, func.count())
            .where(Member.recruitment_batch_id == overview.batch.id)
            .group_by(Member.status)
        ).all()
    )
    return Funnel(
        letters=overview.batch.size,
        redeemed=overview.redeemed,
        active=counts.get(MemberStatus.ACTIVE, 0),
        left=counts.get(MemberStatus.LEFT, 0),
    )


def villages_for_letters() -> list[Village]:
    """Villages and hamlets; letters go to a whole village, not to a neighbourhood."""
    return list(
        db.session.scalars(
            select(Village).where(Village.kind != VillageKind.NEIGHBOURHOOD).order_by(Village.name)
        )
    )
