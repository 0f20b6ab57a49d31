"""What of a wave may be published, and how: disclosure control on every figure, the
comparisons (village against the rest, change since the previous wave) with
Benjamini–Hochberg flags and intervals consistent with them, the share of "don't know"
beside each share, and rounding. The result is a plain JSON-ready document: the one
the app stores and shows, and the one `flask analysis compute` writes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from threadpoolctl import threadpool_limits

from analysis import comparisons
from analysis.disclosure import (
    ShareOutcome,
    one_decimal,
    rounded_count,
    threshold_of,
    whole_percentage,
)
from analysis.indicators import Indicator, IndicatorKind, dont_know, values
from analysis.pipeline import (
    Estimated,
    FigureKey,
    Settings,
    effective_n,
    raw_figure,
)
from analysis.publication import CLUSTER, MUNICIPALITY, SUBGROUPS, VILLAGE, Cell, decide
from analysis.scheme import OLDER_BANDS

#: 2: weights calibrated from design weights; "design_effect" became "weighting_effect".
FORMAT = 2
PUBLISH = ShareOutcome.PUBLISH


@dataclass
class Disclosure:
    outcomes: dict[FigureKey, ShareOutcome] = field(default_factory=dict)
    #: (village, indicator) -> the cluster whose figure stands in for the hidden village.
    shown_in_cluster: dict[tuple[str, str], str] = field(default_factory=dict)

    def published(self, key: FigureKey) -> bool:
        return self.outcomes.get(key) is PUBLISH


def report(
    current: Estimated,
    indicators: Sequence[Indicator],
    settings: Settings,
    previous: Estimated | None = None,
    previous_settings: Settings | None = None,
) -> dict[str, Any]:
    """The published document of a wave (and its comparison with the previous one).

    The previous wave is disclosed with its own settings (its clusters and threshold), so a
    change is only given for a figure that wave itself published: otherwise the change and
    this wave's figure would give away a figure the previous wave hid. One BLAS thread, as
    in analysis.pipeline.analyse."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _report(current, indicators, settings, previous, previous_settings)


def _report(current, indicators, settings, previous, previous_settings) -> dict[str, Any]:
    disclosure = disclose(current, indicators, settings)
    by_code = {indicator.code: indicator for indicator in indicators}
    figures = {
        key: figure_entry(current, key, disclosure, by_code[key[3]], settings)
        for key in disclosure.outcomes
    }
    add_dont_know(figures, current, disclosure, indicators, settings)
    add_versus_rest(figures, current, disclosure, by_code, settings)
    if previous is not None:
        shared = [i for i in indicators if i.code in previous.indicator_values]
        previous_disclosure = disclose(previous, shared, previous_settings or settings)
        add_changes(figures, current, previous, disclosure, previous_disclosure, by_code, settings)
    return {
        "format": FORMAT,
        "threshold": threshold_of(settings.threshold),
        "indicators": [indicator_entry(indicator) for indicator in indicators],
        "weighting": weighting_entry(current, settings),
        "figures": [figures[key] for key in sorted(figures, key=_order)],
    }


# Disclosure -------------------------------------------------------------------------------


def disclose(
    estimated: Estimated, indicators: Sequence[Indicator], settings: Settings
) -> Disclosure:
    """Rules 1, 2, 3 and 5 and the dominance rule for every figure of the wave
    (analysis.publication)."""
    disclosure = Disclosure()
    villages = sorted(name for kind, name, sub in estimated.areas if kind == VILLAGE and not sub)
    for indicator in indicators:
        cells = {
            (village, sub): _cell(estimated, (VILLAGE, village, sub, indicator.code))
            for village in villages
            for sub in SUBGROUPS
        }
        decision = decide(
            cells, settings.clusters, indicator.sensitive, settings.threshold, settings.dominance
        )
        for (kind, name, sub), outcome in decision.outcomes.items():
            disclosure.outcomes[(kind, name, sub, indicator.code)] = outcome
        for village, cluster in decision.shown_in_cluster.items():
            disclosure.shown_in_cluster[(village, indicator.code)] = cluster
    return disclosure


