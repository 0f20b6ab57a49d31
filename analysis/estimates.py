"""Weighted (Hájek) means and proportions with standard errors by Taylor linearization
after raking, and their 95% intervals, computed the way R's `survey` package does:

- `svymean` on a design with `ids = ~1` after `rake()`: the estimating function
  w·(y − ȳ)/Σw is first cleared of what the raking margins explain (R sweeps over the
  margins ten times, taking cell means of x/w and multiplying back by w), then its variance
  is n/(n − 1) times the sum of squares about its mean;
- `confint(..., df = n − 1)`: t-intervals for means;
- `svyciprop(method = "beta")`: the Korn–Graubard interval, a Clopper–Pearson interval at
  the effective sample size p(1 − p)/var.

Answers missing for a question are left out of that estimate (R's `na.rm = TRUE` on a
subset keeps the design's weights; here the caller passes the respondents who answered).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from analysis.weighting import Codes, Floats

Bools = NDArray[np.bool_]

#: R sweeps the raking margins this many times when it computes variances.
RAKING_SWEEPS = 10
#: Beyond this the variance is rounding noise around 0 (a share fixed by the raking).
LARGEST_EFFECTIVE_N = 1e9


@dataclass(frozen=True)
class Estimate:
    value: float
    standard_error: float
    low: float
    high: float
    #: Respondents the estimate rests on, and Kish's effective number of them.
    n: int
    effective_n: float


def mean(
    values: Floats,
    weights: Floats,
    raked_by: Sequence[Codes] = (),
    level: float = 0.95,
    domain: Bools | None = None,
) -> Estimate:
    """A weighted mean with a t-interval on n − 1 degrees of freedom, n being the
    respondents in the domain (R's `degf()` of a subset of the design).

    `domain` marks the respondents the estimate is about (a village, those who answered);
    the others still carry the raking, as in R, where a subset keeps them at weight 0."""
    weights = np.asarray(weights, dtype=float)
    mask = _domain(values, domain)
    value, se = _mean_and_se(values, weights, raked_by, mask)
    df = int(mask.sum()) - 1  # R: degf() of the subset
    half = stats.t.ppf(1 - (1 - level) / 2, df) * se if df > 0 else np.nan
    return Estimate(value, se, value - half, value + half, int(mask.sum()), _kish(weights[mask]))


def proportion(
    hits: Floats,
    weights: Floats,
    raked_by: Sequence[Codes] = (),
    level: float = 0.95,
    domain: Bools | None = None,
) -> Estimate:
    """A weighted share (hits are 0/1) with the Korn–Graubard ("beta") interval.

    At a share of exactly 0 or 1, or of a variable the raking fixed (a margin itself), the
    linearized variance is (nearly) 0 and R's effective sample size is infinite, giving
    no usable interval; then Kish's effective sample size takes its place, so the interval
    is the Clopper–Pearson interval at that many.
    """
    weights = np.asarray(weights, dtype=float)
    mask = _domain(hits, domain)
    p, se = _mean_and_se(hits, weights, raked_by, mask)
    alpha = 1 - level
    n_eff = _kish(weights[mask])
    if se > 0 and p * (1 - p) / se**2 < LARGEST_EFFECTIVE_N:
        # R's degrees-of-freedom adjustment: the whole sample's t against the subset's.
        n, df = len(hits), int(mask.sum()) - 1
        adjust = (stats.t.ppf(alpha / 2, n - 1) / stats.t.ppf(alpha / 2, df)) ** 2 if df else 1
        n_eff = p * (1 - p) / se**2 * adjust
    low = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1) if p > 0 else 0.0
    high = stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)) if p < 1 else 1.0
    return Estimate(p, se, float(low), float(high), int(mask.sum()), _kish(weights[mask]))


def _domain(values: Floats, domain: Bools | None) -> Bools:
    return np.ones(len(values), dtype=bool) if domain is None else np.asarray(domain, dtype=bool)


def _mean_and_se(
    values: Floats, weights: Floats, raked_by: Sequence[Codes], mask: Bools
) -> tuple[float, float]:
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    inside = np.where(mask, weights, 0.0)
    total = inside.sum()
    value = float(np.dot(inside, values) / total)
    x = inside * (values - value) / total
    x = _calibration_residuals(x, weights, raked_by)
    n = len(x)
    if n < 2:
        return value, float("nan")
    centred = x - x.mean()
    return value, float(np.sqrt(n / (n - 1) * np.dot(centred, centred)))


def _calibration_residuals(x: Floats, weights: Floats, raked_by: Sequence[Codes]) -> Floats:
    """What the raking margins do not explain of x, as R's `svyrecvar` computes it."""
    if not raked_by:
        return x
    for _ in range(RAKING_SWEEPS):
        for cells in raked_by:
            ratio = x / weights
            counts = np.bincount(cells)
            cell_means = np.bincount(cells, weights=ratio) / np.where(counts > 0, counts, 1)
            x = x - weights * cell_means[cells]
    return x


def _kish(weights: Floats) -> float:
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / np.square(weights).sum())
