"""Are the published figures honest under the panel's own designs? A check by simulation.

One fixed, made-up adult population of Midden-Drenthe (the seeded villages, split over age
band × sex as the demo margins are) gives every person a mark (1-10) and a yes/no answer
("wants to move") that depend on their village and age. Many panels are drawn from it:

- recruitment: about 17 respondents in every village, so Laaghalerveen's 28 adults and
  Beilen's 7,960 give panels of the same size;
- proportional: respondents roughly in proportion to the adults, with a floor per village.

In both, older people respond more often than younger ones, within every village. Each
panel is weighted and estimated by `analysis.pipeline.analyse` with the default settings
and the associations' clusters; the truth is the population's own mean. Printed per design
and indicator: bias in units of the estimates' spread over the panels, how often the 95%
interval holds the truth, and how many waves' weights converged. docs/methods.md names the
goals: bias within 0.25 SE, coverage between 93% and 97%.

Run: .venv/bin/python bench/simulate_weighting.py [--replicates 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# One BLAS thread: on a small, busy machine OpenBLAS's threads make the calibration's matrix
# work several times slower (a wave took 5 s instead of 0.6 s on 2 shared cores).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.indicators import from_json  # noqa: E402
from analysis.pipeline import MUNICIPALITY, VILLAGE, Record, Settings, Wave, analyse  # noqa: E402
from population.demo import demo_cells  # noqa: E402
from villages.seed_data import ASSOCIATIONS, VILLAGES  # noqa: E402

BANDS = ("18-34", "35-49", "50-64", "65-74", "75+")
SEXES = ("female", "male")
INDICATORS = from_json(
    [
        {"code": "cijfer", "kind": "mean", "questions": ["MARK"]},
        {"code": "verhuizen", "kind": "share", "questions": ["MOVE"], "categories": ["1"]},
    ]
)
#: Associations spanning several villages are the clusters small villages are shown in.
CLUSTERS = {name: villages for name, _, villages in ASSOCIATIONS if len(villages) > 1}

#: Mark and log-odds of wanting to move by age band: the young rate their village lower
#: and want to leave more often; the oldest want to move a little more again (care).
MARK_BY_BAND = np.array([-0.5, -0.2, 0.0, 0.3, 0.5])
MOVE_BY_BAND = np.array([0.9, 0.2, -0.3, -0.4, 0.1])
#: A few villages that stand out, on top of a small random effect for every village.
MARK_BY_VILLAGE = {"Orvelte": 0.8, "Bovensmilde": -0.6, "Hijkersmilde": -0.5, "Westerbork": 0.3}
MOVE_BY_VILLAGE = {"Bovensmilde": 0.5, "Orvelte": -0.6, "Laaghalerveen": 0.6, "Beilen": -0.2}
#: Villages under this many inhabitants rate their village higher, yet more of their people
#: want to leave (no shop, no school): what an unweighted panel heavy in hamlets gets wrong.
SMALL, MARK_IF_SMALL, MOVE_IF_SMALL = 500, 0.5, 0.3
#: Relative response propensity by age band (older respond more) and sex (women more).
RESPONSE_BY_BAND = np.array([0.45, 0.7, 1.0, 1.3, 1.0])
RESPONSE_BY_SEX = np.array([1.1, 0.9])

#: Respondents per village under the recruitment design.
RECRUITED = 17
#: Under the proportional design: respondents in all, and the floor per village.
PROPORTIONAL_TOTAL, PROPORTIONAL_FLOOR = 800, 8


@dataclass(frozen=True)
class Population:
    villages: list[str]
    #: Per person: village index, age band index, sex index, mark, wants to move (0/1).
    village: np.ndarray
    band: np.ndarray
    sex: np.ndarray
    mark: np.ndarray
    move: np.ndarray

    def cells(self) -> dict[tuple[str, str, str], float]:
        """The margins a wave is weighted to: people per village × age band × sex."""
        counts: dict[tuple[str, str, str], float] = {}
        for v, b, s in zip(self.village, self.band, self.sex, strict=True):
            key = (self.villages[v], BANDS[b], SEXES[s])
            counts[key] = counts.get(key, 0.0) + 1.0
        return counts

    def adults(self) -> np.ndarray:
        return np.bincount(self.village, minlength=len(self.villages))

    def truth(self) -> dict[tuple[str, str, str], float]:
        """(area kind, area, indicator code) -> the population's own mean."""
        truth = {}
        for code, answer in (("cijfer", self.mark), ("verhuizen", self.move)):
            truth[(MUNICIPALITY, "", code)] = float(answer.mean())
            sums = np.bincount(self.village, weights=answer, minlength=len(self.villages))
            for v, name in enumerate(self.villages):
                truth[(VILLAGE, name, code)] = float(sums[v] / self.adults()[v])
        return truth


