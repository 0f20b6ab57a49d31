"""Calibration of design weights to population margins, and what it leaves for the
variance: R's `calibrate(design, formula, population, calfun = "logit", bounds = c(L, U))`.

Each respondent starts at their design weight d (people in their stratum ÷ respondents in
it) and ends at g·d. The factors g come from Newton iterations on the calibration
equations, as in R's `survey:::grake`: with bounds, g = F(x'η) by the logit function, which
keeps every g strictly inside (L, U) relative to the respondent's own design weight; without
bounds, g = exp(x'η) (R's "raking", the same weights as iterative raking). A margin the
bounds do not allow is not met: the calibration says it did not converge and how far off
each cell is, never hiding it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Codes = NDArray[np.int64]

#: R's `MASS::ginv` tolerance for the Newton step.
GINV_TOLERANCE = 256 * np.finfo(float).eps
#: Beyond this exponent a logit factor equals its bound in floating point.
EXPONENT = 700.0
#: A factor within this share of the bounds' range from a bound counts as at the bound.
NEAR_BOUND = 0.01


@dataclass(frozen=True)
class Margin:
    """One margin: each respondent's cell (0..k-1), the population per cell, and names."""

    cells: Codes
    population: Floats
    name: str = ""
    labels: tuple[str, ...] = ()

    def totals(self, weights: Floats) -> Floats:
        return np.bincount(self.cells, weights=weights, minlength=len(self.population))

    def indicators(self) -> Floats:
        return np.eye(len(self.population))[self.cells]


def cells(margins: Sequence[Margin]) -> tuple[Floats, Codes]:
    """The distinct rows of the margins' indicator columns side by side, and each
    respondent's row: what `np.unique(x, axis=0, return_inverse=True)` gives on the
    n × columns matrix x, in the same order, from one integer per respondent.

    Rows sort as their 0/1 entries do: a 1 in an earlier column is the larger row, so
    the order is that of the cells' numbers, descending, margin by margin."""
    key = np.zeros(len(margins[0].cells), dtype=np.int64)
    for margin in margins:
        size = len(margin.population)
        key = key * size + (size - 1 - np.asarray(margin.cells, dtype=np.int64))
    kinds, cell = np.unique(key, return_inverse=True)
    rows = []
    for margin in reversed(margins):
        size = len(margin.population)
        rows.append(np.eye(size)[size - 1 - kinds % size])
        kinds = kinds // size
    return np.hstack(rows[::-1]), cell.ravel()


@dataclass(frozen=True)
class Gap:
    """How far the weighted total of one margin cell is from its population."""

    margin: str
    cell: str
    population: float
    weighted: float

    @property
    def relative(self) -> float:
        return (self.weighted - self.population) / self.population if self.population else 0.0


@dataclass(frozen=True)
class Calibration:
    weights: Floats
    #: g: each weight over its design weight.
    factors: Floats
    converged: bool
    #: Newton steps taken (step halvings count, as in R).
    iterations: int
    gaps: list[Gap]
    #: True when some factor is at (within 1% of the range of) a bound.
    bounds_bind: bool

    @property
    def worst_gap(self) -> float:
        return max((abs(gap.relative) for gap in self.gaps), default=0.0)


class EmptyCell(ValueError):
    """A margin cell has population but no respondent: no weighting can reach it."""


