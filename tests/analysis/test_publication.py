"""Secondary suppression: a test per rule, and a property test that no published figures
let one derive a small group's figure, one dominated by a single respondent's weight, or a
suppressed one by differencing."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import (
    ShareOutcome,
    dominated,
    enough_respondents,
    share_outcome,
    threshold_of,
)
from analysis.publication import SUBGROUPS, Cell, Decision, decide

PUBLISH = ShareOutcome.PUBLISH
SUPPRESSED = ShareOutcome.SUPPRESSED
DOMINATED = ShareOutcome.DOMINATED
UNDER, OLDER = SUBGROUPS
KLEINE_KERNEN = {"Kleine kernen": ["Mantinge", "Garminge", "Balinge", "Eursinge"]}


def sized(**villages: tuple[int, int]) -> dict[tuple[str, str], Cell]:
    """Mean cells: village -> (n under 65, n 65+); an empty subgroup has no cell."""
    return {
        (village, sub): Cell(n)
        for village, pair in villages.items()
        for sub, n in zip(SUBGROUPS, pair, strict=True)
        if n
    }


def village(decision: Decision, name: str, sub: str = "") -> ShareOutcome:
    return decision.outcomes[("village", name, sub)]


def hidden_villages(decision: Decision) -> set[str]:
    return {
        name
        for (kind, name, sub), outcome in decision.outcomes.items()
        if kind == "village" and not sub and outcome is not PUBLISH
    }


@pytest.mark.parametrize(
    ("under", "older", "sensitive", "outcome"),
    [
        (Cell(6, 3), Cell(6, 3), False, PUBLISH),
        (Cell(5, 3), Cell(4, 3), False, SUPPRESSED),
        (Cell(6, 1), Cell(6, 1), False, ShareOutcome.ALMOST_NO_ONE),
        (Cell(6, 1), Cell(6, 1), True, SUPPRESSED),
        (Cell(6, 6), Cell(6, 5), False, ShareOutcome.ALMOST_EVERYONE),
    ],
)
def test_primary_rules_decide_each_area_on_its_own_figure(under, older, sensitive, outcome):
    decision = decide({("Beilen", UNDER): under, ("Beilen", OLDER): older}, {}, sensitive)
    assert decision.outcomes[("municipality", "", "")] is outcome
    assert village(decision, "Beilen") is outcome


def test_a_lone_hidden_village_takes_the_next_smallest_with_it():
    cells = sized(Beilen=(100, 80), Smilde=(30, 25), Spier=(7, 6), Wijster=(4, 4))
    assert hidden_villages(decide(cells, {}, False)) == {"Spier", "Wijster"}


def test_hidden_villages_whose_sum_is_small_take_a_third_with_them():
    cells = sized(Beilen=(100, 80), Smilde=(30, 25), Elp=(6, 6), Spier=(2, 2), Wijster=(2, 2))
    assert hidden_villages(decide(cells, {}, False)) == {"Elp", "Spier", "Wijster"}


def test_a_hidden_cluster_hides_its_members():
    cells = sized(Beilen=(100, 80), Smilde=(30, 25), Wijster=(3, 2), Mantinge=(6, 7))
    cells |= sized(Garminge=(1, 1))
    decision = decide(cells, {"Kleine kernen": ["Mantinge", "Garminge"]}, False)
    # Wijster alone would be the only hidden unit of the municipality; the cluster goes too.
    assert decision.outcomes[("cluster", "Kleine kernen", "")] is SUPPRESSED
    assert hidden_villages(decision) == {"Wijster", "Mantinge", "Garminge"}
    assert {village(decision, "Mantinge", sub) for sub in SUBGROUPS} == {SUPPRESSED}
    assert decision.shown_in_cluster == {}


def test_a_published_cluster_with_one_hidden_member_hides_the_next_smallest():
    cells = sized(Beilen=(100, 80), Smilde=(30, 25))
    cells |= sized(Mantinge=(10, 10), Garminge=(2, 2), Balinge=(6, 6), Eursinge=(30, 30))
    decision = decide(cells, KLEINE_KERNEN, False)
    assert decision.outcomes[("cluster", "Kleine kernen", "")] is PUBLISH
    assert hidden_villages(decision) == {"Garminge", "Balinge"}


def test_hidden_members_are_shown_in_their_published_cluster():
    cells = sized(Beilen=(100, 80), Smilde=(30, 25))
    cells |= sized(Mantinge=(10, 10), Garminge=(2, 2), Balinge=(6, 6), Eursinge=(30, 30))
    decision = decide(cells, KLEINE_KERNEN, False)
    assert decision.shown_in_cluster == {"Balinge": "Kleine kernen", "Garminge": "Kleine kernen"}


def test_subgroups_are_shown_in_pairs_or_not_at_all():
    cells = sized(Beilen=(100, 80), Westerbork=(50, 40), Smilde=(30, 6), Hooghalen=(12, 11))
    decision = decide(cells, {}, False)
    assert village(decision, "Smilde") is PUBLISH
    assert village(decision, "Smilde", UNDER) is SUPPRESSED  # 30 on its own, but 6 aged 65+
    assert village(decision, "Smilde", OLDER) is SUPPRESSED
    assert village(decision, "Beilen", UNDER) is village(decision, "Beilen", OLDER) is PUBLISH
    few_older = decide(sized(Beilen=(100, 4), Smilde=(30, 4)), {}, False).outcomes
    assert few_older[("municipality", "", UNDER)] is SUPPRESSED
    assert few_older[("municipality", "", "")] is PUBLISH


def test_a_subgroup_across_the_villages_is_a_margin_too():
    cells = sized(Beilen=(100, 80), Westerbork=(50, 40), Smilde=(30, 6), Hooghalen=(12, 11))
    decision = decide(cells, {}, False)
    # Smilde's under 65 would be the only one hidden next to the municipality's under 65,
    # so the smallest other village's pair goes too; the villages themselves stay.
    assert {village(decision, "Hooghalen", sub) for sub in SUBGROUPS} == {SUPPRESSED}
    assert village(decision, "Hooghalen") is PUBLISH
    assert village(decision, "Westerbork", UNDER) is village(decision, "Westerbork", OLDER)
    assert village(decision, "Westerbork", UNDER) is PUBLISH


@pytest.mark.parametrize(
    ("sensitive", "outcome"), [(False, ShareOutcome.ALMOST_EVERYONE), (True, SUPPRESSED)]
)
def test_almost_everyone_is_hidden_too_and_sensitive_shares_are_suppressed(sensitive, outcome):
    cells = {
        ("Beilen", UNDER): Cell(100, 40),
        ("Beilen", OLDER): Cell(80, 30),
        ("Smilde", UNDER): Cell(30, 28),
        ("Smilde", OLDER): Cell(25, 25),
        ("Westerbork", UNDER): Cell(20, 10),
        ("Westerbork", OLDER): Cell(20, 10),
        ("Spier", UNDER): Cell(8, 4),
        ("Spier", OLDER): Cell(7, 3),
    }
    decision = decide(cells, {}, sensitive)
    assert village(decision, "Smilde") is outcome
    # Its exact share is not published, so it may not be the only one missing.
    assert village(decision, "Spier") is SUPPRESSED
    assert village(decision, "Westerbork") is PUBLISH


def test_means_need_only_enough_respondents():
    decision = decide(sized(Beilen=(100, 80), Smilde=(5, 5), Spier=(5, 4), Elp=(4, 4)), {}, True)
    assert village(decision, "Beilen") is village(decision, "Smilde") is PUBLISH
    assert hidden_villages(decision) == {"Spier", "Elp"}
    assert set(decision.outcomes.values()) == {PUBLISH, SUPPRESSED}


def test_a_threshold_below_five_counts_as_five():
    cells = sized(Beilen=(3, 2), Smilde=(2, 2), Spier=(2, 1))
    assert decide(cells, {}, False, threshold=3) == decide(cells, {}, False, threshold=5)
    assert hidden_villages(decide(cells, {}, False, threshold=3)) == {"Smilde", "Spier"}


def heavy(n: int, largest: float) -> Cell:
    """A mean cell of n respondents of weight 1, but one of them weighing `largest`."""
    return Cell(n, None, n - 1 + largest, largest)


def test_a_figure_one_respondent_dominates_is_hidden_and_its_margins_protected():
    cells = sized(Beilen=(100, 80), Smilde=(30, 25), Hooghalen=(20, 20))
    cells = {key: Cell(c.n, None, float(c.n), 1.0) for key, c in cells.items()}
    cells[("Smilde", UNDER)] = heavy(30, 40.0)  # 40 of 69: over a quarter of Smilde < 65
    decision = decide(cells, {}, sensitive=False)
    assert village(decision, "Smilde", UNDER) is DOMINATED
    assert village(decision, "Smilde") is DOMINATED  # 40 of 94
    # Rule 3 still protects the rest: Smilde's 65+ beside its total gives its under 65.
    assert village(decision, "Smilde", OLDER) is SUPPRESSED
    # The municipality (40 of 318) is shown; the villages beside it would give Smilde, and
    # Smilde with Hooghalen is still dominated (40 of 134): Beilen is hidden too.
    assert decision.outcomes[("municipality", "", "")] is PUBLISH
    assert village(decision, "Hooghalen") is village(decision, "Beilen") is SUPPRESSED


def test_a_hamlet_weighted_a_thousandfold_hides_every_total_it_dominates():
    """The attack of issue 16: made-up margins weigh Orvelte's 2 respondents up so far that
    the municipality's figure is theirs."""
    cells = {
        ("Beilen", UNDER): Cell(60, None, 60.0, 1.0),
        ("Beilen", OLDER): Cell(50, None, 50.0, 1.0),
        ("Orvelte", UNDER): Cell(1, None, 1000.0, 1000.0),
        ("Orvelte", OLDER): Cell(1, None, 1000.0, 1000.0),
    }
    decision = decide(cells, {}, sensitive=False)
    assert village(decision, "Orvelte") is SUPPRESSED  # too few respondents: rule 1
    for sub in ("", *SUBGROUPS):
        assert decision.outcomes[("municipality", "", sub)] is not PUBLISH
    assert decision.outcomes[("municipality", "", "")] is DOMINATED
    assert village(decision, "Beilen") is PUBLISH


