"""Indicators as data: what each figure of the village mirror measures, computed per
respondent from the answers (question code -> answer, as fieldwork stores them).

Three kinds:
- `mean` of a mark or number question;
- `share` of respondents whose answer is in `categories` (e.g. agree + strongly agree);
- `scale`: the mean of a fixed set of items (e.g. a Likert grid), for respondents who
  answered every item of the set (`min_items` defaults to all of them): a mean over
  whichever items a resident happened to answer would not compare between villages.
An answer code in `excluded` (the question's own "don't know" option, see
`results.services.survey_indicators`) counts as not answered; no code is excluded by default,
so a 9 on a 1-10 mark always counts.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from analysis.weighting import Floats

DEFINITIONS = Path(__file__).parent / "definitions"


class IndicatorKind(enum.Enum):
    MEAN = "mean"
    SHARE = "share"
    SCALE = "scale"


@dataclass(frozen=True)
class Indicator:
    code: str
    kind: IndicatorKind
    questions: tuple[str, ...]
    label: Mapping[str, str] = field(default_factory=dict)
    #: SHARE: the answer codes that count as "yes".
    categories: tuple[str, ...] = ()
    #: SCALE: how many items must be answered (from the definitions: all of them).
    min_items: int = 1
    #: Answer codes that count as not answered: the questions' own "don't know" options.
    excluded: tuple[str, ...] = ()
    #: Safety, health, loneliness, income, moving intention: small shares are suppressed,
    #: never shown as "(almost) no one".
    sensitive: bool = False


class BadIndicator(ValueError):
    """An indicator definition that cannot be computed."""


def from_json(data: Sequence[Mapping[str, Any]]) -> list[Indicator]:
    indicators = []
    for entry in data:
        try:
            kind = IndicatorKind(entry["kind"])
            indicator = Indicator(
                code=entry["code"],
                kind=kind,
                questions=tuple(entry["questions"]),
                label=dict(entry.get("label", {})),
                categories=tuple(str(c) for c in entry.get("categories", ())),
                min_items=int(entry.get("min_items", len(entry["questions"]))),
                excluded=tuple(str(c) for c in entry.get("excluded", ())),
                sensitive=bool(entry.get("sensitive", False)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BadIndicator(f"{entry!r}: {error}") from None
        _check(indicator)
        indicators.append(indicator)
    return indicators


def _check(indicator: Indicator) -> None:
    if not indicator.questions:
        raise BadIndicator(f"{indicator.code}: no questions")
    if indicator.kind is IndicatorKind.SHARE and not indicator.categories:
        raise BadIndicator(f"{indicator.code}: a share names its categories")
    if indicator.kind is not IndicatorKind.SCALE and len(indicator.questions) != 1:
        raise BadIndicator(f"{indicator.code}: one question, or use a scale")
    if not 1 <= indicator.min_items <= len(indicator.questions):
        raise BadIndicator(f"{indicator.code}: min_items out of range")


def load(name: str) -> list[Indicator]:
    """The shipped definitions for a questionnaire template, e.g. "leefbaarheid"."""
    return from_json(json.loads((DEFINITIONS / f"{name}.json").read_text(encoding="utf-8")))


def dont_know(indicator: Indicator) -> Indicator | None:
    """For a share that leaves "don't know" out of its base: the share of those who
    answered the question that chose "don't know", published beside it so a reader sees
    who is not counted ("wants to move" without "not sure yet")."""
    if indicator.kind is not IndicatorKind.SHARE or not indicator.excluded:
        return None
    return replace(
        indicator, code=f"{indicator.code}:dont_know", categories=indicator.excluded, excluded=()
    )


def values(indicator: Indicator, answers: Sequence[Mapping[str, Any]]) -> tuple[Floats, Floats]:
    """Per respondent: the indicator's value, and 1.0 where it counts (answered), else 0.0
    (with value 0 there, so sums over the answered stay right)."""
    if indicator.kind is IndicatorKind.SHARE:
        value, given = _column(answers, indicator.questions[0], lambda a: _chosen(indicator, a))
        return np.where(given, value, 0.0), given.astype(float)
    columns = [
        _column(answers, code, lambda a: _number(_given(indicator, a)))
        for code in indicator.questions
    ]
    numbers = np.array([numbers for numbers, _ in columns]).reshape(len(columns), len(answers))
    given = np.array([given for _, given in columns]).reshape(numbers.shape)
    if not _whole(numbers[given]):  # rare: sums in another order could differ in the last bit
        pairs = [_value(indicator, respondent) for respondent in answers]
        value = np.array([v if v is not None else 0.0 for v in pairs], dtype=float)
        return value, np.array([v is not None for v in pairs], dtype=float)
    count = given.sum(axis=0)
    counts = count >= indicator.min_items
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(given, numbers, 0.0).sum(axis=0) / count
    return np.where(counts, means, 0.0), counts.astype(float)


def _column(answers, code: str, convert) -> tuple[Floats, np.ndarray]:
    """One question's converted answers (None: not given), each distinct answer converted
    once: a wave of 50,000 has a handful of distinct answers per question."""
    raw = [respondent.get(code) for respondent in answers]
    texts = {text: convert(text) for text in {a for a in raw if a.__class__ is str}}
    others: dict[tuple[type, Any], float | None] = {}
    column = [texts[a] if a.__class__ is str else _converted(a, convert, others) for a in raw]
    given = np.array([number is not None for number in column], dtype=bool)
    value = np.array([0.0 if number is None else number for number in column], dtype=float)
    return value, given


def _converted(answer: Any, convert, converted: dict) -> float | None:
    try:
        key = (answer.__class__, answer)  # 1, 1.0 and True are equal keys otherwise
        if key not in converted:
            converted[key] = convert(answer)
        return converted[key]
    except TypeError:  # a list of chosen options is not hashable
        return convert(answer)


def _whole(numbers: Floats) -> bool:
    """Whether every number is a whole one that sums of a few stay exact for, in any order."""
    return bool(
        np.all(np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (np.abs(numbers) < 2**40))
    )


def _chosen(indicator: Indicator, answer: Any) -> float | None:
    """A share's value for one answer: 1.0 if it (or one option of it) counts as "yes"."""
    answer = _given(indicator, answer)
    if answer is None:
        return None
    chosen = answer if isinstance(answer, list) else [answer]
    return 1.0 if any(str(c) in indicator.categories for c in chosen) else 0.0


