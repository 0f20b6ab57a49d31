"""Weighted (Hájek) means and proportions with their standard errors and 95% intervals,
computed the way R's `survey` package does on a calibrated stratified design.

The standard error comes from the calibrated jackknife when the design has replicates
(analysis.replicates: R's `calibrate(as.svrepdesign(design, type = "JKn"), ...)`; what the
app uses), else from Taylor linearization on `calibrate(svydesign(ids = ~1, strata =
~stratum, fpc = ~people, weights = ~d), ...)`:

- `svymean`: the estimating function w·(y − ȳ)/Σw is first cleared of what the
  calibration columns explain (R's `greg_calibration` residuals: a weighted least-squares
  residual on the margins' indicators at the design weights, scaled by g), then its
  variance is, per stratum h, (1 − n_h/N_h) · n_h/(n_h − 1) times the sum of squares
  about the stratum's mean, summed over strata (still used by analysis.comparisons.change);
- `confint(..., df = degf(subset))`: t-intervals for means, with respondents in the domain
  minus the strata they are in as degrees of freedom;
- `svyciprop(method = "beta")`: the Korn–Graubard interval, a Clopper–Pearson interval at
  the effective sample size p(1 − p)/var.

Answers missing for a question are left out of that estimate (R's subset of a calibrated
design keeps every respondent, at weight 0 outside the domain).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from analysis.replicates import Replicates
from analysis.weighting import Codes, Floats, Margin
from analysis.weighting import cells as calibration_cells

Bools = NDArray[np.bool_]

#: R's `qr()` tolerance for the rank of the calibration columns.
RANK_TOLERANCE = 1e-7
#: Beyond this the variance is rounding noise around 0 (a share fixed by the raking).
LARGEST_EFFECTIVE_N = 1e9


@dataclass(frozen=True)
class Design:
    """What a variance needs of the weighting: the weights, the strata with their people
    (for the finite-population correction; inf for none) and the calibration."""

    weights: Floats
    strata: Codes
    people: Floats
    #: An orthonormal basis of the calibration columns × √(design weight), given per cell
    #: of the calibration (respondents in the same cell of every margin): a respondent's row
    #: of the basis is √(their design weight) × their cell's row. None: no calibration.
    basis: Floats | None = None
    #: g · √(design weight) per respondent.
    scale: Floats | None = None
    #: The calibrated jackknife (analysis.replicates); None: linearization.
    replicates: Replicates | None = None
    #: Each respondent's cell of the calibration, and √(their design weight).
    cells: Codes | None = None
    root: Floats | None = None

    @classmethod
    def simple(cls, weights: Floats) -> Design:
        """One stratum, no correction, no calibration: R's `svydesign(ids = ~1, ...)`."""
        weights = np.asarray(weights, dtype=float)
        return cls(weights, np.zeros(len(weights), dtype=np.int64), np.array([np.inf]))

    @classmethod
    def calibrated(
        cls,
        design: Floats,
        factors: Floats,
        margins: Sequence[Margin],
        strata: Codes,
        people: Floats,
        replicates: Replicates | None = None,
    ) -> Design:
        """The basis comes from the cells' rows weighted by √(their design weight total):
        the same singular values and directions as the respondents' rows (n × columns),
        at the size of the cells (a few hundred)."""
        design = np.asarray(design, dtype=float)
        root = np.sqrt(design)
        rows, cells = calibration_cells(margins)
        totals = np.bincount(cells, weights=design, minlength=len(rows))
        _, s, vt = np.linalg.svd(rows * np.sqrt(totals)[:, None], full_matrices=False)
        keep = s > RANK_TOLERANCE * s[0]
        return cls(
            design * factors,
            np.asarray(strata),
            np.asarray(people, float),
            rows @ vt[keep].T / s[keep],
            factors * root,
            replicates,
            cells,
            root,
        )

    def residuals(self, x: Floats) -> Floats:
        """What the calibration does not explain of x (R's `svyrecvar`)."""
        if self.basis is None:
            return x
        z = x / self.scale
        explained = np.bincount(self.cells, weights=self.root * z, minlength=len(self.basis))
        return (z - self.root * (self.basis @ (explained @ self.basis))[self.cells]) * self.scale

    def variance(self, x: Floats) -> float:
        """The stratified with-replacement variance of the total of x, with fpc."""
        n = np.bincount(self.strata, minlength=len(self.people))
        sums = np.bincount(self.strata, weights=x, minlength=len(self.people))
        means = sums / np.maximum(n, 1)
        squares = np.bincount(
            self.strata, weights=(x - means[self.strata]) ** 2, minlength=len(self.people)
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            keep = np.where(np.isinf(self.people), 1.0, (self.people - n) / self.people)
            scale = np.where(n > 1, keep * n / (n - 1), 0.0)  # one respondent: no variance
        return float(np.dot(scale, squares))

    def degf(self, domain: Bools) -> int:
        """R's `degf()` of the subset: respondents in it minus the strata they are in; with
        replicates, the rank of the subset's calibrated replicate weights less 1 (every
        figure is on a subset: those who answered)."""
        if self.replicates is not None:
            return self.replicates.rank(domain) - 1
        return int(domain.sum()) - len(np.unique(self.strata[domain]))


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
    values: Floats, design: Design, level: float = 0.95, domain: Bools | None = None
) -> Estimate:
    """A weighted mean with a t-interval on R's `degf()` of the domain.

    `domain` marks the respondents the estimate is about (a village, those who answered);
    the others still carry the calibration, as in R, where a subset keeps them at weight 0."""
    mask = _domain(values, domain)
    value, se = _mean_and_se(values, design, mask)
    df = design.degf(mask)
    half = t_quantile(1 - (1 - level) / 2, df) * se if df > 0 else np.nan
    return Estimate(value, se, value - half, value + half, int(mask.sum()), _kish(design, mask))


