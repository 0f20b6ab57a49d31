"""The results of a village-vision survey: one village, no indicators. Pure numpy.

Weighting. The respondents are weighted to their village's age × sex margins by raking:
R's `calibrate(svydesign(ids = ~1, weights = ~d), ~age + sex, calfun = "raking")` with
design weight d = people ÷ respondents. An age group without respondents (or without
people) is weighted together with the next one (the last with the one before). The sex
margin is left out when one sex has no respondents; respondents of unknown sex are raked
to the age margin only, and those of known sex to the population's share of women and
men among them. Without margins the figures are unweighted and say so.

Priorities (a ranking question, top k of m options). Each respondent who ranked at least
one option gives every option a rank: its place when chosen, else the mean of the places
left (ties, as in a rank test: top 3 of 8 puts the 5 unchosen at (4 + 8) / 2 = 6; someone
who chose only two puts the 6 others at (3 + 8) / 2 = 5.5). The order is that of the
weighted mean rank, lowest first. Its 95% interval is mean ± 1.96 standard errors by
linearisation, design-based for the calibrated weights: the influence values are
residualised on the calibration variables, as R's `svymean` does for a calibrated design
(the same interval to rounding, tests/analysis/test_vision.py).

Disclosure (analysis.disclosure, rules 1, 2 and 4, per question and per category):
- a question is shown only when at least `threshold` respondents answered it, and no one
  carries more than the dominance share of its weight;
- a category's share of k of n is shown only when k ≥ 3 and n − k ≥ 3; otherwise it
  reads "(almost) no one" or "(almost) everyone";
- in a distribution whose shares add up to 100% (one answer per person) the hidden
  categories together also keep three on each side, else the smallest shown one is
  hidden too (secondary suppression): 100% minus the rest must not give them away;
- a priority needs three who chose it for its mean rank; as each respondent's ranks add
  up to the same total, at least three respondents must have chosen one of the options
  without one, else the least chosen other is hidden too (as in a distribution);
- percentages whole, counts to 5, mean ranks to one decimal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.disclosure import (
    DEFAULT_DOMINANCE,
    MINIMUM_EACH_SIDE,
    ShareOutcome,
    dominated,
    enough_respondents,
    one_decimal,
    rounded_count,
    share_outcome,
    whole_percentage,
)

Floats = NDArray[np.float64]

FORMAT = "village_vision/1"
#: The normal quantile of a 95% interval.
Z95 = 1.959963984540054
#: A category hidden by secondary suppression (k and n − k are 3 or more).
HIDDEN = "hidden"
KNOWN_SEXES = ("female", "male")


# Weighting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weighting:
    weights: Floats
    weighted: bool
    #: The calibration variables (one column per age group and sex), for the variance.
    design: Floats
    #: Age groups weighted together, e.g. [["65-74", "75+"]].
    merged_age_groups: list[list[str]] = field(default_factory=list)
    by_sex: bool = False
    converged: bool = True

    @property
    def effective_n(self) -> float:
        return float(self.weights.sum() ** 2 / np.square(self.weights).sum())

    @property
    def weighting_effect(self) -> float:
        return len(self.weights) / self.effective_n


def unweighted(n: int) -> Weighting:
    return Weighting(np.ones(n), False, np.ones((n, 1)))


def rake(
    people: Sequence[tuple[str, str]],
    population: Mapping[tuple[str, str], float],
    max_iterations: int = 200,
    epsilon: float = 1e-10,
) -> Weighting:
    """Weights for respondents (age band, sex) that meet the village's age and sex margins
    (population: (age band, sex) → people)."""
    n = len(people)
    if n == 0 or sum(population.values()) <= 0:
        return unweighted(n)
    ages = np.array([age for age, _ in people])
    sexes = np.array([sex for _, sex in people])
    groups = _age_groups(ages, population)
    age_cells = np.array([_group_of(groups, age) for age in ages])
    age_targets = np.array(
        [sum(c for (a, _), c in population.items() if a in group) for group in groups]
    )
    sex_targets = {s: sum(c for (_, x), c in population.items() if x == s) for s in KNOWN_SEXES}
    by_sex = all(sex_targets[s] > 0 and np.any(sexes == s) for s in KNOWN_SEXES)
    weights = np.full(n, float(sum(population.values())) / n)
    converged = False
    for _ in range(max_iterations):
        weights = _rake_ages(weights, age_cells, age_targets)
        if by_sex:
            weights = _rake_sexes(weights, sexes, sex_targets)
        misfit = np.bincount(age_cells, weights=weights) - age_targets
        if np.all(np.abs(misfit) < epsilon * (1 + age_targets)):
            converged = True
            break
    columns = [age_cells == cell for cell in range(len(groups))]
    if by_sex:
        columns.append(sexes == "female")
    merged = [group for group in groups if len(group) > 1]
    design = np.column_stack(columns).astype(float)
    return Weighting(weights, True, design, merged, by_sex, converged)


def _age_groups(ages: Any, population: Mapping[tuple[str, str], float]) -> list[list[str]]:
    """The age bands in order, a band without respondents or without people weighted
    together with the next (the last with the one before)."""
    bands = sorted({a for a, _ in population} | set(ages))
    groups = [[band] for band in bands]

    def empty(group: list[str]) -> bool:
        people = sum(c for (a, _), c in population.items() if a in group)
        return people <= 0 or not np.isin(ages, group).any()

    while len(groups) > 1 and any(empty(g) for g in groups):
        at = next(i for i, g in enumerate(groups) if empty(g))
        other = at + 1 if at + 1 < len(groups) else at - 1
        low, high = sorted((at, other))
        groups[low : high + 1] = [groups[low] + groups[high]]
    return groups


def _group_of(groups: list[list[str]], age: str) -> int:
    return next(i for i, group in enumerate(groups) if age in group)


def _rake_ages(weights: Floats, cells: Any, targets: Floats) -> Floats:
    totals = np.bincount(cells, weights=weights, minlength=len(targets))
    return weights * (targets / totals)[cells]


def _rake_sexes(weights: Floats, sexes: Any, targets: Mapping[str, float]) -> Floats:
    """Women and men among those of known sex in the population's proportion, their total
    kept: those of unknown sex are weighted by age only."""
    known = np.isin(sexes, KNOWN_SEXES)
    total = weights[known].sum()
    people = sum(targets.values())
    scaled = weights.copy()
    for sex in KNOWN_SEXES:
        mask = sexes == sex
        scaled[mask] *= (targets[sex] / people) * total / weights[mask].sum()
    return scaled


# Variance -----------------------------------------------------------------------------------


def mean_and_interval(
    values: Floats, answered: Any, weighting: Weighting
) -> tuple[float, float, float]:
    """The weighted mean of `values` among those who `answered`, with its 95% interval by
    linearisation (design-based for calibrated weights; see the module docstring)."""
    w = weighting.weights
    inside = np.asarray(answered, dtype=bool)
    total = w[inside].sum()
    mean = float((w * values)[inside].sum() / total)
    z = np.where(inside, (values - mean) / total, 0.0)
    x = weighting.design
    coefficients = np.linalg.lstsq(x, z, rcond=None)[0]  # design weights are equal
    u = w * (z - x @ coefficients)
    n = len(u)
    variance = n / (n - 1) * np.square(u - u.mean()).sum() if n > 1 else np.inf
    half = Z95 * float(np.sqrt(variance))
    return mean, mean - half, mean + half


# Distributions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A closed question as the analysis sees it: each row (one, or a grid's items) maps
    each respondent's answer to category codes. `exclusive`: one category per person."""

    code: str
    #: Row code → each respondent's categories (empty: not answered).
    rows: Mapping[str, Sequence[Sequence[str]]]
    categories: Sequence[str]
    exclusive: bool


