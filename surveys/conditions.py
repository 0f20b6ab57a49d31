"""Routing conditions as data, and the one evaluator the web form, server-side validation,
paper form and data entry all use.

A condition is JSON:

    {"question": "LEEF_01", "equals": "1"}
    {"question": "LEEF_01", "one_of": ["1", "2"]}
    {"question": "LEEF_02", "greater_than": 5}      also "less_than"
    {"question": "LEEF_03", "answered": true}       false: not answered
    {"all": [c1, c2]}   {"any": [c1, c2]}   {"not": c}

For a multiple-choice or ranking answer (a list of codes), `equals` and `one_of` hold when
any chosen code matches. A grid item is referred to by its own code. An unanswered or
unreadable answer makes every comparison false (and `answered` false), never an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

COMPARISONS = ("equals", "one_of", "greater_than", "less_than", "answered")
COMBINATIONS = ("all", "any", "not")

Answers = Mapping[str, Any]


def evaluate(condition: dict[str, Any] | None, answers: Answers) -> bool:
    """Whether `condition` holds for `answers` (question code -> answer); None always holds."""
    if condition is None:
        return True
    if "all" in condition:
        return all(evaluate(part, answers) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, answers) for part in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers)
    return _compare(condition, answers.get(condition["question"]))


def _compare(condition: dict[str, Any], answer: Any) -> bool:
    if "answered" in condition:
        return is_answered(answer) == bool(condition["answered"])
    if not is_answered(answer):
        return False
    if "equals" in condition:
        return str(condition["equals"]) in _codes(answer)
    if "one_of" in condition:
        return bool({str(code) for code in condition["one_of"]} & _codes(answer))
    number = _number(answer)
    if number is None:
        return False
    if "greater_than" in condition:
        return number > condition["greater_than"]
    return number < condition["less_than"]


def is_answered(answer: Any) -> bool:
    if answer is None:
        return False
    if isinstance(answer, str | list | tuple | set | dict):
        return len(answer) > 0 if not isinstance(answer, str) else answer.strip() != ""
    return True


def _codes(answer: Any) -> set[str]:
    if isinstance(answer, list | tuple | set):
        return {str(code) for code in answer}
    return {str(answer)}


def _number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        return answer
    try:
        return float(str(answer).strip().replace(",", "."))
    except ValueError:
        return None


def comparisons(condition: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """Every comparison inside a condition (the leaves), for checking what they refer to."""
    if condition is None:
        return
    if "all" in condition or "any" in condition:
        for part in condition.get("all", condition.get("any", [])):
            yield from comparisons(part)
    elif "not" in condition:
        yield from comparisons(condition["not"])
    else:
        yield condition


def referenced_codes(condition: dict[str, Any] | None) -> set[str]:
    return {leaf["question"] for leaf in comparisons(condition) if "question" in leaf}
