"""Print batches' PDFs are rendered in the background: 500 copies take a minute or more."""

from __future__ import annotations

from typing import Any

from jobs.registry import Progress, job_function
from paper import batches


@job_function(batches.RENDER_JOB)
def render_batches(progress: Progress, batch_ids: list[int]) -> dict[str, Any]:
    """Render the PDFs of print batches (letters and questionnaires) and keep them."""
    return batches.render(batch_ids, progress)
