"""The mirror's pages below the header are rendered once per cache key (mirror.pages): a
warm request renders only the visitor's own header around the stored part, and whatever
changes what a visitor should see (a newly released run, the language, the order, being an
official or the village's association, a preview) gives that visitor the right page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from flask import template_rendered

from core.db import db
from results import services
from results.release import release_run
from tests.conftest import start_session
from tests.helpers import counted_queries
from tests.mirror.conftest import PER_VILLAGE
from tests.mirror.test_page_render import without_tokens

OVERVIEW, VILLAGE = "mirror/_overview.html", "mirror/_village.html"
PREVIEW_LINK = "Preview the new figures"


@contextmanager
def rendered_templates(app) -> Iterator[list[str]]:
    """The templates rendered meanwhile (each render_template, not its includes)."""
    names: list[str] = []

    def record(sender, template, context, **extra) -> None:
        names.append(template.name)

    with template_rendered.connected_to(record, app):
        yield names


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def choose(client, post_form, language: str, page: str) -> str:
    """Switch language with the form in the header, as a visitor does, back to `page`."""
    response = post_form(page, "/language", {"language": language, "next": page})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).text


def in_english(client) -> None:
    with client.session_transaction() as session:
        session["language"] = "en"


@pytest.mark.parametrize(
    ("path", "part", "queries"),
    [
        # the waves with their released runs and the newest margins: the cache key
        ("/dorpsspiegel", OVERVIEW, 1),
        ("/dorpsspiegel?sorteer=veiligheid", OVERVIEW, 1),
        # and the village by its slug
        ("/dorpsspiegel/beilen", VILLAGE, 2),
    ],
)
def test_a_warm_page_renders_only_the_header_around_the_stored_part(
    client, english, mirrored, path, part, queries
):
    with rendered_templates(client.application) as cold:
        first = client.get(path).text
    with rendered_templates(client.application) as warm, counted_queries() as statements:
        again = client.get(path).text
    assert part in cold and part not in warm
    assert without_tokens(again) == without_tokens(first)
    assert len(statements) == queries, "\n".join(statements)


def test_an_order_the_page_does_not_offer_is_the_stored_order_by_name(client, english, mirrored):
    by_name = main_of(client.get("/dorpsspiegel").text)
    with rendered_templates(client.application) as rendered:
        for asked in ("x", "<script>", "name", "Veiligheid"):
            assert main_of(client.get(f"/dorpsspiegel?sorteer={asked}").text) == by_name
    assert OVERVIEW not in rendered


def test_a_newly_released_run_shows_on_pages_seen_before(client, english, mirrored, make_wave):
    paths = ("/dorpsspiegel", "/dorpsspiegel?sorteer=veiligheid", "/dorpsspiegel/beilen")
    for path in paths * 2:
        html = client.get(path).text
        assert "Leefbaarheid 2026" in html and "Leefbaarheid 2027" not in html
    survey = make_wave(PER_VILLAGE, opens_on=date(2027, 3, 1), seed=9)
    survey.title = "Leefbaarheid 2027"
    release_run(services.run_now(survey), by=None)
    db.session.commit()
    for path in paths:
        html = client.get(path).text
        assert "Leefbaarheid 2027" in html and "Leefbaarheid 2026" not in html


def test_switching_language_switches_the_stored_part_too(client, post_form, english, mirrored):
    for page in ("/dorpsspiegel", "/dorpsspiegel/orvelte"):
        english_page = client.get(page).text
        assert "How reliable is this?" in english_page
        dutch = choose(client, post_form, "nl", page)
        assert "Hoe betrouwbaar is dit?" in dutch and "How reliable is this?" not in dutch
        assert 'lang="nl"' in dutch
        again = choose(client, post_form, "en", page)
        assert main_of(again) == main_of(english_page)


def test_what_an_official_sees_is_not_shown_to_others(client, make_account, english, unreleased):
    official = client.application.test_client()
    in_english(official)
    start_session(official, make_account("official"))
    for path in ("/dorpsspiegel", "/dorpsspiegel/beilen"):
        assert PREVIEW_LINK in official.get(path).text
        html = client.get(path).text
        assert "/dorpsspiegel/beilen" in html and PREVIEW_LINK not in html
    assert "Beilen: weighting effect" in official.get("/dorpsspiegel/beilen").text
    assert "Beilen: weighting effect" not in client.get("/dorpsspiegel/beilen").text


def test_an_association_sees_its_own_weighting_others_do_not(
    client, make_account, english, mirrored
):
    association = client.application.test_client()
    in_english(association)
    start_session(association, make_account("association", village="Beilen"))
    anonymous = client.get("/dorpsspiegel/beilen").text
    assert "Beilen: weighting effect" in association.get("/dorpsspiegel/beilen").text
    assert main_of(client.get("/dorpsspiegel/beilen").text) == main_of(anonymous)
    assert "Beilen: weighting effect" not in anonymous


def test_a_preview_is_rendered_afresh_each_time(client, make_account, english, unreleased):
    start_session(client, make_account("official"))
    for path, part in (
        ("/dorpsspiegel?voorbeeld=1", OVERVIEW),
        ("/dorpsspiegel/beilen?voorbeeld=1", VILLAGE),
    ):
        for _ in range(2):
            with rendered_templates(client.application) as rendered:
                html = client.get(path).text
            assert "Leefbaarheid 2027" in html and part in rendered
        published = client.get(path.removesuffix("?voorbeeld=1")).text
        assert "Leefbaarheid 2027" not in published and PREVIEW_LINK in published


def test_an_officials_warm_page_asks_once_whether_there_is_something_to_preview(
    client, make_account, english, unreleased
):
    start_session(client, make_account("official"))
    for path in ("/dorpsspiegel", "/dorpsspiegel/beilen"):
        client.get(path)
        with counted_queries() as statements:
            assert PREVIEW_LINK in client.get(path).text
        unreleased_asked = [s for s in statements if "analysis_runs.status" in s]
        assert len(unreleased_asked) == 1, "\n".join(statements)


def test_new_margins_show_on_a_village_page_seen_before(client, english, mirrored, make_margins):
    for _ in range(2):
        html = client.get("/dorpsspiegel/beilen").text
        assert "In 2026, about" in html and "In 2027" not in html
    make_margins(date(2027, 1, 1), population={"Beilen": 9000})
    assert "In 2027, about" in client.get("/dorpsspiegel/beilen").text


def test_a_wave_closing_shows_on_pages_seen_before(client, english, make_margins, make_wave):
    make_margins()
    survey = make_wave(close=False)
    paths = ("/dorpsspiegel", "/dorpsspiegel/beilen")
    for path in paths * 2:
        assert "The survey runs until March 22, 2026." in client.get(path).text
    survey.close()
    db.session.commit()
    for path in paths:
        html = client.get(path).text
        assert "The survey has closed." in html and "The survey runs until" not in html
