"""Checking what was typed from one paper questionnaire, exactly as the web checks a page.

What a volunteer (or an import file) types per field is the printed number beside the
ticked box (`paper.numbering`), several numbers for a multiple-choice question, the
numbers in order of priority for a ranking, digits for a number, the text as written for
an open question, "" when the field was not filled in, or one of two codes: NO_ANSWER
("-": nothing ticked, left blank) and UNCLEAR ("?": unreadable, or two boxes ticked where
one was asked). The codes count as "no answer" for routing and storage; a required
question may be coded (the resident did not answer it, so the paper form is complete).

The typed numbers become answer codes here; the pages on the route are then checked with
the web's own form and validators (`surveys.page_check.check_page`), page by page in order,
so paper accepts exactly what the web accepts. Every problem is reported at once, so an
import's dry run lists them all.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from paper.numbering import Box, boxes, code_for
from surveys.answer_form import WHOLE_NUMBER, answers_from, text_in
from surveys.conditions import evaluate, is_answered
from surveys.definition import Page, Question, Questionnaire, QuestionType
from surveys.page_check import check_page
from surveys.routing import answer_keys, answers_on_route, other_key, visible_questions

NO_ANSWER = "-"  # nothing ticked / left blank on paper
UNCLEAR = "?"  # unreadable, or two boxes ticked where one was asked
CODES = (NO_ANSWER, UNCLEAR)

#: Printed numbers of a multiple-choice or ranking answer: spaces, commas or semicolons.
SEPARATORS = re.compile(r"[\s,;]+")

CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.LIKERT, QuestionType.MARK)
TEXT_TYPES = (QuestionType.TEXT, QuestionType.LONG_TEXT)


@dataclass(frozen=True)
class EntryField:
    """One thing to type from the paper: a question, a grid statement, or the text written
    beside "other, namely"."""

    key: str
    question: Question
    label: str
    kind: str  # "choice" | "choices" | "ranking" | "number" | "text"
    boxes: list[Box] = field(default_factory=list)
    #: The question's number on paper (questions counted in order, info texts not).
    number: int = 0
    #: A grid statement's or the "other" text's own label under the question's text.
    sublabel: str = ""
    #: A grid statement's letter as printed (question 5: statements 5a, 5b, ...).
    letter: str = ""

    @property
    def printed_number(self) -> str:
        """The number the paper shows beside this field's question or statement."""
        return f"{self.number}{self.letter}"

    @property
    def numeric(self) -> bool:
        """Typed as digits only (inputmode numeric)."""
        return self.kind in ("choice", "choices", "ranking", "number")


@dataclass(frozen=True)
class Problem:
    key: str
    #: "unknown_code", "out_of_range", "not_a_number", "required", "routing", "too_long",
    #: "ranking", "unknown_field"
    kind: str
    message: str


@dataclass(frozen=True)
class CheckedSheet:
    #: None if any problem; else only the answers on the route, in the web's shapes.
    answers: dict[str, Any] | None
    problems: list[Problem]
    #: Fields on the route typed as NO_ANSWER or UNCLEAR.
    coded: dict[str, str]

    @property
    def ok(self) -> bool:
        return self.answers is not None


def entry_fields(questionnaire: Questionnaire, language: str = "nl") -> list[EntryField]:
    """Every field to type, in the order of the paper form."""
    fields: list[EntryField] = []
    number = 0
    for question in questionnaire.questions():
        if question.type is QuestionType.INFO:
            continue
        number += 1
        fields.extend(_fields_of(question, number, language))
    return fields


