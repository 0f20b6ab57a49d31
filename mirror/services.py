"""The village mirror (dorpsspiegel): the published figures of the liveability waves, per
village and for the whole municipality, arranged for the pages (and the PDF).

Reads only stored, disclosure-controlled figures (results.models.ResultFigure): a hidden
figure has no numbers to read. The public sees released runs only; an official may preview
the newest computed run. A released run never changes, so what is built from it is cached
(keyed by the runs and margins it was built from, and the language).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from core.cache import cached as core_cached
from core.db import db
from mirror.charts import Chart, Point, dot_plot, trend
from mirror.figures import (
    KEY_INDICATORS,
    SCALES,
    Figure,
    Wave,
    as_point,
    decimal_mark,
    figure,
    indicators_of,
    key_codes,
    label_of,
    language,
    shown,
    shown_figure,
    wave_of,
    whole_figures,
)
from mirror.population import Population, population_facts
from population.models import MarginImport
from results.models import AnalysisRun, AreaKind, ResultFigure, RunStatus
from results.services import computed_run
from surveys.models import Survey, SurveyKind, SurveyStatus
from villages.models import Village, VillageKind

# What the pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    """A wave whose figures are not published yet: still open until `closes_on`, or
    closed and being checked."""

    open: bool
    closes_on: date | None


@dataclass(frozen=True)
class Card:
    figure: Figure | None
    code: str
    label: str
    municipality: Figure | None
    #: The cluster whose figure stands in for the village, when it does.
    cluster: str | None = None

    @property
    def key(self) -> bool:
        return self.code in KEY_INDICATORS


@dataclass
class OverviewRow:
    name: str
    kind: str
    slug: str | None
    villages: list[str]
    cells: dict[str, Figure | None]


@dataclass
class Overview:
    wave: Wave | None
    indicators: list[tuple[str, str]]
    municipality: dict[str, Figure | None]
    rows: list[OverviewRow]
    charts: dict[str, Chart]
    villages: list[VillageEntry]
    next_wave: Upcoming | None = None


@dataclass(frozen=True)
class VillageEntry:
    name: str
    slug: str
    #: own, cluster, none
    state: str
    cluster: str | None = None


@dataclass
class VillagePage:
    name: str
    slug: str
    wave: Wave | None
    #: For a neighbourhood: (name, slug) of the village whose figures it counts with.
    part_of: tuple[str, str] | None = None
    cards: list[Card] = field(default_factory=list)
    #: own, cluster, mixed or none (no figure of or for the village in this wave).
    state: str = "none"
    clusters: dict[str, list[str]] = field(default_factory=dict)
    trends: list[Chart] = field(default_factory=list)
    changes: list[Figure] = field(default_factory=list)
    respondents: int | None = None
    population: Population = field(default_factory=Population)
    weighting: dict[str, Any] = field(default_factory=dict)
    own_weighting: dict[str, Any] | None = None
    next_wave: Upcoming | None = None


# Which runs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    """What the published pages are built from, besides the language: a new release, a
    wave opening or closing or new margins makes new cache keys."""

    #: (run id, survey id) of the published run of every liveability wave, oldest first.
    runs: tuple[tuple[int, int], ...]
    #: The open or closed wave whose figures are not published yet.
    next_wave: Upcoming | None
    #: The newest population margins (a village's population facts).
    margins: int


def sources() -> Sources:
    """In one query, as every warm page asks: the liveability waves with their released
    runs, and the newest margins in each row."""
    margins = select(func.max(MarginImport.id))
    rows = db.session.execute(
        select(
            Survey.id,
            Survey.status,
            Survey.closes_on,
            AnalysisRun.id,
            margins.scalar_subquery().label("margins"),
        )
        .outerjoin(
            AnalysisRun,
            and_(AnalysisRun.survey_id == Survey.id, AnalysisRun.released_at.is_not(None)),
        )
        .where(Survey.kind == SurveyKind.GENERAL)
        .order_by(Survey.opens_on, Survey.id, AnalysisRun.released_at, AnalysisRun.id)
    ).all()
    newest: dict[int, int] = {}
    for survey_id, _status, _closes_on, run_id, _margins in rows:
        if run_id is not None:
            newest[survey_id] = run_id  # ordered: the last one of a survey is its newest
    return Sources(
        tuple((run_id, survey_id) for survey_id, run_id in newest.items()),
        _waiting(rows, newest),
        (rows[0].margins if rows else db.session.scalar(margins)) or 0,
    )


def _waiting(rows: Sequence[Any], published: dict[int, int]) -> Upcoming | None:
    """The open or closed wave without released figures that closes last."""
    # Published and closed waves always have dates (a check constraint).
    waiting = [
        (closes_on, survey_id, status is SurveyStatus.PUBLISHED)
        for survey_id, status, closes_on, _run, _margins in rows
        if status in (SurveyStatus.PUBLISHED, SurveyStatus.CLOSED) and survey_id not in published
    ]
    if not waiting:
        return None
    closes_on, _survey, still_open = max(waiting)
    return Upcoming(still_open, closes_on)


def released_runs() -> list[tuple[int, int]]:
    """(run id, survey id) of the published run of every liveability wave, oldest first."""
    return list(sources().runs)


def preview_run() -> AnalysisRun | None:
    """For officials: the newest computed run of the newest wave that has one, released or
    not."""
    survey = db.session.scalar(
        select(Survey)
        .join(AnalysisRun, AnalysisRun.survey_id == Survey.id)
        .where(AnalysisRun.status == RunStatus.SUCCEEDED, Survey.kind == SurveyKind.GENERAL)
        .order_by(Survey.opens_on.desc(), Survey.id.desc())
        .limit(1)
    )
    return computed_run(survey) if survey else None


def runs_for(preview: bool) -> list[AnalysisRun]:
    """The runs a page is built from, oldest wave first; the last one is shown."""
    ids = [run_id for run_id, _ in released_runs()]
    runs = [db.session.get(AnalysisRun, run_id) for run_id in ids]
    if preview:
        newest = preview_run()
        if newest is not None and newest.id not in ids:
            runs = [r for r in runs if r.survey_id != newest.survey_id] + [newest]
    return runs


def has_unreleased() -> bool:
    """Whether `preview_run` is not released yet, in one query of two columns (asked on
    every page an official opens)."""
    newest = db.session.execute(
        select(AnalysisRun.id, AnalysisRun.released_at)
        .join(Survey, Survey.id == AnalysisRun.survey_id)
        .where(AnalysisRun.status == RunStatus.SUCCEEDED, Survey.kind == SurveyKind.GENERAL)
        .order_by(
            Survey.opens_on.desc(),
            Survey.id.desc(),
            AnalysisRun.finished_at.desc(),
            AnalysisRun.id.desc(),
        )
        .limit(1)
    ).first()
    return newest is not None and newest.released_at is None


def next_wave() -> Upcoming | None:
    """An open or closed liveability wave whose figures are not published yet: the page
    says when they will come."""
    return sources().next_wave


# The cache --------------------------------------------------------------------------------

#: Per app: the pages' figures and their HTML (mirror.pages), for about 40 villages in two
#: languages, a few variants each (officials, associations), and the overview in each order.
CACHE_SIZE = 512


def cached(key: tuple, build: Callable[[], Any]) -> Any:
    """What `build` gives, kept per app for the key (released runs never change)."""
    return core_cached("mirror_cache", key, build, CACHE_SIZE)


def overview_key() -> tuple:
    """Everything the published overview is built from: a new release or wave, a new key."""
    return ("overview", language(), sources())


def village_key(village: Village) -> tuple:
    """Everything a village's published page is built from."""
    return ("village", village.id, language(), sources())


