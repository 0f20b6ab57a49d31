"""Calibration against R's survey::calibrate() on the same data, and its properties."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.weighting import (
    EmptyCell,
    Margin,
    calibrate,
    effective_sample_size,
    weighting_effect,
)
from tests.conftest import skip_or_fail

VILLAGES = np.array([9950.0, 3175.0, 2100.0, 1200.0])
AGE_SEX = np.array([2600.0, 2500.0, 3300.0, 3200.0, 2400.0, 2425.0])


def synthetic_panel(seed: int = 7, n: int = 400):
    """Respondents in 4 villages and 6 age-band × sex cells, older people over-represented;
    design weights N / n for the municipality."""
    rng = np.random.default_rng(seed)
    village = rng.choice(4, size=n, p=[0.5, 0.25, 0.15, 0.10])
    age_sex = rng.choice(6, size=n, p=[0.08, 0.08, 0.14, 0.14, 0.28, 0.28])
    margins = [Margin(village, VILLAGES, "village"), Margin(age_sex, AGE_SEX, "age_sex")]
    return np.full(n, VILLAGES.sum() / n), margins


def test_margins_are_reproduced_and_convergence_is_reported():
    design, margins = synthetic_panel()
    result = calibrate(design, margins)
    assert result.converged and result.iterations < 10 and result.worst_gap < 1e-9
    for margin in margins:
        np.testing.assert_allclose(margin.totals(result.weights), margin.population, rtol=1e-9)
    too_few = calibrate(design, margins, max_iterations=1)
    assert not too_few.converged and too_few.worst_gap > 1e-9


def test_bounds_hold_relative_to_the_design_weights_and_are_said_to_bind():
    design, margins = synthetic_panel()
    design = design * (1 + 0.2 * (margins[1].cells >= 4))  # unequal design weights
    free = calibrate(design, margins)
    bounded = calibrate(design, margins, bounds=(0.4, 2.5))
    assert free.factors.min() < 0.3 and free.factors.max() > 2.9
    assert bounded.converged and bounded.bounds_bind
    assert bounded.factors.min() > 0.4 and bounded.factors.max() < 2.5
    np.testing.assert_allclose(bounded.weights / design, bounded.factors)


def test_margins_the_bounds_do_not_allow_are_reported_cell_by_cell():
    design, margins = synthetic_panel()
    result = calibrate(design, margins, bounds=(0.9, 1.1))
    assert not result.converged and result.worst_gap > 0.01
    assert [(gap.margin, gap.cell) for gap in result.gaps][:2] == [
        ("village", "0"),
        ("village", "1"),
    ]
    worst = max(result.gaps, key=lambda gap: abs(gap.relative))
    assert worst.relative == pytest.approx(worst.weighted / worst.population - 1)
    assert abs(worst.relative) == result.worst_gap


def test_a_cell_without_respondents_is_an_error_not_a_silent_zero():
    design, margins = synthetic_panel(n=30)
    margins[0] = Margin(margins[0].cells % 3, margins[0].population, "village")
    with pytest.raises(EmptyCell, match="village"):
        calibrate(design, margins)


def test_bounds_must_hold_1():
    design, margins = synthetic_panel()
    with pytest.raises(ValueError):
        calibrate(design, margins, bounds=(1.2, 3.0))


def test_kish_effective_sample_size_and_weighting_effect():
    assert effective_sample_size(np.ones(50)) == 50
    assert effective_sample_size(np.array([1.0, 3.0])) == pytest.approx(16 / 10)
    assert weighting_effect(np.array([1.0, 3.0])) == pytest.approx(2 / 1.6)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=40, max_value=300))
@example(3915, 55)  # unreachable margins: factors at the bound, never an ulp beyond
def test_calibration_reproduces_margins_on_random_panels(seed, n):
    design, margins = synthetic_panel(seed, n)
    if any(np.bincount(m.cells, minlength=len(m.population)).min() == 0 for m in margins):
        return  # an empty cell is refused, tested above
    for bounds in (None, (0.3, 3.5)):
        result = calibrate(design, margins, bounds)
        gaps = [np.max(np.abs(m.totals(result.weights) / m.population - 1)) for m in margins]
        assert result.worst_gap == pytest.approx(max(gaps), rel=1e-6, abs=1e-12)
        if result.converged:
            assert result.worst_gap < 1e-8
        assert np.all(result.weights > 0)
        if bounds:
            assert np.all((result.factors >= 0.3) & (result.factors <= 3.5))


R_SCRIPT = """
library(survey)
work <- Sys.getenv("WORK")
d <- read.csv(file.path(work, "panel.csv"))
d$village <- factor(d$village); d$agesex <- factor(d$agesex)
des <- svydesign(ids = ~1, weights = ~w0, data = d)
pop <- c("(Intercept)" = 16425, village1 = 3175, village2 = 2100, village3 = 1200,
         agesex1 = 2500, agesex2 = 3300, agesex3 = 3200, agesex4 = 2400, agesex5 = 2425)
logit <- calibrate(des, ~village + agesex, pop, calfun = "logit", bounds = c(0.4, 2.5),
                   maxit = 50, epsilon = 1e-12)
raking <- rake(des, list(~village, ~agesex),
               list(data.frame(village = factor(0:3), Freq = c(9950, 3175, 2100, 1200)),
                    data.frame(agesex = factor(0:5),
                               Freq = c(2600, 2500, 3300, 3200, 2400, 2425))),
               control = list(maxit = 500, epsilon = 1e-13))
write.csv(data.frame(logit = weights(logit), raking = weights(raking)),
          file.path(work, "weights.csv"), row.names = FALSE)
"""


def test_the_same_weights_as_r_survey_calibrate_and_rake(tmp_path):
    """R's calibrate(calfun = "logit") with bounds that bind, and rake() for the unbounded
    case, on the same respondents, run now with Debian's r-cran-survey (`.ci/run` installs
    it); agreement to 1e-7 relative."""
    if shutil.which("Rscript") is None:
        skip_or_fail("r", "Rscript not found (apt-get install r-cran-survey)")
    design, margins = synthetic_panel()
    design = design * (1 + 0.2 * (margins[1].cells >= 4))
    with open(tmp_path / "panel.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["village", "agesex", "w0"])
        rows = zip(margins[0].cells, margins[1].cells, design.tolist(), strict=True)
        writer.writerows((v, a, repr(w)) for v, a, w in rows)
    subprocess.run(
        ["Rscript", "-e", R_SCRIPT],
        check=True,
        capture_output=True,
        env={**os.environ, "WORK": str(tmp_path)},
        timeout=120,
    )
    with open(tmp_path / "weights.csv") as file:
        r = list(csv.DictReader(file))
    bounded = calibrate(design, margins, (0.4, 2.5), epsilon=1e-12)
    assert bounded.bounds_bind
    np.testing.assert_allclose(bounded.weights, [float(row["logit"]) for row in r], rtol=1e-7)
    free = calibrate(design, margins, epsilon=1e-12)
    np.testing.assert_allclose(free.weights, [float(row["raking"]) for row in r], rtol=1e-7)
