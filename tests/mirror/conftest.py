"""Fixtures for the village mirror: two released liveability waves (so there is a trend),
with Orvelte and Eursinge in a cluster."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import select

from core.db import db
from jobs.models import Job, JobStatus
from jobs.runner import run_job
from mirror import pdf
from results import services
from results.models import VillageCluster
from results.release import release_run
from surveys.models import Survey
from tests.conftest import snapshot
from tests.waves import make_margins, make_wave, new_margins, new_wave  # noqa: F401  (fixtures)
from villages.queries import village_by_name

#: Hooghalen too few on its own, and in no cluster; Orvelte and Eursinge in one.
PER_VILLAGE = {"Beilen": 120, "Bovensmilde": 70, "Hooghalen": 4, "Orvelte": 8, "Eursinge": 9}
NEWER = "Leefbaarheid 2026"


def two_released_waves() -> None:
    new_margins(date(2025, 1, 1))
    new_margins(date(2026, 1, 1))
    db.session.add(
        VillageCluster(
            name="Kleine kernen",
            villages=[village_by_name("Orvelte"), village_by_name("Eursinge")],
        )
    )
    db.session.commit()
    earlier = new_wave(PER_VILLAGE, opens_on=date(2025, 3, 1), seed=3)
    earlier.title = "Leefbaarheid 2025"
    release_run(services.run_now(earlier), by=None)
    db.session.commit()
    later = new_wave(PER_VILLAGE, opens_on=date(2026, 3, 1), seed=4)
    later.title = NEWER
    release_run(services.run_now(later), by=None)
    db.session.commit()


snapshot("mirrored", two_released_waves)


@pytest.fixture
def mirrored(app) -> Survey:
    """Two released waves, a year apart (built once per run, this test's own copy);
    returns the newer survey."""
    return db.session.scalar(select(Survey).where(Survey.title == NEWER))


def run_render_jobs() -> None:
    """Ask for the PDFs as a first download does, run the render job, and wait for one the
    web process's job thread took."""
    pdf.ensure_rendering("nl")
    db.session.commit()
    unfinished = select(Job.id, Job.status).where(
        Job.name == pdf.RENDER_JOB, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
    )
    for _ in range(600):
        jobs = db.session.execute(unfinished).all()
        db.session.rollback()
        if not jobs:
            return
        for job_id, status in jobs:
            if status is JobStatus.QUEUED:
                run_job(job_id)
        time.sleep(0.1)
    raise AssertionError("the PDFs were not rendered within a minute")


def two_released_waves_printed() -> None:
    two_released_waves()
    run_render_jobs()


snapshot("printed_mirror", two_released_waves_printed)


@pytest.fixture
def printed_mirror(app) -> Survey:
    """`mirrored` with the Dutch PDFs rendered, as after a first download."""
    return db.session.scalar(select(Survey).where(Survey.title == NEWER))


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


@pytest.fixture
def unreleased(mirrored) -> Survey:
    """A third wave, computed and not released: officials only, in a preview; in no PDF."""
    survey = new_wave(PER_VILLAGE, opens_on=date(2027, 3, 1), seed=9)
    survey.title = "Leefbaarheid 2027"
    services.run_now(survey)
    db.session.commit()
    return survey