def overview(preview: bool = False, key: tuple | None = None) -> Overview:
    """The latest wave for every village or cluster; cached (by `key`, when the caller made
    it) unless a preview, which callers ask only when there are unreleased figures."""
    if preview:
        return build_overview(runs_for(True))
    return cached(key or overview_key(), lambda: build_overview(runs_for(False)))


def village_page(village: Village, preview: bool = False, key: tuple | None = None) -> VillagePage:
    """One village's page; cached (by `key`, when the caller made it) unless a preview."""
    if preview:
        return build_village_page(village, runs_for(True))
    return cached(key or village_key(village), lambda: build_village_page(village, runs_for(False)))


# Figures ----------------------------------------------------------------------------------


# The overview -----------------------------------------------------------------------------


def build_overview(runs: Sequence[AnalysisRun]) -> Overview:
    upcoming = next_wave()
    villages = db.session.scalars(
        select(Village).where(Village.kind != VillageKind.NEIGHBOURHOOD).order_by(Village.name)
    ).all()
    if not runs:
        entries = [VillageEntry(v.name, v.slug, "none") for v in villages]
        return Overview(None, [], {}, [], {}, entries, upcoming)
    run = runs[-1]
    entries = indicators_of(run)
    codes = key_codes(run)
    figures = whole_figures(run)
    municipality = {
        code: shown_figure(figures.get(("municipality:", code)), entries[code]) for code in codes
    }
    slugs = {v.name: v.slug for v in villages}
    clusters = run.settings.get("clusters", {})
    rows = []
    for kind, name in _areas(run):
        cells = {
            code: shown_figure(figures.get((f"{kind}:{name}", code)), entries[code])
            for code in codes
        }
        if any(c is not None and c.value is not None for c in cells.values()):
            members = list(clusters.get(name, [])) if kind == "cluster" else []
            rows.append(OverviewRow(name, kind, slugs.get(name), members, cells))
    listed = [_village_entry(v, run, figures, codes) for v in villages]
    indicators = [(code, label_of(entries[code])) for code in codes]
    charts = {
        code: overview_chart(code, label, rows, municipality[code]) for code, label in indicators
    }
    return Overview(wave_of(run), indicators, municipality, rows, charts, listed, upcoming)


