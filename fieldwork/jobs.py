"""Fieldwork runs in the background: sending thousands of invitations, and reminders."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.dates import local_today
from fieldwork import invitations
from jobs.registry import Progress, job_function


@job_function(invitations.SEND_JOB)
def send_invitations(
    progress: Progress, survey_id: int, by_id: int | None = None
) -> dict[str, Any]:
    """Invite the survey's members in batches; the request that started it returned at once.
    Paper members get a printed questionnaire instead: a print batch per village."""
    from paper.batches import invite_paper_members  # paper builds on fieldwork

    today = local_today()
    invited = invitations.send_invitations(survey_id, today, progress, by_id=by_id)
    batches = invite_paper_members(survey_id, today, by_id=by_id)
    return {"survey": survey_id, "invited": invited, "paper_batches": len(batches)}


@job_function("fieldwork.send_reminders")
def send_reminders(progress: Progress, today: str | None = None) -> dict[str, Any]:
    """Remind the members due a reminder today (or on `today`, an ISO date)."""
    day = date.fromisoformat(today) if today else local_today()
    return {"reminded": invitations.send_due_reminders(day, progress)}
