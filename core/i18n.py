"""Dutch by default, English on request: the visitor's choice lives in the session."""

from __future__ import annotations

from collections.abc import Callable

from babel.support import NullTranslations
from flask import Flask, current_app, has_request_context, session
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

SESSION_KEY = "language"
#: The page's language in every template Flask renders.
LANGUAGE_VARIABLE = "current_language"


def select_locale() -> str:
    # Outside a request (a background job, a command, a benchmark): the default language,
    # unless the caller chose one with `force_locale`.
    chosen = session.get(SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    # Pages call _() a hundred times: see template_gettext.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = template_gettext()

    @app.context_processor
    def language_context() -> dict[str, str]:
        return {LANGUAGE_VARIABLE: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}


def template_gettext() -> Callable:
    """`_()` in templates, as Jinja's i18n extension with Flask-Babel gives it, at a fraction
    of the cost: the catalogue is kept per language, found by the page's `current_language`
    (set above for every template Flask renders, under `force_locale` too) rather than by
    asking Flask-Babel for the locale on every call; and a text without `%` is not
    formatted (formatting with no values changes only `%%`, which needs a `%`)."""
    catalogues: dict[str, NullTranslations] = {}

    def catalogue(language: str | None) -> NullTranslations:
        if language is None:  # a template rendered without Flask's context processors
            locale = get_locale()  # the forced one inside force_locale
            if locale is None:
                return get_translations()
            language = str(locale)
        found = catalogues.get(language)
        if found is None:
            found = catalogues[language] = get_translations()
        return found

    @pass_context
    def gettext(context: Context, string: str, **variables) -> str:
        text = catalogue(context.get(LANGUAGE_VARIABLE)).ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables or "%" in text else text

    return gettext
