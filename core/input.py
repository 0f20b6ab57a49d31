"""One filter for everything users send: form fields, query strings, imported files and ids
in paths.

Werkzeug decodes forms and query strings as UTF-8 with replacement, so what reaches the
app is valid text, but it may still hold control characters: a NUL breaks PostgreSQL text
columns, and others end up in mails and exports. They are taken out of every value before a
view sees it, so no form has to remember. Imports read text from JSON, where `\\ud800`
escapes can give lone surrogates that no page can encode: those are refused, with a problem
the importer can fix (surveys/format.py).
"""

from __future__ import annotations

import re

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

#: Control characters other than tab, line feed and carriage return, with DEL and the C1 set.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: The largest id any table uses (a PostgreSQL `integer`).
MAX_ID = 2**31 - 1


def clean_text(value: str) -> str:
    """`value` without control characters (tab and line breaks stay)."""
    return CONTROL_CHARACTERS.sub("", value)


def single_line(value: str | None) -> str:
    """One line with single spaces: for titles, which end up in mail subjects and headings."""
    return " ".join(clean_text(value or "").split())


def has_lone_surrogate(value: str) -> bool:
    return LONE_SURROGATE.search(value) is not None


class CleanMultiDict(ImmutableMultiDict):
    """Form and query values with control characters taken out."""

    def __init__(self, mapping=None) -> None:
        super().__init__(mapping)
        for values in dict.values(self):
            for index, value in enumerate(values):
                if isinstance(value, str):
                    values[index] = clean_text(value)


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict


class IdConverter(IntegerConverter):
    """`<int:…>` that stops at the largest id: a larger number is a page that does not
    exist (404), not a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """A path part (token, code, job id) with a control character is no page (404)."""

    def to_python(self, value: str) -> str:
        if CONTROL_CHARACTERS.search(value) or has_lone_surrogate(value):
            raise ValidationError()
        return value


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: routes take their converters when they are added."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.jinja_env.filters["single_line"] = single_line
