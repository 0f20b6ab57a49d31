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


R_SCRIPT = """
library(survey)
d <- read.csv(file.path(Sys.getenv("WORK"), "wave.csv"))
totals <- read.csv(file.path(Sys.getenv("WORK"), "totals.csv"))
margins <- grep("^m[0-9]+$", names(d), value = TRUE)
for (m in margins) d[[m]] <- factor(d[[m]])
des <- svydesign(ids = ~1, weights = ~w0, data = d)
pop <- lapply(margins, function(m) {
  t <- totals[totals$margin == m, ]
  out <- data.frame(factor(t$cell, levels = levels(d[[m]])), t$total)
  names(out) <- c(m, "Freq"); out })
r <- rake(des, lapply(margins, function(m) as.formula(paste0("~", m))), pop,
          control = list(maxit = 5000, epsilon = 1e-13))
rows <- list()
for (area in unique(c("all", d$village, "cluster"))) {
  s <- if (area == "all") r else if (area == "cluster")
    subset(r, village %in% c("Hooghalen", "Orvelte")) else subset(r, village == area)
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
out <- do.call(rbind, rows)
write.csv(out, file.path(Sys.getenv("WORK"), "estimates.csv"), row.names = FALSE)
write.csv(data.frame(w = weights(r)), file.path(Sys.getenv("WORK"), "weights.csv"),
          row.names = FALSE)
"""


def run_r(tmp_path, wave: Wave, estimated) -> tuple[dict, np.ndarray]:
    weighting = estimated.weighting
    start = np.full(len(wave.records), sum(estimated_population(estimated)) / len(wave.records))
    with open(tmp_path / "wave.csv", "w", newline="") as out:
        writer = csv.writer(out)
        margins = [f"m{i}" for i in range(len(weighting.raked_by))]
        codes = [estimated.indicator_values[i.code] for i in INDICATORS]
        writer.writerow(
            ["village", "w0", *margins]
            + [c for i in INDICATORS for c in (i.code, f"{i.code}_answered")]
        )
        for row, record in enumerate(wave.records):
            writer.writerow(
                [record.village, start[row], *(cells[row] for cells in weighting.raked_by)]
                + [x for value, answered in codes for x in (value[row], int(answered[row]))]
            )
    with open(tmp_path / "totals.csv", "w", newline="") as out:
        # The totals each margin's cells reach: Python's converged raking met the
        # population there, so R is asked to rake to the same margins.
        writer = csv.writer(out)
        writer.writerow(["margin", "cell", "total"])
        for i, cells in enumerate(weighting.raked_by):
            for cell, total in enumerate(np.bincount(cells, weights=weighting.weights)):
                if total > 0:
                    writer.writerow([f"m{i}", cell, repr(float(total))])
    subprocess.run(
        ["Rscript", "-e", R_SCRIPT],
        check=True,
        capture_output=True,
        env={**os.environ, "WORK": str(tmp_path)},
        timeout=120,
    )
    with open(tmp_path / "estimates.csv") as rows:
        r = {(row["area"], row["indicator"]): row for row in csv.DictReader(rows)}
    with open(tmp_path / "weights.csv") as rows:
        weights = np.array([float(row["w"]) for row in csv.DictReader(rows)])
    return r, weights


def estimated_population(estimated) -> list[float]:
    return [people for cell, people in estimated.wave.population.items()]


def test_the_pipeline_gives_r_surveys_weights_and_figures(tmp_path):
    if shutil.which("Rscript") is None:
        skip_or_fail("r", "Rscript not found (apt-get install r-cran-survey)")
    wave = synthetic_wave()
    # R's rake() has no bounds. With the village x 65+ margin raking converges slowly, and
    # R's stopping rule (the table changing by less than epsilon x the sum of weights in one
    # round) stops at epsilon = 1e-8 while a margin is still 1e-5 off; the scheme stops only
    # when every margin is met to 1e-8. So R is run to the end too: 1e-13, 5,000 rounds.
    settings = Settings(
        scheme=Scheme(bounds=None),
        clusters={"Klein": ("Hooghalen", "Orvelte")},
    )
    estimated = analyse(wave, INDICATORS, settings)
    assert estimated.weighting.result.converged
    assert estimated.weighting.collapsed == ["Orvelte"]
    r, r_weights = run_r(tmp_path, wave, estimated)
    np.testing.assert_allclose(estimated.weighting.weights, r_weights, rtol=1e-6)
    areas = {"all": (MUNICIPALITY, "")} | {v: (VILLAGE, v) for v in VILLAGES}
    areas["cluster"] = (CLUSTER, "Klein")
    for name, (kind, area) in areas.items():
        for indicator in INDICATORS:
            figure = estimated.figures[(kind, area, "", indicator.code)].estimate
            expected = r[(name, indicator.code)]
            assert [figure.value, figure.standard_error, figure.low, figure.high] == pytest.approx(
                [float(expected[k]) for k in ("value", "se", "low", "high")], rel=1e-6
            ), (name, indicator.code)


def test_respondents_of_a_village_without_margins_are_left_out_and_counted():
    wave = synthetic_wave(n=200)
    stray = Record("Nergenshuizen", "35-49", "female", {"MARK": 8})
    estimated = analyse(Wave([*wave.records, stray], wave.population), INDICATORS, Settings())
    assert estimated.without_margins == 1
    assert estimated.figures[(MUNICIPALITY, "", "", "cijfer")].n == 200
