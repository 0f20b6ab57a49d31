"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def public_data(response: Response) -> Response:
    """Mark a response that holds only published, public data (the open-data API): caches
    may keep it, asking the server each time whether it changed (ETag, Last-Modified)."""
    response.public_data = True
    # A caller with cookies may get a refreshed session cookie: no shared cache keeps that.
    shared = "private" if request.cookies else "public"
    response.headers["Cache-Control"] = f"{shared}, no-cache"
    return response


#: Sent on every response unless the view set its own.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # Login and survey links carry tokens in their path: never leak them to other sites.
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
STRICT_TRANSPORT = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def init_app(app: Flask) -> None:
    production = app.config["APP_ENV"] == "production"
    defaults = SECURITY_HEADERS + ((STRICT_TRANSPORT,) if production else ())

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        # One pass over the headers a view set, not one per default (Headers.setdefault
        # searches the list each time): this runs on every response.
        own = set(headers.keys(lower=True))
        headers.extend([(name, value) for name, value in defaults if name.lower() not in own])
        if request.endpoint != "static" and not getattr(response, "public_data", False):
            # Any page may hold personal data (a logged-in official's lists, a resident's
            # answers behind a personal link, an export): no browser or proxy keeps a copy.
            # Deciding page by page which ones are personal is where such a rule leaks.
            headers["Cache-Control"] = "no-store"
        return response
