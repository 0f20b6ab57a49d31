"""The questionnaire exchange format: JSON with a schema version (docs/questionnaire-format.md).

`to_json` and `from_json` round-trip exactly. `from_json` never raises on bad input: it
returns every problem it finds with its location, and a questionnaire only when there are
none, so an import either succeeds whole or saves nothing.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from core.input import clean_text, has_lone_surrogate, single_line
from surveys.checks import Problem, check
from surveys.definition import Item, Option, Page, Question, Questionnaire, QuestionType

SCHEMA_VERSION = 1
#: Questionnaires kept read by `stored_questionnaire`, in each process.
QUESTIONNAIRES_KEPT = 16

#: The fields that only some types use.
TYPE_FIELDS = {
    "options": {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.RANKING},
    "items": {QuestionType.LIKERT_GRID},
    "other": {QuestionType.MULTIPLE},
    "minimum": {QuestionType.NUMBER},
    "maximum": {QuestionType.NUMBER},
    "rank_count": {QuestionType.RANKING},
}
LANGUAGES = ("nl", "en")


def to_json(questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "title": dict(questionnaire.title),
        "introduction": dict(questionnaire.introduction),
        "pages": [_page_json(page) for page in questionnaire.pages],
    }


def _page_json(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = {"code": page.code, "title": dict(page.title)}
    if page.condition is not None:
        data["condition"] = page.condition
    data["questions"] = [_question_json(q) for q in page.questions]
    return data


def _question_json(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": question.code,
        "type": question.type.value,
        "text": dict(question.text),
        "required": question.required,
    }
    kind = question.type
    optional = {
        "help": dict(question.help) or None,
        "options": [{"code": o.code, "label": dict(o.label)} for o in question.options] or None,
        "items": [{"code": i.code, "text": dict(i.text)} for i in question.items] or None,
        "other": question.other or None,
        "minimum": question.minimum,
        "maximum": question.maximum,
        "rank_count": question.rank_count,
        "condition": question.condition,
        "indicator": question.indicator,
    }
    # Fields another type would use are left out, so the stored form is canonical.
    for key, fits in TYPE_FIELDS.items():
        if kind not in fits:
            optional[key] = None
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


class _Reader:
    """Reads one JSON document, collecting problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, kind: str, **params: Any) -> None:
        self.problems.append(Problem(where, kind, params))

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.fail(where, "wrong_type", expected="object")
        return {}

    def items(self, data: dict, key: str, where: str, required: bool = True) -> list:
        value = data.get(key, [] if not required else None)
        if isinstance(value, list):
            return value
        self.fail(f"{where}.{key}" if where else key, "wrong_type", expected="list")
        return []

    def text(self, data: dict, key: str, where: str, required: bool = True) -> dict[str, str]:
        path = f"{where}.{key}" if where else key
        value = data.get(key, {} if not required else None)
        if not isinstance(value, dict) or not all(
            lang in LANGUAGES and isinstance(words, str) for lang, words in value.items()
        ):
            self.fail(path, "wrong_type", expected='{"nl": "…", "en": "…"}')
            return {}
        return dict(value)

    def string(self, data: dict, key: str, where: str) -> str:
        value = data.get(key)
        if isinstance(value, str):
            return value
        self.fail(f"{where}.{key}", "wrong_type", expected="text")
        return ""

    def whole(self, data: dict, key: str, where: str) -> int | None:
        value = data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.fail(f"{where}.{key}", "wrong_type", expected="whole number")
        return None

    def flag(self, data: dict, key: str, where: str) -> bool:
        value = data.get(key, False)
        if isinstance(value, bool):
            return value
        self.fail(f"{where}.{key}", "wrong_type", expected="true or false")
        return False


