"""The village mirror's pages: who sees what (route × role), that only published figures of
released runs reach the page, that each chart carries the numbers of its table, and that the
public texts read plainly. Read in English unless a test says otherwise."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from core.db import db
from results import services
from results.models import AnalysisRun, ResultFigure
from tests.conftest import start_session

ROUTES = [
    "/dorpsspiegel",
    "/dorpsspiegel/beilen",
    "/dorpsspiegel/orvelte",
    "/dorpsspiegel/hooghalen",
]
ROLES = [
    (None, None),
    ("resident", "Beilen"),
    ("association", "Beilen"),
    ("association", "Orvelte"),
    ("volunteer", None),
    ("official", None),
]


@pytest.fixture
def as_role(client, make_account):
    def login(role, village):
        if role is not None:
            start_session(client, make_account(role, village=village))

    return login


class Shown(HTMLParser):
    """The figures a page shows: cards (data-figure), chart marks and table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, str]] = []
        self.charts: dict[str, list[tuple]] = {}
        self.tables: dict[str, list[list]] = {}
        self._chart: str | None = None
        self._table: str | None = None
        self._row: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-figure" in a:
            self.cards.append(a)
        if tag == "svg" and a.get("aria-labelledby"):
            self._chart = a["aria-labelledby"].split()[0].removesuffix("-title")
            self.charts[self._chart] = []
        if tag == "g" and a.get("class") == "mark" and self._chart:
            mark = (a["data-label"], a["data-value"], a.get("data-low"), a.get("data-high"))
            self.charts[self._chart].append(mark)
        if tag == "table" and a.get("data-chart"):
            self._table = a["data-chart"]
            self.tables[self._table] = []
        if self._table and tag == "tr":
            self._row = []
        if self._row is not None:
            for key in ("data-value", "data-low", "data-high"):
                if key in a:
                    self._row.append(a[key])

    def handle_endtag(self, tag):
        if tag == "svg":
            self._chart = None
        if tag == "tr" and self._table and self._row:
            self.tables[self._table].append(self._row)
            self._row = None
        if tag == "table":
            self._table = None


def shown(html: str) -> Shown:
    parser = Shown()
    parser.feed(html)
    return parser


def text_of(figure: ResultFigure, value: float, unit: str) -> str:
    return f"{round(value)}%" if unit == "percent" else f"{value:.1f}"


def published_texts(runs: list[AnalysisRun]) -> dict[str, set[str]]:
    """Per indicator, every number the published figures of `runs` may show."""
    allowed: dict[str, set[str]] = {}
    for run in runs:
        units = {i["code"]: i["unit"] for i in run.output["indicators"]}
        for f in run.figures:
            if f.status == "publish" and f.value is not None:
                for value in (f.value, f.low, f.high):
                    allowed.setdefault(f.indicator, set()).add(
                        text_of(f, value, units[f.indicator])
                    )
    return allowed


def released() -> list[AnalysisRun]:
    return list(db.session.scalars(select(AnalysisRun).where(AnalysisRun.released_at.is_not(None))))


@pytest.mark.parametrize(("role", "village"), ROLES)
def test_every_role_sees_only_published_figures_of_released_runs(
    client, as_role, english, unreleased, role, village
):
    """Route × role: one wave set-up per role, every mirror route with and without preview."""
    as_role(role, village)
    for path, query in ((p, q) for p in ROUTES for q in ("", "?voorbeeld=1")):
        response = client.get(path + query)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        preview = role == "official" and query
        assert ("Leefbaarheid 2027" in html) == bool(preview)
        assert ("Not yet published." in html) == bool(preview)
        runs = released() + ([services.computed_run(unreleased)] if preview else [])
        allowed = published_texts(runs)
        page = shown(html)
        for card in page.cards:
            if "data-value" in card:
                numbers = {card["data-value"], card["data-low"], card["data-high"]}
                assert numbers <= allowed[card["data-indicator"]], card
        for chart, chart_marks in page.charts.items():
            code = chart.split("-", 1)[1]
            if code in allowed:
                for mark in chart_marks:
                    assert {n for n in mark[1:] if n} <= allowed[code], (chart, mark)


def test_a_hidden_village_shows_no_figure_of_its_own(client, english, mirrored):
    html = client.get("/dorpsspiegel/hooghalen").get_data(as_text=True)
    hidden = db.session.scalars(
        select(ResultFigure).where(ResultFigure.area == "Hooghalen", ResultFigure.subgroup == "")
    ).all()
    assert hidden and all(f.value is None for f in hidden)
    assert 'data-area="Hooghalen"' not in html
    assert "Too few people in Hooghalen answered to show figures" in html
    assert "Whole municipality:" in html  # never an empty page


