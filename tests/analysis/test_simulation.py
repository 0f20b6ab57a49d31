"""The published figures are honest under the panel's own designs: a smaller, fixed-seed run
of bench/simulate_weighting.py (which draws 1,000 panels per design and prints the figures).

A fixed population of Midden-Drenthe's adults answers a mark and a yes/no question that
depend on village and age; panels are drawn under the recruitment design (about 17 per
village) and a proportional one with a floor, older people responding more. Goals (issue 16,
docs/methods.md): weights that converge (here: at least 97% of waves), bias of the
municipal and village means within 0.25 SE, 95% intervals that hold the truth in 93% to 97%
of the panels (village shares: up to 99%, Korn–Graubard being conservative at small n).
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.pipeline import MUNICIPALITY, VILLAGE
from bench.simulate_weighting import DESIGNS, build_population, settings, simulate, summarise

#: Panels per design. A panel takes about 0.25 s to weigh (with its jackknife) and estimate
#: on one core, so 2 × 40 panels is what fits in about 30 s.
REPLICATES = 40
SEED = 16
BIAS, LOW, HIGH = 0.25, 0.93, 0.97
#: At least this share of the waves must converge (the benchmark: 99.5% of 1,000).
CONVERGED = 0.97
#: What 40 panels cannot tell apart, so the goals get this much room here (the benchmark's
#: 1,000 panels check the goals themselves, see docs/methods.md):
#: - a bias over 40 panels wanders by 1/sqrt(40) = 0.16 SE: room of 2.5 of those (0.4 SE)
#:   for the municipality, where there is one mean per design and indicator. Over the 33
#:   villages the average bias wanders by 0.16/sqrt(33) = 0.03 SE: no room needed; the worst
#:   village gets the room of 3.5 × 0.16 (the largest of 33 deviations);
#: - a coverage of 95% over 160 municipal intervals (40 panels × 2 designs × 2 indicators)
#:   wanders by 1.7 points. So the municipal intervals are pooled, and the window gets 2
#:   points on either side. The price: a design at 88% beside one at 95% could pass here;
#:   the benchmark shows each. Over the villages (40 × 33 = 1,320 intervals per design and
#:   indicator) coverage wanders by 0.6 points: room of 1 point. Village shares: the
#:   Korn–Graubard interval is conservative at 8-17 respondents (98% in the benchmark; see
#:   docs/methods.md), so their window's top is 99%.
NOISE = 1 / np.sqrt(REPLICATES)
MUNICIPAL_BIAS = BIAS + 2.5 * NOISE
WORST_VILLAGE_BIAS = BIAS + 3.5 * NOISE
MUNICIPAL_COVERAGE = (LOW - 0.02, HIGH + 0.02)
VILLAGE_COVERAGE = (LOW - 0.01, HIGH + 0.01)
VILLAGE_SHARE_COVERAGE = (LOW - 0.01, 0.99)
CODES = ("cijfer", "verhuizen")
NOTHING_PUBLISHED = "no wave's weights converged, so no figure would be published"


@pytest.fixture(scope="module")
def population():
    return build_population()


@pytest.fixture(scope="module")
def outcomes(population):
    return {
        design: simulate(population, design, REPLICATES, SEED, settings()) for design in DESIGNS
    }


@pytest.mark.parametrize("design", DESIGNS)
def test_every_wave_is_weighted_to_its_margins(outcomes, design):
    """Weights that miss the margins are never published: a design the panel uses must
    give weights that meet them."""
    converged = outcomes[design].converged
    share = np.mean(converged)
    assert share >= CONVERGED, f"{converged.count(False)} of {len(converged)} did not converge"


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("code", CODES)
def test_municipal_means_are_unbiased(outcomes, population, design, code):
    municipal = summarise(outcomes[design], population.truth(), MUNICIPALITY, code)
    assert municipal.intervals, NOTHING_PUBLISHED
    assert abs(municipal.bias_in_se) <= MUNICIPAL_BIAS, municipal


def test_municipal_intervals_hold_the_truth_19_times_in_20(outcomes, population):
    truth = population.truth()
    summaries = {
        (design, code): summarise(outcomes[design], truth, MUNICIPALITY, code)
        for design in DESIGNS
        for code in CODES
    }
    assert all(s.intervals for s in summaries.values()), NOTHING_PUBLISHED
    covered = sum(s.coverage * s.intervals for s in summaries.values())
    coverage = covered / sum(s.intervals for s in summaries.values())
    low, high = MUNICIPAL_COVERAGE
    assert low <= coverage <= high, {key: s.coverage for key, s in summaries.items()}


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("code", CODES)
def test_village_means_are_unbiased_and_their_intervals_honest(outcomes, population, design, code):
    villages = summarise(outcomes[design], population.truth(), VILLAGE, code)
    assert villages.intervals, NOTHING_PUBLISHED
    assert abs(villages.bias_in_se) <= BIAS, villages
    assert abs(villages.worst_bias_in_se) <= WORST_VILLAGE_BIAS, villages
    low, high = VILLAGE_COVERAGE if code == "cijfer" else VILLAGE_SHARE_COVERAGE
    assert low <= villages.coverage <= high, villages
