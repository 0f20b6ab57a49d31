"""Differences of weighted means (an area against the rest, a wave against the previous one)
against R's survey package, and the Benjamini–Hochberg procedure against scipy."""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import subprocess
from dataclasses import astuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.comparisons import Difference, Side, benjamini_hochberg, change, versus_rest
from analysis.estimates import Design, mean
from analysis.replicates import jackknife
from analysis.weighting import Margin, calibrate
from tests.analysis.test_estimates import answers, calibrated, stratified
from tests.analysis.test_weighting import synthetic_panel
from tests.conftest import skip_or_fail

#: One script for both comparisons: rows.csv holds the respondents (one row per respondent
#: and wave when waves are stacked), with flags a and b for the two domains compared;
#: m1.csv and m2.csv the population per cell of the two margins. With STRATA set, m1 (the
#: village) is the stratum and `people` its fpc.
R_SCRIPT = """
suppressMessages(library(survey))
work <- Sys.getenv("WORK")
d <- read.csv(file.path(work, "rows.csv"),
              colClasses = c(respondent = "character", m1 = "character", m2 = "character"))
d$m1 <- factor(d$m1); d$m2 <- factor(d$m2)
for (v in c("mark", "agree")) {
  d[[paste0(v, "_a")]] <- ifelse(d$a == 1, d[[v]], 0)
  d[[paste0(v, "_b")]] <- ifelse(d$b == 1, d[[v]], 0)
}
pop <- NULL
for (name in c("m1", "m2")) {
  p <- read.csv(file.path(work, paste0(name, ".csv")), colClasses = c(cell = "character"))
  cells <- levels(d[[name]])
  if (is.null(pop)) pop <- c("(Intercept)" = sum(p$Freq))
  pop <- c(pop, setNames(p$Freq[match(cells[-1], p$cell)], paste0(name, cells[-1])))
}
ids <- as.formula(Sys.getenv("IDS"))
des <- if (Sys.getenv("STRATA") == "") svydesign(ids = ids, weights = ~w0, data = d) else
  svydesign(ids = ids, strata = ~m1, fpc = ~people, weights = ~w0, data = d)
bounds <- as.numeric(strsplit(Sys.getenv("BOUNDS"), ",")[[1]])
jkn <- Sys.getenv("JKN") != ""
if (jkn) des <- as.svrepdesign(des, type = "JKn")
r <- calibrate(des, ~m1 + m2, pop, calfun = "logit", bounds = bounds, maxit = 50,
               epsilon = 1e-12)
s <- subset(r, a == 1 | b == 1)
df <- degf(s)
out <- c(df = df)
for (v in c("mark", "agree")) {
  t <- svytotal(as.formula(sprintf("~%s_a + a + %s_b + b", v, v)), s,
                return.replicates = jkn)
  k <- svycontrast(t, parse(text = sprintf("%s_a/a - %s_b/b", v, v))[[1]])
  ci <- confint(k, df = df)
  est <- unname(coef(k)); se <- unname(SE(k))
  out[paste0(v, c("_value", "_se", "_low", "_high", "_p"))] <-
    c(est, se, ci[1], ci[2], 2 * pt(-abs(est / se), df))
}
writeLines(sprintf("%s %.17g", names(out), out), file.path(work, "out.txt"))
"""


def run_r(
    tmp_path, ids: str, rows: dict, margins: dict, bounds, strata: bool = False, jkn=False
) -> dict[str, float]:
    """R's answer for rows (columns respondent, m1, m2, w0, a, b, mark, agree; NaN is NA)
    calibrated to margins ({"m1": {cell: people}, "m2": …}) on a design with `ids`."""
    if shutil.which("Rscript") is None:
        skip_or_fail("r", "Rscript not found (apt-get install r-cran-survey)")

    def text(value) -> str:
        if isinstance(value, str):
            return value
        return "NA" if np.isnan(value) else repr(float(value))

    with open(tmp_path / "rows.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(rows)
        writer.writerows([text(value) for value in row] for row in zip(*rows.values(), strict=True))
    for name, cells in margins.items():
        with open(tmp_path / f"{name}.csv", "w", newline="") as out:
            csv.writer(out).writerows([("cell", "Freq"), *cells.items()])
    subprocess.run(
        ["Rscript", "-e", R_SCRIPT],
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "WORK": str(tmp_path),
            "IDS": ids,
            "STRATA": "1" if strata else "",
            "BOUNDS": ",".join(map(str, bounds)),
            "JKN": "1" if jkn else "",
        },
        timeout=120,
    )
    lines = (tmp_path / "out.txt").read_text().splitlines()
    return {name: float(value) for name, value in (line.split() for line in lines)}


