"""A survey wave from answers to estimates: weighting, then every indicator in every area
(the municipality, each village, each cluster of villages, and under 65 / 65+ within them).

These are the unrounded, undisclosed numbers: they never leave the server. analysis.report
applies disclosure control and rounding to them; the app and `flask analysis compute` both
call `analyse`, so a figure can be reproduced outside the app from the same files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from analysis import estimates
from analysis.disclosure import DEFAULT_DOMINANCE
from analysis.indicators import Indicator, IndicatorKind, values
from analysis.publication import CLUSTER, MUNICIPALITY, VILLAGE
from analysis.scheme import OLDER_BANDS, PopulationCells, Respondent, Scheme, Weighting, weigh
from analysis.weighting import effective_sample_size


@dataclass(frozen=True)
class Record:
    """One respondent: who they are for the weighting, and their answers by question code."""

    village: str
    age_band: str
    sex: str
    answers: Mapping[str, Any]
    #: The same for the same respondent in every wave of a pseudonymous survey; None when
    #: anonymous (then waves are taken as independent samples).
    key: str | None = None


@dataclass(frozen=True)
class Wave:
    records: Sequence[Record]
    population: PopulationCells


@dataclass(frozen=True)
class Settings:
    scheme: Scheme = Scheme()
    threshold: int = 10
    #: The dominance rule: the largest share of a figure's weight one respondent may carry.
    dominance: float = DEFAULT_DOMINANCE
    #: Cluster name -> its villages (disclosure rule 5).
    clusters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: Below this effective n a figure is "indicative" and never flagged.
    minimum_effective_n: float = 30.0
    false_discovery_rate: float = 0.05
    level: float = 0.95


#: (area kind, area name, subgroup, indicator code)
FigureKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class RawFigure:
    n: int
    #: For a share: the respondents counted as "yes"; None for a mean.
    hits: int | None
    #: None below two respondents, where nothing can be estimated.
    estimate: estimates.Estimate | None


@dataclass
class Estimated:
    """A wave's weights, the respondent-level data behind them, and every raw figure."""

    wave: Wave
    records: list[Record]
    weighting: Weighting
    #: Villages with inhabitants no stratum can carry: not represented in any figure.
    uncovered: list[str]
    #: Respondents left out: their village is not in the margins.
    without_margins: int
    areas: dict[tuple[str, str, str], np.ndarray]
    figures: dict[FigureKey, RawFigure]
    #: Per indicator: each respondent's value and whether they answered.
    indicator_values: dict[str, tuple[np.ndarray, np.ndarray]]


def analyse(wave: Wave, indicators: Sequence[Indicator], settings: Settings) -> Estimated:
    """Weigh the wave and estimate every indicator in every area.

    Respondents of a village the margins do not hold cannot be weighed: they are left out
    and counted. Villages with few or no respondents are pooled for the weighting
    (analysis.scheme); only those no stratum can carry are left out, and listed.

    One BLAS thread: the matrices are small, and OpenBLAS's threads fighting over busy
    cores made a wave take 5-11 s instead of 0.6 s."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _analyse(wave, indicators, settings)


def _analyse(wave: Wave, indicators: Sequence[Indicator], settings: Settings) -> Estimated:
    known = {cell[0] for cell in wave.population}
    records = [record for record in wave.records if record.village in known]
    weighting = weigh(
        [Respondent(r.village, r.age_band, r.sex) for r in records],
        wave.population,
        settings.scheme,
        settings.clusters,
    )
    areas = area_masks(records, settings.clusters)
    without_margins = len(wave.records) - len(records)
    estimated = Estimated(
        wave, records, weighting, weighting.uncovered, without_margins, areas, {}, {}
    )
    answers = [r.answers for r in records]
    for indicator in indicators:
        value, answered = values(indicator, answers)
        estimated.indicator_values[indicator.code] = (value, answered > 0)
        domains = [mask & (answered > 0) for mask in areas.values()]
        figures = raw_figures(indicator, value, domains, weighting, settings.level)
        for area, figure in zip(areas, figures, strict=True):
            estimated.figures[(*area, indicator.code)] = figure
    return estimated


def area_masks(
    records: Sequence[Record], clusters: Mapping[str, Sequence[str]]
) -> dict[tuple[str, str, str], np.ndarray]:
    """Which respondents belong to each (area kind, area, subgroup)."""
    villages = np.array([r.village for r in records])
    older = np.array([r.age_band in OLDER_BANDS for r in records], dtype=bool)
    wholes = {(MUNICIPALITY, ""): np.ones(len(records), dtype=bool)}
    for village in sorted(set(villages.tolist())):
        wholes[(VILLAGE, village)] = villages == village
    for name, members in sorted(clusters.items()):
        wholes[(CLUSTER, name)] = np.isin(villages, list(members))
    areas = {}
    for (kind, name), mask in wholes.items():
        areas[(kind, name, "")] = mask
        if kind != CLUSTER:
            areas[(kind, name, "under_65")] = mask & ~older
            areas[(kind, name, "65_plus")] = mask & older
    return areas


def raw_figure(
    indicator: Indicator, value: np.ndarray, domain: np.ndarray, weighting: Weighting, level: float
) -> RawFigure:
    return raw_figures(indicator, value, [domain], weighting, level)[0]


def raw_figures(
    indicator: Indicator,
    value: np.ndarray,
    domains: Sequence[np.ndarray],
    weighting: Weighting,
    level: float,
) -> list[RawFigure]:
    """The indicator's figure in each domain; the shares' intervals in one call (scipy's
    per-call overhead was a tenth of a wave's analysis)."""
    counts = [int(domain.sum()) for domain in domains]
    if indicator.kind is not IndicatorKind.SHARE:
        return [
            RawFigure(n, None, estimates.mean(value, weighting.design, level, domain=domain))
            if n >= 2
            else RawFigure(n, None, None)
            for n, domain in zip(counts, domains, strict=True)
        ]
    hits = [int(value[domain].sum()) for domain in domains]
    estimable = [i for i, n in enumerate(counts) if n >= 2]
    shares = [estimates.share(value, weighting.design, level, domains[i]) for i in estimable]
    intervals = dict(zip(estimable, estimates.with_intervals(shares, level), strict=True))
    return [
        RawFigure(n, hit, intervals.get(i))
        for i, (n, hit) in enumerate(zip(counts, hits, strict=True))
    ]


def effective_n(estimated: Estimated, mask: np.ndarray) -> float:
    """Kish's effective n of the respondents in `mask` (0 when there are none)."""
    if not mask.any():
        return 0.0
    return effective_sample_size(estimated.weighting.weights[mask])
