"""Small server-side SVG charts for the village mirror: a dot plot of estimates with their
intervals against a reference, and a trend over time with an interval band.

Written by hand rather than with pygal (docs/mirror.md): every chart needs a <title> and
<desc> tied to the svg by aria-labelledby, no script (our CSP allows none inline), colours
from the design tokens and intervals drawn as bands. Each chart keeps its rows, so the table
under it shows exactly the numbers drawn. Colours are attributes, not CSS, so a chart prints
and embeds in a PDF as it shows on screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

#: Okabe–Ito colours, safe for the common kinds of colour blindness; the same values are the
#: chart tokens in frontend/theme/midden-drenthe.tokens.css (a test keeps them equal).
PALETTE = {
    "estimate": "#0072B2",  # blue: a village's figure
    "band": "#56B4E9",  # sky blue, light: its interval
    "reference": "#D55E00",  # vermillion, dashed: the municipality
    "highlight": "#009E73",  # bluish green: the village the page is about
    "text": "#1a1a1a",
    "axis": "#767676",
}

#: Narrow, so that on a 360 px phone the text is about as large as the page's small text.
WIDTH = 340
ROW = 34
LABEL = 112
VALUE = 52
FONT = 15
TOP = 34


@dataclass(frozen=True)
class Point:
    """One mark of a chart and one row of its table; the texts are the numbers as shown."""

    label: str
    value: float
    text: str
    low: float | None = None
    high: float | None = None
    low_text: str = ""
    high_text: str = ""
    highlight: bool = False

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    points: tuple[Point, ...]
    reference: Point | None
    svg: Markup


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def axis_range(values: Sequence[float], bounds: tuple[float, float], step: float) -> tuple:
    """A range around the values in whole steps, within the scale's own bounds."""
    if not values:
        return bounds
    low = max(bounds[0], math.floor(min(values) / step) * step - step)
    high = min(bounds[1], math.ceil(max(values) / step) * step + step)
    if high <= low:
        low, high = bounds
    return low, high


def ticks(low: float, high: float, step: float) -> list[float]:
    """At most six gridlines, on whole multiples of the (doubled) step."""
    while (high - low) / step > 5:
        step *= 2
    first = math.ceil(low / step - 1e-9) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _tick(value: float, decimal: str) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", decimal)


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mirror-chart__svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {_num(height)}" '
        f'font-size="{FONT}" fill="{PALETTE["text"]}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _short(label: str, size: int = 13) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def _mark_attributes(point: Point) -> str:
    low = f' data-low="{escape(point.low_text)}"' if point.has_interval else ""
    high = f' data-high="{escape(point.high_text)}"' if point.has_interval else ""
    label, value = escape(point.label), escape(point.text)
    return f'class="mark" data-label="{label}" data-value="{value}"{low}{high}'


def dot_plot(
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[Point],
    scale: tuple[float, float],
    step: float,
    reference: Point | None = None,
    decimal: str = ",",
) -> Chart:
    """One row per area: its estimate as a dot on its interval, the reference (the
    municipality) as a dashed line with its own band behind all rows."""
    values = [v for p in [*points, *([reference] if reference else [])] for v in _extent(p)]
    low, high = axis_range(values, scale, step)
    plot = WIDTH - LABEL - VALUE
    height = TOP + ROW * max(len(points), 1) + 24

    def x(value: float) -> float:
        return LABEL + (value - low) / (high - low) * plot

    parts = _open(chart_id, title, desc, height)
    bottom = TOP + ROW * max(len(points), 1)
    for tick in ticks(low, high, step):
        parts.append(
            f'<line class="grid" x1="{_num(x(tick))}" x2="{_num(x(tick))}" y1="{TOP - 6}" '
            f'y2="{_num(bottom)}" stroke="{PALETTE["axis"]}" stroke-width="0.5"/>'
            f'<text class="tick" x="{_num(x(tick))}" y="{_num(bottom + 16)}" '
            f'text-anchor="middle" font-size="13">{_tick(tick, decimal)}</text>'
        )
    if reference is not None:
        parts.append(_reference(reference, x, bottom))
    for i, point in enumerate(points):
        parts.append(_row(point, TOP + ROW * i + ROW / 2, x))
    parts.append("</svg>")
    return Chart(chart_id, title, desc, tuple(points), reference, Markup("".join(parts)))


def _extent(point: Point) -> list[float]:
    return [point.low, point.high, point.value] if point.has_interval else [point.value]


