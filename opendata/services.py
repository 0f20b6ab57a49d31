"""Open data: the village mirror's published figures as plain rows, for the downloads and
the API.

Built from the mirror's own pages (mirror.services.village_page, never a preview), so a
table or an API answer shows exactly what the published pages show: the same numbers, the
same suppression, released runs only. A figure the page leaves out is a row without
numbers and with the reason, never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from core.db import db
from mirror import services as mirror
from mirror.figures import Figure, indicators_of, language, unit_of, whole_figures
from results.models import AnalysisRun, ResultFigure
from villages.models import Village, VillageKind

#: Why a figure has no numbers: the stored status (or its absence) -> reason code.
REASONS = {
    "suppressed": "too_few_answers",
    "dominated": "one_answer_weighs_too_heavily",
    "almost_everyone": "almost_everyone",
    "almost_no_one": "almost_no_one",
}
TOO_FEW = "too_few_answers"
RELIABILITIES = ("normal", "indicative")


def reason_label(reason: str) -> str:
    """The reason in the reader's words (the pages' own wording)."""
    return {
        "too_few_answers": _("Not enough answers"),
        "one_answer_weighs_too_heavily": _("not shown: one answer weighs too heavily"),
        "almost_everyone": _("(almost) everyone"),
        "almost_no_one": _("(almost) no one"),
    }[reason]


def reliability_label(reliability: str) -> str:
    if reliability == "indicative":
        return _("Based on few answers: read it as a rough figure.")
    return _("Enough answers for a firm figure.")


@dataclass(frozen=True)
class WaveInfo:
    id: int
    title: str
    opens_on: date | None
    closes_on: date | None
    released_at: datetime
    respondents: int


@dataclass(frozen=True)
class Cell:
    """One indicator as a page shows it, for one area: numbers, or none and why."""

    code: str
    label: str
    unit: str
    wave: int
    area: str
    area_kind: str
    estimate: float | None
    low: float | None
    high: float | None
    n: int | None
    reliability: str | None
    reason: str | None

    @property
    def suppressed(self) -> bool:
        return self.estimate is None


@dataclass(frozen=True)
class VillageTable:
    name: str
    slug: str
    #: own, cluster, mixed or none, as the village page says.
    state: str
    respondents: int | None
    cells: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class Published:
    """The published mirror in one piece: the wave, the municipality and every village."""

    wave: WaveInfo | None
    indicators: list[tuple[str, str, str]]
    municipality: list[Cell]
    villages: list[VillageTable]

    def village(self, slug: str) -> VillageTable | None:
        return next((v for v in self.villages if v.slug == slug), None)


def listed_villages() -> list[Village]:
    """The villages the mirror lists (neighbourhoods count with their village)."""
    return list(
        db.session.scalars(
            select(Village).where(Village.kind != VillageKind.NEIGHBOURHOOD).order_by(Village.name)
        )
    )


def published() -> Published:
    """The published mirror in the reader's language; cached like the pages."""
    villages = listed_villages()
    key = (
        "opendata",
        language(),
        tuple(mirror.released_runs()),
        tuple((v.id, v.name, v.slug) for v in villages),
    )
    return mirror.cached(key, lambda: build(villages))


def last_released() -> datetime | None:
    """When the newest published figures were released: the tables' Last-Modified."""
    ids = [run_id for run_id, _survey in mirror.released_runs()]
    if not ids:
        return None
    return db.session.scalar(
        select(func.max(AnalysisRun.released_at)).where(AnalysisRun.id.in_(ids))
    )


def build(villages: list[Village]) -> Published:
    pages = [mirror.village_page(v) for v in villages]
    wave = next((p.wave for p in pages if p.wave), None)
    if wave is None:
        return Published(None, [], [], [])
    run = db.session.get(AnalysisRun, wave.run_id)
    stored = whole_figures(run)
    info = WaveInfo(
        wave.survey_id,
        wave.title,
        wave.opens_on,
        wave.closes_on,
        wave.released_at,
        wave.respondents,
    )
    first = pages[0]
    indicators = [(c.code, c.label, _unit(c, run)) for c in first.cards]
    municipality = [
        _cell(
            c.municipality,
            c.code,
            c.label,
            _unit(c, run),
            wave.survey_id,
            stored.get(("municipality:", c.code)),
            _("Municipality"),
            "municipality",
        )
        for c in first.cards
    ]
    tables = [_village_table(page, stored, indicators, wave.survey_id) for page in pages]
    return Published(info, indicators, municipality, tables)


def _unit(card: mirror.Card, run: AnalysisRun) -> str:
    return unit_of(indicators_of(run)[card.code])


def _village_table(
    page: mirror.VillagePage,
    stored: dict[tuple[str, str], ResultFigure],
    indicators: list[tuple[str, str, str]],
    wave: int,
) -> VillageTable:
    units = {code: unit for code, _label, unit in indicators}
    cells = [
        _cell(
            card.figure,
            card.code,
            card.label,
            units[card.code],
            wave,
            stored.get((f"village:{page.name}", card.code)),
            page.name,
            "village",
        )
        for card in page.cards
    ]
    return VillageTable(page.name, page.slug, page.state, page.respondents, cells)


def _cell(
    shown: Figure | None,
    code: str,
    label: str,
    unit: str,
    wave: int,
    own: ResultFigure | None,
    area: str,
    area_kind: str,
) -> Cell:
    """What the page shows: the figure (its own area's or a cluster's standing in), or
    nothing, with the reason the stored figure gives."""
    if shown is not None and shown.value is not None:
        reliability = "indicative" if shown.indicative else "normal"
        return Cell(
            code,
            label,
            unit,
            wave,
            shown.area,
            shown.area_kind,
            shown.value,
            shown.low,
            shown.high,
            shown.n,
            reliability,
            None,
        )
    if shown is not None:  # (almost) everyone or no one: words, no numbers
        return Cell(
            code,
            label,
            unit,
            wave,
            shown.area,
            shown.area_kind,
            None,
            None,
            None,
            None,
            None,
            REASONS[shown.status],
        )
    reason = REASONS.get(own.status, TOO_FEW) if own is not None else TOO_FEW
    return Cell(code, label, unit, wave, area, area_kind, None, None, None, None, None, reason)
