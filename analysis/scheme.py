"""The weighting of a survey wave under the panel's own design, built from the population
margins (people per village × age band × sex, as imported) and the respondents.

Strata: each village is a stratum of its own, unless fewer than `Scheme.min_stratum` of its
people answered (none included). Such small villages are pooled: those of one cluster
(Settings.clusters) together, and what is left (outside any cluster, or a cluster pool still
too small) into one stratum of small villages. If even that pool is too small, it joins the
pooled stratum with the fewest respondents (or, without one, the smallest stratum); if it has
no respondent at all and there is no pool of small villages to carry it, its villages are not
represented and listed. Each respondent starts at the design weight N_h / n_h of their
stratum (people ÷ respondents), which also gives the finite-population correction.

Calibration (analysis.weighting.calibrate) then meets:

1. the stratum totals;
2. age band × sex for the municipality;
3. village × (under 65 / 65 and over), only for villages where both cells have at least
   `min_cell` respondents; the others are one "other villages" cell.

Respondents whose sex the margins do not hold (the panel lets people not say) keep a cell
per age band in margin 2, with their design weights as its target (the female and male
cells of that band share the rest): the margin leaves them as they are instead of forcing
them into female or male.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.estimates import Design
from analysis.replicates import jackknife
from analysis.weighting import (
    Calibration,
    Floats,
    Margin,
    calibrate,
    effective_sample_size,
    weighting_effect,
)

OLDER_BANDS = frozenset({"65-74", "75+"})
#: Respondents an age band × sex group needs to be weighted on its own.
MIN_GROUP = 2
#: The village × 65+ margin's cell of every village without a split.
OTHER = "other"

#: (village, age band, sex) -> people
PopulationCells = Mapping[tuple[str, str, str], float]


@dataclass(frozen=True)
class Scheme:
    split_by_65: bool = True
    min_cell: int = 5
    #: A village with fewer respondents is pooled: below 5 one respondent would start with
    #: more than a fifth of the village's weight, and a stratum needs 2 for a variance.
    min_stratum: int = 5
    #: Each weight stays strictly between these multiples of its design weight (R's logit
    #: calibration); None: unbounded raking.
    bounds: tuple[float, float] | None = (0.3, 3.5)
    #: Every cell met to this × (1 + population), R's rule; Newton gets there in a few steps.
    epsilon: float = 1e-9
    max_iterations: int = 50

    def __post_init__(self) -> None:
        if self.bounds is not None and not self.bounds[0] < 1 < self.bounds[1]:
            raise ValueError(f"bounds must hold 1 between them, not {self.bounds}")
        if self.min_stratum < 2:
            raise ValueError("a stratum needs at least 2 respondents for a variance")


@dataclass(frozen=True)
class Respondent:
    village: str
    age_band: str
    sex: str


@dataclass(frozen=True)
class Stratum:
    name: str
    villages: tuple[str, ...]
    people: float
    n: int


@dataclass(frozen=True)
class VillageWeighting:
    n: int
    effective_n: float
    weighting_effect: float


@dataclass(frozen=True)
class Weighting:
    weights: Floats
    result: Calibration
    #: What the variance needs: strata, fpc and the calibration (analysis.estimates).
    design: Design
    strata: list[Stratum]
    #: Stratum totals, age band × sex, village × 65+ (what the calibration met).
    margins: list[Margin]
    #: Villages whose under-65 / 65+ split was left out for too few respondents.
    collapsed: list[str]
    #: Of those, the villages whose split the bounds could not meet together with the other
    #: margins (see `_calibrate`).
    conflicting: list[str] = field(default_factory=list)
    #: Age bands × sex without respondents, weighted together with the next band.
    merged: list[str] = field(default_factory=list)
    #: Villages with people but no stratum that can carry them (see the module's doc).
    uncovered: list[str] = field(default_factory=list)
    villages: dict[str, VillageWeighting] = field(default_factory=dict)
    overall: VillageWeighting | None = None

    @property
    def pooled(self) -> list[Stratum]:
        return [stratum for stratum in self.strata if len(stratum.villages) > 1]


class NoPopulation(ValueError):
    """Respondents from a village the margins do not have."""


def weigh(
    respondents: Sequence[Respondent],
    population: PopulationCells,
    scheme: Scheme = Scheme(),
    clusters: Mapping[str, Sequence[str]] | None = None,
) -> Weighting:
    """Calibrated weights for the respondents, with what was pooled, collapsed and lost."""
    c = _calibration(respondents, population, scheme, clusters)
    strata, codes, sizes, design, margins = c.strata, c.codes, c.sizes, c.design, c.margins
    result, collapsed, conflicting = c.result, c.collapsed, c.conflicting
    merged, uncovered = c.merged, c.uncovered
    return Weighting(
        weights=result.weights,
        result=result,
        design=Design.calibrated(
            design,
            result.factors,
            margins,
            codes,
            sizes,
            jackknife(
                design, codes, sizes, margins, scheme.bounds, scheme.max_iterations, scheme.epsilon
            ),
        ),
        strata=strata,
        margins=margins,
        collapsed=collapsed,
        conflicting=conflicting,
        merged=merged,
        uncovered=uncovered,
        villages=_per_village(respondents, result.weights),
        overall=_summary(result.weights),
    )


@dataclass(frozen=True)
class _Calibrated:
    strata: list[Stratum]
    uncovered: list[str]
    codes: np.ndarray
    sizes: Floats
    design: Floats
    margins: list[Margin]
    result: Calibration
    collapsed: list[str]
    conflicting: list[str]
    merged: list[str]


def calibrated_weights(
    respondents: Sequence[Respondent],
    population: PopulationCells,
    scheme: Scheme = Scheme(),
    clusters: Mapping[str, Sequence[str]] | None = None,
) -> Floats:
    """The weights `weigh` gives, without the replicate weights its variances need: what
    an export of the microdata carries (the replicates of a big wave take long)."""
    return _calibration(respondents, population, scheme, clusters).result.weights


def _calibration(respondents, population, scheme: Scheme, clusters) -> _Calibrated:
    people = _people(population)
    unknown = sorted({r.village for r in respondents} - set(people))
    if unknown:
        raise NoPopulation(f"no margins for {unknown}")
    strata, uncovered = pool(_counts(respondents), people, clusters or {}, scheme.min_stratum)
    population = {cell: n for cell, n in population.items() if cell[0] not in uncovered}
    codes = _stratum_codes(respondents, strata)
    sizes = np.array([stratum.people for stratum in strata])
    counts = np.array([stratum.n for stratum in strata])
    design = (sizes / counts)[codes]
    margins = [Margin(codes, sizes, "stratum", tuple(s.name for s in strata))]
    age_sex, merged = _reachable_age_sex_margin(respondents, population, design, scheme.bounds)
    margins.append(age_sex)
    result, margins, collapsed, conflicting = _calibrate(
        respondents, population, scheme, design, margins
    )
    return _Calibrated(
        strata, uncovered, codes, sizes, design, margins, result, collapsed, conflicting, merged
    )


def _calibrate(respondents, population, scheme: Scheme, design: Floats, margins: list[Margin]):
    """Calibrate; if the weights cannot meet every margin within the bounds, leave out the
    under 65 / 65+ split of the villages whose cells are furthest off (those at least half
    as far off as the worst) and calibrate again, until it converges or no split is left.

    The split is the finest margin and the one that conflicts: with about 17 respondents
    per village, a village's few over-65s cannot carry both its 65+ total and the
    municipality's age × sex totals within the bounds. Statistics offices collapse such
    cells the same way. Returns the calibration, the margins it met, the villages without
    a split and those of them left out for a conflict."""
    if not scheme.split_by_65:
        result = calibrate(design, margins, scheme.bounds, scheme.max_iterations, scheme.epsilon)
        return result, margins, sorted({r.village for r in respondents}), []
    conflicting: list[str] = []
    while True:
        split, collapsed = _village_age_margin(
            respondents, population, scheme.min_cell, conflicting
        )
        met = margins + ([split] if split is not None else [])
        result = calibrate(design, met, scheme.bounds, scheme.max_iterations, scheme.epsilon)
        if result.converged or split is None:
            return result, met, collapsed, sorted(conflicting)
        conflicting += _furthest_off(result, split)


def _furthest_off(result: Calibration, split: Margin) -> list[str]:
    """The split villages whose worst cell is at least half as far off as the worst one."""
    off: dict[str, float] = {}
    for gap in result.gaps:
        if gap.margin == split.name and gap.cell != OTHER:
            village = gap.cell.rsplit(" ", 1)[0]
            off[village] = max(off.get(village, 0.0), abs(gap.relative))
    worst = max(off.values())
    return [village for village, gap in off.items() if gap >= worst / 2]


def pool(
    counts: Mapping[str, int],
    people: Mapping[str, float],
    clusters: Mapping[str, Sequence[str]],
    min_stratum: int,
) -> tuple[list[Stratum], list[str]]:
    """The strata (see the module's doc) and the villages no stratum can carry."""

    def stratum(name: str, villages) -> Stratum:
        villages = tuple(sorted(villages))
        n = sum(counts.get(v, 0) for v in villages)
        return Stratum(name, villages, sum(people[v] for v in villages), n)

    small = {v for v in people if counts.get(v, 0) < min_stratum}
    strata = [stratum(v, [v]) for v in sorted(people) if v not in small]
    pools = []
    for name, members in sorted(clusters.items()):
        candidate = stratum(name, small & set(members))
        if candidate.villages and candidate.n >= min_stratum:
            pools.append(candidate)
            small -= set(candidate.villages)
    rest = stratum(", ".join(sorted(small)), small)
    if not rest.villages or (rest.n == 0 and not pools):
        return strata + pools, sorted(rest.villages)
    if rest.n >= min_stratum or not (strata or pools):
        return strata + pools + [rest], []
    joined = min(pools or strata, key=lambda s: (s.n, s.name))
    merged = stratum(f"{joined.name}, {rest.name}", joined.villages + rest.villages)
    others = [s for s in strata + pools if s is not joined]
    return others + [merged], []


def _people(population: PopulationCells) -> dict[str, float]:
    people: dict[str, float] = {}
    for (village, _, _), n in population.items():
        people[village] = people.get(village, 0.0) + n
    return people


def _counts(respondents: Sequence[Respondent]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in respondents:
        counts[r.village] = counts.get(r.village, 0) + 1
    return counts


def _stratum_codes(respondents: Sequence[Respondent], strata: list[Stratum]) -> np.ndarray:
    of = {village: code for code, s in enumerate(strata) for village in s.villages}
    return np.array([of[r.village] for r in respondents], dtype=np.int64)


def _reachable_age_sex_margin(respondents, population, design: Floats, bounds):
    """The age band × sex margin, with a band merged into the next one of its sex (as an
    empty band is) while its population lies outside the bounds × its design-weighted
    respondents: no weights within the bounds could reach it. With the young responding
    least, a recruitment panel's few men of 18-34 often weigh up to a fifth of their
    population at most; weighted together with 35-49 they can be reached."""
    unreachable: set[tuple[str, str]] = set()
    while True:
        margin, merged = _age_sex_margin(respondents, population, design, unreachable)
        totals = margin.totals(design)
        largest = np.zeros(len(totals))
        np.maximum.at(largest, margin.cells, design)
        low, high = bounds if bounds is not None else (0.0, np.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            # Reachable also without its largest weight: the jackknife leaves each out.
            off = np.maximum(
                low * totals / margin.population, margin.population / high / (totals - largest)
            )
        off[np.bincount(margin.cells, minlength=len(off)) < MIN_GROUP] = np.inf
        worst = int(np.argmax(off))
        group, _, sex = margin.labels[worst].rpartition(" ")
        bands = {(band, sex) for band in group.split("/")}
        if off[worst] <= 1 or sex == "?" or bands <= unreachable:
            return margin, merged
        unreachable |= bands


def _age_sex_margin(respondents, population, design: Floats, unreachable=frozenset()):
    groups, merged = _age_groups(respondents, population, unreachable)
    keys = sorted({(groups[(band, sex)], sex) for _, band, sex in population})
    totals = {key: 0.0 for key in keys}
    for (_, band, sex), people in population.items():
        totals[(groups[(band, sex)], sex)] += people
    respondents = [
        Respondent(r.village, groups.get((r.age_band, r.sex), r.age_band), r.sex)
        for r in respondents
    ]
    # Respondents of a sex the margins lack get a cell per age band holding their design
    # weight; the known sexes of that band share the rest, so every band still adds up.
    unknown: dict[str, float] = {}
    for respondent, weight in zip(respondents, design, strict=True):
        if (respondent.age_band, respondent.sex) not in totals:
            unknown[respondent.age_band] = unknown.get(respondent.age_band, 0.0) + weight
    for band, extra in unknown.items():
        band_keys = [key for key in keys if key[0] == band]
        band_total = sum(totals[key] for key in band_keys)
        for key in band_keys:
            totals[key] *= (band_total - extra) / band_total
    keys += [(band, None) for band in sorted(unknown)]
    totals.update({(band, None): extra for band, extra in unknown.items()})
    position = {key: i for i, key in enumerate(keys)}
    cells = [
        position[(r.age_band, r.sex) if (r.age_band, r.sex) in totals else (r.age_band, None)]
        for r in respondents
    ]
    labels = tuple(f"{band} {sex or '?'}" for band, sex in keys)
    population = np.array([totals[key] for key in keys])
    return Margin(np.array(cells), population, "age_sex", labels), merged


def _age_groups(
    respondents, population, unreachable=frozenset()
) -> tuple[dict[tuple[str, str], str], list[str]]:
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
        answered -= {band for band, of in unreachable if of == sex}
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


def _village_age_margin(respondents, population, min_cell, left_out=()):
    """Village × under 65 / 65+ where both cells have `min_cell` respondents, except for the
    villages `left_out`; everyone else in one cell (the stratum totals already hold it).
    Returns it and the collapsed villages."""
    counts: dict[tuple[str, bool], int] = {}
    for r in respondents:
        key = (r.village, r.age_band in OLDER_BANDS)
        counts[key] = counts.get(key, 0) + 1
    villages = sorted({r.village for r in respondents})
    split = [
        v
        for v in villages
        if v not in left_out and min(counts.get((v, o), 0) for o in (False, True)) >= min_cell
    ]
    collapsed = [v for v in villages if v not in split]
    if not split:
        return None, collapsed
    keys = [(v, old) for v in split for old in (False, True)]
    rest = len(keys)
    totals = np.zeros(rest + 1)
    for (village, band, _), people in population.items():
        key = (village, band in OLDER_BANDS)
        totals[keys.index(key) if village in split else rest] += people
    position = {key: i for i, key in enumerate(keys)}
    cells = [position.get((r.village, r.age_band in OLDER_BANDS), rest) for r in respondents]
    labels = tuple(f"{v} {'65+' if old else '<65'}" for v, old in keys) + (OTHER,)
    if rest not in cells:  # every village split: no "other" cell to meet
        return Margin(np.array(cells), totals[:rest], "village_age", labels[:rest]), collapsed
    return Margin(np.array(cells), totals, "village_age", labels), collapsed


def _summary(weights: Floats) -> VillageWeighting:
    return VillageWeighting(len(weights), effective_sample_size(weights), weighting_effect(weights))


def _per_village(respondents, weights: Floats) -> dict[str, VillageWeighting]:
    names = np.array([r.village for r in respondents])
    return {v: _summary(weights[names == v]) for v in sorted(set(names.tolist()))}
