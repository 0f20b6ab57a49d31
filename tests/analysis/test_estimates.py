"""Weighted means and shares with their intervals, against R's survey package."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

from analysis.estimates import Design, mean, proportion
from analysis.replicates import jackknife
from analysis.weighting import Margin, calibrate
from tests.analysis.test_weighting import VILLAGES, synthetic_panel
from tests.conftest import skip_or_fail


def calibrated(design, margins, bounds=None, strata=None, people=None) -> Design:
    """The design R gets from calibrate() on svydesign(ids = ~1, strata, fpc, weights)."""
    result = calibrate(design, margins, bounds, epsilon=1e-12)
    assert result.converged
    strata = np.zeros(len(design), dtype=np.int64) if strata is None else strata
    people = np.array([np.inf]) if people is None else people
    return Design.calibrated(design, result.factors, margins, strata, people)


def stratified(margins) -> tuple[np.ndarray, np.ndarray]:
    """Villages as strata: design weights N_v / n_v."""
    villages = margins[0].cells
    return VILLAGES[villages] / np.bincount(villages)[villages], VILLAGES


def answers(seed: int = 11, n: int = 400):
    """A report mark (1-10) and a yes/no answer that lean on village and age."""
    start, margins = synthetic_panel(n=n)
    rng = np.random.default_rng(seed)
    mark = np.clip(
        np.round(6.5 + 0.4 * margins[0].cells - 0.2 * margins[1].cells + rng.normal(0, 1.2, n)),
        1,
        10,
    )
    agree = (rng.random(n) < 0.25 + 0.1 * (margins[1].cells >= 4)).astype(float)
    return start, margins, mark, agree


R_SCRIPT = """
library(survey)
d <- read.csv(file.path(Sys.getenv("WORK"), "panel.csv"))
d$village <- factor(d$village); d$agesex <- factor(d$agesex)
des <- svydesign(ids = ~1, strata = ~village, fpc = ~people, weights = ~w0, data = d)
pop <- c("(Intercept)" = 16425, village1 = 3175, village2 = 2100, village3 = 1200,
         agesex1 = 2500, agesex2 = 3300, agesex3 = 3200, agesex4 = 2400, agesex5 = 2425)
r <- calibrate(des, ~village + agesex, pop, calfun = "logit", bounds = c(0.45, 2.3),
               maxit = 50, epsilon = 1e-12)
m <- svymean(~mark, r)
ci <- confint(m, df = degf(r))
p <- svyciprop(~I(agree == 1), r, method = "beta")
v <- subset(r, village == 2)
vm <- svymean(~mark, v); vci <- confint(vm, df = degf(v))
vp <- svyciprop(~I(agree == 1), v, method = "beta")
out <- list(mean = unname(coef(m)), se = unname(SE(m)), low = ci[1], high = ci[2],
            p = unname(coef(p)), p_se = unname(sqrt(attr(p, "var"))),
            p_low = unname(confint(p)[1]), p_high = unname(confint(p)[2]),
            v_mean = unname(coef(vm)), v_se = unname(SE(vm)), v_low = vci[1], v_high = vci[2],
            v_p = unname(coef(vp)), v_p_low = unname(confint(vp)[1]),
            v_p_high = unname(confint(vp)[2]))
writeLines(sprintf('{"%s": %.17g}', names(out), unlist(out)),
           file.path(Sys.getenv("WORK"), "out.txt"))
