"""A job that shows the job machinery at work: it walks the villages, one step each."""

from __future__ import annotations

import time
from typing import Any

from jobs.registry import Progress, job_function
from villages import queries


@job_function("demo.count_villages")
def count_villages(progress: Progress, delay: float = 0.5) -> dict[str, Any]:
    villages = queries.all_villages()
    total = len(villages)
    progress(0, total)
    for done, village in enumerate(villages, start=1):
        time.sleep(delay)
        progress(done, total, village.name)
    return {
        "villages": total,
        "population": sum(v.population or 0 for v in villages),
    }
