"""Secondary suppression (disclosure rules 3 and 5) for one indicator of a wave.

Rules 1 and 2 and the dominance rule (analysis.disclosure) decide each area on its own
figure; an area hidden for dominance is a primary suppression like the others. Published figures
that add up (a margin: a total and its cells) would still let one subtract the shown
cells from the total and so learn the hidden ones. The margins here:

1. the municipality: the villages outside the clusters, and each cluster as one unit;
2. each cluster (rule 5): its member villages;
3. each village, and 4. the municipality: under 65 and 65+;
5. under 65 (and 65+) of the municipality: that subgroup in each village.

In a margin with a published total the hidden cells must be none, or at least two whose
sum passes rules 1 and 2 and the dominance rule itself; while not, the smallest published
cell is hidden too, or the total when no cell is left. A hidden area hides the areas within
it. This repeats until nothing changes. Secondary suppression only turns PUBLISH into SUPPRESSED.

Why this is enough (the property test checks it by brute force): the pair rule hides both
subgroups of a village or neither, so under 65 and 65+ are hidden in the same villages;
then any sum of finest cells that published figures give away is a whole subgroup margin's
hidden part, or a union of whole villages, which the area hierarchy only gives away as the
hidden part of margins 1 and 2 (plus published figures), and all of those are checked.
Empty cells reveal nothing and are left out of a margin's hidden part, except in the pair
rule, which asks that the complement itself passes rule 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from analysis.disclosure import (
    DEFAULT_DOMINANCE,
    DEFAULT_THRESHOLD,
    ShareOutcome,
    dominated,
    enough_respondents,
    share_outcome,
)

PUBLISH = ShareOutcome.PUBLISH
SUPPRESSED = ShareOutcome.SUPPRESSED
DOMINATED = ShareOutcome.DOMINATED
MUNICIPALITY = "municipality"
VILLAGE = "village"
CLUSTER = "cluster"
SUBGROUPS = ("under_65", "65_plus")
#: (area kind, area name, subgroup); "" is the whole area, the municipality's name is "".
Area = tuple[str, str, str]
WHOLE: Area = (MUNICIPALITY, "", "")


@dataclass(frozen=True)
class Cell:
    #: Respondents who answered the indicator in this cell.
    n: int
    #: For a share indicator: how many count as "yes"; None for a mean.
    hits: int | None = None
    #: Their summed weight, and the largest weight of one of them (the dominance rule);
    #: 0 when the figure is unweighted (a count), which no one can dominate.
    weight: float = 0.0
    largest: float = 0.0


@dataclass(frozen=True)
class Decision:
    #: (area kind, area name, subgroup) -> outcome, for every area below.
    outcomes: dict[Area, ShareOutcome]
    #: hidden village -> the published cluster whose figure stands in for it.
    shown_in_cluster: dict[str, str]


@dataclass(frozen=True)
class _Margin:
    total: Area
    cells: tuple[Area, ...]
    #: Rule 3 asks that a subgroup's complement passes rule 1, so here an empty cell
    #: counts as hidden; elsewhere an empty cell reveals nothing and is left out.
    pair: bool = False


def decide(
    cells: Mapping[tuple[str, str], Cell],
    clusters: Mapping[str, Sequence[str]],
    sensitive: bool,
    threshold: int = DEFAULT_THRESHOLD,
    dominance: float = DEFAULT_DOMINANCE,
) -> Decision:
    """Rules 1, 2, 3 and 5 and the dominance rule for every area of one indicator, from
    its finest cells (village, subgroup)."""
    villages = sorted({village for village, _ in cells})
    members = _members(villages, clusters)
    sums = _sums(cells, villages, members)
    outcomes = {
        area: _primary(cell, sensitive, threshold, dominance) for area, cell in sums.items()
    }
    within = _within(villages, members)
    for area in sorted(outcomes):
        if outcomes[area] is not PUBLISH:
            _hide(area, outcomes, within)
    margins = _margins(villages, members)
    # Settling one margin can unsettle another (a hidden village hides its subgroups).
    rules = (threshold, dominance)
    while any([_settle(margin, sums, outcomes, within, rules) for margin in margins]):
        pass
    shown_in_cluster = {
        village: cluster
        for cluster, names in members.items()
        if outcomes[(CLUSTER, cluster, "")] is PUBLISH
        for village in names
        if outcomes[(VILLAGE, village, "")] is not PUBLISH
    }
    return Decision(outcomes, dict(sorted(shown_in_cluster.items())))


def _members(
    villages: Sequence[str], clusters: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Each cluster's villages that have respondents; a cluster of none still counts."""
    seen: set[str] = set()
    for names in clusters.values():
        if seen & set(names):
            raise ValueError(f"villages {sorted(seen & set(names))} are in two clusters")
        seen |= set(names)
    known = set(villages)
    return {name: sorted(set(names) & known) for name, names in sorted(clusters.items())}