"""


def test_the_same_estimates_and_intervals_as_r_survey(tmp_path):
    """svymean with confint on degf() (n − 4 strata), and svyciprop(method = "beta"), on
    villages as strata with fpc, calibrated within bounds (0.45, 2.3) that bind."""
    if shutil.which("Rscript") is None:
        skip_or_fail("r", "Rscript not found (apt-get install r-cran-survey)")
    _, margins, mark, agree = answers()
    start, people = stratified(margins)
    with open(tmp_path / "panel.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["village", "agesex", "w0", "people", "mark", "agree"])
        rows = zip(margins[0].cells, margins[1].cells, start.tolist(), mark, agree, strict=True)
        writer.writerows((v, a, repr(w), people[v], y, z) for v, a, w, y, z in rows)
    subprocess.run(
        ["Rscript", "-e", R_SCRIPT],
        check=True,
        capture_output=True,
        env={**os.environ, "WORK": str(tmp_path)},
        timeout=120,
    )
    r = {}
    for line in (tmp_path / "out.txt").read_text().splitlines():
        r.update(json.loads(line))
    free = calibrate(start, margins).factors
    assert free.min() < 0.45 and free.max() > 2.3  # the bounds change the weights
    design = calibrated(start, margins, (0.45, 2.3), margins[0].cells, people)
    m = mean(mark, design)
    p = proportion(agree, design)
    assert [m.value, m.standard_error, m.low, m.high] == pytest.approx(
        [r["mean"], r["se"], r["low"], r["high"]], rel=1e-7
    )
    assert [p.value, p.standard_error, p.low, p.high] == pytest.approx(
        [r["p"], r["p_se"], r["p_low"], r["p_high"]], rel=1e-7
    )
    # One village (a domain): R's svymean and svyciprop on subset(design, village == 2).
    village = margins[0].cells == 2
    vm = mean(mark, design, domain=village)
    vp = proportion(agree, design, domain=village)
    assert [vm.value, vm.standard_error, vm.low, vm.high] == pytest.approx(
        [r["v_mean"], r["v_se"], r["v_low"], r["v_high"]], rel=1e-7
    )
    assert [vp.value, vp.low, vp.high] == pytest.approx(
        [r["v_p"], r["v_p_low"], r["v_p_high"]], rel=1e-7
    )
    assert vm.n == int(village.sum())


def test_equal_weights_give_the_plain_mean_and_its_standard_error():
    values = np.array([6.0, 7.0, 8.0, 9.0, 5.0])
    estimate = mean(values, Design.simple(np.ones(5)))
    assert estimate.value == pytest.approx(7.0)
    assert estimate.standard_error == pytest.approx(values.std(ddof=1) / np.sqrt(5))
    assert estimate.effective_n == pytest.approx(5)


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_shares_of_none_and_all_have_an_interval(share):
    estimate = proportion(np.full(20, share), Design.simple(np.ones(20)))
    assert estimate.value == share
    assert 0.0 <= estimate.low <= estimate.high <= 1.0
    assert (estimate.low, estimate.high) != (0.0, 1.0)
    # Clopper-Pearson for 0 of 20: upper limit 1 - 0.025 ** (1 / 20)
    edge = 1 - 0.025 ** (1 / 20)
    assert (estimate.high if share == 0 else 1 - estimate.low) == pytest.approx(edge)


@pytest.mark.parametrize("n", [12, 30])
@pytest.mark.parametrize("p", [0.1, 0.2, 0.3, 0.4, 0.5])
def test_share_intervals_cover_at_least_94_percent(n, p):
    """Exact coverage over every possible count of yes-answers (the limit of a simulation
    with infinitely many draws) for a simple random sample of n."""
    from scipy import stats

    covered = 0.0
    for hits in range(n + 1):
        estimate = proportion(
            np.array([1.0] * hits + [0.0] * (n - hits)), Design.simple(np.ones(n))
        )
        if estimate.low <= p <= estimate.high:
            covered += stats.binom.pmf(hits, n, p)
    assert covered >= 0.94


def test_a_simulation_of_10000_panels_of_12_covers_too():
    rng = np.random.default_rng(2026)
    n, p, draws = 12, 0.3, 10_000
    counts = rng.binomial(n, p, size=draws)
    intervals = {
        hits: proportion(np.array([1.0] * hits + [0.0] * (n - hits)), Design.simple(np.ones(n)))
        for hits in range(n + 1)
    }
    covered = sum(intervals[c].low <= p <= intervals[c].high for c in counts)
    assert covered / draws >= 0.94


API_SCRIPT = """
suppressMessages(library(survey))
data(api)
d <- apisrs[, c("stype", "sch.wide", "api00", "pw")]
d$high <- as.numeric(d$api00 > 700)
write.csv(d, file.path(Sys.getenv("WORK"), "apisrs.csv"), row.names = FALSE)
ps <- as.data.frame(table(stype = apipop$stype))
pw <- as.data.frame(table(sch.wide = apipop$sch.wide))
write.csv(ps, file.path(Sys.getenv("WORK"), "stype.csv"), row.names = FALSE)
write.csv(pw, file.path(Sys.getenv("WORK"), "schwide.csv"), row.names = FALSE)
des <- svydesign(ids = ~1, weights = ~pw, data = d)
r <- calibrate(des, list(~stype, ~sch.wide), list(ps, pw), calfun = "raking",
               epsilon = 1e-12)
