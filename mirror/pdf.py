"""The printed village mirror: one A4 PDF per village for the association's meeting, and all
villages in one document, from the published figures only (never a preview).

Rendered by WeasyPrint in a child process (recruitment.pdf_process), in a background job
after a release, and kept per set of published runs (MirrorPdf): a published run never
changes, so neither does its PDF.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from io import BytesIO

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from pypdf import PdfReader, PdfWriter
from sqlalchemy import delete, select

from core.dates import local_today
from core.db import db
from jobs.models import Job, JobStatus
from jobs.registry import Progress
from jobs.services import enqueue
from mirror import services
from mirror.models import MirrorPdf
from recruitment.pdf_process import PdfRenderer
from villages.models import Village, VillageKind

log = logging.getLogger(__name__)

RENDER_JOB = "mirror.render_pdfs"
#: The area of the document with every village.
ALL = "_all"
LANGUAGES = ("nl", "en")


def published() -> tuple[int, str] | None:
    """The published run of the newest wave and the key of every published run, or None."""
    runs = services.released_runs()
    if not runs:
        return None
    return runs[-1][0], "-".join(str(run_id) for run_id, _ in runs)


def villages() -> list[Village]:
    """The villages with a page of their own (not neighbourhoods), by name."""
    return list(
        db.session.scalars(
            select(Village).where(Village.kind != VillageKind.NEIGHBOURHOOD).order_by(Village.name)
        )
    )


def cached(area: str, language: str) -> MirrorPdf | None:
    """The PDF of a village's slug (or ALL) for the runs published now, if rendered."""
    key = published()
    if key is None:
        return None
    return db.session.scalar(
        select(MirrorPdf).where(
            MirrorPdf.runs == key[1], MirrorPdf.area == area, MirrorPdf.language == language
        )
    )


def village_html(village: Village, runs: Sequence, language: str) -> str:
    """The printed mirror of one village, in `language`."""
    with force_locale(language):
        page = services.build_village_page(village, runs)
        return render_template(
            "mirror/print/village.html",
            page=page,
            municipality=current_app.config["MUNICIPALITY_NAME"],
            printed_on=format_date(local_today(), "long"),
        )


def render_all(progress: Progress, language: str = "nl") -> dict[str, float]:
    """Render and keep the PDF of every village and the one with all of them, unless kept
    already for the runs published now. Seconds per village rendered."""
    key = published()
    if key is None:
        return {}
    run_id, runs_key = key
    if _kept(runs_key, ALL, language):
        return {}
    places = villages()
    runs = services.runs_for(False)
    seconds: dict[str, float] = {}
    parts: list[bytes] = []
    progress(0, len(places))
    with PdfRenderer() as renderer:  # WeasyPrint in a child process: see pdf_process
        for done, village in enumerate(places, start=1):
            if published() != key:
                return seconds  # a newer release came: its own job renders the PDFs
            started = time.perf_counter()
            pdf = renderer.pdf(village_html(village, runs, language))
            seconds[village.slug] = time.perf_counter() - started
            _keep(run_id, runs_key, village.slug, language, pdf, seconds[village.slug])
            parts.append(pdf)
            progress(done, len(places), village.name)
    _keep(run_id, runs_key, ALL, language, joined(parts), sum(seconds.values()))
    _forget_older(runs_key)
    log.info("Mirror PDFs of runs %s (%s) rendered: %s villages", runs_key, language, len(places))
    return seconds


def joined(pdfs: Sequence[bytes]) -> bytes:
    """One document of several, in order."""
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(BytesIO(pdf)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _kept(runs_key: str, area: str, language: str) -> bool:
    found = select(MirrorPdf.id).where(
        MirrorPdf.runs == runs_key, MirrorPdf.area == area, MirrorPdf.language == language
    )
    return db.session.scalar(found) is not None


def _keep(run_id: int, runs_key: str, area: str, language: str, pdf: bytes, seconds: float):
    """Store one PDF and commit: a job that stops halfway keeps what it rendered."""
    db.session.execute(
        delete(MirrorPdf).where(
            MirrorPdf.runs == runs_key, MirrorPdf.area == area, MirrorPdf.language == language
        )
    )
    db.session.add(
        MirrorPdf(
            run_id=run_id, runs=runs_key, area=area, language=language, pdf=pdf, seconds=seconds
        )
    )
    db.session.commit()


def _forget_older(runs_key: str) -> None:
    """PDFs of runs no longer all published are out of date: gone."""
    db.session.execute(delete(MirrorPdf).where(MirrorPdf.runs != runs_key))
    db.session.commit()


def ensure_rendering(language: str) -> Job:
    """The job rendering the PDFs in `language`: the one queued or running, else a new one.
    Callers commit."""
    unfinished = db.session.scalars(
        select(Job).where(
            Job.name == RENDER_JOB, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
        )
    )
    job = next((j for j in unfinished if j.params.get("language") == language), None)
    return job or enqueue(RENDER_JOB, language=language)
