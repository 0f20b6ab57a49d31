"""The stratified jackknife (JKn) with every replicate calibrated again, as R's survey
package computes it for

    rep <- as.svrepdesign(svydesign(ids = ~1, strata = ~stratum, fpc = ~people,
                                    weights = ~d), type = "JKn")
    calibrate(rep, formula, population, calfun = "logit", bounds = c(L, U))

Replicate j leaves out respondent j: the others of j's stratum h count n_h / (n_h − 1)
times, and the replicate's weights are calibrated to the same margins within the same bounds
relative to its own starting weights. The variance of an estimate θ is
Σ_j (1 − n_h/N_h)(n_h − 1)/n_h (θ_j − θ̄)², θ̄ the replicates' mean (R's default, not the
"mse" form); a stratum whose every person answered has no replicates (R drops them).

Why not linearization: under the recruitment design a respondent of Beilen stands for about
470 people and carries a large share of their age × sex cell; the linearization's residual
step then shrinks exactly their variance, and municipal intervals held the truth in only
87% of simulated waves. Recalibrating each replicate measures what leaving them out does.

Fast because the calibration only sees the rows of the model matrix, and respondents with
the same row (stratum, age group, village × 65+ cell) share their design weight: the
Newton steps run on those cells' totals (a few hundred), for all replicates at once, and
leaving out either of two respondents of one cell gives the same calibration. Estimates
need the replicates' totals only, and those follow from the cells' totals per stratum
(`Replicates.totals`), never from a respondents × replicates matrix. A grouped jackknife (random
groups per stratum, for very large waves) only changes `_leave_out`'s groups.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.weighting import GINV_TOLERANCE, Codes, Floats, Margin, calfun, cells

#: Relative tolerance for the rank of the cells' model matrix (R's qr() default).
RANK_TOLERANCE = 1e-7
#: Beyond this a Newton coefficient only pins factors at their bounds.
LARGEST = 1e6
#: Times the bounds of a replicate that cannot meet them are widened, before raking.
WIDENINGS = 3


@dataclass(frozen=True)
class Thetas:
    """An estimate in every replicate: that of the replicate's group, except for the
    replicates that leave out a respondent who counts in it (whose own estimates differ)."""

    group: Codes
    common: Floats
    #: Those replicates, ascending, and their estimates.
    replicates: Codes
    own: Floats

    def __sub__(self, other: Thetas) -> Thetas:
        either = np.zeros(len(self.group), dtype=bool)
        either[self.replicates] = True
        either[other.replicates] = True
        replicates = np.flatnonzero(either)
        return Thetas(
            self.group,
            self.common - other.common,
            replicates,
            self.at(replicates) - other.at(replicates),
        )

    def at(self, replicates: Codes) -> Floats:
        """The estimates of the given replicates."""
        values = self.common[self.group[replicates]]
        place = np.full(len(self.group), -1, dtype=np.int64)
        place[self.replicates] = np.arange(len(self.replicates))
        place = place[replicates]
        found = place >= 0
        values[found] = self.own[place[found]]
        return values

    def every(self) -> Floats:
        """The estimate of every replicate."""
        return self.at(np.arange(len(self.group)))


@dataclass(frozen=True)
class Replicates:
    """The replicates without their respondents × replicates weights (n² numbers: 20 GB
    for a wave of 50,000). Replicate r's weight of respondent i is

        design_i · g[group_r, cell_i] · (inflate_r if i is in r's stratum else 1),

    0 for the respondent r leaves out; replicates that leave out a respondent of the same
    cell and stratum at the same design weight start from the same weights, so they share
    their calibration factors g (one row per such group)."""

    #: Per group of replicates: the calibration factor of each cell (groups × cells).
    factors: Floats
    #: Per replicate: its group, the respondent it leaves out, and n_h/(n_h − 1).
    group: Codes
    left_out: Codes
    inflate: Floats
    #: Per replicate: (1 − n_h/N_h)(n_h − 1)/n_h of the stratum it leaves a respondent out of.
    scales: Floats
    #: Replicates whose calibration met the margins (R uses the others too, silently).
    converged: int
    #: The cells' model matrix (cells × margin columns) and each respondent's cell.
    rows: Floats
    cell: Codes
    design: Floats
    strata: Codes
    #: Replicates calibrated again (empty cells merged, bounds widened: `_calibrate_on`):
    #: those that leave a margin cell empty, and those that did not converge; they count
    #: among the converged ones when they then do.
    recalibrated: int = 0

    def rank(self, domain) -> int:
        """The rank of the domain's replicate weights, as R's qr() finds it; R's degrees of
        freedom of a subset of a replicate design are this minus 1.

        Each respondent's row differs from the others (0 in their own replicate), except
        for what the calibration ties: the rows of a margin cell add up to its population
        in every replicate, so margin cells that lie wholly inside the domain give one
        fewer than their rank (their sums are all multiples of the same vector of ones)."""
        domain = np.asarray(domain, dtype=bool)
        cells = len(self.rows)
        counts = np.bincount(self.cell[domain], minlength=cells)
        outside = (self._cell_counts - counts) @ self.rows > 0
        inside = counts @ self.rows > 0
        tied = inside & ~outside
        key = tied.tobytes()
        if key not in self._deficits:  # a few distinct sets of columns per wave
            columns = self.rows[:, tied]
            self._deficits[key] = max(0, np.linalg.matrix_rank(columns) - 1) if columns.size else 0
        return min(int(domain.sum()), len(self.left_out)) - self._deficits[key]

    @functools.cached_property
    def _deficits(self) -> dict[bytes, int]:
        return {}

    @functools.cached_property
    def _cell_counts(self) -> Codes:
        return np.bincount(self.cell, minlength=len(self.rows))

    def variance(self, thetas: Thetas | Floats) -> float:
        """R's svrVar: Σ scale · (θ_j − θ̄)², θ̄ the mean of the replicates (those with an
        estimate). A group's replicates that leave out no one counted share one θ and one
        scale (their stratum's), so they are summed as one term."""
        if not isinstance(thetas, Thetas):
            keep = np.isfinite(thetas)
            centred = thetas[keep] - thetas[keep].mean()
            return float(np.dot(self.scales[keep], centred**2))
        count, scale = self._group_sizes
        count = count - np.bincount(self.group[thetas.replicates], minlength=len(count))
        common = np.isfinite(thetas.common) & (count > 0)
        own = np.isfinite(thetas.own)
        centre = (np.dot(count[common], thetas.common[common]) + thetas.own[own].sum()) / (
            count[common].sum() + own.sum()
        )
        shared = np.dot((scale * count)[common], (thetas.common[common] - centre) ** 2)
        scales = self.scales[thetas.replicates[own]]
        return float(shared + np.dot(scales, (thetas.own[own] - centre) ** 2))

    def means(self, values: Floats, domain: Floats) -> Thetas:
        """Each replicate's weighted mean of values over the domain (0/1 per respondent)."""
        counted = np.flatnonzero(domain)
        numerator = self.totals(values * domain, counted)
        denominator = self.totals(domain, counted)
        with np.errstate(invalid="ignore", divide="ignore"):
            return Thetas(
                self.group,
                numerator.common / denominator.common,
                numerator.replicates,
                numerator.own / denominator.own,
            )

    def totals(self, values: Floats, counted: Codes | None = None) -> Thetas:
        """Each replicate's weighted total of values, from the totals per stratum and cell:
        a group's factors times them, the left-out stratum's inflated, less the respondent
        left out. `counted`: the respondents whose values may not be 0 (default: all)."""
        counted = np.arange(len(self.cell)) if counted is None else counted
        weighted = np.asarray(values, dtype=float)[counted] * self.design[counted]
        pair, everyone, own_stratum = self._pairs
        sums = np.bincount(pair[counted], weights=weighted, minlength=everyone.shape[1])
        common = everyone @ sums + (self._group_inflate - 1) * (own_stratum @ sums)
        replicate = self._replicate_of[counted]
        replicates = replicate[replicate >= 0]
        own = (
            common[self.group[replicates]]
            - weighted[replicate >= 0] * self._left_out_factor[replicates]
        )
        return Thetas(self.group, common, replicates, own)

    @functools.cached_property
    def _replicate_of(self) -> Codes:
        """Per respondent: the replicate leaving them out, -1 for none."""
        replicate = np.full(len(self.cell), -1, dtype=np.int64)
        replicate[self.left_out] = np.arange(len(self.left_out))
        return replicate

    @functools.cached_property
    def _group_inflate(self) -> Floats:
        inflate = np.ones(len(self.factors))
        inflate[self.group] = self.inflate
        return inflate

    @functools.cached_property
    def _group_sizes(self) -> tuple[Codes, Floats]:
        """Replicates per group, and the scale they share (their stratum's)."""
        scale = np.zeros(len(self.factors))
        scale[self.group] = self.scales
        return np.bincount(self.group, minlength=len(self.factors)), scale

    @functools.cached_property
    def _pairs(self) -> tuple[Codes, Floats, Floats]:
        """Each respondent's (stratum, cell) pair; per group the factor of each pair, and
        that factor where the pair is in the group's left-out stratum (else 0)."""
        pairs, pair = np.unique(
            np.column_stack([self.strata, self.cell]), axis=0, return_inverse=True
        )
        stratum = np.zeros(len(self.factors), dtype=np.int64)
        stratum[self.group] = self.strata[self.left_out]
        everyone = self.factors[:, pairs[:, 1]]
        own_stratum = np.where(pairs[None, :, 0] == stratum[:, None], everyone, 0.0)
        return pair.ravel(), everyone, own_stratum

    @functools.cached_property
    def _left_out_factor(self) -> Floats:
        return self.factors[self.group, self.cell[self.left_out]] * self.inflate


def jackknife(
    design: Floats,
    strata: Codes,
    people: Floats,
    margins: Sequence[Margin],
    bounds: tuple[float, float] | None,
    max_iterations: int = 50,
    epsilon: float = 1e-9,
) -> Replicates:
    """The JKn replicate weights of a stratified design, each calibrated to `margins`."""
    design = np.asarray(design, dtype=float)
    whole = np.concatenate([margin.population for margin in margins])
    rows, cell = cells(margins)
    columns = _independent(rows)
    full, rows, target = rows, rows[:, columns], whole[columns]
    margin_of = np.repeat(np.arange(len(margins)), [len(m.population) for m in margins])
    base = np.bincount(cell, weights=design, minlength=len(rows))
    left_out, scales = _leave_out(strata, people)
    group, first = _groups(cell, strata, design, left_out)
    starts = _starts(base, cell, strata, left_out[first], design)
    factor, slope = calfun(bounds)
    limits = max_iterations, epsilon
    # A replicate that leaves a margin cell without weight is never taken from Newton
    # steps on the margins as they are: with the cell's population no weights meet them,
    # and without it the steps may still settle, on one of many weightings that meet the
    # rest, picked by rounding (with other BLAS kernels a bound moved from 7.2 to 7.3).
    emptied = starts @ full == 0
    whole_margins = ~emptied.any(axis=1)
    g = np.ones((len(starts), len(full)))
    met = np.zeros(len(starts), dtype=bool)
    if whole_margins.any():
        g[whole_margins], met[whole_margins] = _newton(
            rows, target, starts[whole_margins], factor, slope, *limits
        )
    redone = np.flatnonzero(~met)  # a margin cell left empty, or not converged
    for same in _same_columns(emptied[redone]):
        batch = redone[same]
        again, met_again = _calibrate_on(
            full, whole, margin_of, starts[batch], ~emptied[batch[0]], bounds, limits
        )
        # One that nothing meets keeps its factors within the bounds (raking would run off
        # to 1e300): as before, and as R leaves it.
        g[batch[met_again]], met[batch] = again[met_again], met_again
    n = np.bincount(strata)
    inflate = n[strata[left_out]] / (n[strata[left_out]] - 1)
    converged = int(np.sum(met[group]))
    recalibrated = int(np.sum(np.isin(group, redone)))
    return Replicates(
        g, group, left_out, inflate, scales, converged, full, cell, design, strata, recalibrated
    )


def _same_columns(emptied) -> list[Codes]:
    """Rows of `emptied` with the same columns emptied (none, too)."""
    if not len(emptied):
        return []
    _, which = np.unique(emptied, axis=0, return_inverse=True)
    return [np.flatnonzero(which.ravel() == k) for k in range(which.max() + 1)]


def _calibrate_on(full, whole, margin_of, starts, kept, bounds, limits):
    """Replicates that leave a margin cell empty or did not converge, calibrated again:
    each margin cell they have no weight in merged into the largest other cell of its
    margin, the independent columns chosen again; those that still cannot meet the margins
    within the bounds, with the bounds widened step by step (L/2 and 2U, L/4 and 4U, L/8
    and 8U, then raking without bounds) until they do.

    Why: such a replicate's Newton steps run off to wherever the rounding of their sums
    sends them; standard errors of the test waves moved by up to 100% (and of the demo
    wave by a factor 4) when the cells were summed in another order. R's grake returns
    wherever its 50 steps end, as rounding-driven. Two causes:
    - a replicate that leaves out the only respondent of a margin cell (the respondents of
      a sex the margins lack have an age-band cell of their own, whose population is their
      own design weight) has no weight in it, yet the other margins still add up to the
      total that includes its population: no weights at all meet them, and wider bounds
      cannot help. Merging the empty cell into another of its margin is what the weighting
      scheme does with an empty age band; the largest cell changes least (26 people onto
      some 2,000);
    - a replicate leaving out a large weight whose cell the others cannot carry within the
      bounds: statistics offices widen the bounds for it. The replicate then meets the
      margins, as the full sample does; its factors beyond the bounds only move that one
      replicate's estimate, by what leaving that respondent out really changes."""
    target = whole.copy()
    for column in np.flatnonzero(~kept):
        siblings = np.flatnonzero((margin_of == margin_of[column]) & kept)
        if len(siblings):
            target[siblings[np.argmax(whole[siblings])]] += whole[column]
    columns = np.flatnonzero(kept)[_independent(full[:, kept])]
    rows, target = full[:, columns], target[columns]
    g = np.ones((len(starts), len(full)))
    left = np.arange(len(starts))
    for widened in _widened(bounds):
        factor, slope = calfun(widened)
        g[left], met = _newton(rows, target, starts[left], factor, slope, *limits)
        left = left[~met]
        if not len(left):
            break
    return g, np.isin(np.arange(len(starts)), left, invert=True)


def _widened(bounds):
    """The bounds, then wider ones, then none (raking)."""
    if bounds is not None:
        low, high = bounds
        yield from ((low / 2**k, high * 2**k) for k in range(WIDENINGS + 1))
    yield None


def _groups(cell, strata, design, left_out) -> tuple[Codes, Codes]:
    """Replicates that start from the same weights: those leaving out a respondent of the
    same cell and stratum with the same design weight. Each replicate's group, and one
    replicate of each group."""
    keys = np.column_stack([cell[left_out], strata[left_out], design[left_out]])
    _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return group.ravel(), first


def _independent(rows: Floats) -> np.ndarray:
    """Columns of the cells' model matrix that span it: the margins overlap (every margin
    adds up to the total), and Newton steps on independent columns give the same weights
    as R's generalized inverse on all of them."""
    from scipy import linalg  # imported where computed: web workers never load scipy

    _, r, pivots = linalg.qr(rows, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    return np.sort(pivots[: int(np.sum(diagonal > RANK_TOLERANCE * diagonal[0]))])


def _leave_out(strata: Codes, people: Floats) -> tuple[np.ndarray, Floats]:
    """The respondent each replicate leaves out, and its scale. A stratum every person of
    which answered has no variance and no replicates; nor has one with a single respondent."""
    n = np.bincount(strata, minlength=len(people))
    with np.errstate(divide="ignore", invalid="ignore"):
        fpc = np.where(np.isinf(people), 1.0, (people - n) / people)
    left_out = np.flatnonzero((n[strata] > 1) & (fpc[strata] > 0))
    h = strata[left_out]
    return left_out, fpc[h] * (n[h] - 1) / n[h]


def _starts(base, cell, strata, left_out, design) -> Floats:
    """Each replicate's starting weight per cell (replicates × cells)."""
    n = np.bincount(strata)
    stratum_of_cell = np.zeros(len(base), dtype=np.int64)
    stratum_of_cell[cell] = strata
    h = strata[left_out]
    inflate = n[h] / (n[h] - 1)
    starts = np.repeat(base[None, :], len(left_out), axis=0)
    same = stratum_of_cell[None, :] == h[:, None]
    starts = np.where(same, starts * inflate[:, None], starts)
    starts[np.arange(len(left_out)), cell[left_out]] -= design[left_out] * inflate
    return np.maximum(starts, 0.0)


def _newton(rows, target, starts, factor, slope, max_iterations, epsilon):
    """R's grake for every replicate at once, on cell totals, from η = 0. A column the
    replicate has no weight in (its only respondent left out) stays at η = 0, as R's
    generalized inverse leaves it; its cell cannot be met and is not checked."""
    unique, index = np.unique(starts, axis=0, return_inverse=True)
    index = index.ravel()
    count, p = len(unique), rows.shape[1]
    squares = (rows[:, :, None] * rows[:, None, :]).reshape(len(rows), p * p)
    empty = unique @ rows == 0
    eta = np.zeros((count, p))
    active = np.ones(count, dtype=bool)
    for _ in range(max_iterations + 1):
        u = eta[active] @ rows.T
        misfit = target - (unique[active] * factor(u)) @ rows
        misfit[empty[active]] = 0.0
        done = np.all(np.abs(misfit) / (1 + np.abs(target)) < epsilon, axis=1)
        still = np.flatnonzero(active)[~done]
        active[np.flatnonzero(active)[done]] = False
        if not len(still):
            break
        keep = ~done
        tmat = ((unique[still] * slope(u[keep])) @ squares).reshape(len(still), p, p)
        holes = empty[still]
        tmat[holes.nonzero()[0], holes.nonzero()[1], holes.nonzero()[1]] = 1.0
        # Kept finite: a replicate the bounds cannot meet runs off (R halves its steps).
        eta[still] = np.clip(eta[still] + _solve(tmat, misfit[keep]), -LARGEST, LARGEST)
    g = factor(eta @ rows.T)
    return g[index], ~active[index]


def _solve(tmat, misfit):
    """Newton steps; R's generalized inverse where a replicate's matrix is singular (every
    factor of a column at a bound)."""
    try:
        return np.linalg.solve(tmat, misfit[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return np.array([_solve_one(t, m) for t, m in zip(tmat, misfit, strict=True)])


def _solve_one(tmat, misfit):
    try:
        return np.linalg.solve(tmat, misfit)
    except np.linalg.LinAlgError:
        pass
    try:
        return np.linalg.pinv(tmat, rcond=GINV_TOLERANCE) @ misfit
    except np.linalg.LinAlgError:  # factors pinned at their bounds to the last digit
        return np.zeros_like(misfit)
