"""Population facts of a village from the imported margins: adults and the share aged 65 or
over per reference year (the ageing the village policy worries about). Small counts are
rounded, as everywhere on the public pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.db import db
from mirror.charts import Chart, Point, trend
from mirror.figures import decimal_mark
from panel.models import AgeBand
from population.models import MarginCell, MarginImport
from villages.models import Village

OLDER = (AgeBand.A65_74, AgeBand.A75_PLUS)
#: Counts of people below this are not shown on their own: "fewer than 10".
SMALL_COUNT = 10


@dataclass
class Population:
    years: list[PopulationYear] = field(default_factory=list)
    chart: Chart | None = None
    source: str = ""


@dataclass
class PopulationYear:
    year: int
    adults: str
    older_share: float | None
    older_text: str


def population_facts(village: Village) -> Population:
    """Adults and the share aged 65 or over, per imported reference year; small counts
    rounded."""
    facts = Population()
    for year, (bands, source) in sorted(_counts_per_year(village).items()):
        adults = sum(bands.values())
        older = sum(bands.get(band, 0) for band in OLDER)
        share = round(100 * older / adults) if adults >= SMALL_COUNT else None
        text = format_percent(share / 100) if share is not None else ""
        facts.years.append(PopulationYear(year, _about(adults), share, text))
        facts.source = source
    shares = [p for p in facts.years if p.older_share is not None]
    if shares:
        facts.chart = trend(
            "population-older",
            _("Share of adults aged 65 or over"),
            _(
                "The share of adults in %(village)s aged 65 or over, per year.",
                village=village.name,
            ),
            [Point(str(p.year), p.older_share, p.older_text) for p in shares],
            (0, 100),
            10,
            decimal_mark(),
        )
    return facts


def _counts_per_year(village: Village) -> dict[int, tuple[dict[AgeBand, int], str]]:
    """Per reference year, the village's adults per age band and the source, from the
    latest import of that year."""
    rows = db.session.execute(
        select(
            MarginImport.id,
            MarginImport.reference_date,
            MarginImport.source,
            MarginCell.age_band,
            func.sum(MarginCell.count),
        )
        .join(MarginCell, MarginCell.import_id == MarginImport.id)
        .where(MarginCell.village_id == village.id)
        .group_by(
            MarginImport.id, MarginImport.reference_date, MarginImport.source, MarginCell.age_band
        )
        .order_by(MarginImport.reference_date, MarginImport.id)
    ).all()
    latest: dict[int, int] = {}
    for import_id, reference, *_rest in rows:
        latest[reference.year] = import_id  # ordered: the last is the latest
    years: dict[int, tuple[dict[AgeBand, int], str]] = {}
    for import_id, reference, source, band, count in rows:
        if latest[reference.year] == import_id:
            years.setdefault(reference.year, ({}, source))[0][band] = int(count)
    return years


def _about(count: int) -> str:
    """A count of people as shown: rounded to 5, and a small one only as "fewer than 10"."""
    if count < SMALL_COUNT:
        return _("fewer than %(num)s", num=SMALL_COUNT)
    return format_decimal(5 * round(count / 5), "#,##0")