def distribution(
    question: Question, weighting: Weighting, threshold: int, dominance: float = DEFAULT_DOMINANCE
) -> dict[str, Any]:
    """Each row's categories with their shown share, or why the question is not shown."""
    rows = []
    for code, answers in question.rows.items():
        answered = np.array([bool(a) for a in answers])
        n = int(answered.sum())
        status = _status(n, weighting.weights[answered], threshold, dominance)
        categories = (
            _categories(question, answers, answered, weighting.weights, threshold)
            if status == "shown"
            else []
        )
        shown_n = rounded_count(n) if status == "shown" else None
        rows.append({"code": code, "status": status, "n": shown_n, "categories": categories})
    return {"code": question.code, "rows": rows}


def _status(n: int, weights: Floats, threshold: int, dominance: float) -> str:
    if not enough_respondents(n, threshold):
        return "too_few"
    if dominated(float(weights.max()), float(weights.sum()), dominance):
        return "dominated"
    return "shown"


def _categories(
    question: Question, answers: Sequence[Sequence[str]], answered: Any, w: Floats, threshold: int
) -> list[dict[str, Any]]:
    n = int(answered.sum())
    total = w[answered].sum()
    chosen = {c: np.array([c in a for a in answers]) for c in question.categories}
    counts = {c: int(chosen[c].sum()) for c in question.categories}
    outcomes = {c: share_outcome(counts[c], n, False, threshold).value for c in counts}
    if question.exclusive:
        outcomes = secondary_suppression(outcomes, counts, n)
    return [
        {
            "code": c,
            "outcome": outcomes[c],
            "percent": whole_percentage(w[chosen[c]].sum() / total)
            if outcomes[c] == ShareOutcome.PUBLISH.value
            else None,
        }
        for c in question.categories
    ]


