"""Redirect targets we accept from users."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None."""
    if not target or not target.isprintable() or "\\" in target:
        return None
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


def safe_next_url(target: str | None, fallback_endpoint: str = "core.home") -> str:
    """Return `target` only if it is a local path on this site, else the fallback."""
    return local_path(target) or url_for(fallback_endpoint)
