"""Translated error pages, and JSON where JSON was asked for."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.db import db

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Request not understood"), _("Something in the request was not right.")),
        403: (_("No access"), _("You do not have access to this page.")),
        404: (_("Page not found"), _("The page you are looking for does not exist (anymore).")),
        405: (_("Not allowed"), _("This action is not possible on this page.")),
        413: (_("Too large"), _("The file or form you sent is too large.")),
        429: (
            _("Please wait a moment"),
            _(
                "You have tried this a number of times in a short while. For your safety, "
                "please wait a while before you try again."
            ),
        ),
        500: (
            _("Something went wrong"),
            _("Something went wrong on our side. Nothing you entered was saved; please try again."),
        ),
    }


def render_error(status: int, detail: str | None = None):
    title, message = _messages().get(status, _messages()[500])
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "detail": detail or message}, status
    return render_template("core/error.html", title=title, message=detail or message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            _(
                "The form had expired or was sent twice. Go back, reload the page and "
                "try again; what you entered is still on the page."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