def from_json(data: Any) -> tuple[Questionnaire | None, list[Problem]]:
    """The questionnaire in `data`, or None and every problem found."""
    reader = _Reader()
    document = reader.obj(_clean(reader, data, ""), "")
    if reader.problems:
        return None, reader.problems
    if document.get("schema_version") != SCHEMA_VERSION:
        reader.fail(
            "schema_version",
            "wrong_schema_version",
            found=document.get("schema_version"),
            expected=SCHEMA_VERSION,
        )
        return None, reader.problems
    questionnaire = Questionnaire(
        title=_one_line(reader.text(document, "title", "")),
        introduction=reader.text(document, "introduction", "", required=False),
        pages=tuple(
            _read_page(reader, page, f"pages[{p}]")
            for p, page in enumerate(reader.items(document, "pages", ""))
        ),
    )
    if reader.problems:
        return None, reader.problems
    problems = check(questionnaire)
    return (None, problems) if problems else (questionnaire, [])


@lru_cache(maxsize=QUESTIONNAIRES_KEPT)
def stored_questionnaire(text: str) -> tuple[Questionnaire | None, tuple[Problem, ...]]:
    """`from_json` of a stored definition's JSON text, read and checked once per process:
    every page a resident answers needs its version's questionnaire, and reading and
    checking it cost more than the rest of the page. Keyed on the text itself, so a frozen
    version whose texts are corrected (`QuestionnaireVersion.correct_text`) is read anew.
    The questionnaire is shared: nobody may change it (its dataclasses are frozen)."""
    questionnaire, problems = from_json(json.loads(text))
    return questionnaire, tuple(problems)


def _clean(reader: _Reader, value: Any, where: str) -> Any:
    """A copy of the JSON `value` without control characters in its texts; a text with a
    lone surrogate (from an escape such as "\\ud800") cannot be shown or stored: refused."""
    if isinstance(value, str):
        if has_lone_surrogate(value):
            reader.fail(where, "bad_characters")
            return ""
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(reader, item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            name = _clean(reader, key, where) if isinstance(key, str) else key
            cleaned[name] = _clean(reader, item, f"{where}.{name}" if where else str(name))
        return cleaned
    return value


def _one_line(texts: dict[str, str]) -> dict[str, str]:
    """Titles go into mail subjects and headings: one line each."""
    return {language: single_line(words) for language, words in texts.items()}


def _read_page(reader: _Reader, value: Any, where: str) -> Page:
    data = reader.obj(value, where)
    return Page(
        code=reader.string(data, "code", where),
        title=_one_line(reader.text(data, "title", where, required=False)),
        condition=data.get("condition"),
        questions=tuple(
            _read_question(reader, question, f"{where}.questions[{q}]")
            for q, question in enumerate(reader.items(data, "questions", where))
        ),
    )


def _read_question(reader: _Reader, value: Any, where: str) -> Question:
    data = reader.obj(value, where)
    try:
        kind = QuestionType(data.get("type"))
    except ValueError:
        reader.fail(f"{where}.type", "unknown_type", found=data.get("type"))
        kind = QuestionType.INFO
    options = reader.items(data, "options", where, required=False)
    items = reader.items(data, "items", where, required=False)
    return Question(
        code=reader.string(data, "code", where),
        type=kind,
        text=reader.text(data, "text", where),
        help=reader.text(data, "help", where, required=False),
        required=reader.flag(data, "required", where),
        options=tuple(
            _read_option(reader, o, f"{where}.options[{i}]") for i, o in enumerate(options)
        ),
        items=tuple(_read_item(reader, t, f"{where}.items[{i}]") for i, t in enumerate(items)),
        other=reader.flag(data, "other", where),
        minimum=reader.whole(data, "minimum", where),
        maximum=reader.whole(data, "maximum", where),
        rank_count=reader.whole(data, "rank_count", where),
        condition=data.get("condition"),
        indicator=_optional_string(reader, data, "indicator", where),
    )


def _optional_string(reader: _Reader, data: dict, key: str, where: str) -> str | None:
    return reader.string(data, key, where) if key in data else None


def _read_option(reader: _Reader, value: Any, where: str) -> Option:
    data = reader.obj(value, where)
    return Option(code=reader.string(data, "code", where), label=reader.text(data, "label", where))


def _read_item(reader: _Reader, value: Any, where: str) -> Item:
    data = reader.obj(value, where)
    return Item(code=reader.string(data, "code", where), text=reader.text(data, "text", where))
