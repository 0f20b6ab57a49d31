"""The letters of a batch are rendered in the background: a large batch takes minutes."""

from __future__ import annotations

from typing import Any

from core.db import db
from jobs.registry import Progress, job_function
from recruitment import letters, services
from recruitment.models import RecruitmentBatch


@job_function("recruitment.render_letters", private_params=True)
def render_letters(progress: Progress, batch_id: int, codes: list[str]) -> dict[str, Any]:
    """Render one PDF with a letter per code and keep it with the batch."""
    batch = db.session.get_one(RecruitmentBatch, batch_id)
    village, expires_on = batch.village.name, batch.expires_on
    db.session.rollback()  # hold no transaction open during minutes of rendering
    pdf = letters.render_pdf(village, expires_on, codes, progress)
    services.store_letters(db.session.get_one(RecruitmentBatch, batch_id), pdf)
    return {"batch": batch_id, "letters": len(codes)}