def _fields_of(question: Question, number: int, language: str) -> list[EntryField]:
    label, kind = text_in(question.text, language), question.type
    if kind is QuestionType.LIKERT_GRID:
        scale = boxes(question, language)
        return [
            EntryField(
                item.code,
                question,
                label,
                "choice",
                scale,
                number,
                text_in(item.text, language),
                string.ascii_lowercase[index % 26],
            )
            for index, item in enumerate(question.items)
        ]
    if kind in CHOICE_TYPES:
        return [
            EntryField(question.code, question, label, "choice", boxes(question, language), number)
        ]
    if kind is QuestionType.MULTIPLE:
        own = EntryField(
            question.code, question, label, "choices", boxes(question, language), number
        )
        if not question.other:
            return [own]
        other = EntryField(
            other_key(question.code), question, label, "text", [], number, _("Other, namely")
        )
        return [own, other]
    if kind is QuestionType.RANKING:
        return [
            EntryField(question.code, question, label, "ranking", boxes(question, language), number)
        ]
    if kind is QuestionType.NUMBER:
        return [EntryField(question.code, question, label, "number", [], number)]
    return [EntryField(question.code, question, label, "text", [], number)]


def check_sheet(
    questionnaire: Questionnaire, values: Mapping[str, str], language: str = "nl"
) -> CheckedSheet:
    """Check the typed `values` (answer key -> text) of one sheet."""
    return SheetChecker(questionnaire, language).check(values)


class SheetChecker:
    """`check_sheet` for many sheets of one questionnaire (an import's rows): the fields
    are worked out once, and the pages' forms are made once (`surveys.answer_form` keeps
    a form class while its questions live, which they do as long as this checker)."""

    def __init__(self, questionnaire: Questionnaire, language: str = "nl"):
        self.questionnaire, self.language = questionnaire, language
        self.fields = {entry.key: entry for entry in entry_fields(questionnaire, language)}
        positions = {key: n for n, key in enumerate(self.fields)}
        self._order = lambda problem: positions.get(problem.key, len(positions))

    def check(self, values: Mapping[str, str]) -> CheckedSheet:
        """Check the typed `values` (answer key -> text) of one sheet."""
        fields = self.fields
        typed = {key: _clean(value) for key, value in values.items()}
        problems = [
            Problem(key, "unknown_field", _("This is not a field of this questionnaire."))
            for key in typed
            if key not in fields
        ]
        posted: dict[str, Any] = {}  # key -> answer code(s) or text, as the web form posts
        coded: dict[str, str] = {}
        for key, entry in fields.items():
            value = typed.get(key, "")
            if value in CODES:
                coded[key] = value
            elif value:
                parsed = _parse(entry, value)
                if isinstance(parsed, Problem):
                    problems.append(parsed)
                else:
                    posted[key] = parsed
        answers, on_route = _check_pages(
            self.questionnaire, typed, posted, coded, self.language, problems
        )
        coded = {key: code for key, code in coded.items() if key in on_route}
        problems.sort(key=self._order)
        return CheckedSheet(None if problems else answers, problems, coded)


def _clean(value: Any) -> str:
    return "" if value is None else str(value).strip()


# --- typed text -> answer codes --------------------------------------------------------


def _parse(entry: EntryField, value: str) -> Any:
    """The answer code(s) or text the web form would post, or the Problem with `value`."""
    if entry.kind == "text":
        return value
    if entry.kind == "number":
        if not WHOLE_NUMBER.match(value):
            return Problem(entry.key, "not_a_number", _("Type a whole number, - or ?."))
        return value
    parts = [part for part in SEPARATORS.split(value) if part]
    if entry.kind == "choice" and len(parts) > 1:
        return Problem(
            entry.key,
            "unknown_code",
            _("Type one number only: type ? when two boxes are ticked."),
        )
    codes = []
    for part in parts:
        code = _code(entry, part)
        if isinstance(code, Problem):
            return code
        codes.append(code)
    if entry.kind == "choices":
        return list(dict.fromkeys(codes))
    return codes if entry.kind == "ranking" else codes[0]


def _code(entry: EntryField, part: str) -> str | Problem:
    highest = len(entry.boxes)
    if not part.isdigit():
        return Problem(
            entry.key,
            "unknown_code",
            _("Type the number printed beside the box (1 to %(max)s), - or ?.", max=highest),
        )
    code = code_for(entry.question, int(part))
    if code is None:
        return Problem(
            entry.key,
            "out_of_range",
            _(
                "There is no box %(number)s: type a number from 1 to %(max)s.",
                number=part,
                max=highest,
            ),
        )
    return code