def _areas(run: AnalysisRun) -> list[tuple[str, str]]:
    seen = dict.fromkeys(
        (f.area_kind.value, f.area)
        for f in run.figures
        if f.area_kind is not AreaKind.MUNICIPALITY and not f.subgroup
    )
    return list(seen)


def _village_entry(
    village: Village,
    run: AnalysisRun,
    figures: dict[tuple[str, str], ResultFigure],
    codes: Sequence[str],
) -> VillageEntry:
    own = [figures.get((f"village:{village.name}", code)) for code in codes]
    if any(f is not None and f.status == "publish" for f in own):
        return VillageEntry(village.name, village.slug, "own")
    cluster = next((f.shown_in_cluster for f in own if f and f.shown_in_cluster), None)
    cluster = cluster or _cluster_in_settings(run, village.name)
    if cluster:
        return VillageEntry(village.name, village.slug, "cluster", cluster)
    return VillageEntry(village.name, village.slug, "none")


def _cluster_in_settings(run: AnalysisRun, name: str) -> str | None:
    clusters = (run.settings or {}).get("clusters", {})
    return next((c for c, members in clusters.items() if name in members), None)


def overview_chart(
    code: str, label: str, rows: Sequence[OverviewRow], municipality: Figure | None
) -> Chart | None:
    shown_points = [
        as_point(row.cells[code])
        for row in rows
        if row.cells[code] and row.cells[code].value is not None
    ]
    if not shown_points:
        return None
    unit = next(row.cells[code].unit for row in rows if row.cells[code])
    (scale, step) = SCALES[unit]
    reference = (
        as_point(municipality, _("Municipality"))
        if municipality and municipality.value is not None
        else None
    )
    desc = _(
        "Each village or cluster as a dot, with a bar for its range. The dashed line is the "
        "whole municipality."
    )
    return dot_plot(
        f"chart-{code}", label, desc, shown_points, scale, step, reference, decimal_mark()
    )


def sort_rows(rows: Sequence[OverviewRow], by: str | None) -> list[OverviewRow]:
    """By name, or by an indicator's estimate, highest first (rows without one last)."""
    if not by or by == "name":
        return sorted(rows, key=lambda row: row.name.lower())

    def key(row: OverviewRow):
        cell = row.cells.get(by)
        value = cell.value if cell is not None and cell.value is not None else None
        return (value is None, -(value or 0), row.name.lower())

    return sorted(rows, key=key)


def sort_key(data: Overview, asked: str | None) -> str:
    """The key figure to sort by, or "name" (also for anything else asked)."""
    return asked if asked in {code for code, _label in data.indicators} else "name"


def sorted_overview(data: Overview, by: str) -> Overview:
    """The overview with its rows and charts in the asked order (the cache keeps one)."""
    rows = sort_rows(data.rows, by)
    order = {row.name: i for i, row in enumerate(rows)}
    charts = {}
    for code, chart in data.charts.items():
        if chart is None:
            charts[code] = None
            continue
        ordered = tuple(sorted(chart.points, key=lambda p: order.get(p.label, len(order))))
        charts[code] = chart if ordered == chart.points else _redraw(chart, ordered, data, code)
    return replace(data, rows=rows, charts=charts)


