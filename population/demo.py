"""Illustrative margins for the demo: each village's inhabitants spread over the ten cells."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.dates import local_today
from core.db import db
from panel.models import AgeBand, Sex
from population.models import MarginCell, MarginImport
from villages.queries import panel_villages

DEMO_SOURCE = "Demogetallen (geen echte bevolkingscijfers)"
#: Roughly four in five inhabitants of a Drenthe village are adults.
ADULT_SHARE = 0.8
#: Share of the adults per age band: a rural age structure, heavy in the 50-74 bands.
BAND_SHARES = {
    AgeBand.A18_34: 0.21,
    AgeBand.A35_49: 0.19,
    AgeBand.A50_64: 0.28,
    AgeBand.A65_74: 0.18,
    AgeBand.A75_PLUS: 0.14,
}
#: Share of women per age band: slightly fewer among the young, more among the oldest.
FEMALE_SHARES = {
    AgeBand.A18_34: 0.48,
    AgeBand.A35_49: 0.49,
    AgeBand.A50_64: 0.50,
    AgeBand.A65_74: 0.51,
    AgeBand.A75_PLUS: 0.57,
}


#: How the band shares shift in a year: the villages age a little (the policy's worry).
AGEING_PER_YEAR = {
    AgeBand.A18_34: -0.004,
    AgeBand.A35_49: -0.003,
    AgeBand.A50_64: -0.001,
    AgeBand.A65_74: 0.003,
    AgeBand.A75_PLUS: 0.005,
}


def band_shares(years_back: int = 0) -> dict[AgeBand, float]:
    """The adults' shares per age band `years_back` years before the newest margins."""
    return {band: BAND_SHARES[band] - years_back * AGEING_PER_YEAR[band] for band in AgeBand}


def demo_cells(population: int, years_back: int = 0) -> dict[tuple[AgeBand, Sex], int]:
    """Split a village's adults over the cells; whole numbers that add up exactly."""
    adults = round(population * ADULT_SHARE)
    shares = band_shares(years_back)
    exact = {
        (band, sex): adults * shares[band] * share
        for band in AgeBand
        for sex, share in ((Sex.FEMALE, FEMALE_SHARES[band]), (Sex.MALE, 1 - FEMALE_SHARES[band]))
    }
    counts = {cell: int(value) for cell, value in exact.items()}
    # Largest remainders get the people rounding down left over; ties in a fixed cell order.
    order = sorted(exact, key=lambda cell: exact[cell] - counts[cell], reverse=True)
    for cell in order[: adults - sum(counts.values())]:
        counts[cell] += 1
    return counts


def seed_demo_margins(today: date | None = None, years_back: int = 0) -> MarginImport:
    """Load demo margins dated 1 January of this year (`years_back` years earlier, a little
    younger), once; run again, it changes nothing."""
    reference_date = date((today or local_today()).year - years_back, 1, 1)
    existing = db.session.scalar(
        select(MarginImport).where(
            MarginImport.is_demo.is_(True), MarginImport.reference_date == reference_date
        )
    )
    if existing is not None:
        return existing
    margin_import = MarginImport(reference_date=reference_date, source=DEMO_SOURCE, is_demo=True)
    for village in panel_villages():
        if village.population is None:
            continue
        for (band, sex), count in demo_cells(village.population, years_back).items():
            margin_import.cells.append(
                MarginCell(village_id=village.id, age_band=band, sex=sex, count=count)
            )
    db.session.add(margin_import)
    db.session.flush()
    return margin_import