def as_r(difference: Difference) -> list[float]:
    """value, standard error, low, high, p-value, df: the order of expected()."""
    return list(astuple(difference))


def expected(r: dict[str, float], variable: str) -> list[float]:
    keys = ("value", "se", "low", "high", "p")
    return [r[f"{variable}_{key}"] for key in keys] + [r["df"]]


def population(margin: Margin, prefix: str = "") -> dict[str, float]:
    return {f"{prefix}{cell}": people for cell, people in enumerate(margin.population)}


def test_an_area_against_the_rest_as_r_svycontrast(tmp_path):
    """svycontrast(svytotal(~ya + a + yb + b, s), quote(ya/a - yb/b)) on
    s <- subset(calibrated, answered), with the t-interval and t-test on degf(s): villages
    as strata with fpc, calibrated within bounds that bind."""
    _, margins, mark, agree = answers()
    start, people = stratified(margins)
    rng = np.random.default_rng(5)
    answered = rng.random(len(start)) < 0.9
    inside = margins[0].cells == 2
    mark, agree = np.where(answered, mark, np.nan), np.where(answered, agree, np.nan)
    rows = {
        "respondent": [str(i) for i in range(len(start))],
        "m1": [str(c) for c in margins[0].cells],
        "m2": [str(c) for c in margins[1].cells],
        "w0": start,
        "people": people[margins[0].cells],
        "a": (inside & answered).astype(float),
        "b": (~inside & answered).astype(float),
        "mark": mark,
        "agree": agree,
    }
    totals = {"m1": population(margins[0]), "m2": population(margins[1])}
    r = run_r(tmp_path, "~1", rows, totals, (0.45, 2.3), strata=True)
    design = calibrated(start, margins, (0.45, 2.3), margins[0].cells, people)
    for variable, values in (("mark", mark), ("agree", agree)):
        ours = versus_rest(values, design, inside, answered)
        assert as_r(ours) == pytest.approx(expected(r, variable), rel=1e-7), variable
        assert ours.p_value < 1  # a real test, not a degenerate one


def test_an_area_against_the_rest_with_the_calibrated_jackknife_as_r(tmp_path):
    """The same contrast on R's calibrate(as.svrepdesign(design, type = "JKn"), ...):
    svytotal(..., return.replicates = TRUE), so svycontrast takes each replicate's
    difference; degf(s) of the subset of those who answered."""
    _, margins, mark, agree = answers()
    start, people = stratified(margins)
    rng = np.random.default_rng(5)
    answered = rng.random(len(start)) < 0.9
    inside = margins[0].cells == 2
    mark, agree = np.where(answered, mark, np.nan), np.where(answered, agree, np.nan)
    rows = {
        "respondent": [str(i) for i in range(len(start))],
        "m1": [str(c) for c in margins[0].cells],
        "m2": [str(c) for c in margins[1].cells],
        "w0": start,
        "people": people[margins[0].cells],
        "a": (inside & answered).astype(float),
        "b": (~inside & answered).astype(float),
        "mark": mark,
        "agree": agree,
    }
    totals = {"m1": population(margins[0]), "m2": population(margins[1])}
    bounds, strata = (0.45, 2.6), margins[0].cells
    r = run_r(tmp_path, "~1", rows, totals, bounds, strata=True, jkn=True)
    replicates = jackknife(start, strata, people, margins, bounds, 50, 1e-12)
    assert replicates.converged == len(start)
    result = calibrate(start, margins, bounds, epsilon=1e-12)
    design = Design.calibrated(start, result.factors, margins, strata, people, replicates)
    for variable, values in (("mark", mark), ("agree", agree)):
        ours = versus_rest(values, design, inside, answered)
        assert as_r(ours) == pytest.approx(expected(r, variable), rel=1e-7), variable


