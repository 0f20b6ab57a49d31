"""What is wrong with a questionnaire definition, each problem with its location.

Run before anything is saved or imported, so nothing is saved half. Locations are JSON
paths into the export format (`pages[0].questions[2].options[1].code`), which the designer
maps to its fields. Routing refers only to earlier questions, so it can never form a cycle.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from surveys.conditions import COMBINATIONS, COMPARISONS, comparisons
from surveys.definition import Question, Questionnaire, QuestionType

#: Codes are what exports and analysis use: letters, digits and underscores, like LEEF_01.
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


#: A survey's title is stored in a column of this size.
TITLE_LENGTH = 200


@dataclass(frozen=True)
class Problem:
    location: str
    #: A stable key (for translation and tests), e.g. "duplicate_code".
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


def check(questionnaire: Questionnaire) -> list[Problem]:
    """Every problem in the questionnaire; an empty list means it can be saved."""
    problems: list[Problem] = []
    if not questionnaire.title.get("nl", "").strip():
        problems.append(Problem("title.nl", "dutch_text_missing"))
    for language, title in questionnaire.title.items():
        if len(title) > TITLE_LENGTH:
            problems.append(Problem(f"title.{language}", "too_long", {"max": TITLE_LENGTH}))
    if not questionnaire.pages:
        problems.append(Problem("pages", "no_pages"))
    earlier: dict[str, Question] = {}
    seen_pages: set[str] = set()
    for p, page in enumerate(questionnaire.pages):
        where = f"pages[{p}]"
        problems += _check_code(page.code, f"{where}.code", seen_pages)
        problems += check_condition(page.condition, f"{where}.condition", earlier)
        for q, question in enumerate(page.questions):
            problems += _check_question(question, f"{where}.questions[{q}]", earlier)
            earlier[question.code] = question
            for item in question.items:
                earlier[item.code] = _item_question(question, item.code)
    return problems + _check_reserved(questionnaire)


#: Names the answer form itself uses.
RESERVED_CODES = frozenset({"csrf_token"})


def _check_reserved(questionnaire: Questionnaire) -> list[Problem]:
    """A code may not be a name the web form needs: its own fields, or the "other, namely"
    box of a multiple-choice question (stored as CODE_other)."""
    reserved = set(RESERVED_CODES) | {
        f"{q.code}_other" for q in questionnaire.questions() if q.other
    }
    problems = []
    for p, page in enumerate(questionnaire.pages):
        for q, question in enumerate(page.questions):
            codes = [(question.code, f"pages[{p}].questions[{q}].code")] + [
                (item.code, f"pages[{p}].questions[{q}].items[{i}].code")
                for i, item in enumerate(question.items)
            ]
            problems += [
                Problem(where, "reserved_code", {"code": code})
                for code, where in codes
                if code in reserved
            ]
    return problems


def _item_question(grid: Question, code: str) -> Question:
    """A grid item answers like a Likert question of its own."""
    return Question(code=code, type=QuestionType.LIKERT, text=grid.text)


def _check_code(code: str, where: str, seen: set[str]) -> list[Problem]:
    if not CODE.match(code or ""):
        return [Problem(where, "bad_code", {"code": code})]
    if code in seen:
        return [Problem(where, "duplicate_code", {"code": code})]
    seen.add(code)
    return []


def _check_question(question: Question, where: str, earlier: dict[str, Question]) -> list:
    taken = set(earlier)
    problems = _check_code(question.code, f"{where}.code", taken)
    if question.type is not QuestionType.INFO and not question.text.get("nl", "").strip():
        problems.append(Problem(f"{where}.text.nl", "dutch_text_missing"))
    problems += _check_options(question, where)
    problems += _check_items(question, where, taken)
    problems += _check_range(question, where)
    problems += check_condition(question.condition, f"{where}.condition", earlier)
    return problems


def _check_options(question: Question, where: str) -> list[Problem]:
    if not question.type.has_options:
        return []
    if not question.options:
        return [Problem(f"{where}.options", "no_options")]
    problems, codes = [], set()
    for o, option in enumerate(question.options):
        if not option.code.strip() or option.code in codes or option.code == "other":
            problems.append(
                Problem(f"{where}.options[{o}].code", "bad_option_code", {"code": option.code})
            )
        codes.add(option.code)
        if not option.label.get("nl", "").strip():
            problems.append(Problem(f"{where}.options[{o}].label.nl", "dutch_text_missing"))
    if question.type is QuestionType.RANKING:
        count = question.rank_count
        if count is None or not 1 <= count <= len(question.options):
            problems.append(
                Problem(f"{where}.rank_count", "bad_rank_count", {"options": len(question.options)})
            )
    return problems


def _check_items(question: Question, where: str, taken: set[str]) -> list[Problem]:
    if question.type is not QuestionType.LIKERT_GRID:
        return []
    if not question.items:
        return [Problem(f"{where}.items", "no_items")]
    problems = []
    for i, item in enumerate(question.items):
        problems += _check_code(item.code, f"{where}.items[{i}].code", taken)
        if not item.text.get("nl", "").strip():
            problems.append(Problem(f"{where}.items[{i}].text.nl", "dutch_text_missing"))
    return problems


def _check_range(question: Question, where: str) -> list[Problem]:
    if question.type is not QuestionType.NUMBER:
        return []
    low, high = question.minimum, question.maximum
    if low is not None and high is not None and low > high:
        return [Problem(f"{where}.maximum", "minimum_above_maximum", {"min": low, "max": high})]
    return []


def check_condition(condition: Any, where: str, earlier: dict[str, Question]) -> list[Problem]:
    """The condition's shape, and that each comparison can be true for an earlier question."""
    if condition is None:
        return []
    shape = _shape_problem(condition)
    if shape:
        return [Problem(where, "bad_condition", {"detail": shape})]
    return [
        problem for leaf in comparisons(condition) for problem in _check_leaf(leaf, where, earlier)
    ]


