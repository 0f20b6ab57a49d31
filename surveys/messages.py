"""Problems (surveys.checks, surveys.format) in the words of the person designing or
importing a questionnaire, with where they are; and the names of the question types."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveys.checks import Problem
from surveys.definition import QuestionType

#: Each question type's one name, wherever the designer shows it.
TYPE_NAMES = {
    QuestionType.SINGLE: _l("Single choice"),
    QuestionType.MULTIPLE: _l("Multiple choice"),
    QuestionType.LIKERT: _l("Agree scale"),
    QuestionType.LIKERT_GRID: _l("Grid of statements"),
    QuestionType.MARK: _l("Report mark"),
    QuestionType.NUMBER: _l("Number"),
    QuestionType.TEXT: _l("Short open answer"),
    QuestionType.LONG_TEXT: _l("Long open answer"),
    QuestionType.RANKING: _l("Ranking"),
    QuestionType.INFO: _l("Information text"),
}
#: What the choice of a type adds to its name, in brackets.
TYPE_HINTS = {
    QuestionType.SINGLE: _l("one answer"),
    QuestionType.MULTIPLE: _l("several answers"),
    QuestionType.LIKERT: _l("one statement: 5 points and don't know"),
    QuestionType.LIKERT_GRID: _l("on the agree scale"),
    QuestionType.MARK: _l("1 to 10"),
    QuestionType.RANKING: _l("put priorities in order"),
    QuestionType.INFO: _l("no answer"),
}


def type_name(kind: str) -> str:
    """The name of a question type (a QuestionType value); an unknown one as it is."""
    try:
        return str(TYPE_NAMES[QuestionType(kind)])
    except ValueError:
        return kind


def type_choice_label(kind: QuestionType) -> str:
    """The type's name with what it means, to choose it by: “Ranking (put priorities in
    order)”."""
    hint = TYPE_HINTS.get(kind)
    return f"{TYPE_NAMES[kind]} ({hint})" if hint else str(TYPE_NAMES[kind])


def problem_message(problem: Problem) -> str:
    p = problem.params
    messages = {
        "bad_code": lambda: _(
            "“%(code)s” cannot be used as a code: start with a letter and use only letters, "
            "digits and _ (at most 40), for example LEEF_01.",
            code=p.get("code") or "",
        ),
        "duplicate_code": lambda: _(
            "The code %(code)s is already used elsewhere in this questionnaire.",
            code=p.get("code"),
        ),
        "reserved_code": lambda: _(
            "The code %(code)s is reserved: the form needs it for itself or for an "
            "“other, namely” answer. Choose another code.",
            code=p.get("code"),
        ),
        "dutch_text_missing": lambda: _("Fill in the Dutch text."),
        "no_pages": lambda: _("A questionnaire needs at least one page."),
        "no_options": lambda: _("Add at least one answer option."),
        "bad_option_code": lambda: _(
            "“%(code)s” cannot be used as an option code: use letters, digits and _.",
            code=p.get("code") or "",
        ),
        "no_items": lambda: _("Add at least one statement to the grid."),
        "minimum_above_maximum": lambda: _(
            "The minimum (%(min)s) is above the maximum (%(max)s).", min=p["min"], max=p["max"]
        ),
        "bad_rank_count": lambda: _(
            "The number to rank must be between 1 and the number of options (%(options)s).",
            options=p.get("options"),
        ),
        "bad_condition": lambda: _(
            "The condition is not written correctly. See the questionnaire format "
            "documentation (%(detail)s).",
            detail=p.get("detail"),
        ),
        "unknown_or_later_question": lambda: _(
            "The condition refers to %(code)s, which is not an earlier question. "
            "A condition can only use answers to questions that come before it.",
            code=p.get("code"),
        ),
        "condition_on_info": lambda: _(
            "The condition refers to %(code)s, which is an information text without an answer.",
            code=p.get("code"),
        ),
        "never_true": lambda: _(
            "The condition can never be true: %(code)s has no answer %(values)s.",
            code=p.get("code"),
            values=", ".join(str(v) for v in p.get("values", [])),
        ),
        "not_numeric": lambda: _(
            "%(code)s is not a number question, so it cannot be compared with a number.",
            code=p.get("code"),
        ),
        "wrong_schema_version": lambda: _(
            "This file has schema version %(found)s; this platform reads version %(expected)s.",
            found=p.get("found"),
            expected=p.get("expected"),
        ),
        "wrong_type": lambda: _(
            "Expected %(expected)s here.",
            expected=EXPECTED.get(p.get("expected"), p.get("expected")),
        ),
        "too_long": lambda: _("Use at most %(max)s characters.", max=p.get("max")),
        "bad_characters": lambda: _(
            "This text contains characters that cannot be shown. Type it again without them."
        ),
        "bad_limit": lambda: _("Compare %(code)s with a number, such as 5.", code=p.get("code")),
        "unknown_type": lambda: _(
            "“%(found)s” is not a question type.", found=p.get("found") or ""
        ),
    }
    message = messages.get(problem.kind)
    return message() if message else problem.kind


PATH_PART = re.compile(r"(\w+)(?:\[(\d+)\])?")


def where(location: str, definition: dict[str, Any] | None = None) -> str:
    """A location such as `pages[1].questions[2].options[0].code` in words: "page P2,
    question LEEF_03, option 1, code"; with codes when the definition is known."""
    if not location:
        return _("the file as a whole")
    words, node = [], definition
    for name, index in PATH_PART.findall(location):
        node = node.get(name) if isinstance(node, dict) else None
        if index:
            position = int(index)
            node = node[position] if isinstance(node, list) and position < len(node) else None
            code = node.get("code") if isinstance(node, dict) else None
            words.append(_part(name, code or str(position + 1)))
        else:
            words.append(FIELD_NAMES.get(name, name))
    return ", ".join(str(word) for word in words)


