"""A print batch's PDF is rendered in the background: 500 copies take minutes."""

from __future__ import annotations

from typing import Any

from jobs.registry import Progress, job_function
from paper import batches


@job_function(batches.RENDER_JOB)
def render_batch(progress: Progress, batch_id: int) -> dict[str, Any]:
    """Render the PDF of a print batch (letters and questionnaires) and keep it."""
    return batches.render(batch_id, progress)