def calibrate(
    design: Floats,
    margins: Sequence[Margin],
    bounds: tuple[float, float] | None = None,
    max_iterations: int = 50,
    epsilon: float = 1e-9,
) -> Calibration:
    """Weights g·design that reproduce every margin, g within `bounds` (logit) if given.

    Converged when every cell is met to `epsilon` × (1 + its population), R's rule."""
    design = np.asarray(design, dtype=float)
    for margin in margins:
        _check_cells(margin, design)
    # On the cells of the margins (respondents alike in every margin share x'η and g): the
    # equations are sums over respondents, so they are sums over cells of design totals.
    x, cell = cells(margins)
    totals = np.bincount(cell, weights=design, minlength=len(x))
    target = np.concatenate([margin.population for margin in margins])
    factor, slope = _calfun(bounds)
    eta = np.zeros(x.shape[1])
    iterations, converged = 1, False
    while True:
        u = x @ eta
        tmat = (x * (totals * slope(u))[:, None]).T @ x
        step = np.linalg.pinv(tmat, rcond=GINV_TOLERANCE) @ (target - x.T @ (totals * factor(u)))
        eta = eta + step
        while iterations < max_iterations and not _finite(factor, slope, x @ eta):
            iterations += 1
            step = step / 2
            eta = eta - step
        misfit = target - x.T @ (totals * factor(x @ eta))
        if np.all(np.abs(misfit) / (1 + np.abs(target)) < epsilon):
            converged = True
            break
        iterations += 1
        if iterations > max_iterations:
            break
    g = factor(x @ eta)[cell]
    weights = design * g
    return Calibration(
        weights, g, converged, iterations, gaps(weights, margins), _at_bound(g, bounds)
    )


def gaps(weights: Floats, margins: Sequence[Margin]) -> list[Gap]:
    """Every cell of every margin: its population and its weighted total."""
    return [
        Gap(margin.name, _label(margin, cell), float(people), float(total))
        for margin in margins
        for cell, (people, total) in enumerate(
            zip(margin.population, margin.totals(weights), strict=True)
        )
    ]


def _label(margin: Margin, cell: int) -> str:
    return margin.labels[cell] if cell < len(margin.labels) else str(cell)


def _calfun(bounds: tuple[float, float] | None):
    """g as a function of u = x'η and its derivative: R's cal.logit, or cal.raking.

    The exponent is kept within ±700, where g is at its bound to the last digit anyway, so
    that an unreachable margin ends in "not converged" rather than in overflow."""
    if bounds is None:

        def exp(u):
            return np.exp(np.clip(u, -EXPONENT, EXPONENT))

        return exp, exp
    low, high = bounds
    if not low < 1 < high:
        raise ValueError(f"bounds must hold 1 between them, not {bounds}")
    a = (high - low) / ((high - 1) * (1 - low))

    def factor(u):
        e = np.exp(np.clip(a * u, -EXPONENT, EXPONENT))
        g = (low * (high - 1) + high * (1 - low) * e) / (high - 1 + (1 - low) * e)
        return np.clip(g, low, high)  # at a bound, rounding may overshoot it by an ulp

    def slope(u):
        e = np.exp(np.clip(a * u, -EXPONENT, EXPONENT))
        return (high - low) ** 2 / ((high - 1 + (1 - low) * e) * ((high - 1) / e + 1 - low))

    return factor, slope


calfun = _calfun


def _finite(factor, slope, u: Floats) -> bool:
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.all(np.isfinite(factor(u))) and np.all(np.isfinite(slope(u))))


def _at_bound(g: Floats, bounds: tuple[float, float] | None) -> bool:
    if bounds is None:
        return False
    low, high = bounds
    near = NEAR_BOUND * (high - low)
    return bool(np.any(g <= low + near) or np.any(g >= high - near))


def _check_cells(margin: Margin, weights: Floats) -> None:
    reached = margin.totals(weights) > 0
    if np.any((margin.population > 0) & ~reached):
        empty = [_label(margin, c) for c in np.flatnonzero((margin.population > 0) & ~reached)]
        raise EmptyCell(f"cells {empty} of {margin.name or 'a margin'} have no respondents")


def effective_sample_size(weights: Floats) -> float:
    """Kish's effective sample size: (Σw)² / Σw²."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / np.square(weights).sum())


def weighting_effect(weights: Floats) -> float:
    """Kish's weighting effect: n / effective n = 1 + CV² of the weights."""
    return len(weights) / effective_sample_size(weights)