def test_a_village_in_a_cluster_shows_the_clusters_figures_and_says_so(client, english, mirrored):
    html = client.get("/dorpsspiegel/orvelte").get_data(as_text=True)
    assert "Too few people in Orvelte answered for figures of its own" in html
    assert "So you see the figures of Kleine kernen: Eursinge, Orvelte together." in html
    assert 'data-area="Orvelte"' not in html
    cluster = [c for c in shown(html).cards if c["data-area"] == "Kleine kernen"]
    assert cluster and "Figure for Kleine kernen." in html


def test_each_chart_carries_exactly_the_numbers_of_its_table(client, english, mirrored):
    for path in ("/dorpsspiegel", "/dorpsspiegel/beilen", "/dorpsspiegel/orvelte"):
        page = shown(client.get(path).get_data(as_text=True))
        assert page.charts, path
        assert page.charts.keys() == page.tables.keys()
        for chart, chart_marks in page.charts.items():
            from_svg = [[n for n in mark[1:] if n] for mark in chart_marks]
            assert from_svg == page.tables[chart], (path, chart)


def test_a_village_page_shows_key_figures_trend_response_and_population(client, english, mirrored):
    html = client.get("/dorpsspiegel/beilen").get_data(as_text=True)
    run = services.published_run(mirrored)
    mark = next(
        f
        for f in run.figures
        if f.area == "Beilen" and f.indicator == "leefbaarheid_cijfer" and not f.subgroup
    )
    assert f'data-value="{mark.value:.1f}"' in html
    assert f"Margin from chance alone: {mark.low:.1f} to {mark.high:.1f}." in html
    assert f"About {mark.n} residents of Beilen answered." in html
    assert 'id="trend-leefbaarheid_cijfer-title"' in html  # two waves: a trend
    assert "Mar 2025" in html and "Mar 2026" in html
    assert "Share of adults aged 65 or over" in html and "Source: test." in html
    assert "Survey from March 1, 2026 to March 22, 2026." in html


def test_comparisons_are_worded_only_as_the_analysis_flagged_them(client, english, mirrored):
    html = client.get("/dorpsspiegel/beilen").get_data(as_text=True)
    run = services.published_run(mirrored)
    flagged = [
        f
        for f in run.figures
        if f.area == "Beilen" and not f.subgroup and f.versus_rest and f.versus_rest["flagged"]
    ]
    words = html.count("Higher than in the rest of the municipality.") + html.count(
        "Lower than in the rest of the municipality."
    )
    assert words == len(flagged)


def test_the_overview_sorts_by_a_key_figure_without_javascript(client, english, mirrored):
    by_name = client.get("/dorpsspiegel").get_data(as_text=True)
    assert 'aria-sort="ascending"' in by_name and "?sorteer=veiligheid#overzicht" in by_name
    html = client.get("/dorpsspiegel?sorteer=verhuisgeneigdheid").get_data(as_text=True)
    assert html.count('aria-sort="descending"') == 1
    table = html[html.index('id="overview-caption"') : html.index("</table>")]
    rows = re.findall(
        r'<th class="utrecht-table__header-cell" scope="row">\s*(?:<a[^>]*>)?([^<]+)', table
    )
    run = services.published_run(mirrored)
    values = {
        f.area: f.value
        for f in run.figures
        if f.indicator == "verhuisgeneigdheid" and not f.subgroup and f.value is not None
    }
    ranked = [name.strip() for name in rows[1:] if name.strip() in values]
    assert ranked == sorted(ranked, key=lambda a: -values[a])
    odd = client.get("/dorpsspiegel?sorteer=<script>").get_data(as_text=True)
    assert 'aria-sort="ascending"' in odd and "<script>" not in odd


def test_nothing_published_yet_says_when_figures_come(client, english, make_margins, make_wave):
    make_margins()
    make_wave(close=False)
    for path in ("/dorpsspiegel", "/dorpsspiegel/beilen"):
        html = client.get(path).get_data(as_text=True)
        assert "no results" in html.lower()
        assert "The survey runs until March 22, 2026." in html
    assert client.get("/dorpsspiegel/nowhere").status_code == 404


