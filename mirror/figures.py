"""A run's stored figures as the mirror shows them: formatted in the reader's language, a
comparison only as the analysis flagged it. Plain data, so it can be cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from mirror.charts import Point
from results.models import AnalysisRun, ResultFigure

#: The figures the mirror leads with, in this order: what a village evening talks about.
KEY_INDICATORS = (
    "leefbaarheid_cijfer",
    "veiligheid",
    "sociale_samenhang",
    "tevredenheid_voorzieningen",
    "verhuisgeneigdheid",
)
#: Natural bounds and grid step of a chart, per unit of an indicator.
SCALES = {"mean": ((1, 10), 0.5), "scale": ((1, 5), 0.25), "share": ((0, 100), 10)}


@dataclass(frozen=True)
class Wave:
    survey_id: int
    run_id: int
    title: str
    opens_on: date | None
    closes_on: date | None
    released_at: datetime | None
    #: The municipality's respondents, rounded as stored.
    respondents: int

    @property
    def preview(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class Figure:
    """One shown figure of an area; `value` None for a published status without numbers
    ((almost) everyone / no one)."""

    code: str
    label: str
    unit: str
    area: str
    area_kind: str
    status: str
    value: float | None
    text: str
    low_text: str = ""
    high_text: str = ""
    low: float | None = None
    high: float | None = None
    indicative: bool = False
    n: int | None = None
    #: higher / lower (flagged), same (tested, not flagged), untested, or None.
    versus_rest: str | None = None
    #: up / down (flagged) against the previous wave, else None.
    change: str | None = None
    change_text: str = ""


def language() -> str:
    return str(get_locale() or "nl")


def number(value: float, unit: str) -> str:
    if unit == "share":
        return format_percent(value / 100)
    return format_decimal(value, "0.0")


def difference(value: float, unit: str) -> str:
    """A difference: percentage points for a share ("8 points"), else the mark."""
    shown = format_decimal(abs(value), "0" if unit == "share" else "0.0")
    return shown


def indicators_of(run: AnalysisRun) -> dict[str, dict[str, Any]]:
    return {entry["code"]: entry for entry in run.output["indicators"]}


def label_of(entry: dict[str, Any]) -> str:
    return entry["label"].get(language()) or entry["label"].get("nl") or entry["code"]


def unit_of(entry: dict[str, Any]) -> str:
    """How an indicator is read: a share (percent), a scale score or a mean mark."""
    if entry["unit"] == "percent":
        return "share"
    return entry["kind"] if entry["kind"] in SCALES else "mean"


def figure(row: ResultFigure, entry: dict[str, Any]) -> Figure:
    unit = unit_of(entry)
    base = {
        "code": row.indicator,
        "label": label_of(entry),
        "unit": unit,
        "area": row.area or _("Municipality"),
        "area_kind": row.area_kind.value,
        "status": row.status,
        "n": row.n,
        "indicative": row.indicative,
        "versus_rest": _versus_rest(row.versus_rest),
        "change": _change(row.change),
    }
    if row.change and row.change.get("flagged"):
        base["change_text"] = difference(row.change["value"], unit)
    if row.status == "publish" and row.value is not None:
        return Figure(
            **base,
            value=row.value,
            text=number(row.value, unit),
            low=row.low,
            high=row.high,
            low_text=number(row.low, unit) if row.low is not None else "",
            high_text=number(row.high, unit) if row.high is not None else "",
        )
    words = {"almost_everyone": _("(almost) everyone"), "almost_no_one": _("(almost) no one")}
    return Figure(**base, value=None, text=words.get(row.status, ""))


def _versus_rest(comparison: dict[str, Any] | None) -> str | None:
    if not comparison:
        return None
    if comparison.get("flagged"):
        return "higher" if comparison["value"] > 0 else "lower"
    return "same" if comparison.get("tested", True) else "untested"


def _change(change: dict[str, Any] | None) -> str | None:
    if change and change.get("flagged"):
        return "up" if change["value"] > 0 else "down"
    return None


def shown(row: ResultFigure) -> bool:
    """A figure the pages may show: published, or a published status without numbers."""
    return row.status in ("publish", "almost_everyone", "almost_no_one")


def shown_figure(row: ResultFigure | None, entry: dict[str, Any]) -> Figure | None:
    return figure(row, entry) if row is not None and shown(row) else None


def wave_of(run: AnalysisRun) -> Wave:
    survey = run.survey
    return Wave(
        survey_id=survey.id,
        run_id=run.id,
        title=survey.title,
        opens_on=survey.opens_on,
        closes_on=survey.closes_on,
        released_at=run.released_at,
        respondents=run.output["weighting"].get("n") or 0,
    )


def whole_figures(run: AnalysisRun) -> dict[tuple[str, str], ResultFigure]:
    """(area kind + name, indicator) -> the run's figure for the whole area."""
    return {
        (f"{f.area_kind.value}:{f.area}", f.indicator): f for f in run.figures if not f.subgroup
    }


def key_codes(run: AnalysisRun) -> list[str]:
    known = indicators_of(run)
    return [code for code in KEY_INDICATORS if code in known]


def as_point(f: Figure, label: str | None = None, highlight: bool = False) -> Point:
    return Point(
        label=label or f.area,
        value=f.value,
        text=f.text,
        low=f.low,
        high=f.high,
        low_text=f.low_text,
        high_text=f.high_text,
        highlight=highlight,
    )


def decimal_mark() -> str:
    return format_decimal(0.5, "0.0")[1]
