"""Redirect targets we accept from users."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import Map, MapAdapter


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


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mails, built from BASE_URL: never from a request's Host header,
    and usable outside a request (background jobs)."""
    adapter = _bound(current_app.url_map, current_app.config["BASE_URL"])
    clean = {key: value for key, value in values.items() if value is not None}
    return adapter.build(endpoint, clean, force_external=True)


@lru_cache(maxsize=16)
def _bound(url_map: Map, base_url: str) -> MapAdapter:
    """Bound once per app: binding cost more than building (a job mails thousands of links)."""
    base = urlsplit(base_url)
    return url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