def _value(indicator: Indicator, respondent: Mapping[str, Any]) -> float | None:
    if indicator.kind is IndicatorKind.SHARE:
        return _chosen(indicator, respondent.get(indicator.questions[0]))
    numbers = [_number(_given(indicator, respondent.get(code))) for code in indicator.questions]
    given = [n for n in numbers if n is not None]
    if len(given) < indicator.min_items:
        return None
    return float(np.mean(given))


def _given(indicator: Indicator, answer: Any) -> Any:
    if answer is None or answer == "" or answer == []:
        return None
    if not isinstance(answer, list) and str(answer) in indicator.excluded:
        return None
    return answer


def _number(answer: Any) -> float | None:
    if answer is None or isinstance(answer, (list, bool)):
        return None
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None


#: The agree scale in the three categories figures are reported in.
LIKERT_THREE = {"1": "disagree", "2": "disagree", "3": "neutral", "4": "agree", "5": "agree"}


def in_three_categories(indicator: Indicator) -> bool:
    """Whether a share of agree-scale answers counts whole categories of the three (agree,
    neutral, disagree): "strongly agree" alone would be a smaller, more telling group."""
    if indicator.kind is not IndicatorKind.SHARE:
        return True
    counted = {LIKERT_THREE[c] for c in indicator.categories if c in LIKERT_THREE}
    chosen = {c for c in indicator.categories if c in LIKERT_THREE}
    return chosen == {code for code, group in LIKERT_THREE.items() if group in counted}