def proportion(
    hits: Floats, design: Design, level: float = 0.95, domain: Bools | None = None
) -> Estimate:
    """A weighted share (hits are 0/1) with the Korn–Graubard ("beta") interval.

    At a share of exactly 0 or 1, or of a variable the calibration fixed (a margin itself),
    the linearized variance is (nearly) 0 and R's effective sample size is infinite, giving
    no usable interval; then Kish's effective sample size takes its place, so the interval
    is the Clopper–Pearson interval at that many.
    """
    return with_intervals([share(hits, design, level, domain)], level)[0]


def share(
    hits: Floats, design: Design, level: float = 0.95, domain: Bools | None = None
) -> tuple[Estimate, float]:
    """`proportion` without its interval (NaN bounds), and the effective sample size the
    interval is taken at: `with_intervals` gives many shares theirs in one call."""
    mask = _domain(hits, domain)
    p, se = _mean_and_se(hits, design, mask)
    alpha = 1 - level
    n_eff = _kish(design, mask)
    if se > 0 and p * (1 - p) / se**2 < LARGEST_EFFECTIVE_N:
        # R's degrees-of-freedom adjustment: the whole sample's t against the subset's.
        # A subset of R's replicate design drops the rows outside it; a calibrated
        # design's subset keeps them (at weight 0).
        n = int(mask.sum()) if design.replicates is not None else len(hits)
        df = design.degf(mask)
        adjust = (t_quantile(alpha / 2, n - 1) / t_quantile(alpha / 2, df)) ** 2 if df else 1
        n_eff = p * (1 - p) / se**2 * adjust
    estimate = Estimate(p, se, np.nan, np.nan, int(mask.sum()), _kish(design, mask))
    return estimate, n_eff


def with_intervals(shares: Sequence[tuple[Estimate, float]], level: float) -> list[Estimate]:
    """The shares with their Korn–Graubard intervals, the beta quantiles in one call."""
    from scipy import stats  # imported where computed: web workers never load scipy

    alpha = 1 - level
    p = np.array([estimate.value for estimate, _ in shares], dtype=float)
    n_eff = np.array([n for _, n in shares], dtype=float)
    low, high = np.zeros(len(p)), np.ones(len(p))
    some, short = p > 0, p < 1
    low[some] = stats.beta.ppf(alpha / 2, n_eff[some] * p[some], n_eff[some] * (1 - p[some]) + 1)
    high[short] = stats.beta.ppf(
        1 - alpha / 2, n_eff[short] * p[short] + 1, n_eff[short] * (1 - p[short])
    )
    return [
        replace(estimate, low=float(lo), high=float(hi))
        for (estimate, _), lo, hi in zip(shares, low, high, strict=True)
    ]


@functools.lru_cache(maxsize=4096)
def t_quantile(q: float, df: int) -> float:
    """Student's t quantile, cached: the figures of a wave ask for a few hundred (q, df)
    thousands of times."""
    from scipy import stats  # imported where computed: web workers never load scipy

    return float(stats.t.ppf(q, df))


def _domain(values: Floats, domain: Bools | None) -> Bools:
    return np.ones(len(values), dtype=bool) if domain is None else np.asarray(domain, dtype=bool)


def influence(values: Floats, design: Design, mask: Bools) -> tuple[float, Floats]:
    """The Hájek mean of the domain and its influence values, cleared of the calibration
    (what the variance is taken of)."""
    weights = design.weights
    if len(mask) != len(weights):
        raise ValueError("one domain flag per respondent row is needed")
    inside = np.where(mask, weights, 0.0)
    y = np.where(mask, np.asarray(values, dtype=float), 0.0)  # unanswered may be NaN
    total = inside.sum()
    value = float(np.dot(inside, y) / total)
    return value, design.residuals(inside * (y - value) / total)


def _mean_and_se(values: Floats, design: Design, mask: Bools) -> tuple[float, float]:
    if design.replicates is not None:
        y = np.where(mask, np.asarray(values, dtype=float), 0.0)
        inside = np.where(mask, design.weights, 0.0)
        value = float(np.dot(inside, y) / inside.sum())
        thetas = design.replicates.means(y, mask.astype(float))
        return value, float(np.sqrt(design.replicates.variance(thetas)))
    value, x = influence(values, design, mask)
    if len(x) < 2:
        return value, float("nan")
    return value, float(np.sqrt(design.variance(x)))


def _kish(design: Design, mask: Bools) -> float:
    weights = design.weights[mask]
    return float(weights.sum() ** 2 / np.square(weights).sum())