m <- svymean(~api00, r); ci <- confint(m, df = degf(r))
p <- svyciprop(~I(high == 1), r, method = "beta")
write.csv(data.frame(w = weights(r)), file.path(Sys.getenv("WORK"), "weights.csv"),
          row.names = FALSE)
out <- c(mean = unname(coef(m)), se = unname(SE(m)), low = ci[1], high = ci[2],
         p = unname(coef(p)), p_se = unname(sqrt(attr(p, "var"))),
         p_low = unname(confint(p)[1]), p_high = unname(confint(p)[2]))
writeLines(sprintf("%s %.17g", names(out), out), file.path(Sys.getenv("WORK"), "out.txt"))
"""


def test_golden_values_from_r_api_example(tmp_path):
    """R's own `api` data (the simple random sample of California schools), calibrated
    (raking) to the population's school types and to sch.wide, exported from R now."""
    if shutil.which("Rscript") is None:
        skip_or_fail("r", "Rscript not found (apt-get install r-cran-survey)")
    subprocess.run(
        ["Rscript", "-e", API_SCRIPT],
        check=True,
        capture_output=True,
        env={**os.environ, "WORK": str(tmp_path)},
        timeout=120,
    )

    def rows(name):
        with open(tmp_path / name) as file:
            return list(csv.DictReader(file))

    schools = rows("apisrs.csv")
    r = dict(line.split() for line in (tmp_path / "out.txt").read_text().splitlines())
    margins = []
    for column, file in (("stype", "stype.csv"), ("sch.wide", "schwide.csv")):
        population = rows(file)
        levels = [row[column] for row in population]
        margins.append(
            Margin(
                np.array([levels.index(school[column]) for school in schools]),
                np.array([float(row["Freq"]) for row in population]),
            )
        )
    start = np.array([float(school["pw"]) for school in schools])
    design = calibrated(start, margins)
    r_weights = np.array([float(row["w"]) for row in rows("weights.csv")])
    np.testing.assert_allclose(design.weights, r_weights, rtol=1e-7)
    m = mean(np.array([float(s["api00"]) for s in schools]), design)
    scoring_high = np.array([float(s["high"]) for s in schools])  # api00 above 700
    p = proportion(scoring_high, design)
    expected = [float(r[key]) for key in ("mean", "se", "low", "high")]
    assert [m.value, m.standard_error, m.low, m.high] == pytest.approx(expected, rel=1e-7)
    assert [p.value, p.standard_error, p.low, p.high] == pytest.approx(
        [float(r[key]) for key in ("p", "p_se", "p_low", "p_high")], rel=1e-7
    )


def test_a_share_the_calibration_fixed_still_gets_an_interval():
    """The share of a margin's own cell has no sampling variance left; R's beta interval is
    then undefined (NaN). Ours falls back to Kish's effective n."""
    start, margins = synthetic_panel()
    first_village = (margins[0].cells == 0).astype(float)
    estimate = proportion(first_village, calibrated(start, margins))
    assert estimate.value == pytest.approx(9950 / 16425)
    assert 0 < estimate.low < estimate.value < estimate.high < 1


def test_the_finite_population_correction_shrinks_a_hamlets_variance():
    """7 of a hamlet's 28 adults answer: the variance is (1 − 7/28) of the one without it."""
    rng = np.random.default_rng(4)
    values = rng.integers(1, 11, 7).astype(float)
    weights = np.full(7, 4.0)
    strata = np.zeros(7, dtype=np.int64)
    corrected = Design(weights, strata, np.array([28.0]))
    assert mean(values, corrected).standard_error == pytest.approx(
        np.sqrt(0.75) * mean(values, Design.simple(weights)).standard_error
    )
    assert mean(values, Design(weights, strata, np.array([7.0]))).standard_error == 0


def test_degrees_of_freedom_are_respondents_less_strata():
    design = Design(np.ones(10), np.repeat([0, 1], 5), np.array([50.0, 50.0]))
    assert design.degf(np.ones(10, dtype=bool)) == 8
    assert design.degf(np.arange(10) < 3) == 2


