"""The variables of a wave's microdata, generated from its questionnaire version.

One layout serves every format and the codebook: the CSV, the spreadsheet, SPSS, Stata and
R hold the same columns with the same values. Closed answers are numbers (the answer code
when the codes are numbers, else the box number printed on the paper form, see
`paper.numbering`), so SPSS and Stata can carry value labels; a multiple choice is one 0/1
column per option, a ranking one column per place, open text is text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from surveys.answer_form import LIKERT_LABELS, text_in
from surveys.conditions import evaluate, is_answered
from surveys.definition import DONT_KNOW, MARK_RANGE, Question, Questionnaire, QuestionType
from surveys.routing import other_key

#: Missing-value codes of numeric answers: the routing skipped the question, or the
#: respondent saw it and left it open.
NOT_ASKED = -1
NOT_ANSWERED = -2
#: Stata's limit for a variable name; SPSS allows 64.
NAME_LENGTH = 32
#: Stata's longest fixed-width string (str2045).
STRING_LENGTH = 2045

Answers = Mapping[str, Any]


@dataclass
class Variable:
    """One column: its name, label, whether it is numeric, its value labels and which
    codes mean "missing", and how to read it from a response's answers."""

    name: str
    label: str
    numeric: bool
    value: Callable[[Answers], Any]
    codes: dict[int, str] = field(default_factory=dict)
    missing: tuple[int, ...] = ()
    #: The question it comes from ("" for the respondent's own columns).
    question: str = ""


def missing_labels() -> dict[int, str]:
    return {NOT_ASKED: _("Not asked (skipped by the routing)"), NOT_ANSWERED: _("No answer")}