def _reference(reference: Point, x, bottom: float) -> str:
    parts = [f'<g {_mark_attributes(reference)} data-reference="true">']
    if reference.has_interval:
        parts.append(
            f'<rect x="{_num(x(reference.low))}" y="{TOP - 6}" '
            f'width="{_num(max(x(reference.high) - x(reference.low), 1))}" '
            f'height="{_num(bottom - TOP + 6)}" fill="{PALETTE["reference"]}" fill-opacity="0.12"/>'
        )
    parts.append(
        f'<line x1="{_num(x(reference.value))}" x2="{_num(x(reference.value))}" y1="{TOP - 10}" '
        f'y2="{_num(bottom)}" stroke="{PALETTE["reference"]}" stroke-width="2" '
        f'stroke-dasharray="5 3"/>'
        f'<text class="value" x="{_num(x(reference.value))}" y="{TOP - 14}" text-anchor="middle" '
        f'font-size="14">{escape(_short(reference.label, 20))}: {escape(reference.text)}</text></g>'
    )
    return "".join(parts)


def _row(point: Point, y: float, x) -> str:
    colour = PALETTE["highlight"] if point.highlight else PALETTE["estimate"]
    weight = ' font-weight="700"' if point.highlight else ""
    parts = [
        f"<g {_mark_attributes(point)}>",
        f'<text class="label" x="0" y="{_num(y + 4)}"{weight}>{escape(_short(point.label))}</text>',
    ]
    if point.has_interval:
        parts.append(
            f'<line x1="{_num(x(point.low))}" x2="{_num(x(point.high))}" y1="{_num(y)}" '
            f'y2="{_num(y)}" stroke="{PALETTE["band"]}" stroke-width="8" stroke-linecap="round"/>'
        )
    parts.append(
        f'<circle cx="{_num(x(point.value))}" cy="{_num(y)}" r="5.5" fill="{colour}" '
        f'stroke="#ffffff" stroke-width="1.5"/>'
        f'<text class="value" x="{WIDTH}" y="{_num(y + 4)}" text-anchor="end"{weight}>'
        f"{escape(point.text)}</text></g>"
    )
    return "".join(parts)


def trend(
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[Point],
    scale: tuple[float, float],
    step: float,
    decimal: str = ",",
) -> Chart:
    """Points over time (left to right, as given): a line through the estimates and, where
    intervals are known, a band between their bounds."""
    values = [v for p in points for v in _extent(p)]
    low, high = axis_range(values, scale, step)
    left, right, top, bottom = 44, WIDTH - 20, 26, 170
    height = bottom + 30

    def x(i: int) -> float:
        return (
            (left + right) / 2
            if len(points) == 1
            else left + i * (right - left) / (len(points) - 1)
        )

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    parts = _open(chart_id, title, desc, height)
    for tick in ticks(low, high, step):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{right}" '
            f'y1="{_num(y(tick))}" y2="{_num(y(tick))}" '
            f'stroke="{PALETTE["axis"]}" stroke-width="0.5"/>'
            f'<text class="tick" x="{left - 6}" y="{_num(y(tick) + 4)}" text-anchor="end" '
            f'font-size="13">{_tick(tick, decimal)}</text>'
        )
    banded = [(i, p) for i, p in enumerate(points) if p.has_interval]
    if len(banded) > 1:
        upper = [f"{_num(x(i))},{_num(y(p.high))}" for i, p in banded]
        lower = [f"{_num(x(i))},{_num(y(p.low))}" for i, p in reversed(banded)]
        parts.append(
            f'<polygon class="band" points="{" ".join(upper + lower)}" '
            f'fill="{PALETTE["band"]}" fill-opacity="0.35"/>'
        )
    if len(points) > 1:
        line = " ".join(f"{_num(x(i))},{_num(y(p.value))}" for i, p in enumerate(points))
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{PALETTE["estimate"]}" '
            'stroke-width="2.5"/>'
        )
    for i, point in enumerate(points):
        parts.append(f"<g {_mark_attributes(point)}>")
        if point.has_interval:
            parts.append(
                f'<line x1="{_num(x(i))}" x2="{_num(x(i))}" y1="{_num(y(point.low))}" '
                f'y2="{_num(y(point.high))}" stroke="{PALETTE["estimate"]}" stroke-width="1.5"/>'
            )
        anchor = (
            "start"
            if i == 0 and len(points) > 1
            else "end"
            if i == len(points) - 1 and len(points) > 1
            else "middle"
        )
        shift = {"start": 7, "end": -7, "middle": 0}[anchor]
        parts.append(
            f'<circle cx="{_num(x(i))}" cy="{_num(y(point.value))}" r="5" '
            f'fill="{PALETTE["estimate"]}" '
            f'stroke="#ffffff" stroke-width="1.5"/>'
            f'<text class="value" x="{_num(x(i) + shift)}" y="{_num(y(point.value) - 10)}" '
            f'text-anchor="{anchor}" font-weight="700">{escape(point.text)}</text>'
            f'<text class="label" x="{_num(x(i))}" y="{bottom + 20}" text-anchor="{anchor}">'
            f"{escape(_short(point.label, 16))}</text></g>"
        )
    parts.append("</svg>")
    return Chart(chart_id, title, desc, tuple(points), None, Markup("".join(parts)))
