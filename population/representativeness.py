"""Does a village's panel look like its adult population? Pure functions on plain counts.

Compared per age band x sex: the share of the panel in a group against the share of the
population in it. Members who gave sex "other" (or preferred not to say) cannot be compared
with the register, which knows only female and male; they are counted apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from panel.models import AgeBand, Sex

#: A group is under-represented below three quarters of its fair share: small panels never
#: match exactly, and a quarter short is where weighting starts to cost real precision.
UNDER_REPRESENTED_RATIO = Fraction(3, 4)
#: Groups under 5% of the adults are left unflagged: in a small village they are a handful of
#: people, and one member more or less swings their ratio wildly.
MIN_POPULATION_SHARE = Fraction(5, 100)

COMPARED_SEXES = (Sex.FEMALE, Sex.MALE)

Group = tuple[AgeBand, Sex]


@dataclass(frozen=True)
class GroupComparison:
    age_band: AgeBand
    sex: Sex
    population: int
    population_share: float | None
    panel: int
    panel_share: float | None
    #: Panel share divided by population share; None when either is unknown or zero people.
    ratio: float | None
    under_represented: bool


@dataclass(frozen=True)
class Comparison:
    groups: list[GroupComparison]
    population_total: int
    #: Members in a compared group (female or male, with a known adult age band).
    panel_total: int
    #: Members with sex "other": not comparable with the register.
    other_sex: int
    #: Members without an adult age band in the reference year.
    no_age_band: int

    @property
    def under_represented(self) -> list[GroupComparison]:
        return [group for group in self.groups if group.under_represented]


def age_band_on(
    birth_year: int | None, age_band: AgeBand | None, reference: date
) -> AgeBand | None:
    """The adult age band on the reference date; None for someone not yet 18.

    Members give only a birth year, so everyone is assumed to have their birthday in
    mid-year (2 July): on the usual reference date of 1 January, someone born in 1990 is
    counted as 34 in 2025, as the register counts most of them. Without a birth year, the
    age band the member gave is used as it is.
    """
    if birth_year is None:
        return age_band
    birthday_to_come = reference < date(reference.year, 7, 2)
    return AgeBand.for_age(reference.year - birth_year - (1 if birthday_to_come else 0))


def share(part: int, total: int) -> Fraction | None:
    # Exact fractions, so a ratio of exactly 0.75 is not flagged by a rounding error.
    return Fraction(part, total) if total else None


def compare_group(
    group: Group, population: int, panel: int, totals: tuple[int, int]
) -> GroupComparison:
    population_share = share(population, totals[0])
    panel_share = share(panel, totals[1])
    ratio = None
    if population_share and panel_share is not None:
        ratio = panel_share / population_share
    flagged = (
        ratio is not None
        and ratio < UNDER_REPRESENTED_RATIO
        and population_share >= MIN_POPULATION_SHARE
    )
    return GroupComparison(
        group[0],
        group[1],
        population,
        as_float(population_share),
        panel,
        as_float(panel_share),
        as_float(ratio),
        flagged,
    )


def as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def compare(
    population: Mapping[Group, int], panel: Mapping[tuple[AgeBand | None, Sex], int]
) -> Comparison:
    """Compare panel counts per (age band, sex) with population counts per (age band, sex).

    `panel` may hold sex OTHER and an age band of None; those members are counted apart.
    """
    groups = [(band, sex) for band in AgeBand for sex in COMPARED_SEXES]
    compared = {group: panel.get(group, 0) for group in groups}
    totals = (sum(population.get(group, 0) for group in groups), sum(compared.values()))
    other_sex = sum(n for (_, sex), n in panel.items() if sex not in COMPARED_SEXES)
    no_age_band = sum(
        n for (band, sex), n in panel.items() if band is None and sex in COMPARED_SEXES
    )
    return Comparison(
        groups=[
            compare_group(group, population.get(group, 0), compared[group], totals)
            for group in groups
        ],
        population_total=totals[0],
        panel_total=totals[1],
        other_sex=other_sex,
        no_age_band=no_age_band,
    )
