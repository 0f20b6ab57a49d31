"""Reads for the officials' pages: batches with their letters and what came of them."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.dates import local_today
from core.db import db
from jobs.models import Job, JobStatus
from panel.models import Member, MemberStatus
from recruitment.models import RecruitmentBatch, RecruitmentCode


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

    @property
    def codes_replaceable(self) -> bool:
        """The letters failed and no code was used: the codes exist nowhere, so new ones
        (and new letters) can take their place."""
        return self.letters_status is LettersStatus.FAILED and self.redeemed == 0


@dataclass(frozen=True)
class Funnel:
    batch: RecruitmentBatch
    redeemed: int
    active: int  #: members from this batch still in the panel
    left: int  #: members from this batch who have left the panel since

    @property
    def letters(self) -> int:
        return self.batch.size

    @property
    def unused(self) -> int:
        return self.letters - self.redeemed

    @property
    def expired(self) -> bool:
        return self.batch.expires_on < local_today()


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


def batch_overviews(village_id: int | None = None) -> list[BatchOverview]:
    """Every batch (of one village), newest first, in one query."""
    if village_id is None:
        return _overviews()
    return _overviews(RecruitmentBatch.village_id == village_id)


def batch_overview(batch_id: int) -> BatchOverview | None:
    found = _overviews(RecruitmentBatch.id == batch_id)
    return found[0] if found else None


def funnels(overviews: Sequence[BatchOverview]) -> list[Funnel]:
    """From letters to panel members, per batch, in one query for all of them."""
    if not overviews:
        return []
    ids = [overview.batch.id for overview in overviews]
    joined = {
        (batch_id, status): n
        for batch_id, status, n in db.session.execute(
            select(Member.recruitment_batch_id, Member.status, func.count())
            .where(Member.recruitment_batch_id.in_(ids))
            .group_by(Member.recruitment_batch_id, Member.status)
        )
    }
    return [
        Funnel(
            overview.batch,
            overview.redeemed,
            active=joined.get((overview.batch.id, MemberStatus.ACTIVE), 0),
            left=joined.get((overview.batch.id, MemberStatus.LEFT), 0),
        )
        for overview in overviews
    ]
