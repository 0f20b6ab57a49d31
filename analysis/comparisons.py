"""Differences between weighted means, with standard errors by Taylor linearization on the
calibrated design as in analysis.estimates, and the Benjamini–Hochberg procedure for many.

- `versus_rest`: an area against the rest of the municipality in one wave. With the
  calibrated jackknife (the app), the difference of the two domain means in every replicate:
  R's `svycontrast` on `svytotal(~ya + a + yb + b, s, return.replicates = TRUE)`. Without
  replicates (linearization): both domain
  means are linearized together (the influence of the difference is that of the area minus
  that of the rest), cleared of the calibration, and their variance taken over the strata
  with the finite-population correction, so the covariance the weighting puts between them
  counts. This is R's `svycontrast(svytotal(~ya + a + yb + b, s), quote(ya/a - yb/b))` on
  `s <- subset(calibrated, answered)`; degrees of freedom are `degf(s)`.
- `change`: the current wave against the previous one, each calibrated on its own. A
  respondent in both waves is one cluster: their influence values (each cleared of its
  own wave's calibration) are added up before the variance is taken. R cannot put one
  cluster in two strata (the waves' strata), so this is R's stacked design with
  `ids = ~respondent`, no strata and no fpc, calibrated with every constraint crossed with
  the wave. Leaving strata and fpc out makes these intervals a little wider, never
  narrower in practice: the cautious side for a claim that something changed. Degrees of
  freedom: clusters with a respondent in the domains, minus 1.

A difference with no sampling variance left (identical answers of the same respondents, or
shares the calibration fixed) has no test: its p-value is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.estimates import Bools, Design, influence, t_quantile
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
    """One wave of a change: its answers, its design, and the area's domain."""

    values: Floats
    design: Design
    #: The respondents of the area who answered.
    domain: Bools
    #: Respondent pseudonym per row, the same in both waves; None never matches (anonymous).
    keys: Sequence[str | None]


class EmptyDomain(ValueError):
    """No respondent in a domain: there is no mean to compare."""


def versus_rest(
    values: Floats, design: Design, inside: Bools, answered: Bools, level: float = 0.95
) -> Difference:
    """The mean of those inside who answered minus the mean of the others who answered."""
    inside, answered = np.asarray(inside, dtype=bool), np.asarray(answered, dtype=bool)
    a_value, a = _influence(values, design, inside & answered)
    b_value, b = _influence(values, design, ~inside & answered)
    if design.replicates is not None:
        y = np.where(answered, np.asarray(values, dtype=float), 0.0)
        means = design.replicates.means
        thetas = means(y, (inside & answered) * 1.0) - means(y, (~inside & answered) * 1.0)
        se = np.sqrt(design.replicates.variance(thetas))
    else:
        se = np.sqrt(design.variance(a - b))
    return _difference(a_value - b_value, se, _size(a, b), design.degf(answered), level)


def change(
    current: Side,
    previous: Side,
    level: float = 0.95,
    clusters: tuple[Codes, int] | None = None,
) -> Difference:
    """The current wave's domain mean minus the previous wave's, respondents as clusters.

    `clusters`: what `respondent_clusters` gives for the two waves' keys, when many
    domains of the same two waves are compared."""
    now_value, now = _influence(current.values, current.design, current.domain)
    then_value, then = _influence(previous.values, previous.design, previous.domain)
    if any(len(side.keys) != len(side.design.weights) for side in (current, previous)):
        raise ValueError("one key per respondent row is needed")
    clusters, count = clusters or respondent_clusters(current.keys, previous.keys)
    z = np.bincount(clusters, weights=np.concatenate([now, -then]), minlength=count)
    domain = np.concatenate([current.domain, previous.domain]).astype(float)
    df = int(np.count_nonzero(np.bincount(clusters, weights=domain, minlength=count))) - 1
    return _difference(now_value - then_value, _simple_se(z), _size(now, then), df, level)


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


def _influence(values: Floats, design: Design, domain: Bools) -> tuple[float, Floats]:
    domain = np.asarray(domain, dtype=bool)
    if len(domain) == len(design.weights) and not domain.any():
        raise EmptyDomain("no respondent in the domain")
    return influence(values, design, domain)


def respondent_clusters(
    current: Sequence[str | None], previous: Sequence[str | None]
) -> tuple[Codes, int]:
    """A cluster number per row of both waves (their keys): one per pseudonym, one per None
    row. A pseudonym twice in one wave is one cluster too (it is one person)."""
    numbers: dict[str, int] = {}
    clusters: list[int] = []
    count = 0
    for keys in (current, previous):
        for key in keys:
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


def _simple_se(z: Floats) -> float:
    """n/(n − 1) times the sum of squares about the mean: one stratum, no correction."""
    n = len(z)
    centred = z - z.mean()
    return float(np.sqrt(n / (n - 1) * np.dot(centred, centred))) if n > 1 else float("nan")


def _difference(value: float, se: float, size: float, df: int, level: float) -> Difference:
    """A difference with its standard error: a t-interval and a t-test on df degrees."""
    from scipy import stats  # imported where computed: web workers never load scipy

    if se <= ROUNDING * size:
        return Difference(value, 0.0, value, value, float("nan"), df)
    if df < 1 or not np.isfinite(se):
        return Difference(value, se, float("nan"), float("nan"), float("nan"), df)
    half = t_quantile(1 - (1 - level) / 2, df) * se
    p_value = float(2 * stats.t.sf(abs(value) / se, df))
    return Difference(value, se, value - half, value + half, p_value, df)
