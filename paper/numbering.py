"""The numbers printed beside the boxes of a paper questionnaire, and what they stand for.

One rule for the printed form, data entry and the spreadsheet import: every answer box of a
closed question carries its position in the question's answer codes, from 1 (a Likert
scale: 1 to 5 for its points and 6 for "don't know"; "other, namely" comes last). A report
mark is the mark itself (1 to 10). Volunteers type the number next to the ticked box.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.answer_form import LIKERT_LABELS, text_in
from surveys.definition import MARK_RANGE, Question, QuestionType


@dataclass(frozen=True)
class Box:
    number: int
    code: str
    label: str


def boxes(question: Question, language: str = "nl") -> list[Box]:
    """The answer boxes of a closed question (or of each item of a Likert grid), in order.
    Empty for open questions (number, text) and text blocks."""
    kind = question.type
    if kind is QuestionType.MARK:
        low, high = MARK_RANGE
        return [Box(mark, str(mark), str(mark)) for mark in range(low, high + 1)]
    if kind in (QuestionType.LIKERT, QuestionType.LIKERT_GRID):
        labels = [str(label) for label in LIKERT_LABELS]
    elif kind.has_options:
        labels = [text_in(option.label, language) for option in question.options]
        if question.other:
            labels.append(_other_label())
    else:
        return []
    pairs = zip(question.answer_codes(), labels, strict=True)
    return [Box(number, code, label) for number, (code, label) in enumerate(pairs, 1)]


def _other_label() -> str:
    from flask_babel import gettext

    return gettext("Other, namely")


def code_for(question: Question, number: int) -> str | None:
    """The answer code of printed box `number`, or None when there is no such box."""
    kind = question.type
    if kind is QuestionType.MARK:
        low, high = MARK_RANGE
        return str(number) if low <= number <= high else None
    codes = question.answer_codes()
    return codes[number - 1] if 1 <= number <= len(codes) else None


def number_for(question: Question, code: str) -> int | None:
    """The printed number of answer `code` (the inverse of `code_for`)."""
    if question.type is QuestionType.MARK:
        return int(code) if str(code).isdigit() else None
    codes = question.answer_codes()
    return codes.index(code) + 1 if code in codes else None
