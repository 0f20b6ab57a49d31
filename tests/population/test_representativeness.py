"""Representativeness maths on plain counts: no app needed."""

from datetime import date

import pytest

from panel.models import AgeBand, Sex
from population.representativeness import age_band_on, compare

F, M, X = Sex.FEMALE, Sex.MALE, Sex.OTHER
B18, B35, B50, B65, B75 = AgeBand

POPULATION = {
    (B18, F): 100, (B18, M): 100,
    (B35, F): 100, (B35, M): 100,
    (B50, F): 150, (B50, M): 150,
    (B65, F): 100, (B65, M): 100,
    (B75, F): 60, (B75, M): 40,
}  # fmt: skip
PANEL = {
    (B18, F): 1, (B18, M): 0,
    (B35, F): 2, (B35, M): 2,
    (B50, F): 4, (B50, M): 4,
    (B65, F): 3, (B65, M): 2,
    (B75, F): 2,
    (B50, X): 2,  # sex "other": not comparable with the register
    (None, F): 1,  # not yet 18 in the reference year
}  # fmt: skip


def by_group(comparison):
    return {(g.age_band, g.sex): g for g in comparison.groups}


def test_hand_computed_example():
    comparison = compare(POPULATION, PANEL)
    assert (comparison.population_total, comparison.panel_total) == (1000, 20)
    assert (comparison.other_sex, comparison.no_age_band) == (2, 1)
    groups = by_group(comparison)
    expected = {  # population share, panel share, ratio
        (B18, F): (0.10, 0.05, 0.5),
        (B18, M): (0.10, 0.0, 0.0),
        (B35, F): (0.10, 0.10, 1.0),
        (B50, M): (0.15, 0.20, 4 / 3),
        (B65, F): (0.10, 0.15, 1.5),
        (B75, F): (0.06, 0.10, 5 / 3),
        (B75, M): (0.04, 0.0, 0.0),
    }
    for group, (population_share, panel_share, ratio) in expected.items():
        found = groups[group]
        assert found.population_share == pytest.approx(population_share), group
        assert found.panel_share == pytest.approx(panel_share), group
        assert found.ratio == pytest.approx(ratio), group
    assert groups[(B50, M)].population == 150 and groups[(B50, M)].panel == 4


def test_small_groups_are_not_flagged_however_few_members():
    flagged = [(g.age_band, g.sex) for g in compare(POPULATION, PANEL).under_represented]
    # 75+ men have no member but are only 4% of the adults.
    assert flagged == [(B18, F), (B18, M)]


def test_thresholds_are_exclusive_for_the_ratio_and_inclusive_for_the_share():
    population = {(B18, F): 5, (B18, M): 95}
    at_ratio = compare(population, {(B18, F): 3, (B18, M): 77})  # 3.75% / 5% = 0.75
    assert by_group(at_ratio)[(B18, F)].ratio == pytest.approx(0.75)
    assert at_ratio.under_represented == []
    below = compare(population, {(B18, F): 2, (B18, M): 78})  # 2.5% / 5% = 0.5
    assert [(g.age_band, g.sex) for g in below.under_represented] == [(B18, F)]


def test_without_members_nothing_is_flagged_and_shares_are_unknown():
    comparison = compare(POPULATION, {(B18, X): 3})
    assert comparison.panel_total == 0 and comparison.other_sex == 3
    assert all(g.panel_share is None and g.ratio is None for g in comparison.groups)
    assert comparison.under_represented == []


def test_without_population_figures_there_are_no_ratios():
    comparison = compare({}, PANEL)
    assert comparison.population_total == 0
    assert all(g.ratio is None and not g.under_represented for g in comparison.groups)


@pytest.mark.parametrize(
    ("birth_year", "band", "reference", "expected"),
    [
        (1990, None, date(2025, 1, 1), B18),  # 34: the birthday in mid-year is still to come
        (1990, None, date(2025, 7, 1), B18),
        (1990, None, date(2025, 7, 2), B35),  # 35 from mid-year on
        (1990, None, date(2025, 12, 31), B35),
        (2007, None, date(2025, 1, 1), None),  # 17
        (2007, None, date(2025, 12, 31), B18),
        (1950, None, date(2026, 1, 1), B75),
        (None, B65, date(2025, 1, 1), B65),  # no birth year: the band given
        (None, None, date(2025, 1, 1), None),
    ],
)
def test_age_band_on_a_reference_date(birth_year, band, reference, expected):
    assert age_band_on(birth_year, band, reference) is expected
