"""The results pages: who sees what, and that nothing hidden reaches the page. Read in English,
so the texts the tests look for stay put when translations change."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db
from results.models import AnalysisRun, RunStatus
from tests.conftest import csrf_token_from
from tests.results.test_services import run_now


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


@pytest.fixture
def wave(make_margins, make_wave):
    make_margins()
    survey = make_wave()
    run_now(survey)
    return survey


PAGES = ["/results", "/surveys/{id}/results", "/surveys/{id}/results.json"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("role", "village", "expected"),
    [
        (None, None, 302),
        ("resident", "Beilen", 403),
        ("volunteer", None, 403),
        ("association", "Beilen", 200),
        ("official", None, 200),
    ],
)
def test_who_may_see_the_results(client, login_as, wave, path, role, village, expected):
    if role is not None:
        login_as(role, village=village)
    response = client.get(path.format(id=wave.id))
    assert response.status_code == expected
    if expected == 302:
        assert response.location.startswith("/login")


@pytest.mark.parametrize(
    ("role", "village", "expected"),
    [
        (None, None, 302),
        ("association", "Beilen", 403),
        ("resident", "Beilen", 403),
        ("official", None, 302),
    ],
)
def test_only_officials_may_compute_again(client, login_as, wave, role, village, expected):
    if role is not None:
        login_as(role, village=village)
    token = csrf_token_from(client.get("/account" if role else "/login").text)
    response = client.post(f"/surveys/{wave.id}/results/run", data={"csrf_token": token})
    assert response.status_code == expected


def test_computing_again_queues_a_run_once(client, login_as, wave, post_form, english):
    login_as("official")
    page = f"/surveys/{wave.id}/results"
    for _ in range(2):
        response = post_form(page, f"{page}/run")
        assert response.status_code == 302
    runs = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id)).all()
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED, RunStatus.QUEUED]
    assert runs[1].trigger == "official" and runs[1].requested_by_id is not None
    assert "being computed" in client.get(page).text


def test_a_post_without_csrf_is_refused(client, login_as, wave):
    login_as("official")
    assert client.post(f"/surveys/{wave.id}/results/run").status_code == 400


def test_officials_see_every_village_and_the_weighting(client, login_as, wave, english):
    login_as("official")
    page = client.get(f"/surveys/{wave.id}/results").text
    assert "Report mark for the village" in page and "Weighting" in page
    for village in ("Beilen", "Bovensmilde", "Hooghalen", "Orvelte"):
        assert village in page
    assert "not shown (too few respondents)" in page and "indicative" in page
    assert "Compute again" in page


def test_an_association_sees_its_village_and_the_municipality_only(client, login_as, wave, english):
    login_as("association", village="Beilen")
    page = client.get(f"/surveys/{wave.id}/results").text
    assert "Beilen" in page and "Municipality" in page
    assert "Bovensmilde" not in page and "Hooghalen" not in page
    assert "Compute again" not in page and "Weighting" not in page
    document = client.get(f"/surveys/{wave.id}/results.json").get_json()
    assert {f["area"] for f in document["figures"]} == {"", "Beilen"}
    assert [v["village"] for v in document["weighting"]["villages"]] == ["Beilen"]


def test_the_download_is_audit_logged_and_holds_no_hidden_numbers(client, login_as, wave):
    login_as("official")
    response = client.get(f"/surveys/{wave.id}/results.json")
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.data)
    hidden = [f for f in document["figures"] if f["status"] != "publish"]
    assert hidden and all(
        (f["n"], f["value"], f["low"], f["high"], f["versus_rest"], f["change"]) == (None,) * 6
        for f in hidden
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "analysis.results_exported")
    )
    assert event.object_id == str(wave.id)


def test_a_survey_without_results_says_so(client, login_as, make_wave, english):
    survey = make_wave(close=False)
    login_as("official")
    assert "There are no figures yet" in client.get(f"/surveys/{survey.id}/results").text
    login_as("association", village="Beilen")
    assert client.get(f"/surveys/{survey.id}/results").status_code == 404


def test_published_quotes_appear_with_the_results(client, login_as, wave, english):
    from core.db import utcnow
    from results.models import Quote

    db.session.add(Quote(survey_id=wave.id, question="OPEN", text="Meer bankjes bij de brink."))
    draft = Quote(survey_id=wave.id, question="OPEN", text="Nog niet gecontroleerd.")
    db.session.add(draft)
    published = db.session.scalars(select(Quote)).first()
    published.publish(utcnow())
    db.session.commit()
    login_as("association", village="Beilen")
    page = client.get(f"/surveys/{wave.id}/results").text
    assert "Meer bankjes bij de brink." in page and "Nog niet gecontroleerd." not in page


def test_an_open_survey_cannot_be_computed(client, login_as, make_wave, post_form, english):
    survey = make_wave(close=False)
    login_as("official")
    page = f"/surveys/{survey.id}/results"
    assert "Compute again" not in client.get(page).text
    response = post_form(page, f"{page}/run", follow_redirects=True)
    assert "Figures are computed once the survey has closed." in response.text
    assert db.session.scalar(select(AnalysisRun)) is None


def test_a_failed_run_says_why_in_the_readers_language(client, login_as, make_wave):
    survey = make_wave()
    run_now(survey)  # no margins imported
    login_as("official")
    page = client.get(f"/surveys/{survey.id}/results").text
    assert "De laatste berekening is mislukt" in page
    assert "Er zijn nog geen bevolkingsaantallen ingelezen" in page


@pytest.mark.parametrize("role", ["official", "association"])
def test_the_results_page_runs_a_fixed_number_of_queries(client, login_as, wave, role):
    from tests.panel.test_overview import counted_queries

    login_as(role, village="Beilen" if role == "association" else None)
    with counted_queries() as statements:
        assert client.get(f"/surveys/{wave.id}/results").status_code == 200
    assert len(statements) <= 14, "\n".join(statements)