def test_counts_without_weights_are_never_dominated():
    cells = sized(Beilen=(100, 80), Smilde=(30, 25))
    assert DOMINATED not in decide(cells, {}, False).outcomes.values()


# The differencing check -----------------------------------------------------------------

NAMES = ("Beilen", "Smilde", "Hooghalen", "Elp", "Spier", "Wijster")
Finest = tuple[str, str]


def finest_cells(cells) -> list[Finest]:
    return [(v, sub) for v in sorted({v for v, _ in cells}) for sub in SUBGROUPS]


def vector(area: tuple[str, str, str], finest: list[Finest], clusters) -> list[int]:
    """The finest cells that add up to an area."""
    kind, name, sub = area
    if kind == "cluster":
        return [int(v in clusters[name]) for v, _ in finest]
    return [int(kind == "municipality" or v == name) * int(sub in ("", s)) for v, s in finest]


def passes(group: list[Cell], threshold: int) -> bool:
    """Rules 1 and 2 and the dominance rule on the sum of some cells, as the property
    test's oracle."""
    n = sum(cell.n for cell in group)
    hits = [cell.hits for cell in group if cell.hits is not None]
    shares_ok = not hits or min(sum(hits), n - sum(hits)) >= 3
    heaviest = max(cell.largest for cell in group)
    lone_weight = dominated(heaviest, sum(cell.weight for cell in group))
    return n >= threshold_of(threshold) and shares_ok and not lone_weight


