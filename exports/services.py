"""Downloads of a wave's microdata and codebook for officials: the streamed CSV, and the
slow formats made by a background job and kept a day for the official who asked.

Every download is in the audit log with who, which survey, which format and how many rows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from accounts.models import Account
from audit.services import record
from core.db import db
from exports import codebook, microdata, store
from exports.writers import EXTENSIONS, SLOW, csv_lines, write_dta, write_r, write_sav, write_xlsx
from jobs.models import Job, JobStatus
from jobs.registry import Progress
from jobs.services import enqueue
from surveys.models import Survey

log = logging.getLogger(__name__)

BUILD_JOB = "exports.build_file"
DOWNLOADED = "exports.microdata_downloaded"
DELIMITERS = {"comma": ",", "semicolon": ";"}


def file_stem(survey: Survey) -> str:
    """A file name for the wave: its title in plain letters and its id."""
    title = re.sub(r"[^a-z0-9]+", "-", survey.title.lower()).strip("-")[:40] or "enquete"
    return f"microdata-{title}-{survey.id}"


def start_csv(survey: Survey, delimiter: str, language: str) -> tuple[int, Iterator[str]]:
    """Record the download and give the CSV's lines, to be streamed. The rows are read
    while the lines are sent: nothing is fetched before the first line."""
    rows = microdata.count(survey)
    record(
        "exports.microdata_downloaded",
        survey,
        format="csv",
        delimiter=delimiter,
        rows=rows,
        run=_run_id(survey),
    )
    layout = microdata.variables(survey, language)
    return rows, csv_lines(layout, _rows_later(survey, layout), delimiter)


def _rows_later(survey: Survey, layout) -> Iterator[list[Any]]:
    """The rows, planned only once the header has gone out (the weights take a moment)."""
    made = microdata.plan(survey)
    yield from microdata.rows(survey, layout, made)


def _run_id(survey: Survey) -> int | None:
    source = microdata.weight_source(survey)
    return source.run.id if source.run else None


# Slow formats -------------------------------------------------------------------------------


def request_file(survey: Survey, kind: str, by: Account, language: str) -> Job:
    """The job making this file for this official: one already waiting or running (a
    double click), else a new one. Callers commit."""
    if kind not in SLOW:
        raise ValueError(f"not a background format: {kind}")
    unfinished = db.session.scalars(
        select(Job).where(
            Job.name == BUILD_JOB, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
        )
    )
    wanted = {"survey_id": survey.id, "kind": kind, "account_id": by.id, "language": language}
    same = next((job for job in unfinished if job.params == wanted), None)
    return same or enqueue(BUILD_JOB, **wanted)


def build_file(
    job_id: str, survey: Survey, kind: str, language: str, progress: Progress
) -> dict[str, Any]:
    """Write the file of `kind` for the job; what its page and download need."""
    store.purge()
    target = store.path_for(job_id, EXTENSIONS[kind])
    partial = store.partial(target)
    stem = file_stem(survey)
    if kind == "codebook":
        written = _codebook_pdf(partial, survey, language)
    else:
        written = _microdata_file(partial, survey, kind, stem, language, progress)
    store.finish(partial, target)
    log.info("Export %s of survey %s: %s rows", kind, survey.id, written)
    return {
        "survey": survey.id,
        "format": kind,
        "rows": written,
        "filename": f"{stem if kind != 'codebook' else 'codebook-' + stem}.{EXTENSIONS[kind]}",
        "run": _run_id(survey),
    }


def _microdata_file(
    path: Path, survey: Survey, kind: str, stem: str, language: str, progress: Progress
) -> int:
    layout = microdata.variables(survey, language)
    made = microdata.plan(survey)
    total = len(made.order)

    def counted() -> Iterator[list[Any]]:
        for done, row in enumerate(microdata.rows(survey, layout, made), 1):
            if done % microdata.CHUNK == 0:
                progress(done, total)
            yield row

    progress(0, total)
    if kind == "xlsx":
        return write_xlsx(path, layout, counted())
    if kind == "sav":
        return write_sav(path, layout, counted())
    if kind == "dta":
        return write_dta(path, layout, counted())
    return write_r(path, stem, layout, counted())


def _codebook_pdf(path: Path, survey: Survey, language: str) -> int:
    from flask_babel import force_locale

    from recruitment.pdf_process import PdfRenderer

    with force_locale(language):
        page = codebook.html(survey, language, printed=True)
    with PdfRenderer() as renderer:  # WeasyPrint in a child process: see pdf_process
        path.write_bytes(renderer.pdf(page))
    return 0


def finished_file(job: Job, survey: Survey, by: Account) -> tuple[Path, dict[str, Any]] | None:
    """The kept file of the official's own finished job for this survey, or None."""
    params, result = job.params or {}, job.result or {}
    if (
        job.name != BUILD_JOB
        or job.status is not JobStatus.SUCCEEDED
        or params.get("survey_id") != survey.id
        or params.get("account_id") != by.id
    ):
        return None
    path = store.load(job.id, EXTENSIONS[params["kind"]])
    return (path, result) if path is not None else None


def record_download(survey: Survey, result: dict[str, Any]) -> None:
    record(
        "exports.microdata_downloaded",
        survey,
        format=result["format"],
        rows=result["rows"],
        run=result["run"],
    )