def _shape_problem(condition: Any) -> str | None:
    if not isinstance(condition, dict) or len(condition) == 0:
        return "a condition is an object"
    keys = set(condition)
    if keys & set(COMBINATIONS):
        if len(keys) != 1:
            return "all, any and not stand alone"
        (key,) = keys
        parts = condition[key]
        if key == "not":
            return _shape_problem(parts)
        if not isinstance(parts, list) or not parts:
            return f"{key} holds a list of conditions"
        return next((p for p in map(_shape_problem, parts) if p), None)
    if keys - {"question"} not in [{k} for k in COMPARISONS] or "question" not in keys:
        return "a comparison names a question and one of " + ", ".join(COMPARISONS)
    if not isinstance(condition["question"], str):
        return "the question is named by its code, as text"
    return None


def _check_leaf(leaf: dict[str, Any], where: str, earlier: dict[str, Question]) -> list:
    code = leaf["question"]
    target = earlier.get(code)
    if target is None:
        return [Problem(where, "unknown_or_later_question", {"code": code})]
    if target.type is QuestionType.INFO:
        return [Problem(where, "condition_on_info", {"code": code})]
    if "equals" in leaf or "one_of" in leaf:
        wanted = [leaf["equals"]] if "equals" in leaf else leaf["one_of"]
        if not isinstance(wanted, list) or not wanted:
            return [Problem(where, "bad_condition", {"detail": "one_of holds a list of codes"})]
        if target.type.is_closed:
            unknown = [str(c) for c in wanted if str(c) not in target.answer_codes()]
            if unknown:
                return [Problem(where, "never_true", {"code": code, "values": unknown})]
    if "greater_than" in leaf or "less_than" in leaf:
        return _check_numeric_leaf(leaf, where, target)
    return []


def _check_numeric_leaf(leaf: dict[str, Any], where: str, target: Question) -> list[Problem]:
    limit = leaf.get("greater_than", leaf.get("less_than"))
    if not target.type.is_numeric:
        return [Problem(where, "not_numeric", {"code": target.code})]
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit):
        return [Problem(where, "bad_limit", {"code": target.code})]
    low, high = target.numeric_range()
    if "greater_than" in leaf and high is not None and limit >= high:
        return [Problem(where, "never_true", {"code": target.code, "values": [f"> {limit}"]})]
    if "less_than" in leaf and low is not None and limit <= low:
        return [Problem(where, "never_true", {"code": target.code, "values": [f"< {limit}"]})]
    return []