def revealed_small_sums(cells, clusters, decision: Decision, threshold: int) -> list[tuple]:
    """Every set of finest cells whose sum follows from the published figures and is a
    small group (or a share with fewer than 3 on a side); empty sums reveal nothing."""
    finest = finest_cells(cells)
    if not finest:
        return []
    published = [a for a, outcome in sorted(decision.outcomes.items()) if outcome is PUBLISH]
    rows = np.array([vector(a, finest, clusters) for a in published], float)
    rows = rows.reshape(len(published), len(finest))
    subsets = np.array(list(itertools.product((0, 1), repeat=len(finest)))[1:], float)
    # rank([A; v]) == rank(A), for every subset v at once (matrix_rank takes a stack).
    stacked = np.concatenate(
        [np.broadcast_to(rows, (len(subsets), *rows.shape)), subsets[:, None]], 1
    )
    derivable = np.linalg.matrix_rank(stacked) == (np.linalg.matrix_rank(rows) if published else 0)
    leaks = []
    for subset in subsets[derivable]:
        keys = tuple(key for key, x in zip(finest, subset, strict=True) if x)
        group = [cells[key] for key in keys if key in cells and cells[key].n]
        if group and not passes(group, threshold):
            leaks.append(keys)
    return leaks


def test_the_differencing_check_finds_a_lone_hidden_village():
    cells = sized(Beilen=(100, 80), Smilde=(30, 25), Wijster=(4, 4))
    outcomes = {area: PUBLISH for area in decide(cells, {}, False).outcomes}
    outcomes |= {("village", "Wijster", sub): SUPPRESSED for sub in ("", *SUBGROUPS)}
    leaks = revealed_small_sums(cells, {}, Decision(outcomes, {}), 10)
    assert (("Wijster", UNDER), ("Wijster", OLDER)) in leaks


