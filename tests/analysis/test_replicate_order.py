"""A replicate whose margins no weights can meet (it leaves out the only respondent of a
margin cell) is calibrated with that cell merged into another (analysis.replicates
`_calibrate_on`), so that no standard error depends on the order of floating-point sums."""

from __future__ import annotations

import numpy as np
import pytest

import analysis.replicates as replicates_module
import analysis.scheme as scheme_module
from analysis.pipeline import analyse
from analysis.replicates import jackknife
from analysis.weighting import Margin
from tests.analysis.test_fast_path import INDICATORS, SETTINGS, _raw, made_up_wave

NEWTON = replicates_module._newton
KEYS = [f"r{i}" for i in range(700)]


def _standard_errors(monkeypatch, order: np.ndarray | None) -> tuple[dict, list]:
    """Every figure's SE of the snapshot's current wave, its cells summed in `order`."""
    made = []

    def newton(rows, target, starts, *rest):
        if order is None or len(order) != len(rows):
            return NEWTON(rows, target, starts, *rest)
        g, met = NEWTON(rows[order], target, starts[:, order], *rest)
        return g[:, np.argsort(order)], met

    def recorded(*args):
        made.append(jackknife(*args))
        return made[-1]

    monkeypatch.setattr(replicates_module, "_newton", newton)
    monkeypatch.setattr(scheme_module, "jackknife", recorded)
    raw = _raw(analyse(made_up_wave(11, 700, KEYS), INDICATORS, SETTINGS))
    monkeypatch.undo()
    return {key: numbers[4] for key, numbers in raw.items() if len(numbers) > 4}, made


def test_standard_errors_do_not_depend_on_the_order_of_the_cells(monkeypatch):
    before, made = _standard_errors(monkeypatch, None)
    (replicates,) = made
    # The wave has two replicates that leave out the only respondent of a margin cell;
    # they are calibrated with the cell merged and converge.
    assert replicates.recalibrated == 2
    assert replicates.converged == len(replicates.left_out)
    cells = len(replicates.rows)
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(cells)
        after, _ = _standard_errors(monkeypatch, order)
        assert after.keys() == before.keys()
        for key, se in before.items():
            # 1e-12 absolute: an SE of 0 (everyone the same) is rounding noise of ~1e-14.
            assert after[key] == pytest.approx(se, rel=1e-9, abs=1e-12, nan_ok=True), key


def test_every_replicate_of_a_wave_meets_its_margins_with_empty_cells_merged(monkeypatch):
    """A replicate that leaves a margin cell without anyone in it meets the margins with
    that cell merged into its margin's largest other cell, also when Newton steps on the
    whole margins settle (ignoring the empty cell) on some weighting that meets the rest:
    which one was rounding's pick, and a village's interval moved with the BLAS kernels."""
    made = []

    def recorded(*args):
        made.append((args, jackknife(*args)))
        return made[-1][1]

    monkeypatch.setattr(scheme_module, "jackknife", recorded)
    analyse(made_up_wave(11, 700, KEYS), INDICATORS, SETTINGS)
    ((_, _, _, margins, *_), replicates) = made[0]
    ones = np.ones(len(replicates.cell))
    merged_somewhere = 0
    for margin in margins:
        codes, population = margin.cells, np.asarray(margin.population)
        totals = np.array(
            [replicates.totals(ones * (codes == k)).every() for k in range(len(population))]
        )  # categories × replicates
        expected = np.repeat(population[:, None], totals.shape[1], axis=1)
        nobody = totals < 1e-9 * population.sum()  # 0 but for the left-out's rounding
        for replicate in np.flatnonzero(nobody.any(axis=0)):
            empty = nobody[:, replicate]
            kept = np.flatnonzero(~empty)
            expected[kept[np.argmax(population[kept])], replicate] += population[empty].sum()
            expected[empty, replicate] = 0.0
            merged_somewhere += 1
        assert totals == pytest.approx(expected, rel=1e-7, abs=1e-6), margin.name
    assert merged_somewhere == 2


def test_a_replicate_without_the_only_respondent_of_a_cell_meets_the_merged_margins():
    """Two strata, an age margin whose cell 2 holds a single respondent: leaving them out,
    the replicate meets the strata and age cell 0 and 1 + 2 merged (1 is the larger)."""
    rng = np.random.default_rng(5)
    n = 120
    strata = np.repeat([0, 1], n // 2)
    people = np.array([3000.0, 2000.0])
    design = (people / np.bincount(strata))[strata]
    age = rng.choice(2, size=n)
    age[7] = 2
    age_people = np.array([2400.0, 2550.0, 50.0])
    margins = [Margin(strata, people, "stratum"), Margin(age, age_people, "age")]
    replicates = jackknife(design, strata, people, margins, (0.3, 3.5), 50, 1e-9)
    assert replicates.converged == n
    assert replicates.recalibrated == 1
    j = int(np.flatnonzero(replicates.left_out == 7)[0])
    ones = np.ones(n)
    totals = [
        replicates.totals(ones * (strata == 0)).every()[j],
        replicates.totals(ones * (age == 0)).every()[j],
        replicates.totals(ones * (age == 1)).every()[j],
    ]
    assert totals == pytest.approx([3000.0, 2400.0, 2600.0], rel=1e-8)


def test_a_replicate_the_bounds_cannot_hold_meets_the_margins_within_wider_ones(monkeypatch):
    """Age cell 2 has two respondents of the same stratum, each weighted 2.5 times: leaving
    either out, the other would need 5 times, beyond 3.5; their replicates are calibrated
    within (0.15, 7), meet the margins, and their SEs do not depend on the order of sums."""
    rng = np.random.default_rng(8)
    n = 100
    strata = np.repeat([0, 1], n // 2)
    people = np.array([2500.0, 2500.0])
    design = (people / np.bincount(strata))[strata]
    age = rng.choice(2, size=n)
    age[[3, 4]] = 2
    age_people = np.bincount(age, weights=design)
    age_people[2] *= 2.5
    age_people[:2] *= (people.sum() - age_people[2]) / age_people[:2].sum()
    margins = [Margin(strata, people, "stratum"), Margin(age, age_people, "age")]
    args = design, strata, people, margins, (0.3, 3.5), 50, 1e-9
    replicates = jackknife(*args)
    assert replicates.converged == n
    assert replicates.recalibrated == 2
    in_cell = replicates.totals(1.0 * (age == 2)).every()
    assert in_cell == pytest.approx(np.full(n, age_people[2]), rel=1e-8)
    y = rng.normal(size=n)
    domains = [np.ones(n), 1.0 * (strata == 0), 1.0 * (age == 1)]
    before = [replicates.variance(replicates.means(y, d)) for d in domains]

    def reversed_cells(rows, target, starts, *rest):
        g, met = NEWTON(rows[::-1], target, starts[:, ::-1], *rest)
        return g[:, ::-1], met

    monkeypatch.setattr(replicates_module, "_newton", reversed_cells)
    again = jackknife(*args)
    after = [again.variance(again.means(y, d)) for d in domains]
    assert after == pytest.approx(before, rel=1e-9)
