"""Finished export files, kept on the server for a day until their official downloads them.

They hold the answers of a whole wave, so they live in a folder only the app reads
(EXPORTS_DIR, else `instance/exports`), under the job's random id, and go after a day.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import current_app

KEEP_SECONDS = 24 * 3600


def folder() -> Path:
    configured = current_app.config.get("EXPORTS_DIR")
    where = Path(configured) if configured else Path(current_app.instance_path) / "exports"
    where.mkdir(parents=True, exist_ok=True, mode=0o700)
    return where


def path_for(job_id: str, extension: str) -> Path:
    """Where a job writes its file (a partial name until it is complete)."""
    return folder() / f"{job_id}.{extension}"


def partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.part")


def finish(written: Path, target: Path) -> None:
    os.chmod(written, 0o600)
    os.replace(written, target)


def load(job_id: str, extension: str) -> Path | None:
    """The kept file, or None once it is gone."""
    target = path_for(job_id, extension)
    return target if target.is_file() else None


def purge(now: float | None = None) -> int:
    """Remove files older than a day; the number removed."""
    limit = (now or time.time()) - KEEP_SECONDS
    removed = 0
    for path in folder().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
