"""Disclosure control for one figure: rules 1, 2 and 4 and the dominance rule. Rules 3 and
5, across the figures of a table, and the property test against differencing are in
test_publication."""

from __future__ import annotations

import pytest

from analysis.disclosure import (
    DEFAULT_DOMINANCE,
    ShareOutcome,
    dominated,
    enough_respondents,
    one_decimal,
    rounded_count,
    share_outcome,
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


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (2, 0), (3, 5), (12, 10), (13, 15), (97, 95)])
def test_rule_4_counts_to_five(n, shown):
    assert rounded_count(n) == shown


def test_rule_4_percentages_whole_and_marks_one_decimal():
    assert whole_percentage(0.125) == 13 and whole_percentage(0.994) == 99
    assert one_decimal(7.25) == 7.3 and one_decimal(6.04) == 6.0


@pytest.mark.parametrize(
    ("largest", "total", "hidden"),
    [
        (25.0, 100.0, False),  # exactly a quarter: allowed
        (25.01, 100.0, True),
        (1000.0, 1029.0, True),  # one village weighted a thousandfold
        (1.0, 10.0, False),
        (0.0, 0.0, False),  # an unweighted figure (a count)
    ],
)
def test_dominance_no_respondent_carries_more_than_a_quarter(largest, total, hidden):
    assert DEFAULT_DOMINANCE == 0.25
    assert dominated(largest, total) is hidden
    assert dominated(largest, total, dominance=0.5) is (total > 0 and largest > total / 2)