def _part(name: str, label: str) -> str:
    parts = {
        "pages": _("page %(label)s", label=label),
        "questions": _("question %(label)s", label=label),
        "options": _("option %(label)s", label=label),
        "items": _("statement %(label)s", label=label),
    }
    return parts.get(name, f"{name} {label}")


FIELD_NAMES = {
    "title": _l("title"),
    "introduction": _l("introduction"),
    "text": _l("text"),
    "help": _l("help text"),
    "label": _l("label"),
    "code": _l("code"),
    "condition": _l("condition"),
    "minimum": _l("minimum"),
    "maximum": _l("maximum"),
    "rank_count": _l("number to rank"),
    "type": _l("type"),
    "nl": _l("Dutch"),
    "en": _l("English"),
}


#: What a field should have held, in words (surveys.format names them in English).
EXPECTED = {
    "object": _l("an object: {…}"),
    "list": _l("a list: […]"),
    "text": _l("text between quotes"),
    "whole number": _l("a whole number"),
    "true or false": _l("true or false"),
}

#: Where a problem inside one question or page belongs on the designer's form.
FORM_FIELDS = {
    "code": "code",
    "type": "type",
    "text": "text_nl",
    "text.nl": "text_nl",
    "text.en": "text_en",
    "help": "help_nl",
    "options": "options",
    "items": "items",
    "other": "other",
    "minimum": "minimum",
    "maximum": "maximum",
    "rank_count": "rank_count",
    "indicator": "indicator",
    "required": "required",
    "title": "title_nl",
    "title.nl": "title_nl",
    "title.en": "title_en",
    "introduction": "introduction_nl",
}


def put_on_fields(problems: list[Problem], definition: dict, form, prefix: str) -> list[str]:
    """Put each problem of the part the form edits (`prefix`, a JSON path) on its field;
    return the others, described with where they are (e.g. a later question whose
    routing refers to a code that has just changed)."""
    elsewhere = []
    for problem in problems:
        field = _form_field(problem.location, prefix, form)
        if field is None:
            elsewhere.append(f"{where(problem.location, definition)}: {problem_message(problem)}")
            continue
        detail = problem.location[len(prefix) :].lstrip(".")
        message = problem_message(problem)
        if detail.startswith(("options[", "items[")):
            message = f"{where(detail, _sub(definition, prefix))}: {message}"
        field.errors = [*field.errors, message]
    return elsewhere


def _form_field(location: str, prefix: str, form):
    if prefix and not location.startswith(prefix + "."):
        if location != prefix:
            return None
    detail = location[len(prefix) :].lstrip(".")
    if detail.startswith("condition"):
        return form.condition_field() if hasattr(form, "condition_field") else None
    if detail.startswith(("options", "items")):
        detail = detail.split("[")[0].split(".")[0]
    name = FORM_FIELDS.get(detail) or FORM_FIELDS.get(detail.split(".")[0])
    field = getattr(form, name, None) if name else None
    if isinstance(field.errors if field is not None else None, tuple):
        field.errors = list(field.errors)
    return field


def _sub(definition: dict, prefix: str) -> Any:
    node: Any = definition
    for name, index in PATH_PART.findall(prefix):
        node = node.get(name) if isinstance(node, dict) else None
        if index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
    return node


def describe_condition(condition: dict[str, Any] | None) -> str:
    """A condition in words, for the designer's outline: “LEEF_01 is 1 and LEEF_02 > 5”."""
    if not condition:
        return ""
    if "all" in condition:
        return _joined(_("and"), condition["all"])
    if "any" in condition:
        return _joined(_("or"), condition["any"])
    if "not" in condition:
        return _("not (%(condition)s)", condition=describe_condition(condition["not"]))
    code = condition.get("question", "?")
    if "equals" in condition:
        return _("%(code)s is %(value)s", code=code, value=condition["equals"])
    if "one_of" in condition:
        values = ", ".join(str(v) for v in condition["one_of"])
        return _("%(code)s is one of %(values)s", code=code, values=values)
    if "greater_than" in condition:
        return _("%(code)s is more than %(value)s", code=code, value=condition["greater_than"])
    if "less_than" in condition:
        return _("%(code)s is less than %(value)s", code=code, value=condition["less_than"])
    if condition.get("answered") is False:
        return _("%(code)s is not answered", code=code)
    return _("%(code)s is answered", code=code)


def _joined(word: str, parts: list[dict[str, Any]]) -> str:
    return (" " + word + " ").join("(" + describe_condition(part) + ")" for part in parts)