def build_population(seed: int = 2026) -> Population:
    """The seeded villages' adults with answers; the same for the same seed."""
    rng = np.random.default_rng(seed)
    villages = [name for name, _, people, _, _ in VILLAGES if people]
    columns: list[list[int]] = [[], [], []]
    for v, (_, _, people, _, _) in enumerate(village for village in VILLAGES if village[2]):
        for (band, sex), count in demo_cells(people).items():
            b, s = BANDS.index(band.value), SEXES.index(sex.value)
            for column, value in zip(columns, (v, b, s), strict=True):
                column.extend([value] * count)
    village, band, sex = (np.array(column) for column in columns)
    mark_effect = rng.normal(0, 0.25, len(villages))
    move_effect = rng.normal(0, 0.3, len(villages))
    for v, (name, _, people, _, _) in enumerate(village for village in VILLAGES if village[2]):
        mark_effect[v] += MARK_BY_VILLAGE.get(name, 0.0) + MARK_IF_SMALL * (people < SMALL)
        move_effect[v] += MOVE_BY_VILLAGE.get(name, 0.0) + MOVE_IF_SMALL * (people < SMALL)
    latent = 7.3 + mark_effect[village] + MARK_BY_BAND[band] + 0.1 * (sex == 0)
    mark = np.clip(np.round(latent + rng.normal(0, 1.2, len(village))), 1, 10)
    odds = -1.6 + move_effect[village] + MOVE_BY_BAND[band]
    move = (rng.random(len(village)) < 1 / (1 + np.exp(-odds))).astype(float)
    return Population(villages, village, band, sex, mark, move)


def recruitment(population: Population) -> np.ndarray:
    """Expected respondents per village: the same everywhere."""
    return np.full(len(population.villages), float(RECRUITED))


def proportional(population: Population) -> np.ndarray:
    adults = population.adults()
    return np.maximum(PROPORTIONAL_FLOOR, PROPORTIONAL_TOTAL * adults / adults.sum())


DESIGNS = {"recruitment": recruitment, "proportional": proportional}


def response_probabilities(population: Population, expected: np.ndarray) -> np.ndarray:
    """Each person's chance to be in the panel: their age and sex propensity times a
    village factor chosen so that the village gives `expected` respondents on average."""
    propensity = RESPONSE_BY_BAND[population.band] * RESPONSE_BY_SEX[population.sex]
    chance = np.empty(len(propensity))
    for v in range(len(population.villages)):
        inside = population.village == v
        low, high = 0.0, 1.0 / propensity[inside].min()
        for _ in range(60):  # bisection; the cap at 1 matters only in the smallest hamlets
            factor = (low + high) / 2
            if np.minimum(1.0, factor * propensity[inside]).sum() < expected[v]:
                low = factor
            else:
                high = factor
        chance[inside] = np.minimum(1.0, high * propensity[inside])
    return chance


def draw_wave(population: Population, chance: np.ndarray, rng: np.random.Generator) -> Wave:
    """One panel: everyone responds independently with their own chance."""
    chosen = np.flatnonzero(rng.random(len(chance)) < chance)
    records = [
        Record(
            population.villages[population.village[i]],
            BANDS[population.band[i]],
            SEXES[population.sex[i]],
            {"MARK": int(population.mark[i]), "MOVE": "1" if population.move[i] else "2"},
        )
        for i in chosen
    ]
    return Wave(records, population.cells())


@dataclass
class Outcome:
    """Per (area kind, area, indicator) and replicate: estimate, SE, covered; NaN when no
    figure; and per replicate whether the weights converged."""

    estimate: dict[tuple[str, str, str], list[float]]
    standard_error: dict[tuple[str, str, str], list[float]]
    covered: dict[tuple[str, str, str], list[float]]
    converged: list[bool]