def _sums(
    cells: Mapping[tuple[str, str], Cell], villages: Sequence[str], members: Mapping[str, list[str]]
) -> dict[Area, Cell]:
    """The summed cell of every area."""
    # An empty cell says nothing about the kind of indicator, whatever its hits.
    given = {key: cell for key, cell in cells.items() if cell.n}
    kinds = {cell.hits is None for cell in given.values()}
    if len(kinds) > 1:
        raise ValueError("cells mix a share (hits) and a mean (no hits)")
    empty = Cell(0, None if kinds == {True} else 0)
    finest = {(v, sub): given.get((v, sub), empty) for v in villages for sub in SUBGROUPS}
    sums: dict[Area, Cell] = {WHOLE: _summed(finest.values(), empty)}
    for sub in SUBGROUPS:
        sums[(MUNICIPALITY, "", sub)] = _summed((finest[(v, sub)] for v in villages), empty)
    for v in villages:
        sums[(VILLAGE, v, "")] = _summed((finest[(v, sub)] for sub in SUBGROUPS), empty)
        for sub in SUBGROUPS:
            sums[(VILLAGE, v, sub)] = finest[(v, sub)]
    for cluster, names in members.items():
        sums[(CLUSTER, cluster, "")] = _summed((sums[(VILLAGE, v, "")] for v in names), empty)
    return sums


def _summed(cells: Iterable[Cell], empty: Cell) -> Cell:
    n, hits, weight, largest = empty.n, empty.hits, empty.weight, empty.largest
    for cell in cells:
        n += cell.n
        hits = None if hits is None or cell.hits is None else hits + cell.hits
        weight, largest = weight + cell.weight, max(largest, cell.largest)
    return Cell(n, hits, weight, largest)


def _primary(cell: Cell, sensitive: bool, threshold: int, dominance: float) -> ShareOutcome:
    """Rules 1 and 2 and the dominance rule on an area's own figure."""
    if enough_respondents(cell.n, threshold) and dominated(cell.largest, cell.weight, dominance):
        return DOMINATED
    if cell.hits is not None:
        return share_outcome(cell.hits, cell.n, sensitive, threshold)
    return PUBLISH if enough_respondents(cell.n, threshold) else SUPPRESSED


def _within(villages: Sequence[str], members: Mapping[str, list[str]]) -> dict[Area, list[Area]]:
    """The areas a hidden area takes with it."""
    within: dict[Area, list[Area]] = {WHOLE: [(MUNICIPALITY, "", sub) for sub in SUBGROUPS]}
    for v in villages:
        within[(VILLAGE, v, "")] = [(VILLAGE, v, sub) for sub in SUBGROUPS]
    for cluster, names in members.items():
        within[(CLUSTER, cluster, "")] = [(VILLAGE, v, "") for v in names]
    return within


def _margins(villages: Sequence[str], members: Mapping[str, list[str]]) -> list[_Margin]:
    clustered = {v for names in members.values() for v in names}
    units = [(VILLAGE, v, "") for v in villages if v not in clustered]
    margins = [_Margin(WHOLE, (*units, *((CLUSTER, c, "") for c in members)))]
    margins += [
        _Margin((CLUSTER, c, ""), tuple((VILLAGE, v, "") for v in names))
        for c, names in members.items()
    ]
    for name, kind in [(v, VILLAGE) for v in villages] + [("", MUNICIPALITY)]:
        margins.append(_Margin((kind, name, ""), tuple((kind, name, s) for s in SUBGROUPS), True))
    margins += [
        _Margin((MUNICIPALITY, "", sub), tuple((VILLAGE, v, sub) for v in villages))
        for sub in SUBGROUPS
    ]
    return margins


def _settle(
    margin: _Margin,
    sums: Mapping[Area, Cell],
    outcomes: dict[Area, ShareOutcome],
    within: Mapping[Area, list[Area]],
    rules: tuple[int, float],
) -> bool:
    """Hide cells of one margin (or its total) until its hidden part gives nothing away;
    whether anything changed."""
    changed = False
    while outcomes[margin.total] is PUBLISH and not _safe(margin, sums, outcomes, rules):
        shown = sorted((sums[area].n, area) for area in margin.cells if outcomes[area] is PUBLISH)
        _hide(shown[0][1] if shown else margin.total, outcomes, within)
        changed = True
    return changed


def _safe(
    margin: _Margin,
    sums: Mapping[Area, Cell],
    outcomes: Mapping[Area, ShareOutcome],
    rules: tuple[int, float],
) -> bool:
    hidden = [
        sums[area]
        for area in margin.cells
        if outcomes[area] is not PUBLISH and (margin.pair or sums[area].n > 0)
    ]
    if not hidden:
        return True
    together = _summed(hidden, Cell(0, None if hidden[0].hits is None else 0))
    return len(hidden) >= 2 and _passes(together, rules)


def _passes(cell: Cell, rules: tuple[int, float]) -> bool:
    """Rules 1 and 2 and the dominance rule, without the "(almost) everyone" way out."""
    return _primary(cell, True, *rules) is PUBLISH


def _hide(
    area: Area, outcomes: dict[Area, ShareOutcome], within: Mapping[Area, list[Area]]
) -> None:
    if outcomes[area] is PUBLISH:
        outcomes[area] = SUPPRESSED
    for inner in within.get(area, []):
        _hide(inner, outcomes, within)
