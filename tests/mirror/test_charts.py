"""The SVG charts on their own: accessible names, no script, the palette of the design
tokens, and exactly the numbers they are given."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from mirror.charts import PALETTE, Point, axis_range, dot_plot, trend

SVG = "{http://www.w3.org/2000/svg}"
TOKENS = Path(__file__).resolve().parents[2] / "frontend/theme/midden-drenthe.tokens.css"

POINTS = [
    Point("Beilen", 7.4, "7,4", 7.1, 7.7, "7,1", "7,7"),
    Point("Smilde & Hoogersmilde", 6.9, "6,9", 6.4, 7.5, "6,4", "7,5"),
]
MUNICIPALITY = Point("Gemeente", 7.2, "7,2", 7.0, 7.4, "7,0", "7,4")


def parsed(chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def marks(root: ET.Element) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (g.get("data-label"), g.get("data-value"), g.get("data-low"), g.get("data-high"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "mark"
    ]


def test_a_dot_plot_is_named_by_its_title_and_description_and_runs_no_script():
    chart = dot_plot("chart-mark", "Rapportcijfer", "Elk dorp als punt.", POINTS, (1, 10), 0.5)
    root = parsed(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-mark-title chart-mark-desc"
    assert root.find(f"{SVG}title").get("id") == "chart-mark-title"
    assert root.find(f"{SVG}title").text == "Rapportcijfer"
    assert root.find(f"{SVG}desc").text == "Elk dorp als punt."
    assert "script" not in str(chart.svg) and "on" + "load" not in str(chart.svg)


def test_a_dot_plot_carries_exactly_its_points_and_the_reference():
    chart = dot_plot("c", "T", "D", POINTS, (1, 10), 0.5, MUNICIPALITY)
    root = parsed(chart)
    assert marks(root) == [
        ("Gemeente", "7,2", "7,0", "7,4"),
        ("Beilen", "7,4", "7,1", "7,7"),
        ("Smilde & Hoogersmilde", "6,9", "6,4", "7,5"),
    ]
    shown = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "value"]
    assert shown == ["Gemeente: 7,2", "7,4", "6,9"]


def test_dots_sit_on_their_intervals_in_scale_order():
    root = parsed(dot_plot("c", "T", "D", POINTS, (1, 10), 0.5))
    dots = [float(c.get("cx")) for c in root.iter(f"{SVG}circle")]
    bars = [
        (float(line.get("x1")), float(line.get("x2")))
        for line in root.iter(f"{SVG}line")
        if line.get("stroke") == PALETTE["band"]
    ]
    assert dots[0] > dots[1]  # 7.4 right of 6.9
    for dot, (low, high) in zip(dots, bars, strict=True):
        assert low < dot < high


def test_a_trend_draws_a_band_between_the_bounds_and_one_point_without_a_line():
    waves = [
        Point("2025", 81, "81%", 73, 87, "73%", "87%"),
        Point("2026", 88, "88%", 81, 93, "81%", "93%"),
    ]
    root = parsed(trend("t", "Veilig", "D", waves, (0, 100), 10))
    assert [m[1] for m in marks(root)] == ["81%", "88%"]
    assert len(root.findall(f"{SVG}polygon")) == 1 and len(root.findall(f"{SVG}polyline")) == 1
    single = parsed(trend("t", "Veilig", "D", waves[:1], (0, 100), 10))
    assert not single.findall(f"{SVG}polygon") and not single.findall(f"{SVG}polyline")


def test_the_axis_stays_within_the_scale():
    assert axis_range([7.1, 7.7], (1, 10), 0.5) == (6.5, 8.5)  # a step of room on each side
    assert axis_range([2, 99], (0, 100), 10) == (0, 100)
    assert axis_range([], (1, 5), 0.25) == (1, 5)


def test_the_palette_is_the_design_tokens_okabe_ito_colours():
    tokens = dict(
        re.findall(r"--midden-drenthe-chart-(\w+):\s*(#[0-9a-fA-F]{6})", TOKENS.read_text())
    )
    for name in ("estimate", "band", "reference", "highlight"):
        assert tokens[name].lower() == PALETTE[name].lower()