def simulate(
    population: Population, design: str, replicates: int, seed: int, settings: Settings
) -> Outcome:
    truth = population.truth()
    chance = response_probabilities(population, DESIGNS[design](population))
    rng = np.random.default_rng(seed)
    outcome = Outcome({k: [] for k in truth}, {k: [] for k in truth}, {k: [] for k in truth}, [])
    for _ in range(replicates):
        estimated = analyse(draw_wave(population, chance, rng), INDICATORS, settings)
        outcome.converged.append(bool(estimated.weighting.result.converged))
        for (kind, area, code), true in truth.items():
            figure = estimated.figures.get((kind, area, "", code))
            estimate = figure.estimate if figure is not None else None
            if estimate is None:
                row = (np.nan, np.nan, np.nan)
            else:
                covered = float(estimate.low <= true <= estimate.high)
                row = (estimate.value, estimate.standard_error, covered)
            outcome.estimate[(kind, area, code)].append(row[0])
            outcome.standard_error[(kind, area, code)].append(row[1])
            outcome.covered[(kind, area, code)].append(row[2])
    return outcome


@dataclass(frozen=True)
class Summary:
    #: Bias over the spread of the estimates (their SD over the replicates).
    bias_in_se: float
    #: The worst village's bias in its own SE (the municipality: the same as bias_in_se).
    worst_bias_in_se: float
    coverage: float
    intervals: int
    #: Mean reported SE over the spread of the estimates (the median over villages): 1 when
    #: the SEs are honest.
    se_ratio: float


def summarise(
    outcome: Outcome, truth: dict, kind: str, code: str, published_only: bool = True
) -> Summary:
    """Pooled over the areas of `kind` (every village, or the municipality), over the waves
    whose weights converged: a wave that misses its margins is never published."""
    published = np.array(outcome.converged, dtype=bool) | (not published_only)
    keys = [key for key in truth if key[0] == kind and key[2] == code]
    biases, ratios, covered = [], [], []
    for key in keys:
        estimates = np.array(outcome.estimate[key])[published]
        kept = ~np.isnan(estimates)
        if kept.sum() < 2 or estimates[kept].std() == 0:
            continue
        spread = estimates[kept].std(ddof=1)
        biases.append((estimates[kept].mean() - truth[key]) / spread)
        ratios.append(np.nanmean(np.array(outcome.standard_error[key])[published]) / spread)
        covered.extend(np.array(outcome.covered[key])[published][kept])
    if not biases:  # no wave published (none converged)
        return Summary(np.nan, np.nan, np.nan, 0, np.nan)
    return Summary(
        bias_in_se=float(np.mean(biases)),
        worst_bias_in_se=float(max(biases, key=abs)),
        coverage=float(np.mean(covered)),
        intervals=len(covered),
        se_ratio=float(np.median(ratios)),
    )


def settings() -> Settings:
    return Settings(clusters=CLUSTERS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--designs", default=",".join(DESIGNS))
    args = parser.parse_args()
    from common import floor_ms  # the app's import only when run as a benchmark

    population = build_population()
    truth = population.truth()
    print(
        f"population: {len(population.villages)} villages, {len(population.village)} adults; "
        f"replicates: {args.replicates}, seed {args.seed}"
    )
    print(f"floor (bare Flask route): {floor_ms(200):.3f} ms")
    for design in args.designs.split(","):
        start = time.perf_counter()
        outcome = simulate(population, design, args.replicates, args.seed, settings())
        seconds = time.perf_counter() - start
        print(
            f"\n{design}: {np.mean(outcome.converged):.1%} of waves converged; "
            f"{seconds / args.replicates * 1000:.0f} ms per wave"
        )
        if any(outcome.converged):
            print_table(design, outcome, truth, published_only=True)
        if not all(outcome.converged):
            print("every wave, converged or not:")
            print_table(design, outcome, truth, published_only=False)


def print_table(design: str, outcome: Outcome, truth: dict, published_only: bool) -> None:
    """bias/SE: the mean error over the estimates' spread (villages: their average, and the
    worst village); cover: share of 95% intervals holding the truth (n: how many); SE ratio:
    mean reported SE over the spread (villages: the median)."""
    print("design        indicator  area          bias/SE  worst    cover       n  SE ratio")
    for code in ("cijfer", "verhuizen"):
        for kind in (MUNICIPALITY, VILLAGE):
            s = summarise(outcome, truth, kind, code, published_only)
            print(
                f"{design:<13} {code:<10} {kind:<13} {s.bias_in_se:+7.3f} "
                f"{s.worst_bias_in_se:+7.3f} {s.coverage:7.1%} {s.intervals:>7} "
                f"{s.se_ratio:9.2f}"
            )


if __name__ == "__main__":
    main()