def _cell(estimated: Estimated, key: FigureKey) -> Cell:
    """A finest cell with the weights of those who answered (for the dominance rule)."""
    kind, area, subgroup, code = key
    figure = estimated.figures[key]
    answered = estimated.indicator_values[code][1]
    weights = estimated.weighting.weights[estimated.areas[(kind, area, subgroup)] & answered]
    if not len(weights):
        return Cell(figure.n, figure.hits)
    return Cell(figure.n, figure.hits, float(weights.sum()), float(weights.max()))


# Figures ----------------------------------------------------------------------------------


def figure_entry(
    estimated: Estimated,
    key: FigureKey,
    disclosure: Disclosure,
    indicator: Indicator,
    settings: Settings,
) -> dict[str, Any]:
    """One figure as published: only a published figure has numbers."""
    kind, area, subgroup, code = key
    outcome = disclosure.outcomes[key]
    entry: dict[str, Any] = {
        "area_kind": kind,
        "area": area,
        "subgroup": subgroup,
        "indicator": code,
        "status": outcome.value,
        "n": None,
        "value": None,
        "low": None,
        "high": None,
        "indicative": False,
        "shown_in_cluster": disclosure.shown_in_cluster.get((area, code))
        if kind == VILLAGE and not subgroup
        else None,
        "dont_know": None,
        "versus_rest": None,
        "change": None,
    }
    estimate = estimated.figures[key].estimate
    if outcome is PUBLISH and estimate is not None:
        entry.update(
            n=rounded_count(estimate.n),
            value=_rounded(indicator, estimate.value),
            low=_rounded(indicator, estimate.low),
            high=_rounded(indicator, estimate.high),
            indicative=estimate.effective_n < settings.minimum_effective_n,
        )
    return entry


def _rounded(indicator: Indicator, number: float) -> float | int | None:
    """Rule 4, signed (differences may be negative): shares as whole percentages, marks to
    one decimal. Never "-0": a difference that rounds to nothing is 0."""
    if not math.isfinite(number):
        return None
    sign = -1 if number < 0 else 1
    if indicator.kind is IndicatorKind.SHARE:
        return sign * whole_percentage(abs(number)) or 0
    return sign * one_decimal(abs(number)) or 0.0


def _rounded_apart(indicator: Indicator, number: float) -> float | int | None:
    """Rounded, but a number on one side of 0 stays on it (the smallest unit rather than
    0): the bound of a clear difference's interval must not read as "no difference"."""
    rounded = _rounded(indicator, number)
    if rounded == 0 and number != 0:
        unit = 0.01 if indicator.kind is IndicatorKind.SHARE else 0.1
        return _rounded(indicator, math.copysign(unit, number))
    return rounded


def _comparison_entry(
    indicator: Indicator, difference: comparisons.Difference, tested: bool
) -> dict[str, Any]:
    """A comparison as published. Its interval is set by `_flag` once the family is known;
    an untested one has none: an unadjusted range beside "too few to test" would invite
    reading a difference into it."""
    return {
        "value": _rounded(indicator, difference.value),
        "low": None,
        "high": None,
        "level": None,
        "tested": tested,
        "flagged": False,
    }


Tested = list[tuple[dict[str, Any], comparisons.Difference, Indicator]]


def _flag(tested: Tested, settings: Settings) -> None:
    """Benjamini–Hochberg over one family of comparisons (only those tested take part), and
    intervals that agree with the flags: Benjamini–Yekutieli's false-coverage-rate
    intervals at level 1 − R·q/m for the R flagged of m tested, the same level for the
    others (1 − q/m when none is flagged). A flagged difference has p ≤ R·q/m, so its
    interval leaves out 0; an unflagged one has p > (R + 1)·q/m, so its interval holds 0."""
    rate = settings.false_discovery_rate
    rejected = comparisons.benjamini_hochberg([d.p_value for _, d, _ in tested], rate)
    alpha = max(sum(rejected), 1) * rate / len(tested) if tested else rate
    for (entry, difference, indicator), flagged in zip(tested, rejected, strict=True):
        low, high = _adjusted_interval(difference, alpha, flagged)
        entry.update(
            flagged=flagged,
            low=(_rounded_apart if flagged else _rounded)(indicator, low),
            high=(_rounded_apart if flagged else _rounded)(indicator, high),
            level=round(1 - alpha, 4),
        )