JKN_SCRIPT = """
library(survey)
d <- read.csv(file.path(Sys.getenv("WORK"), "panel.csv"))
d$village <- factor(d$village); d$agesex <- factor(d$agesex)
des <- svydesign(ids = ~1, strata = ~village, fpc = ~people, weights = ~w0, data = d)
pop <- c("(Intercept)" = 16425, village1 = 3175, village2 = 2100, village3 = 1200,
         agesex1 = 2500, agesex2 = 3300, agesex3 = 3200, agesex4 = 2400, agesex5 = 2425)
r <- calibrate(as.svrepdesign(des, type = "JKn"), ~village + agesex, pop, calfun = "logit",
               bounds = c(0.45, 2.6), maxit = 50, epsilon = 1e-9)
r <- subset(r, !is.na(mark))  # as every figure: those who answered (here everyone)
m <- svymean(~mark, r)
ci <- confint(m, df = degf(r))
p <- svyciprop(~I(agree == 1), r, method = "beta")
v <- subset(r, village == 2)
vm <- svymean(~mark, v); vci <- confint(vm, df = degf(v))
vp <- svyciprop(~I(agree == 1), v, method = "beta")
out <- list(mean = unname(coef(m)), se = unname(SE(m)), low = ci[1], high = ci[2],
            df = degf(r), v_df = degf(v),
            p = unname(coef(p)), p_se = unname(sqrt(attr(p, "var"))),
            p_low = unname(confint(p)[1]), p_high = unname(confint(p)[2]),
            v_mean = unname(coef(vm)), v_se = unname(SE(vm)), v_low = vci[1], v_high = vci[2],
            v_p = unname(coef(vp)), v_p_low = unname(confint(vp)[1]),
            v_p_high = unname(confint(vp)[2]))
writeLines(sprintf('{"%s": %.17g}', names(out), unlist(out)),
           file.path(Sys.getenv("WORK"), "out.txt"))
"""


def test_the_calibrated_jackknife_as_r_survey(tmp_path):
    """R's calibrate(as.svrepdesign(design, type = "JKn"), ..., calfun = "logit", bounds)
    with fpc: every replicate calibrated again within the bounds; svymean, confint on
    degf(), svyciprop(method = "beta"), for the whole and for one village."""
    if shutil.which("Rscript") is None:
        skip_or_fail("r", "Rscript not found (apt-get install r-cran-survey)")
    _, margins, mark, agree = answers()
    start, people = stratified(margins)
    with open(tmp_path / "panel.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["village", "agesex", "w0", "people", "mark", "agree"])
        rows = zip(margins[0].cells, margins[1].cells, start.tolist(), mark, agree, strict=True)
        writer.writerows((v, a, repr(w), people[v], y, z) for v, a, w, y, z in rows)
    subprocess.run(
        ["Rscript", "-e", JKN_SCRIPT],
        check=True,
        capture_output=True,
        env={**os.environ, "WORK": str(tmp_path)},
        timeout=120,
    )
    r = {}
    for line in (tmp_path / "out.txt").read_text().splitlines():
        r.update(json.loads(line))
    bounds, strata = (0.45, 2.6), margins[0].cells
    result = calibrate(start, margins, bounds, epsilon=1e-12)
    replicates = jackknife(start, strata, people, margins, bounds, 50, 1e-9)
    assert replicates.converged == len(mark)  # R's failed replicates follow its own path
    assert calibrate(start, margins).factors.min() < 0.45  # the bounds change the weights
    design = Design.calibrated(start, result.factors, margins, strata, people, replicates)
    m, p = mean(mark, design), proportion(agree, design)
    village = strata == 2
    vm, vp = mean(mark, design, domain=village), proportion(agree, design, domain=village)
    assert [design.degf(np.ones(len(mark), bool)), design.degf(village)] == [r["df"], r["v_df"]]
    got = [m.value, m.standard_error, m.low, m.high, p.value, p.standard_error, p.low, p.high]
    want = ["mean", "se", "low", "high", "p", "p_se", "p_low", "p_high"]
    assert got == pytest.approx([r[k] for k in want], rel=1e-7)
    got = [vm.value, vm.standard_error, vm.low, vm.high, vp.value, vp.low, vp.high]
    want = ["v_mean", "v_se", "v_low", "v_high", "v_p", "v_p_low", "v_p_high"]
    assert got == pytest.approx([r[k] for k in want], rel=1e-7)