# --- the pages on the route, checked by the web's own form -----------------------------


def _check_pages(
    questionnaire: Questionnaire,
    typed: Mapping[str, str],
    posted: dict[str, Any],
    coded: dict[str, str],
    language: str,
    problems: list[Problem],
) -> tuple[dict[str, Any], set[str]]:
    """Walk the pages as a resident would; returns the answers and the keys on the route."""
    answers: dict[str, Any] = {}
    on_route: set[str] = set()
    for page in questionnaire.pages:
        keys = {key for question in page.questions for key in answer_keys(question)}
        if not evaluate(page.condition, answers):
            problems.extend(_off_route(keys, typed, posted))
            continue
        checked = _check_page(page, answers, posted, language)
        asked = {key for question in checked.asked for key in answer_keys(question)}
        on_route |= asked
        problems.extend(_off_route(keys - asked, typed, posted))
        failed = {problem.key for problem in problems}
        problems.extend(_form_problems(checked.form, checked.asked, typed, coded, failed))
        answers.update(answers_from(checked.form, checked.asked))
    return answers_on_route(questionnaire, answers), on_route


def _check_page(page: Page, earlier: dict[str, Any], posted: Mapping[str, Any], language: str):
    """The page checked as the web checks it after the resident has seen every question
    the page's own answers reveal (the web shows the page again; paper shows them all)."""
    context = earlier
    for _attempt in range(len(page.questions) + 1):
        shown = visible_questions(page, context)
        checked = check_page(page, context, language, _formdata(shown, posted), csrf=False)
        seen = {question.code for question in checked.asked}
        now = earlier | answers_from(checked.form, checked.asked)
        if all(question.code in seen for question in visible_questions(page, now)):
            break
        context = now
    return checked


def _formdata(shown: list[Question], posted: Mapping[str, Any]) -> MultiDict:
    formdata = MultiDict()
    for question in shown:
        for key in answer_keys(question):
            value = posted.get(key)
            for one in value if isinstance(value, list) else [value]:
                if one is not None:
                    formdata.add(key, one)
    return formdata


def _off_route(
    keys: set[str], typed: Mapping[str, str], posted: Mapping[str, Any]
) -> list[Problem]:
    """Something typed for a question the paper's routing skips. A code is fine there."""
    message = _(
        "The paper skips this question after the earlier answers: leave it empty "
        "(an answer here does not count)."
    )
    return [
        Problem(key, "routing", message)
        for key in sorted(keys)
        if typed.get(key, "") not in ("",) + CODES
    ]


def _form_problems(
    form,
    asked: list[Question],
    typed: Mapping[str, str],
    coded: Mapping[str, str],
    failed: set[str],
) -> list[Problem]:
    """The web form's errors, as problems; none on a coded field (that is its answer) nor
    on one whose typed text was refused already."""
    problems = []
    by_key = {key: question for question in asked for key in answer_keys(question)}
    for key, question in by_key.items():
        errors = form.field(key).errors
        if not errors or key in coded or key in failed:
            continue
        problems.append(_problem(key, question, typed.get(key, ""), str(errors[0])))
    return problems


def _problem(key: str, question: Question, value: str, message: str) -> Problem:
    if not value:
        if key == other_key(question.code):
            message = _("Type the text written beside “other”, or - when nothing is written.")
        else:
            message = _(
                "This question must be answered: type what is ticked, - when nothing is "
                "ticked or ? when it is unclear."
            )
        return Problem(key, "required", message)
    kind = question.type
    if kind is QuestionType.NUMBER:
        return Problem(key, "out_of_range", message)
    if kind in TEXT_TYPES or key == other_key(question.code):
        return Problem(key, "too_long", message)
    if kind is QuestionType.RANKING:
        return Problem(key, "ranking", message)
    return Problem(key, "unknown_code", message)


def is_coded(value: Any) -> bool:
    return _clean(value) in CODES


def filled(value: Any) -> bool:
    """Something was typed (a code counts)."""
    return is_answered(_clean(value))