def _redraw(chart: Chart, ordered: tuple[Point, ...], data: Overview, code: str) -> Chart:
    unit = data.municipality[code].unit if data.municipality.get(code) else _unit_of(data, code)
    scale, step = SCALES[unit]
    return dot_plot(
        chart.id, chart.title, chart.desc, ordered, scale, step, chart.reference, decimal_mark()
    )


def _unit_of(data: Overview, code: str) -> str:
    return next(row.cells[code].unit for row in data.rows if row.cells.get(code))


# A village's page -------------------------------------------------------------------------


def build_village_page(village: Village, runs: Sequence[AnalysisRun]) -> VillagePage:
    page = VillagePage(village.name, village.slug, None, next_wave=next_wave())
    if village.part_of is not None:
        page.part_of = (village.part_of.name, village.part_of.slug)
    page.population = population_facts(village)
    if not runs:
        return page
    run = runs[-1]
    page.wave = wave_of(run)
    entries = indicators_of(run)
    figures = whole_figures(run)
    codes = key_codes(run) + [c for c in entries if c not in KEY_INDICATORS]
    for code in codes:
        page.cards.append(_card(village, code, entries[code], figures, run))
    _set_state(page, run)
    page.respondents = (
        max((c.figure.n or 0 for c in page.cards if c.figure and not c.cluster), default=None)
        or None
    )
    page.changes = [c.figure for c in page.cards if c.figure and c.figure.change]
    page.trends = [t for t in (_trend(page, code, runs) for code in key_codes(run)) if t]
    weighting = run.output["weighting"]
    page.weighting = {
        "n": weighting.get("n"),
        "effective_n": weighting.get("effective_n"),
        # "design_effect": runs stored before format 2
        "weighting_effect": weighting.get("weighting_effect") or weighting.get("design_effect"),
    }
    page.own_weighting = next(
        (v for v in weighting.get("villages", []) if v["village"] == village.name and v["n"]),
        None,
    )
    return page


def _card(
    village: Village,
    code: str,
    entry: dict[str, Any],
    figures: dict[tuple[str, str], ResultFigure],
    run: AnalysisRun,
) -> Card:
    municipality = shown_figure(figures.get(("municipality:", code)), entry)
    own = figures.get((f"village:{village.name}", code))
    if own is not None and shown(own):
        return Card(figure(own, entry), code, label_of(entry), municipality)
    cluster = (own.shown_in_cluster if own else None) or _cluster_in_settings(run, village.name)
    stand_in = figures.get((f"cluster:{cluster}", code)) if cluster else None
    if stand_in is not None and shown(stand_in):
        return Card(figure(stand_in, entry), code, label_of(entry), municipality, cluster)
    return Card(None, code, label_of(entry), municipality)


def _set_state(page: VillagePage, run: AnalysisRun) -> None:
    own = any(c.figure and not c.cluster for c in page.cards)
    used = {c.cluster for c in page.cards if c.figure and c.cluster}
    clusters = (run.settings or {}).get("clusters", {})
    page.clusters = {name: list(clusters.get(name, [])) for name in sorted(used)}
    page.state = "mixed" if own and used else "own" if own else "cluster" if used else "none"


def _trend(page: VillagePage, code: str, runs: Sequence[AnalysisRun]) -> Chart | None:
    """The card's area over every wave that published it (its cluster, where it stood in)."""
    card = next(c for c in page.cards if c.code == code)
    if card.figure is None:
        return None
    kind = "cluster" if card.cluster else "village"
    area = card.cluster or page.name
    found = []
    for run in runs:
        entry = indicators_of(run).get(code)
        row = whole_figures(run).get((f"{kind}:{area}", code)) if entry else None
        if row is not None and row.status == "publish" and row.value is not None:
            found.append(as_point(figure(row, entry), _wave_label(run)))
    if not found:
        return None
    scale, step = SCALES[card.figure.unit]
    desc = _("%(area)s in each survey. The line is the figure, the band its range.", area=area)
    return trend(f"trend-{code}", card.label, desc, found, scale, step, decimal_mark())


def _wave_label(run: AnalysisRun) -> str:
    opened = run.survey.opens_on
    return format_date(opened, "MMM yyyy") if opened else run.survey.title


# Population facts -------------------------------------------------------------------------
