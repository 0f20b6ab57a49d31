"""Redirect targets we accept from users."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next_url(target: str | None, fallback_endpoint: str = "core.home") -> str:
    """Return `target` only if it is a local path on this site, else the fallback."""
    if not target or not target.isprintable() or "\\" in target:
        return url_for(fallback_endpoint)
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return url_for(fallback_endpoint)