def _adjusted_interval(
    difference: comparisons.Difference, alpha: float, flagged: bool
) -> tuple[float, float]:
    """The t-interval at level 1 − alpha. At a p-value on the edge the two may disagree
    by a rounding error in the last digit: the flag decides which side 0 falls on."""
    from scipy import stats  # imported where computed: web workers never load scipy

    value, se = difference.value, difference.standard_error
    half = float(stats.t.isf(alpha / 2, difference.df)) * se
    low, high = value - half, value + half
    if flagged and low <= 0 <= high:
        edge = math.copysign(math.ulp(value) or 1e-12, value)
        low, high = (edge, high) if value > 0 else (low, edge)
    elif not flagged and not low <= 0 <= high:
        low, high = min(low, 0.0), max(high, 0.0)
    return low, high


def add_versus_rest(
    figures: dict[FigureKey, dict[str, Any]],
    current: Estimated,
    disclosure: Disclosure,
    indicators: Mapping[str, Indicator],
    settings: Settings,
) -> None:
    """Each published village against the rest of the municipality (not against the total
    it is part of), flagged only when both sides have an effective n of at least 30."""
    tested: Tested = []
    for key, entry in figures.items():
        kind, village, subgroup, code = key
        whole = (MUNICIPALITY, "", "", code)
        if (
            kind != VILLAGE
            or subgroup
            or not (disclosure.published(key) and disclosure.published(whole))
        ):
            continue
        value, answered = current.indicator_values[code]
        inside = current.areas[(VILLAGE, village, "")]
        if not (answered & ~inside).any():
            continue
        difference = comparisons.versus_rest(
            value, current.weighting.design, inside, answered, settings.level
        )
        eligible = _eligible(
            settings,
            effective_n(current, inside & answered),
            effective_n(current, ~inside & answered),
        ) and math.isfinite(difference.p_value)
        entry["versus_rest"] = _comparison_entry(indicators[code], difference, eligible)
        if eligible:
            tested.append((entry["versus_rest"], difference, indicators[code]))
    _flag(tested, settings)


def add_changes(
    figures: dict[FigureKey, dict[str, Any]],
    current: Estimated,
    previous: Estimated,
    disclosure: Disclosure,
    previous_disclosure: Disclosure,
    indicators: Mapping[str, Indicator],
    settings: Settings,
) -> None:
    """Each figure published in both waves against the previous wave; a respondent in both
    waves of a pseudonymous survey is one cluster, so their covariance counts."""
    tested: Tested = []
    keys = [r.key for r in current.records], [r.key for r in previous.records]
    clusters = comparisons.respondent_clusters(*keys)
    for key, entry in figures.items():
        kind, area, subgroup, code = key
        if subgroup or not (disclosure.published(key) and previous_disclosure.published(key)):
            continue
        now, then = _side(current, key, keys[0]), _side(previous, key, keys[1])
        if now is None or then is None:
            continue
        difference = comparisons.change(now, then, settings.level, clusters)
        eligible = _eligible(
            settings,
            effective_n(current, now.domain),
            effective_n(previous, then.domain),
        ) and math.isfinite(difference.p_value)
        entry["change"] = _comparison_entry(indicators[code], difference, eligible)
        if eligible:
            tested.append((entry["change"], difference, indicators[code]))
    _flag(tested, settings)


def add_dont_know(
    figures: dict[FigureKey, dict[str, Any]],
    current: Estimated,
    disclosure: Disclosure,
    indicators: Sequence[Indicator],
    settings: Settings,
) -> None:
    """Beside each published share that leaves "don't know" out: the weighted share of
    those who answered the question that said "don't know". Disclosed like a figure of its
    own (rules 1, 2, 3 and 5, so for a sensitive indicator never a small share) and only
    where its figure is published; rounded like it."""
    answers = [record.answers for record in current.records]
    for indicator in indicators:
        unsure = dont_know(indicator)
        if unsure is None:
            continue
        value, asked = values(unsure, answers)
        asked = asked > 0
        cells = _cells(current, value, asked)
        decision = decide(cells, settings.clusters, indicator.sensitive, settings.threshold)
        for key, entry in figures.items():
            kind, area, subgroup, code = key
            if code != indicator.code or not disclosure.published(key):
                continue
            outcome = decision.outcomes.get((kind, area, subgroup), ShareOutcome.SUPPRESSED)
            entry["dont_know"] = {"status": outcome.value, "value": None}
            if outcome is PUBLISH:
                domain = current.areas[(kind, area, subgroup)] & asked
                share = raw_figure(unsure, value, domain, current.weighting, settings.level)
                if share.estimate is not None:
                    entry["dont_know"]["value"] = _rounded(unsure, share.estimate.value)


