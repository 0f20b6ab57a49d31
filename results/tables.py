"""The stored figures of a run arranged as the results page shows them: per indicator, one
row per area with the whole area and its under 65 / 65+ beside it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from markupsafe import Markup

from core.cache import cached
from results import services
from results.models import AnalysisRun, AreaKind, ResultFigure
from results.services import figures_of


@dataclass
class AreaRow:
    kind: AreaKind
    name: str
    whole: ResultFigure | None = None
    subgroups: dict[str, ResultFigure] = field(default_factory=dict)


@dataclass
class IndicatorTable:
    code: str
    label: str
    unit: str
    sensitive: bool
    rows: list[AreaRow]

    @property
    def percent(self) -> bool:
        return self.unit == "percent"


def indicator_tables(
    figures: Iterable[ResultFigure], indicators: list[Mapping[str, Any]], language: str
) -> list[IndicatorTable]:
    """One table per indicator, in the order the run defined them; areas in the order the
    run stored its figures (analysis.report: the municipality, clusters, then villages)."""
    rows: dict[str, dict[tuple[AreaKind, str], AreaRow]] = {}
    for figure in figures:
        key = (figure.area_kind, figure.area)
        row = rows.setdefault(figure.indicator, {}).setdefault(key, AreaRow(*key))
        if figure.subgroup:
            row.subgroups[figure.subgroup] = figure
        else:
            row.whole = figure
    return [
        IndicatorTable(
            code=entry["code"],
            label=entry["label"].get(language) or entry["label"].get("nl") or entry["code"],
            unit=entry["unit"],
            sensitive=entry["sensitive"],
            rows=list(rows.get(entry["code"], {}).values()),
        )
        for entry in indicators
        if entry["code"] in rows
    ]


#: Rendered pages kept per worker: an official's run to ~200 KB, an association's far
#: less, so at most ~13 MB (the mirror keeps 256 of its smaller pages).
TABLES_CACHE_SIZE = 64
#: The templates' indentation: a fifth of an official's page. Spaces after a line break
#: show as nothing in HTML outside `pre` (which these templates do not use), and every
#: line break stays, so the page reads and renders as before.
INDENTATION = re.compile(r"\n[ \t]+")


def rendered_figures(run: AnalysisRun, villages: frozenset[int] | None, language: str) -> Markup:
    """The run's figures as HTML (weighting, tables, how reliable they are), for officials
    (`villages` None) or an association's villages. A run's figures never change once
    computed (withdrawn runs lose them and are never shown again), so the HTML is built
    once per run, scope and language: number formatting is most of the page's cost."""
    scope = "official" if villages is None else tuple(sorted(villages))
    key = (run.id, run.status, run.finished_at, scope, language)

    def build() -> Markup:
        output = page_output(run)
        tables = indicator_tables(figures_of(run, villages), output["indicators"], language)
        left_out = services.left_out(run)
        html = render_template(
            "results/_run_figures.html",
            output=output,
            tables=tables,
            is_official=villages is None,
            left_out=left_out if villages is None else services.about(left_out),
            survey_id=run.survey_id,
        )
        return Markup(INDENTATION.sub("\n", html))

    return cached("results_tables", key, build, size=TABLES_CACHE_SIZE)


def page_output(run: AnalysisRun) -> dict[str, Any]:
    """The run's output without its figures (the page reads those from their rows): parsed
    once per run, not on every page. Only a run that succeeded has output, and it never
    changes; a withdrawn run loses it and changes status, so the status is in the key.
    Shared between requests: read it, never change it."""
    key = (run.id, run.status, run.finished_at)

    def build() -> dict[str, Any]:
        return {name: part for name, part in (run.output or {}).items() if name != "figures"}

    return cached("results_outputs", key, build, size=TABLES_CACHE_SIZE)