def safe_name(name: str, taken: set[str]) -> str:
    """A name SPSS, Stata and R all accept, unique among `taken`."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean or not clean[0].isalpha():
        clean = f"v_{clean}"
    clean = clean[:NAME_LENGTH]
    candidate, number = clean, 2
    while candidate.lower() in taken:
        suffix = f"_{number}"
        candidate, number = clean[: NAME_LENGTH - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def answer_variables(questionnaire: Questionnaire, language: str) -> list[Variable]:
    """Every answer column, in the order a resident meets the questions."""
    taken = {"respondent_id", "village", "age_band", "sex", "weight", "channel"}
    variables: list[Variable] = []
    for page in questionnaire.pages:
        for question in page.questions:
            asked = _asked(page.condition, question.condition)
            variables += _question_variables(question, asked, language, taken)
    return variables


def _asked(*conditions: dict[str, Any] | None) -> Callable[[Answers], bool]:
    present = [condition for condition in conditions if condition]
    return lambda answers: all(evaluate(condition, answers) for condition in present)


def _question_variables(
    question: Question, asked: Callable[[Answers], bool], language: str, taken: set[str]
) -> list[Variable]:
    kind, text = question.type, text_in(question.text, language)
    if kind is QuestionType.INFO:
        return []
    if kind is QuestionType.LIKERT_GRID:
        return [
            _closed(
                safe_name(item.code, taken),
                f"{text}: {text_in(item.text, language)}",
                question,
                item.code,
                asked,
            )
            for item in question.items
        ]
    if kind is QuestionType.MULTIPLE:
        return _multiple(question, text, asked, language, taken)
    if kind is QuestionType.RANKING:
        return _ranking(question, text, asked, taken)
    if kind in (QuestionType.SINGLE, QuestionType.LIKERT):
        return [_closed(safe_name(question.code, taken), text, question, question.code, asked)]
    if kind.is_numeric:
        return [_number(safe_name(question.code, taken), text, question, asked)]
    return [_text(safe_name(question.code, taken), text, question.code, question.code, asked)]


def value_labels(question: Question, language: str = "nl") -> dict[int, str]:
    """The number of each answer code of a closed question, with its label."""
    if question.type in (QuestionType.LIKERT, QuestionType.LIKERT_GRID):
        labels = [str(label) for label in LIKERT_LABELS]
    else:
        labels = [text_in(option.label, language) for option in question.options]
        if question.other:
            labels.append(_("Other, namely"))
    codes = question.answer_codes()
    return {code_number(question, code): label for code, label in zip(codes, labels, strict=True)}


def code_number(question: Question, code: Any) -> int | None:
    """An answer code as a number: itself when every code of the question is a whole
    number (a Likert 9 stays 9), else its position from 1 (the paper form's box)."""
    codes = question.answer_codes()
    code = str(code)
    if code not in codes:
        return None
    if all(c.isdigit() for c in codes):
        return int(code)
    return codes.index(code) + 1


def _closed(name: str, label: str, question: Question, key: str, asked) -> Variable:
    dont_know = (code_number(question, DONT_KNOW),) if question.dont_know_codes() else ()

    def value(answers: Answers) -> int | None:
        if not asked(answers):
            return NOT_ASKED
        answer = answers.get(key)
        number = code_number(question, answer) if is_answered(answer) else None
        return NOT_ANSWERED if number is None else number

    values = value_labels(question) | missing_labels()
    return Variable(
        name, label, True, value, values, (NOT_ASKED, NOT_ANSWERED, *dont_know), question.code
    )


def _multiple(question: Question, text: str, asked, language: str, taken: set[str]):
    options = [(o.code, text_in(o.label, language)) for o in question.options]
    if question.other:
        options.append(("other", _("Other, namely")))
    variables = []
    for number, (code, option_label) in enumerate(options, 1):

        def value(answers: Answers, code: str = code) -> int:
            if not asked(answers):
                return NOT_ASKED
            chosen = answers.get(question.code)
            if not is_answered(chosen):
                return NOT_ANSWERED
            return int(code in [str(c) for c in (chosen if isinstance(chosen, list) else [chosen])])

        values = {0: _("Not chosen"), 1: _("Chosen")} | missing_labels()
        variables.append(
            Variable(
                safe_name(f"{question.code}_{number}", taken),
                f"{text}: {option_label}",
                True,
                value,
                values,
                (NOT_ASKED, NOT_ANSWERED),
                question.code,
            )
        )
    if question.other:
        key = other_key(question.code)
        variables.append(
            _text(safe_name(key, taken), f"{text}: {_('Other, namely')}", question.code, key, asked)
        )
    return variables


def _ranking(question: Question, text: str, asked, taken: set[str]) -> list[Variable]:
    places = question.rank_count or len(question.options)
    variables = []
    for place in range(1, places + 1):

        def value(answers: Answers, place: int = place) -> int | None:
            if not asked(answers):
                return NOT_ASKED
            ranked = answers.get(question.code)
            if not isinstance(ranked, list) or len(ranked) < place:
                return NOT_ANSWERED
            number = code_number(question, ranked[place - 1])
            return NOT_ANSWERED if number is None else number

        variables.append(
            Variable(
                safe_name(f"{question.code}_r{place}", taken),
                f"{text}: {_('place %(place)s', place=place)}",
                True,
                value,
                value_labels(question) | missing_labels(),
                (NOT_ASKED, NOT_ANSWERED),
                question.code,
            )
        )
    return variables


def _number(name: str, label: str, question: Question, asked) -> Variable:
    low, _high = MARK_RANGE if question.type is QuestionType.MARK else question.numeric_range()
    # Missing codes only where they cannot be a real answer.
    coded = low is not None and low >= 0

    def value(answers: Answers) -> int | None:
        if not asked(answers):
            return NOT_ASKED if coded else None
        answer = answers.get(question.code)
        try:
            return int(answer) if is_answered(answer) else (NOT_ANSWERED if coded else None)
        except (TypeError, ValueError):
            return NOT_ANSWERED if coded else None

    values = missing_labels() if coded else {}
    missing = (NOT_ASKED, NOT_ANSWERED) if coded else ()
    return Variable(name, label, True, value, values, missing, question.code)


def _text(name: str, label: str, question: str, key: str, asked) -> Variable:
    def value(answers: Answers) -> str:
        answer = answers.get(key)
        return str(answer) if asked(answers) and is_answered(answer) else ""

    return Variable(name, label, False, value, question=question)


def numeric_names(variables: Sequence[Variable]) -> list[str]:
    return [v.name for v in variables if v.numeric]
