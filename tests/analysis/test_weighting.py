"""Raking against R's survey::rake() on the same data, and its properties."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.weighting import (
    EmptyCell,
    Margin,
    design_effect,
    effective_sample_size,
    rake,
)
from tests.conftest import skip_or_fail


def synthetic_panel(seed: int = 7, n: int = 400):
    """Respondents in 4 villages and 6 age-band × sex cells, older people over-represented."""
    rng = np.random.default_rng(seed)
    village = rng.choice(4, size=n, p=[0.5, 0.25, 0.15, 0.10])
    age_sex = rng.choice(6, size=n, p=[0.08, 0.08, 0.14, 0.14, 0.28, 0.28])
    villages = Margin(village, np.array([9950.0, 3175.0, 2100.0, 1200.0]))
    age_sexes = Margin(age_sex, np.array([2600.0, 2500.0, 3300.0, 3200.0, 2400.0, 2425.0]))
    return np.ones(n), [villages, age_sexes]


def test_margins_are_reproduced_and_convergence_is_reported():
    start, margins = synthetic_panel()
    result = rake(start, margins)
    assert result.converged and result.iterations < 100 and result.worst_gap < 1e-8
    for margin in margins:
        np.testing.assert_allclose(margin.totals(result.weights), margin.population, rtol=1e-8)
    too_few = rake(start, margins, max_iterations=1)
    assert not too_few.converged and too_few.worst_gap > 1e-8


def test_bounds_are_applied_and_said_to_bind():
    start, margins = synthetic_panel()
    design = start * margins[0].population.sum() / len(start)  # N / n each
    within = rake(design, margins, bounds=(0.3, 3.5))
    assert within.converged and not within.bounds_bind
    ratio = within.weights / design
    assert ratio.min() >= 0.3 and ratio.max() <= 3.5
    # From weights of 1 the totals are out of reach within 3.5 times: said, not hidden.
    unreachable = rake(start, margins, bounds=(0.3, 3.5))
    assert unreachable.bounds_bind and not unreachable.converged
    assert np.max(unreachable.weights / start) <= 3.5


def test_a_cell_without_respondents_is_an_error_not_a_silent_zero():
    start, margins = synthetic_panel(n=30)
    margins[0] = Margin(margins[0].cells % 3, margins[0].population)  # village 3 unreached
    with pytest.raises(EmptyCell):
        rake(start, margins)


def test_kish_effective_sample_size():
    assert effective_sample_size(np.ones(50)) == 50
    assert effective_sample_size(np.array([1.0, 3.0])) == pytest.approx(16 / 10)
    assert design_effect(np.array([1.0, 3.0])) == pytest.approx(2 / 1.6)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=40, max_value=300))
def test_raking_reproduces_margins_on_random_panels(seed, n):
    start, margins = synthetic_panel(seed, n)
    if any(np.bincount(m.cells, minlength=len(m.population)).min() == 0 for m in margins):
        return  # an empty cell is refused, tested above
    result = rake(start, margins)
    # Small panels can have margins no weights reach together (a village whose only
    # respondents are alone in their age cell): then raking says so.
    gaps = [np.max(np.abs(m.totals(result.weights) / m.population - 1)) for m in margins]
    assert result.worst_gap == pytest.approx(max(gaps), rel=1e-6, abs=1e-12)
    assert result.converged == (result.worst_gap < 1e-8)
    assert np.all(result.weights > 0)


R_SCRIPT = """
library(survey)
d <- read.csv(file.path(Sys.getenv("WORK"), "panel.csv"))
d$village <- factor(d$village); d$agesex <- factor(d$agesex)
des <- svydesign(ids = ~1, weights = ~w0, data = d)
pv <- data.frame(village = factor(0:3), Freq = c(9950, 3175, 2100, 1200))
pa <- data.frame(agesex = factor(0:5), Freq = c(2600, 2500, 3300, 3200, 2400, 2425))
r <- rake(des, list(~village, ~agesex), list(pv, pa),
          control = list(maxit = 100, epsilon = 1e-8))
write.csv(data.frame(w = weights(r)), file.path(Sys.getenv("WORK"), "weights.csv"),
          row.names = FALSE)
"""


def test_the_same_weights_as_r_survey_rake(tmp_path):
    """R's own rake() on the same respondents and margins, run now with Debian's
    r-cran-survey (`.ci/run` installs it); agreement to 1e-6 relative."""
    if shutil.which("Rscript") is None:
        skip_or_fail("r", "Rscript not found (apt-get install r-cran-survey)")
    start, margins = synthetic_panel()
    with open(tmp_path / "panel.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["village", "agesex", "w0"])
        writer.writerows(zip(margins[0].cells, margins[1].cells, start, strict=True))
    subprocess.run(
        ["Rscript", "-e", R_SCRIPT],
        check=True,
        capture_output=True,
        env={**os.environ, "WORK": str(tmp_path)},
        timeout=120,
    )
    with open(tmp_path / "weights.csv") as file:
        r_weights = np.array([float(row["w"]) for row in csv.DictReader(file)])
    np.testing.assert_allclose(rake(start, margins).weights, r_weights, rtol=1e-6)
