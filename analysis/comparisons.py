"""Differences between weighted means, with standard errors by Taylor linearization after
raking as in analysis.estimates, and the Benjamini–Hochberg procedure for many of them.

- `versus_rest`: an area against the rest of the municipality in one raked wave. Both
  domain means are linearized together (the influence of the difference is that of the area
  minus that of the rest) and cleared of the raking margins, so the covariance the raking
  puts between them counts. This is R's `svycontrast(svytotal(~ya + a + yb + b, s),
  quote(ya/a - yb/b))` on `s <- subset(raked, answered)`. (`svyby(covmat = TRUE)` is not:
  in survey 4.1 it leaves the covariance between domains out for linearized designs.)
- `change`: the current wave against the previous one, each raked on its own. A respondent
  in both waves is one cluster: their influence values are added up (current minus
  previous) before the variance is taken, as R does for a stacked design with
  `ids = ~respondent` and margins crossed with the wave.

Degrees of freedom are R's `degf()` of the subset: clusters with a respondent in the
domains, minus 1. A difference with no sampling variance left (identical answers of the
same respondents, or shares the raking fixed) has no test: its p-value is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.estimates import Bools, _calibration_residuals
from analysis.weighting import Codes, Floats

#: A standard error this small against the influence values' size is rounding noise.
ROUNDING = 1e-9


@dataclass(frozen=True)
class Difference:
    value: float
    standard_error: float
    low: float
    high: float
    #: Two-sided, for "no difference"; NaN when there is no sampling variance to test with.
    p_value: float
    df: int


@dataclass(frozen=True)
class Side:
    """One wave of a change: its answers, raked weights and margins, and the area's domain."""

    values: Floats
    weights: Floats
    raked_by: Sequence[Codes]
    #: The respondents of the area who answered.
    domain: Bools
    #: Respondent pseudonym per row, the same in both waves; None never matches (anonymous).
    keys: Sequence[str | None]


class EmptyDomain(ValueError):
    """No respondent in a domain: there is no mean to compare."""


def versus_rest(
    values: Floats,
    weights: Floats,
    raked_by: Sequence[Codes],
    inside: Bools,
    answered: Bools,
    level: float = 0.95,
) -> Difference:
    """The mean of those inside who answered minus the mean of the others who answered."""
    inside, answered = np.asarray(inside, dtype=bool), np.asarray(answered, dtype=bool)
    a_value, a = _influence(values, weights, raked_by, inside & answered)
    b_value, b = _influence(values, weights, raked_by, ~inside & answered)
    df = int(answered.sum()) - 1  # R: degf(subset(raked, answered))
    return _difference(a_value - b_value, a - b, _size(a, b), df, level)


def change(current: Side, previous: Side, level: float = 0.95) -> Difference:
    """The current wave's domain mean minus the previous wave's, respondents as clusters."""
    now_value, now = _influence(current.values, current.weights, current.raked_by, current.domain)
    then_value, then = _influence(
        previous.values, previous.weights, previous.raked_by, previous.domain
    )
    clusters, count = _clusters(current, previous)
    z = np.bincount(clusters, weights=np.concatenate([now, -then]), minlength=count)
    domain = np.concatenate([current.domain, previous.domain]).astype(float)
    df = int(np.count_nonzero(np.bincount(clusters, weights=domain, minlength=count))) - 1
    return _difference(now_value - then_value, z, _size(now, then), df, level)


def benjamini_hochberg(p_values: Sequence[float], rate: float = 0.05) -> list[bool]:
    """Which hypotheses the step-up procedure rejects at false discovery rate `rate`.

    NaN p-values (no test possible) are never rejected and are not counted among the m
    hypotheses: a figure without a test should not make the others harder to reject."""
    if not 0 < rate < 1:
        raise ValueError(f"rate must be between 0 and 1, not {rate}")
    p = np.asarray(p_values, dtype=float)
    tested = ~np.isnan(p)
    ordered = np.sort(p[tested])
    m = len(ordered)
    below = np.flatnonzero(ordered <= rate * np.arange(1, m + 1) / m)
    if not len(below):
        return [False] * len(p)
    return (tested & (np.where(tested, p, np.inf) <= ordered[below[-1]])).tolist()


def _influence(
    values: Floats, weights: Floats, raked_by: Sequence[Codes], domain: Bools
) -> tuple[float, Floats]:
    """The Hájek mean of the domain and its influence values, cleared of the raking margins
    (what analysis.estimates takes the variance of)."""
    weights, domain = np.asarray(weights, dtype=float), np.asarray(domain, dtype=bool)
    if len(domain) != len(weights):
        raise ValueError("one domain flag per respondent row is needed")
    if not domain.any():
        raise EmptyDomain("no respondent in the domain")
    inside = np.where(domain, weights, 0.0)
    y = np.where(domain, np.asarray(values, dtype=float), 0.0)  # unanswered may be NaN
    total = inside.sum()
    value = float(np.dot(inside, y) / total)
    return value, _calibration_residuals(inside * (y - value) / total, weights, raked_by)


def _clusters(current: Side, previous: Side) -> tuple[Codes, int]:
    """A cluster number per row of both waves: one per pseudonym, one per None row.

    A pseudonym twice in one wave is one cluster too (it is one person)."""
    numbers: dict[str, int] = {}
    clusters: list[int] = []
    count = 0
    for side in (current, previous):
        if len(side.keys) != len(side.weights):
            raise ValueError("one key per respondent row is needed")
        for key in side.keys:
            if key is not None and key in numbers:
                clusters.append(numbers[key])
                continue
            if key is not None:
                numbers[key] = count
            clusters.append(count)
            count += 1
    return np.array(clusters, dtype=np.int64), count


def _size(a: Floats, b: Floats) -> float:
    return float(np.linalg.norm(a) + np.linalg.norm(b))


def _difference(value: float, z: Floats, size: float, df: int, level: float) -> Difference:
    """A difference with influence values z: n/(n − 1) times their sum of squares about
    their mean as its variance, a t-interval and a t-test on df degrees of freedom."""
    n = len(z)
    centred = z - z.mean()
    se = float(np.sqrt(n / (n - 1) * np.dot(centred, centred))) if n > 1 else float("nan")
    if se <= ROUNDING * size:
        return Difference(value, 0.0, value, value, float("nan"), df)
    if df < 1 or not np.isfinite(se):
        return Difference(value, se, float("nan"), float("nan"), float("nan"), df)
    half = float(stats.t.ppf(1 - (1 - level) / 2, df)) * se
    p_value = float(2 * stats.t.sf(abs(value) / se, df))
    return Difference(value, se, value - half, value + half, p_value, df)
