"""Dutch by default, English on request: the visitor's choice lives in the session."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask_babel import Babel, get_locale

SESSION_KEY = "language"


def select_locale() -> str:
    # Outside a request (a background job, a command, a benchmark): the default language,
    # unless the caller chose one with `force_locale`.
    chosen = session.get(SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def language_context() -> dict[str, str]:
        return {"current_language": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}
