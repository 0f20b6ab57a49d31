"""Raking (iterative proportional fitting) of respondent weights to population margins,
with optional bounds, and the effective sample size the weights leave.

Matches R's `survey::rake()`: each iteration post-stratifies to every margin in turn, and
raking stops when every margin total is within `epsilon` (relative) of its population
total. Bounds are not part of R's `rake()`; when given, weights are clipped to
[lower, upper] × their starting value after each margin and the result says whether a
bound was hit. Failing to converge is reported, never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Codes = NDArray[np.int64]


@dataclass(frozen=True)
class Margin:
    """One raking margin: each respondent's cell (0..k-1) and the population per cell."""

    cells: Codes
    population: Floats

    def totals(self, weights: Floats) -> Floats:
        return np.bincount(self.cells, weights=weights, minlength=len(self.population))


@dataclass(frozen=True)
class RakeResult:
    weights: Floats
    converged: bool
    iterations: int
    #: Largest relative gap between a weighted margin total and its population total.
    worst_gap: float
    #: True when a bound was applied in the last iteration (weights were clipped).
    bounds_bind: bool


class EmptyCell(ValueError):
    """A margin cell has population but no respondent: no weighting can reach it."""


def rake(
    start: Floats,
    margins: Sequence[Margin],
    max_iterations: int = 100,
    epsilon: float = 1e-8,
    bounds: tuple[float, float] | None = None,
) -> RakeResult:
    """Weights starting from `start` that reproduce every margin's population totals."""
    weights = np.asarray(start, dtype=float).copy()
    for margin in margins:
        _check_cells(margin, weights)
    lower, upper = (start * bounds[0], start * bounds[1]) if bounds else (None, None)
    clipped = False
    for iteration in range(1, max_iterations + 1):
        clipped = False
        for margin in margins:
            weights = weights * _factors(margin, weights)[margin.cells]
            if bounds:
                bounded = np.clip(weights, lower, upper)
                clipped = clipped or not np.array_equal(bounded, weights)
                weights = bounded
        gap = worst_gap(weights, margins)
        if gap < epsilon:
            return RakeResult(weights, True, iteration, gap, clipped)
    return RakeResult(weights, False, max_iterations, worst_gap(weights, margins), clipped)


def _factors(margin: Margin, weights: Floats) -> Floats:
    totals = margin.totals(weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(totals > 0, margin.population / totals, 1.0)


def _check_cells(margin: Margin, weights: Floats) -> None:
    reached = margin.totals(weights) > 0
    if np.any((margin.population > 0) & ~reached):
        empty = np.flatnonzero((margin.population > 0) & ~reached).tolist()
        raise EmptyCell(f"cells {empty} have population but no respondents")


def worst_gap(weights: Floats, margins: Sequence[Margin]) -> float:
    """The largest relative difference between a weighted total and its population."""
    gaps = [
        np.max(np.abs(m.totals(weights) - m.population) / np.maximum(m.population, 1e-300))
        for m in margins
    ]
    return float(max(gaps)) if gaps else 0.0


def effective_sample_size(weights: Floats) -> float:
    """Kish's effective sample size: (Σw)² / Σw²."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / np.square(weights).sum())


def design_effect(weights: Floats) -> float:
    """Kish's design effect from weighting: n / effective n = 1 + CV² of the weights."""
    return len(weights) / effective_sample_size(weights)
