"""Disclosure control: a test per rule, and a property test that no published margin lets
one recover a suppressed cell by subtraction."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import (
    ShareOutcome,
    enough_respondents,
    one_decimal,
    publish_margin,
    rounded_count,
    share_outcome,
    subgroup_shown,
    suppress_margin,
    threshold_of,
    whole_percentage,
)


@pytest.mark.parametrize(
    ("n", "threshold", "shown"), [(9, 10, False), (10, 10, True), (4, 3, False), (5, 3, True)]
)
def test_rule_1_at_least_the_threshold_never_below_five(n, threshold, shown):
    assert enough_respondents(n, threshold) is shown
    assert threshold_of(3) == 5


@pytest.mark.parametrize(
    ("hits", "n", "sensitive", "outcome"),
    [
        (5, 20, False, ShareOutcome.PUBLISH),
        (3, 20, True, ShareOutcome.PUBLISH),
        (2, 20, False, ShareOutcome.ALMOST_NO_ONE),
        (18, 20, False, ShareOutcome.ALMOST_EVERYONE),
        (2, 20, True, ShareOutcome.SUPPRESSED),
        (19, 20, True, ShareOutcome.SUPPRESSED),
        (5, 9, False, ShareOutcome.SUPPRESSED),
    ],
)
def test_rule_2_shares_need_three_on_each_side(hits, n, sensitive, outcome):
    assert share_outcome(hits, n, sensitive) is outcome


def test_rule_3_one_suppressed_cell_takes_the_next_smallest_with_it():
    counts = {"Orvelte": 6, "Spier": 14, "Beilen": 300, "Wijster": 12}
    assert suppress_margin(counts) == {"Orvelte", "Wijster"}
    assert suppress_margin({"Orvelte": 6, "Elp": 8, "Beilen": 300}) == {"Orvelte", "Elp"}
    assert suppress_margin({"Beilen": 300, "Smilde": 50}) == set()


def test_rule_3_a_subgroup_needs_its_complement_to_pass_too():
    assert subgroup_shown(12, 40) and not subgroup_shown(12, 20) and not subgroup_shown(8, 40)


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (2, 0), (3, 5), (12, 10), (13, 15), (97, 95)])
def test_rule_4_counts_to_five(n, shown):
    assert rounded_count(n) == shown


def test_rule_4_percentages_whole_and_marks_one_decimal():
    assert whole_percentage(0.125) == 13 and whole_percentage(0.994) == 99
    assert one_decimal(7.25) == 7.3 and one_decimal(6.04) == 6.0


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(0, 60), min_size=2))
def test_no_suppressed_cell_can_be_recovered_from_a_published_margin(counts):
    cells, total = publish_margin(counts)
    hidden = [cell for cell in cells if cell.count is None]
    # Never exactly one unknown: subtracting the shown cells from the total then leaves
    # the sum of at least two suppressed cells, not one cell's value.
    assert len(hidden) != 1
    for cell in hidden:
        assert not enough_respondents(counts[cell.key]) or len(hidden) >= 2
    assert all(cell.count % 5 == 0 for cell in cells if cell.count is not None)
    assert total % 5 == 0