def _cells(current: Estimated, value: Any, asked: Any) -> dict[tuple[str, str], Cell]:
    return {
        (village, subgroup): Cell(int(mask.sum()), int(value[mask].sum()))
        for (kind, village, subgroup), area in current.areas.items()
        if kind == VILLAGE and subgroup
        for mask in [area & asked]
    }


def _side(
    estimated: Estimated, key: FigureKey, keys: Sequence[str | None]
) -> comparisons.Side | None:
    kind, area, subgroup, code = key
    if (kind, area, subgroup) not in estimated.areas or code not in estimated.indicator_values:
        return None
    value, answered = estimated.indicator_values[code]
    return comparisons.Side(
        values=value,
        design=estimated.weighting.design,
        domain=estimated.areas[(kind, area, subgroup)] & answered,
        keys=keys,
    )


def _eligible(settings: Settings, *effective: float) -> bool:
    return all(n >= settings.minimum_effective_n for n in effective)


# The rest of the document -----------------------------------------------------------------


def indicator_entry(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "kind": indicator.kind.value,
        "label": dict(indicator.label),
        "sensitive": indicator.sensitive,
        "unit": "percent" if indicator.kind is IndicatorKind.SHARE else "mark",
    }


def weighting_entry(current: Estimated, settings: Settings) -> dict[str, Any]:
    """How the weights came about. The respondents per village are a margin of their own,
    disclosed like any figure (rules 1, 3 and 5); effective n is rounded to 5 like counts,
    since with the weighting effect it would give the exact n back. A pooled village only
    says it had fewer than `min_stratum` respondents, which is below the threshold."""
    weighting = current.weighting
    shown = _villages_with_shown_counts(current, settings)
    villages = []
    for village, summary in sorted(weighting.villages.items()):
        visible = village in shown
        villages.append(
            {
                "village": village,
                "n": rounded_count(summary.n) if visible else None,
                "effective_n": rounded_count(round(summary.effective_n)) if visible else None,
                "weighting_effect": round(summary.weighting_effect, 2) if visible else None,
            }
        )
    result, overall, scheme = weighting.result, weighting.overall, settings.scheme
    return {
        "converged": result.converged,
        "iterations": result.iterations,
        "bounds": list(scheme.bounds) if scheme.bounds else None,
        "bounds_bind": result.bounds_bind,
        "min_stratum": scheme.min_stratum,
        "pooled": [list(stratum.villages) for stratum in weighting.pooled],
        "collapsed": list(weighting.collapsed),
        "conflicting": list(weighting.conflicting),
        "merged_age_groups": list(weighting.merged),
        "without_respondents": list(current.uncovered),
        "without_margins": current.without_margins,
        "n": rounded_count(overall.n) if overall else 0,
        "effective_n": rounded_count(round(overall.effective_n)) if overall else None,
        "weighting_effect": round(overall.weighting_effect, 2) if overall else None,
        "villages": villages,
    }


def _villages_with_shown_counts(current: Estimated, settings: Settings) -> set[str]:
    cells: dict[tuple[str, str], Cell] = {}
    for record in current.records:
        key = (record.village, "65_plus" if record.age_band in OLDER_BANDS else "under_65")
        cells[key] = Cell(cells.get(key, Cell(0)).n + 1)
    decision = decide(cells, settings.clusters, sensitive=False, threshold=settings.threshold)
    return {
        name
        for (kind, name, subgroup), outcome in decision.outcomes.items()
        if kind == VILLAGE and not subgroup and outcome is PUBLISH
    }


_KIND_ORDER = {MUNICIPALITY: 0, CLUSTER: 1, VILLAGE: 2}


def _order(key: FigureKey) -> tuple:
    kind, area, subgroup, code = key
    return (_KIND_ORDER[kind], area, ("", *SUBGROUPS).index(subgroup), code)
