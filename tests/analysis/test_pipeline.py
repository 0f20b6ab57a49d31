"""The whole pipeline (weighting by the default scheme, then every indicator in every area)
against R's survey package, live, on a synthetic panel generated here."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess

import numpy as np
import pytest

from analysis.indicators import from_json
from analysis.pipeline import CLUSTER, MUNICIPALITY, VILLAGE, Record, Settings, Wave, analyse
from analysis.scheme import Scheme
from tests.conftest import skip_or_fail

BANDS = ("18-34", "35-49", "50-64", "65-74", "75+")
VILLAGES = {"Beilen": 9950, "Bovensmilde": 3175, "Smilde": 2100, "Hooghalen": 1200, "Orvelte": 97}
INDICATORS = from_json(
    [
        {"code": "cijfer", "kind": "mean", "questions": ["MARK"]},
        {"code": "eens", "kind": "share", "questions": ["AGREE"], "categories": ["4", "5"]},
        {"code": "schaal", "kind": "scale", "questions": ["A", "B", "C"], "min_items": 2},
    ]
)


def synthetic_wave(seed: int = 5, n: int = 500) -> Wave:
    """Respondents leaning old and towards the big villages, answers that lean on both,
    some items left open or "don't know"."""
    rng = np.random.default_rng(seed)
    names = list(VILLAGES)
    village = rng.choice(len(names), size=n, p=[0.46, 0.25, 0.16, 0.115, 0.015])
    band = rng.choice(len(BANDS), size=n, p=[0.12, 0.18, 0.25, 0.25, 0.20])
    records = []
    for v, b in zip(village, band, strict=True):
        lean = 0.3 * (b >= 3) - 0.2 * v
        answers = {
            "MARK": int(np.clip(np.round(7 + lean + rng.normal(0, 1.3)), 1, 10)),
            "AGREE": str(rng.choice(["1", "2", "3", "4", "5", "9"])),
        }
        for item in "ABC":
            if rng.random() > 0.15:
                answers[item] = str(int(np.clip(np.round(3.2 + lean + rng.normal(0, 1)), 1, 5)))
        records.append(Record(names[v], BANDS[b], str(rng.choice(["female", "male"])), answers))
    population = {}
    for name, people in VILLAGES.items():
        for i, band_name in enumerate(BANDS):
            for sex in ("female", "male"):
                share = 0.16 + 0.02 * i - 0.01 * (sex == "male")
                population[(name, band_name, sex)] = people * share
    return Wave(records, population)


#: Small places added to the synthetic wave: (adults, respondents). Amen: 7 of its 28 adults
#: answer (fpc 0.75). The cluster "Zuid" pools Oranje, Garminge (nobody answered) and
#: Eursinge; Lieving, Nijlande and Witteveen, in no cluster, make the stratum of the rest.
HAMLETS = {
    "Amen": (28, 7),
    "Oranje": (40, 3),
    "Garminge": (60, 0),
    "Eursinge": (35, 2),
    "Lieving": (30, 1),
    "Nijlande": (45, 3),
    "Witteveen": (38, 2),
}
CLUSTERS = {"Klein": ("Hooghalen", "Orvelte"), "Zuid": ("Oranje", "Garminge", "Eursinge")}


def wave_with_hamlets(seed: int = 5) -> Wave:
    wave = synthetic_wave(seed)
    rng = np.random.default_rng(seed + 1)
    records, population = list(wave.records), dict(wave.population)
    for name, (adults, answered) in HAMLETS.items():
        for i, band in enumerate(BANDS):
            for sex in ("female", "male"):
                share = (0.16 + 0.02 * i - 0.01 * (sex == "male")) / 1.95  # shares add up to 1
                population[(name, band, sex)] = adults * share
        for _ in range(answered):
            answers = {"MARK": int(rng.integers(4, 11)), "AGREE": str(rng.integers(1, 6))}
            answers |= {item: str(rng.integers(1, 6)) for item in "ABC"}
            band, sex = str(rng.choice(BANDS)), str(rng.choice(["female", "male"]))
            records.append(Record(name, band, sex, answers))
    return Wave(records, population)


R_SCRIPT = """
library(survey)
work <- Sys.getenv("WORK")
d <- read.csv(file.path(work, "wave.csv"))
totals <- read.csv(file.path(work, "totals.csv"))
margins <- grep("^m[0-9]+$", names(d), value = TRUE)
pop <- c("(Intercept)" = sum(totals$total[totals$margin == "m0"]))
for (m in margins) {
  t <- totals[totals$margin == m, ]
  d[[m]] <- factor(d[[m]], levels = t$cell)
  pop <- c(pop, setNames(t$total[-1], paste0(m, t$cell[-1])))
}
des <- svydesign(ids = ~1, strata = ~m0, fpc = ~people, weights = ~d, data = d)
bounds <- as.numeric(strsplit(Sys.getenv("BOUNDS"), ",")[[1]])
r <- calibrate(as.svrepdesign(des, type = "JKn"),
               as.formula(paste("~", paste(margins, collapse = "+"))), pop,
               calfun = "logit", bounds = bounds, maxit = 50, epsilon = 1e-12)
