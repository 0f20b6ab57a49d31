"""The village mirror's pages render exactly as stored in tests/mirror/data/pages: the
overview in every order its column headings offer, a village with figures of its own, one
in a cluster and one without figures, in Dutch and in English, for an anonymous visitor, an
association and an official, and an official's preview. The stored pages were written
before the heavy part of each page was rendered once per cache key (issue 20); a change to
the markup must be deliberate: rewrite them with

    MIRROR_PAGES_WRITE=1 .venv/bin/pytest -q -n 0 -k sqlite tests/mirror/test_page_render.py
"""

from __future__ import annotations

import html as markup
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from core.db import db
from results import services
from results.models import AnalysisRun
from tests.conftest import start_session
from tests.mirror.conftest import PER_VILLAGE

GOLDEN = Path(__file__).parent / "data" / "pages"
WRITE = os.environ.get("MIRROR_PAGES_WRITE") == "1"
VILLAGES = ("beilen", "orvelte", "hooghalen")  # own figures, in a cluster, none
LANGUAGES = ("nl", "en")


def without_tokens(page: str) -> str:
    """Forms (the language switch) carry tokens signed with the second they were made."""
    return re.sub(r'(name="(?:csrf_token|form_key)"[^>]*value=")[^"]*"', r"\1", page)


def fixed_release_dates() -> None:
    """Released "today" when the snapshot was built: a fixed day, so the page can be stored."""
    runs = db.session.scalars(
        select(AnalysisRun).where(AnalysisRun.released_at.is_not(None)).order_by(AnalysisRun.id)
    )
    for day, run in enumerate(runs, start=1):
        run.released_at = datetime(2026, 4, day, 9, 30, tzinfo=UTC)
    db.session.commit()


def sort_links(html: str) -> list[str]:
    """The orders the overview's column headings link to, as a visitor clicks them."""
    return re.findall(r'href="/dorpsspiegel\?([^"#]*)#overzicht"', html)


def twice(client, url: str) -> str:
    """The page as the first visitor gets it, checked against what the next one gets."""
    first = without_tokens(client.get(url).text)
    assert without_tokens(client.get(url).text) == first, url
    return first


def pages_of(client, language: str, preview: bool = False, sorts: bool = True) -> dict[str, str]:
    """The mirror's pages a visitor reaches from the overview (in every order it offers, or
    only the first), by a stored name."""
    with client.session_transaction() as session:
        session["language"] = language
    query = "voorbeeld=1" if preview else ""
    first = twice(client, f"/dorpsspiegel?{query}")
    pages = {"overview": first}
    for link in map(markup.unescape, sort_links(first) if sorts else []):
        sort = dict(part.split("=") for part in link.split("&"))
        pages[f"overview-{sort['sorteer']}"] = twice(client, f"/dorpsspiegel?{link}")
    for slug in VILLAGES:
        pages[slug] = twice(client, f"/dorpsspiegel/{slug}?{query}")
    return {f"{name}-{language}": html for name, html in pages.items()}


def assert_golden(visitor: str, pages: dict[str, str]) -> None:
    differ = []
    for name, html in pages.items():
        path = GOLDEN / f"{visitor}-{name}.html"
        if WRITE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html)
        if html != path.read_text():
            differ.append(path.name)
    assert not differ, f"rendered differently from the stored page: {differ}"


def test_the_mirror_renders_as_before(client, mirrored):
    fixed_release_dates()
    pages = {}
    for language in LANGUAGES:
        pages |= pages_of(client, language)
    assert len(pages) > 2 * (1 + len(VILLAGES)), "the overview offers orders to sort by"
    assert_golden("anonymous", pages)


def test_an_official_sees_the_mirror_as_before(client, make_account, mirrored):
    fixed_release_dates()
    start_session(client, make_account("official", email="official@example.nl"))
    pages = {}
    for language in LANGUAGES:
        pages |= pages_of(client, language, sorts=False)
    assert_golden("official", pages)


def test_an_association_sees_its_own_weighting_as_before(client, make_account, mirrored):
    fixed_release_dates()
    start_session(client, make_account("association", "bestuur@example.nl", village="Beilen"))
    pages = {}
    for language in LANGUAGES:
        with client.session_transaction() as session:
            session["language"] = language
        pages[f"beilen-{language}"] = twice(client, "/dorpsspiegel/beilen")
    assert_golden("association", pages)


def test_an_officials_preview_and_its_link_render_as_before(
    client, make_account, mirrored, make_wave
):
    fixed_release_dates()
    survey = make_wave(PER_VILLAGE, opens_on=date(2027, 3, 1), seed=9)
    survey.title = "Leefbaarheid 2027"
    services.run_now(survey)
    db.session.commit()
    start_session(client, make_account("official", email="official@example.nl"))
    pages = {}
    for language in LANGUAGES:
        link = pages_of(client, language, sorts=False)
        pages |= {f"link-{name}": html for name, html in link.items()}
        pages |= {f"preview-{n}": html for n, html in pages_of(client, language, True).items()}
    assert_golden("official", pages)
