"""What a printed questionnaire says: numbered questions, boxes and routing in words.

A resident cannot be routed by a form on paper, so the routing of the web form is printed:
beside an answer that skips questions, "Go to question 7"; where a condition is too complex
for that (it depends on several answers, or on one of several ticks), "Only fill in if ..."
above the question. Both are derived from the same conditions the web form evaluates
(`surveys.conditions`), so the paper route is the web route.

Questions are numbered 1, 2, 3 ... in the order a resident meets them (texts between them get
no number); the statements of a Likert grid are 5a, 5b ... Boxes carry the numbers of
`paper.numbering`, the ones volunteers type.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from paper.numbering import Box, boxes
from surveys.answer_form import text_in
from surveys.conditions import evaluate, referenced_codes
from surveys.definition import Question, Questionnaire, QuestionType

#: Questions with one answer per box: a "go to" can be printed beside each box.
ROUTABLE = (QuestionType.SINGLE, QuestionType.LIKERT, QuestionType.MARK)
#: Sentinel target: nothing is asked after this answer.
END = 0


@dataclass
class PrintedQuestion:
    question: Question
    #: None for a text between questions.
    number: int | None
    condition: dict[str, Any] | None
    text: str = ""
    help: str = ""
    boxes: list[Box] = field(default_factory=list)
    #: Printed box number -> the question number to go to (END: the end of the form).
    go_to: dict[int, int] = field(default_factory=dict)
    #: "Only fill in if ...", or "" when the route is printed as "go to" (or unconditional).
    only_if: str = ""
    #: Likert grid: (letter, statement) per item.
    items: list[tuple[str, str]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.type.value


def printed_questions(questionnaire: Questionnaire, language: str = "nl") -> list[PrintedQuestion]:
    """Every question and text of the questionnaire as printed, in order, with its route."""
    printed, number = [], 0
    for page in questionnaire.pages:
        for question in page.questions:
            info = question.type is QuestionType.INFO
            number += 0 if info else 1
            printed.append(
                PrintedQuestion(
                    question=question,
                    number=None if info else number,
                    condition=_combined(page.condition, question.condition),
                    text=text_in(question.text, language),
                    help=text_in(question.help, language),
                    boxes=boxes(question, language),
                    items=_items(question, language),
                )
            )
    numbered = [p for p in printed if p.number is not None]
    covered = _add_go_tos(numbered)
    names = _names(numbered)
    for entry in printed:
        if entry.condition is None or entry.number in covered:
            continue
        said = describe(entry.condition, names, language)
        if entry.number is None:  # a text between questions
            entry.only_if = _("Only read this if %(condition)s.", condition=said)
        else:
            entry.only_if = _("Only fill in if %(condition)s.", condition=said)
    return printed


def _combined(*conditions: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [condition for condition in conditions if condition is not None]
    if len(present) <= 1:
        return present[0] if present else None
    return {"all": present}


def _items(question: Question, language: str) -> list[tuple[str, str]]:
    letters = string.ascii_lowercase
    return [
        (letters[i % 26], text_in(item.text, language)) for i, item in enumerate(question.items)
    ]


def _add_go_tos(numbered: list[PrintedQuestion]) -> set[int]:
    """Set `go_to` beside the boxes that skip questions; the numbers of the questions whose
    condition the printed "go to"s express completely."""
    covered: set[int] = set()
    for index, source in enumerate(numbered):
        if source.question.type not in ROUTABLE:
            continue
        code, later = source.question.code, numbered[index + 1 :]
        dependent = [e for e in later if e.condition and referenced_codes(e.condition) == {code}]
        if not dependent:
            continue
        reach: dict[int, int] = {}  # box -> index in `later` of the first question still asked
        for box in source.boxes:
            answers = {code: box.code}
            skipped = {id(e) for e in dependent if not evaluate(e.condition, answers)}
            reach[box.number] = next(
                (i for i, e in enumerate(later) if id(e) not in skipped), len(later)
            )
            if reach[box.number] > 0:
                target = later[reach[box.number]].number if reach[box.number] < len(later) else END
                source.go_to[box.number] = target
        covered |= _expressed(source, later, dependent, reach)
    return covered


def _expressed(source, later, dependent, reach) -> set[int]:
    """The dependent questions skipped exactly when a printed "go to" jumps over them."""
    done = set()
    for position, entry in enumerate(later):
        if entry not in dependent:
            continue
        if all(
            evaluate(entry.condition, {source.question.code: box.code})
            == (reach[box.number] <= position)
            for box in source.boxes
        ):
            done.add(entry.number)
    return done


def _names(numbered: Sequence[PrintedQuestion]) -> dict[str, tuple[str, PrintedQuestion]]:
    """Answer key -> (printed name such as "5" or "5b", its question)."""
    names: dict[str, tuple[str, PrintedQuestion]] = {}
    for entry in numbered:
        names[entry.question.code] = (str(entry.number), entry)
        for (letter, _text), item in zip(entry.items, entry.question.items, strict=True):
            names[item.code] = (f"{entry.number}{letter}", entry)
    return names


def describe(condition: dict[str, Any], names: dict, language: str = "nl") -> str:
    """A condition in words, for "Only fill in if ...", naming questions by their number."""
    if "all" in condition:
        return f" {_('and')} ".join(describe(part, names, language) for part in condition["all"])
    if "any" in condition:
        return f" {_('or')} ".join(describe(part, names, language) for part in condition["any"])
    if "not" in condition:
        return _(
            "it is not so that %(condition)s", condition=describe(condition["not"], names, language)
        )
    name, entry = names.get(condition["question"], ("?", None))
    if "answered" in condition:
        if condition["answered"]:
            return _("you answered question %(number)s", number=name)
        return _("you did not answer question %(number)s", number=name)
    if "greater_than" in condition:
        return _(
            "your answer to question %(number)s is more than %(value)s",
            number=name,
            value=condition["greater_than"],
        )
    if "less_than" in condition:
        return _(
            "your answer to question %(number)s is less than %(value)s",
            number=name,
            value=condition["less_than"],
        )
    codes = [condition["equals"]] if "equals" in condition else condition["one_of"]
    labels = {box.code: box.label for box in entry.boxes} if entry else {}
    ticked = f" {_('or')} ".join(f"“{labels.get(str(code), code)}”" for code in codes)
    return _("you ticked %(answer)s at question %(number)s", answer=ticked, number=name)
