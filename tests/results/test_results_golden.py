"""The results page renders exactly as stored in tests/results/data/results_pages: for an
official and an association, in Dutch and in English, for a published wave, a wave computed
but not published yet, one with a newer run beside the published one, quotes, kept clusters
and margins, a failed run, an open survey and a village vision. The stored pages were written
before the page was made faster (issue 20); a change to the markup must be deliberate:
rewrite them with

    RESULTS_PAGES_WRITE=1 .venv/bin/pytest -q -n 0 tests/results/test_results_golden.py

Only what differs per test run is replaced: the CSRF token and the survey's id."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from results import services
from results.clusters import create_cluster
from results.models import AnalysisRun, Quote
from results.release import release_run
from tests.results.test_services import run_now
from tests.results.test_views import computed  # noqa: F401  (the snapshot's fixture)
from tests.results.test_vision import answered  # noqa: F401  (fixture)
from tests.waves import new_margins, new_wave
from villages.queries import village_by_name

GOLDEN = Path(__file__).parent / "data" / "results_pages"
WRITE = os.environ.get("RESULTS_PAGES_WRITE") == "1"
CSRF = re.compile(r'value="[^"]*\.[^"]*"')
SURVEY_ID = re.compile(r"/surveys/\d+/")
#: Runs get fixed moments (in the order they were made), so their dates read the same.
START = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)


def fixed_moments() -> None:
    runs = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id)).all()
    for n, run in enumerate(runs):
        run.created_at = START + timedelta(days=n)
        if run.finished_at is not None:
            run.finished_at = START + timedelta(days=n, minutes=5)
        if run.released_at is not None:
            run.released_at = START + timedelta(days=n, hours=3)
    db.session.commit()


def publish_quotes(survey_id: int) -> None:
    for text in ("Meer bankjes bij de brink.", "Het dorpshuis is <goud> & waard."):
        quote = Quote(survey_id=survey_id, question="OPEN", text=text)
        db.session.add(quote)
        quote.publish(utcnow())
    db.session.add(Quote(survey_id=survey_id, question="OPEN", text="Nog niet gecontroleerd."))
    db.session.commit()


def published(survey):
    release_run(services.computed_run(survey), by=None)
    db.session.commit()


def published_with_quotes(survey):
    published(survey)
    publish_quotes(survey.id)


def computed_with_quotes(survey):
    publish_quotes(survey.id)


def newer_run_beside_the_published(survey):
    published(survey)
    run_now(survey)


def keeping_clusters_and_margins(survey):
    """A cluster made and margins imported after publication: the page says the figures
    keep what they were first published with."""
    published(survey)
    create_cluster("Kleine kernen", [village_by_name("Orvelte"), village_by_name("Eursinge")])
    new_margins(date(2026, 2, 1))


WAVES = {
    "published": published,
    "computed": lambda survey: None,
    "quotes": published_with_quotes,
    "computed-quotes": computed_with_quotes,
    "newer-run": newer_run_beside_the_published,
    "kept": keeping_clusters_and_margins,
}


def pages(client, login_as, survey_id: int, village: str) -> dict[str, str]:
    """The page for an official and an association of `village`, in Dutch and English."""
    shown = {}
    for role in ("official", "association"):
        email = f"{role}@results.example"
        login_as(role, email=email, village=village if role == "association" else None)
        for language in ("nl", "en"):
            with client.session_transaction() as session:
                session["language"] = language
            response = client.get(f"/surveys/{survey_id}/results")
            assert response.status_code == 200
            shown[f"{role}-{language}"] = response.text
    return shown


def assert_golden(name: str, html: str) -> None:
    html = SURVEY_ID.sub("/surveys/ID/", CSRF.sub('value="CSRF"', html))
    path = GOLDEN / f"{name}.html"
    if WRITE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html)
    assert html == path.read_text(), name


@pytest.mark.parametrize("case", list(WAVES))
def test_a_wave_s_results_page_renders_as_before(client, login_as, computed, case):  # noqa: F811
    WAVES[case](computed)
    fixed_moments()
    for reader, html in pages(client, login_as, computed.id, "Beilen").items():
        assert_golden(f"{case}-{reader}", html)


def test_a_failed_run_and_an_open_survey_render_as_before(client, login_as, make_wave):
    failed = make_wave()
    run_now(failed)  # no margins imported
    still_open = new_wave(close=False, seed=2)
    fixed_moments()
    for reader, html in pages(client, login_as, failed.id, "Beilen").items():
        assert_golden(f"failed-{reader}", html)
    for reader, html in pages(client, login_as, still_open.id, "Beilen").items():
        assert_golden(f"open-{reader}", html)


@pytest.mark.parametrize("released", [False, True], ids=["computed", "published"])
def test_a_village_vision_renders_as_before(client, login_as, answered, released):  # noqa: F811
    run = services.run_now(answered)
    if released:
        release_run(run, by=None)
    db.session.commit()
    publish_quotes(answered.id)
    fixed_moments()
    for reader, html in pages(client, login_as, answered.id, "Orvelte").items():
        assert_golden(f"vision-{'published' if released else 'computed'}-{reader}", html)