def secondary_suppression(
    outcomes: dict[str, str], counts: Mapping[str, int], n: int
) -> dict[str, str]:
    """Hide the smallest shown categories until the hidden ones together have three on
    each side: in shares that add up to 100%, the rest would give them away."""
    outcomes = dict(outcomes)
    published = ShareOutcome.PUBLISH.value

    def hidden_total() -> int:
        return sum(counts[c] for c, o in outcomes.items() if o != published)

    def safe() -> bool:
        if all(o == published for o in outcomes.values()):
            return True
        h = hidden_total()
        return h >= MINIMUM_EACH_SIDE and n - h >= MINIMUM_EACH_SIDE

    while not safe():
        shown = [c for c, o in outcomes.items() if o == published]
        if not shown:
            break
        outcomes[min(shown, key=lambda c: (counts[c], c))] = HIDDEN
    return outcomes


# Priorities ---------------------------------------------------------------------------------


def ranks(rankings: Sequence[Sequence[str]], options: Sequence[str]) -> Floats:
    """Each respondent's rank of each option (rows: respondents, columns: options); the
    unchosen share the mean of the places left. NaN for those who ranked nothing."""
    m = len(options)
    out = np.full((len(rankings), m), np.nan)
    column = {code: j for j, code in enumerate(options)}
    for i, ranking in enumerate(rankings):
        chosen = [code for code in dict.fromkeys(ranking) if code in column]
        if not chosen:
            continue
        out[i, :] = (len(chosen) + 1 + m) / 2
        for place, code in enumerate(chosen, start=1):
            out[i, column[code]] = place
    return out


def priorities(
    rankings: Sequence[Sequence[str]],
    options: Sequence[str],
    weighting: Weighting,
    threshold: int,
    dominance: float = DEFAULT_DOMINANCE,
) -> dict[str, Any]:
    """The options in the order of their weighted mean rank, each with its 95% interval;
    options chosen by fewer than three listed apart ("few"), and, when fewer than three
    respondents chose any of those, the least chosen others hidden too ("hidden"): each
    respondent's ranks add up to the same total, so the shown mean ranks give away the
    sum of the rest."""
    table = ranks(rankings, options)
    answered = ~np.isnan(table[:, 0]) if len(options) else np.zeros(len(rankings), bool)
    n = int(answered.sum())
    status = _status(n, weighting.weights[answered], threshold, dominance) if n else "too_few"
    if status != "shown":
        return {"status": status, "n": None, "ranked": [], "few": [], "hidden": []}
    answers = [set(r) for r, a in zip(rankings, answered, strict=True) if a]
    chosen = {o: sum(o in r for r in answers) for o in options}
    few = [o for o in options if chosen[o] < MINIMUM_EACH_SIDE]  # rule 2
    hidden = _hidden_priorities(few, chosen, answers)
    ranked = []
    for j, code in enumerate(options):
        if code in few or code in hidden:
            continue
        mean, low, high = mean_and_interval(np.nan_to_num(table[:, j]), answered, weighting)
        ranked.append({"code": code, "mean": mean, "low": low, "high": high})
    ranked.sort(key=lambda row: (row["mean"], row["code"]))
    placed = _placed(ranked, len(options))
    return {
        "status": "shown",
        "n": rounded_count(n),
        "ranked": placed,
        "few": few,
        "hidden": hidden,
    }


def _hidden_priorities(
    few: list[str], chosen: Mapping[str, int], answers: Sequence[set[str]]
) -> list[str]:
    """The least chosen options to hide until at least three respondents chose one of the
    options without a mean rank (none when all have one)."""
    hidden: list[str] = []
    shown = [o for o in chosen if o not in few]

    def choosers() -> int:
        return sum(bool(r & {*few, *hidden}) for r in answers)

    while few and shown and choosers() < MINIMUM_EACH_SIDE:
        least = min(shown, key=lambda o: (chosen[o], o))
        shown.remove(least)
        hidden.append(least)
    return hidden


def _placed(ranked: list[dict[str, Any]], m: int) -> list[dict[str, Any]]:
    """Rounded to one decimal, intervals within 1 to m; equal means share a place (1, 2,
    2, 4)."""
    out: list[dict[str, Any]] = []
    for position, row in enumerate(ranked, start=1):
        mean = one_decimal(row["mean"])
        place = out[-1]["place"] if out and out[-1]["mean"] == mean else position
        low, high = one_decimal(max(row["low"], 1.0)), one_decimal(min(row["high"], float(m)))
        out.append({"code": row["code"], "place": place, "mean": mean, "low": low, "high": high})
    return out
