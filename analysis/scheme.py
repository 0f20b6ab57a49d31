"""The default raking scheme of a survey wave, built from the population margins (people
per village × age band × sex, as imported in the panel) and the respondents:

1. village totals;
2. age band × sex for the municipality;
3. village × (under 65 / 65 and over), but only for villages where both cells have at least
   `min_cell` respondents; other villages are collapsed to their total (which margin 1
   already holds, so they drop out of this margin's detail).

Respondents whose sex the margins do not hold (the panel lets people not say) keep a cell
per age band in margin 2, with their starting weights as its target (the female and male
cells of that band share the rest): the margin leaves them as they are instead of forcing
them into female or male.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.weighting import Floats, Margin, RakeResult, design_effect, effective_sample_size
from analysis.weighting import rake as rake_weights

OLDER_BANDS = frozenset({"65-74", "75+"})

#: (village, age band, sex) -> people
PopulationCells = Mapping[tuple[str, str, str], float]


@dataclass(frozen=True)
class Scheme:
    split_by_65: bool = True
    min_cell: int = 5
    bounds: tuple[float, float] | None = (0.3, 3.5)
    epsilon: float = 1e-8
    #: More than R's default: raking near an empty corner of a table converges slowly.
    max_iterations: int = 5000


@dataclass(frozen=True)
class Respondent:
    village: str
    age_band: str
    sex: str


@dataclass(frozen=True)
class VillageWeighting:
    n: int
    effective_n: float
    design_effect: float


@dataclass(frozen=True)
class Weighting:
    weights: Floats
    result: RakeResult
    #: The cells of each margin per respondent, for the variance (analysis.estimates).
    raked_by: list[np.ndarray]
    #: Villages whose under-65 / 65+ split was collapsed for too few respondents.
    collapsed: list[str]
    #: Age bands × sex without respondents, weighted together with the next band.
    merged: list[str] = field(default_factory=list)
    villages: dict[str, VillageWeighting] = field(default_factory=dict)
    overall: VillageWeighting | None = None


class NoPopulation(ValueError):
    """Respondents from a village the margins do not have."""


def weigh(
    respondents: Sequence[Respondent], population: PopulationCells, scheme: Scheme = Scheme()
) -> Weighting:
    """Raked weights for the respondents, with what was collapsed and what it cost."""
    villages = sorted({village for village, _, _ in population})
    unknown = sorted({r.village for r in respondents} - set(villages))
    if unknown:
        raise NoPopulation(f"no margins for {unknown}")
    start = np.full(len(respondents), sum(population.values()) / len(respondents))
    margins = [_village_margin(respondents, population, villages)]
    age_sex, merged = _age_sex_margin(respondents, population, start)
    margins.append(age_sex)
    collapsed: list[str] = []
    if scheme.split_by_65:
        split, collapsed = _village_age_margin(respondents, population, villages, scheme.min_cell)
        if split is not None:
            margins.append(split)
    result = rake_weights(start, margins, scheme.max_iterations, scheme.epsilon, scheme.bounds)
    return Weighting(
        weights=result.weights,
        result=result,
        raked_by=[margin.cells for margin in margins],
        collapsed=collapsed,
        merged=merged,
        villages=_per_village(respondents, result.weights, villages),
        overall=_summary(result.weights),
    )


def _village_margin(respondents, population, villages) -> Margin:
    totals = {v: 0.0 for v in villages}
    for (village, _, _), people in population.items():
        totals[village] += people
    cells = np.array([villages.index(r.village) for r in respondents])
    return Margin(cells, np.array([totals[v] for v in villages]))


def _age_sex_margin(respondents, population, start: Floats) -> tuple[Margin, list[str]]:
    groups, merged = _age_groups(respondents, population)
    keys = sorted({(groups[(band, sex)], sex) for _, band, sex in population})
    totals = {key: 0.0 for key in keys}
    for (_, band, sex), people in population.items():
        totals[(groups[(band, sex)], sex)] += people
    respondents = [
        Respondent(r.village, groups.get((r.age_band, r.sex), r.age_band), r.sex)
        for r in respondents
    ]
    # Respondents of a sex the margins lack get a cell per age band holding their starting
    # weight; the known sexes of that band share the rest, so every band still adds up.
    unknown: dict[str, float] = {}
    for respondent, weight in zip(respondents, start, strict=True):
        if (respondent.age_band, respondent.sex) not in totals:
            unknown[respondent.age_band] = unknown.get(respondent.age_band, 0.0) + weight
    for band, extra in unknown.items():
        band_keys = [key for key in keys if key[0] == band]
        band_total = sum(totals[key] for key in band_keys)
        for key in band_keys:
            totals[key] *= (band_total - extra) / band_total
    keys += [(band, None) for band in sorted(unknown)]
    totals.update({(band, None): extra for band, extra in unknown.items()})
    cells = [
        keys.index((r.age_band, r.sex) if (r.age_band, r.sex) in totals else (r.age_band, None))
        for r in respondents
    ]
    return Margin(np.array(cells), np.array([totals[key] for key in keys])), merged


def _age_groups(respondents, population) -> tuple[dict[tuple[str, str], str], list[str]]:
    """(age band, sex) -> the group it is weighted in: its own band, unless no respondent
    is in it; then it joins the next band of the same sex (the last one the band before),
    until the group has a respondent. A cell with people and no respondents could never be
    met by any weights. Bands are merged on their own side of 65 where they can be, since
    the village × 65+ margin needs that line. Returns the merged groups, e.g.
    "18-34/35-49 male"."""
    bands = sorted({band for _, band, _ in population})
    sides = [[b for b in bands if b not in OLDER_BANDS], [b for b in bands if b in OLDER_BANDS]]
    groups: dict[tuple[str, str], str] = {}
    merged = []
    for sex in sorted({sex for _, _, sex in population}):
        answered = {r.age_band for r in respondents if r.sex == sex}
        runs = [_runs(side, answered) for side in sides if side]
        if len(runs) == 2 and not any(set(run) & answered for run in runs[1]):
            runs = [runs[0][:-1] + [runs[0][-1] + runs[1][0]]]  # no one 65+: across 65
        elif len(runs) == 2 and not any(set(run) & answered for run in runs[0]):
            runs = [[runs[0][0] + runs[1][0]] + runs[1][1:]]
        for run in (run for side in runs for run in side):
            name = "/".join(run)
            groups.update({(band, sex): name for band in run})
            if len(run) > 1:
                merged.append(f"{name} {sex}")
    return groups, merged


def _runs(bands: list[str], answered: set[str]) -> list[list[str]]:
    """Consecutive bands grouped so that each group has a respondent (where any has)."""
    runs: list[list[str]] = []
    for band in bands:
        if runs and not (set(runs[-1]) & answered):
            runs[-1].append(band)
        else:
            runs.append([band])
    if len(runs) > 1 and not (set(runs[-1]) & answered):
        runs[-2].extend(runs.pop())
    return runs


def _village_age_margin(respondents, population, villages, min_cell):
    def older(band: str) -> bool:
        return band in OLDER_BANDS

    counts: dict[tuple[str, bool], int] = {}
    for r in respondents:
        counts[(r.village, older(r.age_band))] = counts.get((r.village, older(r.age_band)), 0) + 1
    split = [
        v for v in villages if min(counts.get((v, False), 0), counts.get((v, True), 0)) >= min_cell
    ]
    collapsed = [v for v in villages if v not in split]
    if not split:
        return None, collapsed
    keys = [(v, old) for v in split for old in (False, True)] + [(v, None) for v in collapsed]
    totals = {key: 0.0 for key in keys}
    for (village, band, _), people in population.items():
        key = (village, older(band)) if village in split else (village, None)
        totals[key] += people
    cells = np.array(
        [
            keys.index((r.village, older(r.age_band)) if r.village in split else (r.village, None))
            for r in respondents
        ]
    )
    return Margin(cells, np.array([totals[key] for key in keys])), collapsed


def _summary(weights: Floats) -> VillageWeighting:
    return VillageWeighting(len(weights), effective_sample_size(weights), design_effect(weights))


def _per_village(respondents, weights: Floats, villages) -> dict[str, VillageWeighting]:
    names = np.array([r.village for r in respondents])
    return {v: _summary(weights[names == v]) for v in villages if np.any(names == v)}