def test_technical_figures_only_under_how_reliable_and_own_village_only(
    client, as_role, english, mirrored
):
    as_role("association", "Bovensmilde")
    html = client.get("/dorpsspiegel/beilen").get_data(as_text=True)
    technical = html[html.index('id="reliability"') :]
    assert "Whole municipality: weighting effect" in technical
    assert "Beilen: weighting effect" not in html
    before = html[: html.index('id="reliability"')]
    assert "weighting effect" not in before.lower() and "effective number" not in before.lower()
    own = client.get("/dorpsspiegel/bovensmilde").get_data(as_text=True)
    assert "Bovensmilde: weighting effect" in own


#: Words a reader at B1 should not meet outside "How reliable is this?" (both languages:
#: until the lead translates, new Dutch pages show the English msgids).
JARGON = [
    "weegeffect",
    "effectief aantal",
    "design-effect",
    "betrouwbaarheidsinterval",
    "significant",
    "steekproef",
    "indicator",
    "weighting effect",
    "effective number",
    "design effect",
    "confidence interval",
    "sample",
    "respondent",
]


def public_sentences(html: str) -> list[str]:
    main = html[html.index("<main") : html.index("</main>")]
    for section in ('<section aria-labelledby="reliability-heading"', 'id="technical"'):
        if section in main:
            main = (
                main[: main.index(section)] + main[main.index("</section>", main.index(section)) :]
            )
    main = re.sub(r"<(svg|table|script)\b.*?</\1>", " ", main, flags=re.S)
    sentences = []
    for paragraph in re.findall(r"<(p|li)\b[^>]*>(.*?)</\1>", main, flags=re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", paragraph[1]))
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s", text) if len(s.split()) > 3]
    return sentences


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_public_pages_read_plainly(client, mirrored, language):
    with client.session_transaction() as session:
        session["language"] = language
    for path in ("/dorpsspiegel", "/dorpsspiegel/beilen", "/dorpsspiegel/orvelte"):
        sentences = public_sentences(client.get(path).get_data(as_text=True))
        lengths = [len(s.split()) for s in sentences]
        assert sum(lengths) / len(lengths) <= 12, (path, sentences)
        assert max(lengths) <= 20, (path, max(zip(lengths, sentences, strict=True)))
        text = " ".join(sentences).lower()
        assert not [word for word in JARGON if word in text], path


def test_flagged_comparisons_and_changes_are_said_in_a_sentence(client, english, mirrored):
    """The page words what the analysis stored: a flagged difference as higher or lower,
    a flagged change as one sentence; an unflagged change is not mentioned."""
    run = services.published_run(mirrored)
    beilen = {
        f.indicator: f for f in run.figures if f.area == "Beilen" and not f.subgroup and f.value
    }
    safe, mark = beilen["veiligheid"], beilen["leefbaarheid_cijfer"]
    safe.versus_rest = {"value": 6, "low": 1, "high": 11, "tested": True, "flagged": True}
    safe.change = {"value": 7, "low": 2, "high": 12, "tested": True, "flagged": True}
    mark.versus_rest = {"value": -0.4, "low": -0.7, "high": -0.1, "tested": True, "flagged": True}
    mark.change = {"value": -0.3, "low": -0.6, "high": 0.1, "tested": True, "flagged": False}
    db.session.commit()
    client.application.extensions.pop("mirror_cache", None)  # stored figures never change
    html = client.get("/dorpsspiegel/beilen").get_data(as_text=True)
    assert html.count("Higher than in the rest of the municipality.") == 1
    assert html.count("Lower than in the rest of the municipality.") == 1
    label = "Feels (very) safe"
    assert f"{label} went up since the last survey: 7 points higher." in html
    assert "went down" not in html and "What changed" in html


def test_a_neighbourhood_points_to_its_village(client, english, mirrored, make_village):
    from villages.models import VillageKind
    from villages.queries import village_by_name
    from villages.services import upsert_village

    upsert_village("Beilen-Oost", VillageKind.NEIGHBOURHOOD, part_of=village_by_name("Beilen"))
    db.session.commit()
    html = client.get("/dorpsspiegel/beilen-oost").get_data(as_text=True)
    assert "Beilen-Oost is part of Beilen." in html and 'href="/dorpsspiegel/beilen"' in html
    assert "Too few people" not in html


def test_a_preview_without_new_figures_is_the_published_page(client, as_role, english, mirrored):
    as_role("official", None)
    html = client.get("/dorpsspiegel/beilen?voorbeeld=1").get_data(as_text=True)
    assert "Not yet published." not in html and "Preview the new figures" not in html
    assert "Leefbaarheid 2026" in html
