"""Letters are laid out by WeasyPrint (Pango and Cairo through cffi) in a child process:
never in the web process, and a crash there fails the job, not the server (issue 15, 11)."""

import signal
import sys

from sqlalchemy import select

from core.db import db
from jobs.models import Job, JobStatus
from recruitment import pdf_process
from recruitment.models import RecruitmentBatch
from tests.helpers import wait_for_jobs
from tests.recruitment.test_batches import make_letters, qr_texts

SEGFAULT = (sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")


def test_letters_are_rendered_without_weasyprint_in_the_web_process(
    client, post_form, login_as, seeded
):
    login_as("official")
    make_letters(post_form, size=2)
    wait_for_jobs()
    batch = db.session.scalars(select(RecruitmentBatch)).one()
    assert len(qr_texts(client.get(f"/recruitment/{batch.id}/letters.pdf").data)) == 2
    assert "weasyprint" not in sys.modules


def test_a_crash_while_rendering_fails_the_job_and_the_server_keeps_serving(
    client, post_form, login_as, seeded, monkeypatch
):
    monkeypatch.setattr(pdf_process.PdfRenderer, "command", SEGFAULT)
    login_as("official")
    make_letters(post_form, size=2)
    wait_for_jobs()
    batch = db.session.scalars(select(RecruitmentBatch)).one()
    job = db.session.get(Job, batch.letters_job_id)
    assert job.status is JobStatus.FAILED
    assert f"exit code {-signal.SIGSEGV}" in job.error
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200 and "exit code" not in page.text