def two_waves(overlap: int = 120, n_now: int = 300, n_then: int = 260, seed: int = 3):
    """Two waves of a pseudonymous panel: the first `overlap` respondents of the current
    wave answered the previous one too (same village and age, a mark that leans on the
    person), the others are new; every 25th respondent is anonymous (no key)."""
    rng = np.random.default_rng(seed)
    _, (village, agesex) = synthetic_panel(n=n_now)
    _, (new_village, new_agesex) = synthetic_panel(seed=8, n=n_then - overlap)
    then_village = np.concatenate([village.cells[:overlap], new_village.cells])
    then_agesex = np.concatenate([agesex.cells[:overlap], new_agesex.cells])
    person = rng.normal(0, 1.5, n_now + n_then - overlap)
    then_person = np.concatenate([person[:overlap], person[n_now:]])

    def marks(villages, agesexes, persons, shift):
        lean = 6.5 + shift + 0.4 * villages - 0.2 * agesexes + persons
        return np.clip(np.round(lean + rng.normal(0, 0.8, len(villages))), 1, 10)

    def keys(prefix, n, overlapping):
        return [
            None if i % 25 == 0 else (f"r{i}" if i < overlapping else f"{prefix}{i}")
            for i in range(n)
        ]

    now = {
        "margins": [village, agesex],
        "mark": marks(village.cells, agesex.cells, person[:n_now], 0.0),
        "keys": keys("c", n_now, overlap),
    }
    then = {
        "margins": [
            Margin(then_village, np.array([9900.0, 3190.0, 2090.0, 1190.0])),
            Margin(then_agesex, np.array([2580.0, 2490.0, 3290.0, 3190.0, 2400.0, 2420.0])),
        ],
        "mark": marks(then_village, then_agesex, then_person, -0.4),
        "keys": keys("p", n_then, overlap),
    }
    for wave in (now, then):
        n = len(wave["keys"])
        answered = rng.random(n) < 0.9
        wave["agree"] = np.where(answered, (wave["mark"] >= 7).astype(float), np.nan)
        wave["mark"] = np.where(answered, wave["mark"], np.nan)
        wave["domain"] = answered & (wave["margins"][0].cells == 1)
        wave["start"] = np.full(n, wave["margins"][0].population.sum() / n)
        wave["design"] = calibrated(wave["start"], wave["margins"], BOUNDS)
    return now, then


#: Calibration bounds of the two waves (relative to N / n).
BOUNDS = (0.3, 3.5)


def side(wave: dict, variable: str, keys=None) -> Side:
    return Side(
        wave[variable], wave["design"], wave["domain"], wave["keys"] if keys is None else keys
    )


def test_a_change_between_waves_as_r_with_respondents_as_clusters(tmp_path):
    """Both waves stacked in one design, svydesign(ids = ~respondent) at each wave's design
    weights, calibrated (logit, bounded) to the margins crossed with the wave (so each wave
    to its own population), then svycontrast of the two domain means on the subset of both
    domains, with t on degf of that subset."""
    now, then = two_waves()
    anonymous = itertools.count()
    columns = ("respondent", "m1", "m2", "w0", "a", "b", "mark", "agree")
    rows: dict[str, list] = {name: [] for name in columns}
    for wave, name in ((now, "c"), (then, "p")):
        rows["respondent"] += [key or f"anonymous{next(anonymous)}" for key in wave["keys"]]
        rows["m1"] += [f"{name}{c}" for c in wave["margins"][0].cells]
        rows["m2"] += [f"{name}{c}" for c in wave["margins"][1].cells]
        rows["w0"] += list(wave["start"])
        rows["a"] += list(wave["domain"] * float(name == "c"))
        rows["b"] += list(wave["domain"] * float(name == "p"))
        rows["mark"] += list(wave["mark"])
        rows["agree"] += list(wave["agree"])
    margins = {
        f"m{i + 1}": population(now["margins"][i], "c") | population(then["margins"][i], "p")
        for i in range(2)
    }
    r = run_r(tmp_path, "~respondent", rows, margins, BOUNDS)
    for variable in ("mark", "agree"):
        ours = change(side(now, variable), side(then, variable))
        assert as_r(ours) == pytest.approx(expected(r, variable), rel=1e-7), variable
        # The overlap matters: the same people answer alike in both waves, so the covariance
        # makes the change surer than were all of them anonymous (independent samples).
        independent = change(
            side(now, variable, [None] * len(now["keys"])),
            side(then, variable, [None] * len(then["keys"])),
        )
        assert ours.value == independent.value
        assert ours.standard_error < independent.standard_error


@pytest.mark.parametrize("raked", [False, True])
def test_a_change_without_overlap_is_that_of_two_independent_samples(raked):
    """With no key in both waves every row is its own cluster, and the influence values
    u (current, n1 rows) and −t (previous, n2 rows) are pooled: with n = n1 + n2,

        SE² = n/(n−1) · [(n1−1)/n1 · V1 + (n2−1)/n2 · V2 + n1·n2/n · (ū + t̄)²]

    where Vi is analysis.estimates.mean's SE² of each wave's domain mean. Unraked, ū = t̄ =
    0 (a Hájek mean's influence values add up to 0), so SE² is V1 + V2 up to the three
    n/(n−1) factors; raked, ū and t̄ are near 0 and SE² is V1 + V2 within 1%. The degrees
    of freedom are the domain rows of both waves minus 1."""
    now, then = two_waves(overlap=0)
    if not raked:
        for wave in (now, then):
            wave["design"] = Design.simple(np.ones(len(wave["keys"])))
    ours = change(side(now, "mark"), side(then, "mark"))
    n1, n2 = len(now["keys"]), len(then["keys"])
    n = n1 + n2
    v1, v2 = (
        mean(np.nan_to_num(wave["mark"]), wave["design"], domain=wave["domain"]).standard_error ** 2
        for wave in (now, then)
    )
    pooled = n / (n - 1) * ((n1 - 1) / n1 * v1 + (n2 - 1) / n2 * v2)
    if raked:
        assert ours.standard_error**2 == pytest.approx(v1 + v2, rel=0.01)
    else:
        assert ours.standard_error**2 == pytest.approx(pooled, rel=1e-12)
    assert ours.df == now["domain"].sum() + then["domain"].sum() - 1


