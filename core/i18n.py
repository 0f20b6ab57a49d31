"""Dutch by default, English on request: the visitor's choice lives in the session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, cached_property, lru_cache

from babel.support import NullTranslations, Translations
from flask import Flask, current_app, has_request_context, session
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    get_locale,
    get_timezone,
    get_translations,
)
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from wtforms.i18n import messages_path

SESSION_KEY = "language"
#: The page's language in every template Flask renders.
LANGUAGE_VARIABLE = "current_language"
#: Dates kept formatted per language: pages show the same few (a run's, a wave's) on every
#: view, and Babel takes a tenth of a millisecond for each.
DATE_CACHE_SIZE = 1024


def select_locale() -> str:
    # Outside a request (a background job, a command, a benchmark): the default language,
    # unless the caller chose one with `force_locale`.
    chosen = session.get(SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.request_class = type(
        app.request_class.__name__, (KeptWTFormsCatalogue, app.request_class), {}
    )
    # Pages call _() a hundred times: see template_gettext.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = template_gettext()
    app.jinja_env.filters["datetimeformat"] = remembered(format_datetime)
    app.jinja_env.filters["dateformat"] = remembered(format_date)

    @app.context_processor
    def language_context() -> dict[str, str]:
        return {LANGUAGE_VARIABLE: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}


class KeptWTFormsCatalogue:
    """Mixed into the app's request class. Flask-WTF translates WTForms' own texts (its
    messages, and the label of a field without one, so nearly every form) with a catalogue
    it reads from disk once per request and keeps as `request.wtforms_translations`; given
    here, it is read once per language and process. Looked up at first use, as Flask-WTF
    does, so in the language of that moment."""

    @cached_property
    def wtforms_translations(self) -> Translations:
        return wtforms_catalogue(str(get_locale()))


@cache
def wtforms_catalogue(language: str) -> Translations:
    return Translations.load(messages_path(), [language], domain="wtforms")


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


def remembered(formatter: Callable) -> Callable:
    """A Flask-Babel date filter that formats each date once per format, language and time
    zone (the current time, `None`, is always formatted afresh)."""

    @lru_cache(maxsize=DATE_CACHE_SIZE)
    def format_once(value, format, kind: type, language: str, timezone: str) -> str:
        return formatter(value, format)

    def format_value(value=None, format=None, rebase=True) -> str:
        if value is None or not rebase:
            return formatter(value, format, rebase)
        return format_once(value, format, type(value), str(get_locale()), str(get_timezone()))

    return format_value
