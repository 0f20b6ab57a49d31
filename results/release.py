"""Releasing a wave's figures: a run that succeeded is seen by officials only, for review,
until one of them releases it to the village associations; only then is it published. Until
then the survey may be reopened, which discards the figures not released.

Callers commit.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update

from accounts.models import Account, Role, RoleGrant
from audit.services import record
from core.db import db, utcnow
from jobs.models import Job, JobStatus
from jobs.services import enqueue
from results.models import AnalysisRun, RunStatus
from results.services import FINISHED, computed_run, first_published_run
from surveys.models import ResultsBeingComputed, Survey, SurveyKind
from villages.models import Village

log = logging.getLogger(__name__)

#: Why a job queued at closing was given up.
REOPENED = "the survey was reopened before its figures were computed"


# Releasing ----------------------------------------------------------------------------------


class CannotRelease(ValueError):
    """The run cannot be released; `reason` names why for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def release_run(run: AnalysisRun, by: Account | None) -> bool:
    """Publish the run's figures to the associations of the survey's villages, with the
    survey's published quotes. False when it was released already (a double click).
    Lock the survey row first: reopening and releasing exclude each other."""
    if run.released:
        return False
    survey = run.survey
    if survey.status not in FINISHED:
        raise CannotRelease("still_open")
    if run.status is not RunStatus.SUCCEEDED or computed_run(survey) is not run:
        raise CannotRelease("not_latest")
    first = first_published_run(survey)
    if first is not None and _cut(first, first) != _cut(run, first):
        raise CannotRelease("other_cut")
    run.release(by.id if by else None, utcnow())
    db.session.flush()
    record("analysis.results_released", survey, run=run.id)
    log.info("Results of survey %s released (run %s)", survey.id, run.id)
    _queue_mirror_jobs(survey)
    return True


def _queue_mirror_jobs(survey: Survey) -> None:
    """The mail to the wave's invitees that the results are online (once per wave: the job
    knows when it went out); by job name, the village mirror being a room above this one.
    Its printed PDFs are rendered by a job the first download asks for (mirror.pdf)."""
    if survey.kind is SurveyKind.GENERAL:
        enqueue("mirror.announce_results", survey_id=survey.id)


def _cut(run: AnalysisRun, first: AnalysisRun) -> tuple[Any, ...]:
    """What makes two runs' figures the same cut of the same answers, weighted alike (runs
    published before the records hash: of the same responses)."""
    settings = run.settings or {}
    answers = "records" if "records" in (first.settings or {}) else "responses"
    kept = ("threshold", "dominance", "clusters", "scheme", answers)
    return run.margin_import_id, *(settings.get(key) for key in kept)


def results_released(survey: Survey) -> bool:
    """Whether the associations see (or have seen) figures of the survey."""
    return first_published_run(survey) is not None


# Withdrawing, when a survey is reopened -----------------------------------------------------


def withdraw_unreleased_runs(survey: Survey) -> list[int]:
    """Give up the survey's runs that wait for a worker (with their jobs) and discard the
    figures of runs not released: computed on fewer answers than will come, they may never
    be published. The ids. ResultsBeingComputed if a worker is computing one right now.
    Callers lock the survey row and have checked that nothing is released."""
    runs = db.session.scalars(
        select(AnalysisRun)
        .where(
            AnalysisRun.survey_id == survey.id,
            AnalysisRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED]),
            AnalysisRun.released_at.is_(None),
        )
        .order_by(AnalysisRun.id)
    ).all()
    for run in runs:
        if not run.finished and run.job_id is not None and not _withdraw_job(run.job_id):
            raise ResultsBeingComputed("a worker is computing the figures")
        run.withdraw(utcnow())
    db.session.flush()
    return [run.id for run in runs]


def _withdraw_job(job_id: str) -> bool:
    """Fail a job no worker has claimed yet; False when one has (it is running).

    A conditional UPDATE, like jobs.runner.claim: a worker claims a job only while it is
    queued, so either the worker gets it or this does, never both.
    """
    job = db.session.get(Job, job_id)
    if job is None or job.status.finished:
        return True  # its worker died; the run was abandoned
    withdrawn = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.FAILED, error=REOPENED, finished_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return withdrawn.rowcount == 1


def audience(survey: Survey) -> list[Village]:
    """The villages in the survey's scope whose association has an account: their members
    will see the figures of their own villages."""
    statement = (
        select(Village)
        .join(RoleGrant, RoleGrant.village_id == Village.id)
        .where(RoleGrant.role == Role.ASSOCIATION)
        .distinct()
        .order_by(Village.name)
    )
    if survey.villages:
        statement = statement.where(Village.id.in_([village.id for village in survey.villages]))
    return list(db.session.scalars(statement))