def test_the_same_answers_of_the_same_people_have_no_change_to_test():
    now, _ = two_waves()
    same = side(now, "mark", [f"r{i}" for i in range(len(now["keys"]))])
    difference = change(same, same)
    assert difference.value == 0
    assert difference.standard_error == 0
    assert difference.low == difference.high == 0
    assert np.isnan(difference.p_value)
    # Anonymous respondents are never matched, even with themselves: their answers then
    # count as two independent samples and leave a standard error.
    anonymous = side(now, "mark")
    assert change(anonymous, anonymous).standard_error > 0


def skewed_p_values(seed: int, m: int) -> np.ndarray:
    """Some true effects (p-values near 0) among nulls (uniform)."""
    rng = np.random.default_rng(seed)
    effects = rng.random(m) < 0.3
    return np.where(effects, rng.beta(0.2, 4.0, m), rng.random(m))


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.2])
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("m", [1, 7, 60])
def test_benjamini_hochberg_as_scipy(seed, m, rate):
    p = skewed_p_values(seed, m)
    assert benjamini_hochberg(p, rate) == list(stats.false_discovery_control(p) <= rate)


def test_benjamini_hochberg_leaves_nan_out_of_m():
    # Of m = 3 tested, 0.04 <= 0.05 · 3/3 rejects all three; were the NaN counted (m = 4),
    # only 0.01 <= 0.05 · 1/4 would be rejected.
    assert benjamini_hochberg([0.01, np.nan, 0.04, 0.03]) == [True, False, True, True]
    p = skewed_p_values(9, 40)
    with_nan = np.insert(p, [0, 10, 10, 40], np.nan)
    rejected = np.array(benjamini_hochberg(with_nan, 0.1))
    tested = ~np.isnan(with_nan)
    assert not rejected[~tested].any()
    assert list(rejected[tested]) == list(stats.false_discovery_control(p) <= 0.1)
    assert benjamini_hochberg([np.nan, np.nan]) == [False, False]
    assert benjamini_hochberg([]) == []


@pytest.mark.parametrize("rate", [0, 1, -0.1, 1.5, float("nan")])
def test_benjamini_hochberg_refuses_a_rate_outside_0_1(rate):
    with pytest.raises(ValueError):
        benjamini_hochberg([0.01, 0.2], rate)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=4, max_value=80))
def test_unweighted_versus_rest_is_a_welch_type_difference(seed, n):
    """All weights 1 and no raking: the difference of the plain means of a (inside, na
    answering) and b (the rest, nb answering), with, N being all rows (answered or not),

        SE² = N/(N−1) · (σa²/na + σb²/nb),   σ² the variance with divisor n (ddof 0),

    i.e. Welch's sa²/na + sb²/nb with each s² (ddof 1) times (n−1)/n, and N/(N−1) for
    all; t on na + nb − 1 degrees of freedom (not Welch–Satterthwaite's)."""
    rng = np.random.default_rng(seed)
    values = rng.normal(5, 2, n)
    inside, answered = rng.random(n) < 0.4, rng.random(n) < 0.8
    inside[:4], answered[:4] = [True, True, False, False], True  # two on either side
    design = Design.simple(np.ones(n))
    ours = versus_rest(np.where(answered, values, np.nan), design, inside, answered)
    a, b = values[inside & answered], values[~inside & answered]
    se = np.sqrt(n / (n - 1) * (a.var() / len(a) + b.var() / len(b)))
    df = len(a) + len(b) - 1
    t = (a.mean() - b.mean()) / se
    assert ours.value == pytest.approx(a.mean() - b.mean(), rel=1e-12, abs=1e-12)
    assert ours.standard_error == pytest.approx(se, rel=1e-12)
    assert ours.df == df
    assert ours.p_value == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-9, abs=1e-300)
    half = stats.t.ppf(0.975, df) * se
    assert (ours.low, ours.high) == pytest.approx((ours.value - half, ours.value + half))