@st.composite
def panels(draw):
    names = NAMES[: draw(st.integers(1, len(NAMES)))]
    share = draw(st.booleans())
    cells = {}
    for name in names:
        for sub in SUBGROUPS:
            n = draw(st.integers(0, 25))
            if n:
                extreme = st.integers(0, min(2, n)) | st.integers(max(0, n - 2), n)
                hits = draw(st.integers(0, n) | extreme) if share else None
                cells[(name, sub)] = Cell(n, hits, *draw(weights(n)))
            elif draw(st.booleans()):  # an empty cell given explicitly, as a missing one
                cells[(name, sub)] = Cell(0, draw(st.sampled_from([0, None])))
    # Disjoint clusters; a member may have no respondents at all (a name not drawn above).
    pool = draw(st.permutations(NAMES))
    clusters, start = {}, 0
    for cluster in ("Oost", "West")[: draw(st.integers(0, 2))]:
        size = draw(st.integers(1, 3))
        clusters[cluster], start = list(pool[start : start + size]), start + size
    return cells, clusters, draw(st.booleans()), draw(st.integers(5, 12))


@st.composite
def weights(draw, n: int) -> tuple[float, float]:
    """The summed and largest weight of n respondents: alike, or one far heavier (made-up
    margins that weigh one respondent many times over)."""
    each = draw(st.sampled_from([1.0, 12.5, 400.0]))
    largest = each * draw(st.sampled_from([1.0, 1.0, 3.0, 20.0, 1000.0]))
    return (n - 1) * each + largest, largest


def primary(group: list[Cell], sensitive: bool, threshold: int) -> ShareOutcome:
    group = [cell for cell in group if cell.n]
    n = sum(cell.n for cell in group)
    weight = sum(cell.weight for cell in group)
    if enough_respondents(n, threshold) and dominated(max(c.largest for c in group), weight):
        return DOMINATED
    if group and group[0].hits is not None:
        return share_outcome(sum(cell.hits for cell in group), n, sensitive, threshold)
    return PUBLISH if enough_respondents(n, threshold) else SUPPRESSED


@settings(max_examples=300, deadline=None)
@given(panels())
def test_no_published_figures_let_one_derive_a_small_group(panel):
    cells, clusters, sensitive, threshold = panel
    decision = decide(cells, clusters, sensitive, threshold)
    assert revealed_small_sums(cells, clusters, decision, threshold) == []
    shuffled = dict(reversed(cells.items())), dict(reversed(clusters.items()))
    assert decide(*shuffled, sensitive, threshold) == decision
    finest = finest_cells(cells)
    villages = {v for v, _ in finest}
    assert set(decision.outcomes) == {("municipality", "", s) for s in ("", *SUBGROUPS)} | {
        ("village", v, s) for v in villages for s in ("", *SUBGROUPS)
    } | {("cluster", c, "") for c in clusters}
    for area, outcome in decision.outcomes.items():
        inside = [key for key, x in zip(finest, vector(area, finest, clusters), strict=True) if x]
        own = primary([cells[key] for key in inside if key in cells], sensitive, threshold)
        # Secondary suppression only ever turns PUBLISH into SUPPRESSED.
        assert outcome is own or (own is PUBLISH and outcome is SUPPRESSED)
    assert decision.shown_in_cluster == {
        v: c
        for c, names in clusters.items()
        if decision.outcomes[("cluster", c, "")] is PUBLISH
        for v in names
        if v in villages and decision.outcomes[("village", v, "")] is not PUBLISH
    }
