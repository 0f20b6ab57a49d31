"""The village mirror's background work after a release: the printed PDFs, and the mail
that the results are online."""

from __future__ import annotations

from typing import Any

from core.dates import local_today
from jobs.registry import Progress, job_function
from mirror import announcements, pdf


@job_function(pdf.RENDER_JOB)
def render_pdfs(progress: Progress, language: str = "nl") -> dict[str, Any]:
    """Render and keep the PDF of every village for the runs published now."""
    seconds = pdf.render_all(progress, language)
    slowest = max(seconds.values(), default=0.0)
    return {"villages": len(seconds), "slowest_seconds": round(slowest, 2)}


@job_function(announcements.ANNOUNCE_JOB)
def announce_results(progress: Progress, survey_id: int) -> dict[str, Any]:
    """Mail everyone invited to the wave that its results are online (once per wave)."""
    mails = announcements.announce(survey_id, local_today(), progress)
    return {"survey": survey_id, "mails": mails}
