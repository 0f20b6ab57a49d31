"""Uploaded answers files, kept between the dry run and the official's "import" click.

A browser does not send a chosen file twice, and asking for it again invites choosing
another one than was checked. So the checked file waits on the server under its SHA-256,
and the confirmation names that hash: what is imported is exactly what was checked. The
files hold answers, so they go when imported and at the latest after a day.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from flask import current_app

KEEP_SECONDS = 24 * 3600
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _folder() -> Path:
    configured = current_app.config.get("PAPER_IMPORT_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "paper-imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def keep(data: bytes, sha256: str, checked: dict[str, Any] | None = None) -> None:
    """Store `data` under its hash with what its dry run found (`checked`, once known),
    each written whole or not at all; files older than a day are removed."""
    folder = _folder()
    _purge(folder)
    _write(folder / sha256, data)
    if checked is not None:
        _write(folder / f"{sha256}.json", json.dumps(checked).encode())


def _write(target: Path, content: bytes) -> None:
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    os.replace(partial, target)


def load(sha256: str) -> tuple[bytes, dict[str, Any] | None] | None:
    """The kept file and its dry run's findings, or None when it was imported, expired or
    never uploaded."""
    if not SHA256.match(sha256 or ""):
        return None
    folder = _folder()
    try:
        data = (folder / sha256).read_bytes()
    except FileNotFoundError:
        return None
    try:
        checked = json.loads((folder / f"{sha256}.json").read_bytes())
    except (FileNotFoundError, ValueError):
        checked = None  # the import then checks the file again
    return data, checked


def discard(sha256: str) -> None:
    if SHA256.match(sha256 or ""):
        for name in (sha256, f"{sha256}.json"):
            (_folder() / name).unlink(missing_ok=True)


def _purge(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass  # another process removed it first