areas <- c("all", unique(d$village), "Klein", "Zuid")
clusters <- list(Klein = c("Hooghalen", "Orvelte"), Zuid = c("Oranje", "Garminge", "Eursinge"))
rows <- list()
for (area in areas) {
  s <- if (area == "all") r else if (area %in% names(clusters))
    subset(r, village %in% clusters[[area]]) else subset(r, village == area)
  for (ind in c("cijfer", "schaal")) {
    si <- subset(s, get(paste0(ind, "_answered")) == 1)
    m <- svymean(as.formula(paste0("~", ind)), si); ci <- confint(m, df = degf(si))
    rows[[length(rows) + 1]] <- data.frame(area = area, indicator = ind,
      value = as.numeric(coef(m)), se = as.numeric(SE(m)), low = ci[1], high = ci[2])
  }
  si <- subset(s, eens_answered == 1)
  p <- svyciprop(~I(eens == 1), si, method = "beta")
  rows[[length(rows) + 1]] <- data.frame(area = area, indicator = "eens",
    value = as.numeric(coef(p)), se = as.numeric(sqrt(attr(p, "var"))),
    low = as.numeric(confint(p)[1]), high = as.numeric(confint(p)[2]))
}
write.csv(do.call(rbind, rows), file.path(work, "estimates.csv"), row.names = FALSE)
write.csv(data.frame(w = weights(r, "sampling")), file.path(work, "weights.csv"), row.names = FALSE)
"""


def run_r(tmp_path, estimated, bounds) -> tuple[dict, np.ndarray]:
    """R's calibrate() of the jackknife (JKn) on the design weights, strata and fpc the scheme
    chose, to the population totals of the same margin cells; then R's estimates in every
    area."""
    weighting = estimated.weighting
    design = weighting.design
    stratum_of = [design.strata[row] for row in range(len(estimated.records))]
    start = np.array([weighting.strata[h].people / weighting.strata[h].n for h in stratum_of])
    with open(tmp_path / "wave.csv", "w", newline="") as out:
        writer = csv.writer(out)
        margins = [f"m{i}" for i in range(len(weighting.margins))]
        codes = [estimated.indicator_values[i.code] for i in INDICATORS]
        writer.writerow(
            ["village", "d", "people", *margins]
            + [c for i in INDICATORS for c in (i.code, f"{i.code}_answered")]
        )
        for row, record in enumerate(estimated.records):
            writer.writerow(
                [
                    record.village,
                    repr(float(start[row])),
                    repr(float(weighting.strata[stratum_of[row]].people)),
                ]
                + [margin.cells[row] for margin in weighting.margins]
                + [x for value, answered in codes for x in (value[row], int(answered[row]))]
            )
    with open(tmp_path / "totals.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["margin", "cell", "total"])
        for i, margin in enumerate(weighting.margins):
            for cell, total in enumerate(margin.population):
                writer.writerow([f"m{i}", cell, repr(float(total))])
    subprocess.run(
        ["Rscript", "-e", R_SCRIPT],
        check=True,
        capture_output=True,
        env={**os.environ, "WORK": str(tmp_path), "BOUNDS": ",".join(map(str, bounds))},
        timeout=120,
    )
    with open(tmp_path / "estimates.csv") as rows:
        r = {(row["area"], row["indicator"]): row for row in csv.DictReader(rows)}
    with open(tmp_path / "weights.csv") as rows:
        weights = np.array([float(row["w"]) for row in csv.DictReader(rows)])
    return r, weights


def test_the_pipeline_gives_r_surveys_weights_and_figures(tmp_path):
    """Strata with fpc (Amen: 7 of 28 adults), pooled small villages, bounded logit
    calibration of every jackknife replicate: R's calibrate, svymean, svyciprop and
    confint(df = degf) agree to 1e-7."""
    if shutil.which("Rscript") is None:
        skip_or_fail("r", "Rscript not found (apt-get install r-cran-survey)")
    bounds = (0.3, 3.5)
    settings = Settings(scheme=Scheme(bounds=bounds, epsilon=1e-12), clusters=CLUSTERS)
    estimated = analyse(wave_with_hamlets(), INDICATORS, settings)
    weighting = estimated.weighting
    assert weighting.result.converged
    assert [list(s.villages) for s in weighting.pooled] == [
        ["Eursinge", "Garminge", "Oranje"],
        ["Lieving", "Nijlande", "Witteveen"],
    ]
    assert estimated.uncovered == []
    amen = next(s for s in weighting.strata if s.villages == ("Amen",))
    assert (amen.people, amen.n) == pytest.approx((28, 7))
    r, r_weights = run_r(tmp_path, estimated, bounds)
    np.testing.assert_allclose(weighting.weights, r_weights, rtol=1e-7)
    areas = {"all": (MUNICIPALITY, "")} | {v: (VILLAGE, v) for v in [*VILLAGES, *HAMLETS]}
    areas |= {name: (CLUSTER, name) for name in CLUSTERS}
    compared = 0
    for name, (kind, area) in areas.items():
        for indicator in INDICATORS:
            figure = estimated.figures.get((kind, area, "", indicator.code))
            if figure is None or figure.estimate is None:  # fewer than 2: nothing to compare
                continue
            got = figure.estimate
            row = r[(name, indicator.code)]
            expected = [float(row[k]) if row[k] != "NA" else np.nan for k in ("value", "se")]
            assert [got.value, got.standard_error] == pytest.approx(expected, rel=1e-7)
            if row["low"] != "NA":  # R has no interval at a share of 0 (see estimates)
                # R's degrees of freedom come from a numerical rank (qr, tol = 1e-5) of
                # the subset's replicate weights; ours from the ties the calibration makes
                # (analysis.replicates.Replicates.rank). In a large domain with some not
                # answering R may find one tie more: df 473 instead of 474 moves the
                # interval by 1e-7 of its value.
                interval = [float(row["low"]), float(row["high"])]
                assert [got.low, got.high] == pytest.approx(interval, rel=1e-6), name
            compared += 1
    assert compared == 39  # 14 areas with respondents × 3, less Lieving's (1 respondent)


def test_the_people_of_a_village_without_respondents_are_carried_by_its_pool():
    wave = wave_with_hamlets()
    estimated = analyse(wave, INDICATORS, Settings(clusters=CLUSTERS))
    total = sum(wave.population.values())
    assert estimated.weighting.weights.sum() == pytest.approx(total, rel=1e-9)
    # Without the cluster, Garminge joins the small villages outside clusters.
    alone = analyse(wave, INDICATORS, Settings())
    assert alone.uncovered == [] and alone.weighting.weights.sum() == pytest.approx(total)


def test_a_village_no_stratum_can_carry_is_listed_and_left_out():
    """Every other village is a stratum of its own: no small village answered to carry it."""
    wave = synthetic_wave(n=200)
    population = dict(wave.population)
    population |= {("Garminge", band, "female"): 10.0 for band in BANDS}
    settings = Settings(scheme=Scheme(min_stratum=2))
    estimated = analyse(Wave(wave.records, population), INDICATORS, settings)
    assert estimated.uncovered == ["Garminge"]
    assert estimated.weighting.weights.sum() == pytest.approx(sum(wave.population.values()))


def test_respondents_of_a_village_without_margins_are_left_out_and_counted():
    wave = synthetic_wave(n=200)
    stray = Record("Nergenshuizen", "35-49", "female", {"MARK": 8})
    estimated = analyse(Wave([*wave.records, stray], wave.population), INDICATORS, Settings())
    assert estimated.without_margins == 1
    assert estimated.figures[(MUNICIPALITY, "", "", "cijfer")].n == 200
