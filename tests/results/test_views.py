"""The results pages: who sees what, and that nothing hidden reaches the page. Read in English,
so the texts the tests look for stay put when translations change."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import pytest
from flask import render_template_string
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db, utcnow
from jobs.runner import run_next
from panel.models import AgeBand, Sex
from population.models import MarginCell, MarginImport
from results import services
from results.clusters import create_cluster
from results.models import AnalysisRun, AreaKind, Quote, RunStatus
from results.release import release_run
from surveys.models import Survey
from tests.conftest import csrf_token_from, snapshot, start_session
from tests.results.test_services import run_now
from tests.waves import POPULATION, new_margins, new_wave
from villages.models import Village
from villages.queries import village_by_name


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


def closed_and_computed() -> None:
    new_margins()
    run_now(new_wave())


snapshot("computed", closed_and_computed)


@pytest.fixture
def computed(app):
    """A closed wave whose figures are computed, not yet released: officials only (built
    once per run; this test's own copy)."""
    return db.session.scalar(select(Survey))


@pytest.fixture
def wave(computed):
    """A closed wave with published (released) figures."""
    release_run(services.computed_run(computed), by=None)
    db.session.commit()
    return computed


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


def test_computing_again_queues_a_run_once(make_app, make_account, wave):
    """A double click while the run waits for a worker. (No worker in this web process: on
    SQLite a POST waits for a worker's write to end, so a run that finished in between
    would rightly be computed again.)"""
    client = make_app(JOBS_WEB_WORKER=False).test_client()
    start_session(client, make_account("official"))
    with client.session_transaction() as session:
        session["language"] = "en"
    page = f"/surveys/{wave.id}/results"
    for _ in range(2):
        token = csrf_token_from(client.get(page).text)
        response = client.post(f"{page}/run", data={"csrf_token": token})
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
    # Orvelte (4 respondents) is weighted together with Eursinge, and the page says so.
    assert "weighted together with others: Eursinge + Orvelte." in page
    assert "Weighting effect" in page


def test_a_run_stored_before_the_weighting_effect_still_shows_it(client, login_as, wave, english):
    """Format 1 documents call Kish's weighting effect "design_effect" and pool nothing."""
    run = services.computed_run(wave)
    weighting = dict(run.output["weighting"])
    for key in ("pooled", "bounds", "min_stratum"):
        weighting.pop(key)
    weighting["design_effect"] = 1.37
    weighting.pop("weighting_effect")
    run.output = {**run.output, "format": 1, "weighting": weighting}
    db.session.commit()
    login_as("official")
    page = client.get(f"/surveys/{wave.id}/results").text
    assert "Weighting effect" in page and "1.37" in page


def test_an_association_sees_its_village_and_the_municipality_only(client, login_as, wave, english):
    login_as("association", village="Beilen")
    page = client.get(f"/surveys/{wave.id}/results").text
    assert "Beilen" in page and "Municipality" in page
    assert "Bovensmilde" not in page and "Hooghalen" not in page
    assert "Compute again" not in page and "Weighting" not in page
    document = client.get(f"/surveys/{wave.id}/results.json").get_json()
    assert {f["area"] for f in document["figures"]} == {"", "Beilen"}
    assert [v["village"] for v in document["weighting"]["villages"]] == ["Beilen"]
    assert document["weighting"]["pooled"] == []  # Orvelte's pool is none of its business


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
    assert client.get(f"/surveys/{survey.id}/results/release").status_code == 302
    login_as("association", village="Beilen")
    page = client.get(f"/surveys/{survey.id}/results")
    assert page.status_code == 200 and "they are computed when the survey closes" in page.text


def test_an_association_waits_for_the_figures_of_a_closed_wave(
    client, login_as, make_wave, english
):
    survey = make_wave()  # closed, not computed yet
    login_as("association", village="Beilen")
    page = client.get(f"/surveys/{survey.id}/results")
    assert page.status_code == 200 and "The figures are not ready yet" in page.text
    listed = client.get("/results").text
    assert f"/surveys/{survey.id}/results" in listed and "not ready yet" in listed


def test_published_quotes_appear_with_the_results(client, login_as, wave, english):
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


def test_weights_that_miss_a_margin_are_not_published_and_the_gaps_are_shown(
    client, login_as, make_village, make_wave, english
):
    """Margins where 5 in 6 adults are 75 or over, against respondents spread evenly over
    the ages: no weights within 0.3 to 3.5 times the design weights can meet them."""
    margins = MarginImport(reference_date=date(2026, 1, 1), source="test")
    for name, people in POPULATION.items():
        village = village_by_name(name) or make_village(name, population=people)
        for band in AgeBand:
            for sex in (Sex.FEMALE, Sex.MALE):
                count = people // 10 * (20 if band is AgeBand.A75_PLUS else 1)
                margins.cells.append(
                    MarginCell(village_id=village.id, age_band=band, sex=sex, count=count)
                )
    db.session.add(margins)
    db.session.commit()
    survey = make_wave()
    run = run_now(survey)
    assert run.status is RunStatus.FAILED and run.output is None
    assert run.settings["failure"] == "not_converged"
    worst = run.settings["gaps"][0]
    assert worst["margin"] == "age_sex" and abs(worst["relative"]) > 0.05
    assert services.computed_run(survey) is None
    login_as("official")
    page = client.get(f"/surveys/{survey.id}/results").text
    assert "could not meet every population margin" in page
    assert "Population margins the weights did not meet" in page
    assert "75+ women" in page or "75+ men" in page
    assert f"{worst['relative']:+.1%}".replace("-", "-") in page.replace("\u2212", "-")
    assert "Village clusters" in page and "Check the imported population margins" in page
    login_as("association", village="Beilen")
    assert "did not meet" not in client.get(f"/surveys/{survey.id}/results").text


#: Statements of a warm results page: the account (3); the survey with its runs, whether
#: its questionnaire feeds indicators and (for officials) the margins of its reference date,
#: in one; the published quotes; for officials of a published wave the clusters of now.
WARM_RESULTS_QUERIES = {"official": 4, "association": 3}


@pytest.mark.parametrize("role", ["official", "association"])
def test_the_results_page_runs_a_fixed_number_of_queries(client, login_as, wave, role):
    from tests.panel.test_overview import counted_queries

    login_as(role, village="Beilen" if role == "association" else None)
    with counted_queries() as cold:
        assert client.get(f"/surveys/{wave.id}/results").status_code == 200
    with counted_queries() as warm:
        assert client.get(f"/surveys/{wave.id}/results").status_code == 200
    # Cold, 13 at most: the run's output and figures, read once per run, scope and
    # language, and the questionnaire, read once per frozen version.
    assert len(cold) <= 13, "\n".join(cold)
    # Warm: none of those; the run's output is not even read (it is the biggest row).
    assert len(warm) == WARM_RESULTS_QUERIES[role], "\n".join(warm)
    assert not [s for s in warm if "analysis_runs.output" in s or "definition" in s]


def test_a_quote_published_shows_at_the_next_request(client, login_as, wave, english):
    page = f"/surveys/{wave.id}/results"
    quote = Quote(survey_id=wave.id, question="OPEN", text="Meer bankjes bij de brink.")
    db.session.add(quote)
    db.session.commit()
    for role in ("official", "association"):
        login_as(role, village="Beilen" if role == "association" else None)
        assert "Meer bankjes" not in client.get(page).text
    quote.publish(utcnow())
    db.session.commit()
    assert "Meer bankjes bij de brink." in client.get(page).text
    login_as("official")
    assert "Meer bankjes bij de brink." in client.get(page).text


def test_figures_released_show_to_the_association_at_the_next_request(
    client, login_as, computed, english
):
    page = f"/surveys/{computed.id}/results"
    login_as("official")
    assert "Not yet published" in client.get(page).text
    login_as("association", village="Beilen")
    assert "The figures are not ready yet" in client.get(page).text
    release_run(services.computed_run(computed), by=None)
    db.session.commit()
    shown = client.get(page).text
    assert "Report mark for the village" in shown and "not ready yet" not in shown
    login_as("official")
    shown = client.get(page).text
    assert "Not yet published" not in shown and "the village associations see these" in shown


def test_a_cluster_made_or_margins_imported_show_in_the_notes_at_the_next_request(
    client, login_as, wave, english
):
    page = f"/surveys/{wave.id}/results"
    login_as("official")
    shown = client.get(page).text
    assert "keep the village clusters" not in shown and 'id="kept-margins"' not in shown
    create_cluster("Kleine kernen", [village_by_name("Orvelte"), village_by_name("Eursinge")])
    db.session.commit()
    assert "keep the village clusters they were first published with" in client.get(page).text
    new_margins(date(2026, 2, 1))
    assert 'id="kept-margins"' in client.get(page).text


@pytest.mark.parametrize("role", ["official", "association"])
def test_the_figure_tables_are_rendered_once_per_run_scope_and_language(
    client, login_as, wave, role
):
    from tests.panel.test_overview import counted_queries

    login_as(role, village="Beilen" if role == "association" else None)
    first = client.get(f"/surveys/{wave.id}/results").text
    with counted_queries() as statements:
        again = client.get(f"/surveys/{wave.id}/results").text
    token = re.compile(r'value="[^"]*\.[^"]*"')  # CSRF tokens differ per request
    assert token.sub("", again) == token.sub("", first)
    assert not [s for s in statements if "FROM result_figures" in s], "\n".join(statements)
    with client.session_transaction() as session:
        session["language"] = "en"
    english_page = client.get(f"/surveys/{wave.id}/results").text
    assert "Under 65" in english_page and "Under 65" not in first
    assert len(client.application.extensions["results_tables"]) == 2


def test_a_cached_page_never_shows_one_association_the_figures_of_another(client, login_as, wave):
    """The rendered figures are shared between readers: officials' (every village) and one
    association's must never reach another association, whoever warmed the cache first."""
    login_as("official")
    assert "Bovensmilde" in client.get(f"/surveys/{wave.id}/results").text
    login_as("association", village="Beilen")
    beilen = client.get(f"/surveys/{wave.id}/results").text
    login_as("association", village="Bovensmilde")
    bovensmilde = client.get(f"/surveys/{wave.id}/results").text
    login_as("association", village="Beilen")
    beilen_again = client.get(f"/surveys/{wave.id}/results").text
    assert "Beilen" in beilen and "Bovensmilde" not in beilen
    assert "Bovensmilde" in bovensmilde and "Beilen" not in bovensmilde
    assert "Bovensmilde" not in beilen_again
    assert len(client.application.extensions["results_tables"]) == 3


def test_an_association_gets_the_figures_of_its_villages_from_the_database(app, wave):
    run = services.published_run(wave)
    own = frozenset({village_by_name("Beilen").id})
    chosen = services.figures_of(run, own)
    names = {v.id: v.name for v in db.session.scalars(select(Village))}
    own_clusters = {f.shown_in_cluster for f in run.figures if f.area == "Beilen"} - {None}
    expected = [
        f
        for f in run.figures
        if f.area_kind is AreaKind.MUNICIPALITY
        or (f.area_kind is AreaKind.VILLAGE and names[f.village_id] == "Beilen")
        or (f.area_kind is AreaKind.CLUSTER and f.area in own_clusters)
    ]
    assert chosen == expected and any(f.area == "Beilen" for f in chosen)


# Background jobs ------------------------------------------------------------------------------


def run_jobs(app) -> None:
    """Run the queued jobs to the end (the web process's job thread may have started one:
    it is stopped once that is done). In an app context of their own, as a worker runs
    them: a job ends its session, which must not detach the test's objects."""
    app.extensions["jobs"].stop()
    with app.app_context():
        while run_next():
            pass
    db.session.expire_all()


# A cluster made after the figures were published -------------------------------------------

SMALL_WAVE = {"Beilen": 60, "Bovensmilde": 40, "Orvelte": 5, "Eursinge": 6}


def make_cluster_page(post_form) -> None:
    small = [village_by_name("Orvelte").id, village_by_name("Eursinge").id]
    data = {"name": "Kleine kernen", "villages": small}
    assert post_form("/analysis/clusters/new", data=data).status_code == 303


def test_a_cluster_made_after_publication_waits_for_the_next_wave_and_says_so(
    app, client, login_as, make_margins, make_wave, post_form, english
):
    make_margins()
    survey = make_wave(per_village=SMALL_WAVE)
    release_run(run_now(survey), by=None)  # published without clusters: Orvelte hidden
    db.session.commit()
    login_as("official")
    make_cluster_page(post_form)
    clusters_page = client.get("/analysis/clusters").text
    assert "changes apply to the waves that have not closed yet" in clusters_page
    closed = clusters_page.split('id="closed-waves"')[1]
    assert survey.title in closed and "no clusters" in closed
    page = f"/surveys/{survey.id}/results"
    response = post_form(page, f"{page}/run", follow_redirects=True)
    assert "with the village clusters they were first published with" in response.text
    run_jobs(app)
    shown = client.get(page).text
    assert "These figures keep the village clusters they were first published with" in shown
    assert "Clusters made since then do not apply to them" in shown
    assert "(cluster of villages)" not in shown
    runs = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id)).all()
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED] * 2
    assert runs[1].settings["clusters"] == {}


@pytest.mark.parametrize("first_run", ["failed", "computed, not published"])
def test_a_cluster_made_after_closing_applies_from_the_next_wave(
    app, client, login_as, make_margins, make_wave, post_form, english, first_run
):
    """A wave keeps the clusters it had when it closed, also before its figures are out."""
    survey = make_wave(per_village=SMALL_WAVE)
    if first_run == "failed":
        run_now(survey)  # fails: no margins yet
    else:
        make_margins()
        run_now(survey)  # seen by officials only
    login_as("official")
    make_cluster_page(post_form)
    if first_run == "failed":
        make_margins()
    page = f"/surveys/{survey.id}/results"
    post_form(page, f"{page}/run", follow_redirects=True)
    run_jobs(app)
    assert "(cluster of villages)" not in client.get(page).text
    latest = services.latest_run(survey)
    assert latest.status is RunStatus.SUCCEEDED and latest.settings["clusters"] == {}
    closed = client.get("/analysis/clusters").text.split('id="closed-waves"')[1]
    assert survey.title in closed and "Kleine kernen" not in closed


# Releasing the figures to the associations -------------------------------------------------

RELEASE = "/surveys/{id}/results/release"


def released_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "analysis.results_released")
        )
    )


def test_officials_review_figures_the_associations_do_not_see_yet(
    client, login_as, computed, english
):
    db.session.add(Quote(survey_id=computed.id, question="OPEN", text="Meer bankjes."))
    db.session.scalar(select(Quote)).publish(utcnow())
    db.session.commit()
    login_as("official")
    page = client.get(f"/surveys/{computed.id}/results").text
    assert "Not yet published: only municipal staff see these figures." in page
    assert "Report mark for the village" in page and "Bovensmilde" in page
    assert f'href="{RELEASE.format(id=computed.id)}"' in page and "Publish the results" in page
    assert "computed, not yet published" in client.get("/results").text
    assert client.get(f"/surveys/{computed.id}/results.json").status_code == 200

    login_as("association", village="Beilen")
    response = client.get(f"/surveys/{computed.id}/results")
    assert response.status_code == 200
    assert "The municipality publishes them here once it has computed and checked" in (
        response.text
    )
    assert "Report mark for the village" not in response.text
    assert "Meer bankjes." not in response.text  # quotes come with the published figures
    assert "Publish the results" not in response.text
    assert client.get(f"/surveys/{computed.id}/results.json").status_code == 404
    listed = client.get("/results").text
    assert "not ready yet" in listed and "computed, not yet published" not in listed


def test_publishing_says_what_happens_then_publishes_once(client, login_as, computed, english):
    login_as("association", village="Beilen")  # an association with an account
    login_as("official")
    url = RELEASE.format(id=computed.id)
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert "see the figures of their own village" in confirmation.text
    assert "Beilen." in confirmation.text and "Bovensmilde" not in confirmation.text
    assert "The survey can then no longer be reopened." in confirmation.text
    assert "keep the village clusters, the population margins and the threshold" in (
        confirmation.text
    )
    assert released_events() == []  # looking changes nothing
    data = {
        "csrf_token": csrf_token_from(confirmation.text),
        "run": services.computed_run(computed).id,
    }
    for _ in range(2):  # a double click
        response = client.post(url, data=data)
        assert response.status_code == 302
    page = client.get(response.location).text
    assert "The results are published: the village associations now see them." in page
    assert "Published on" in page and "Not yet published" not in page
    (event,) = released_events()
    run = services.computed_run(computed)
    assert event.detail["run"] == run.id and run.released_by_id is not None
    assert services.published_run(computed) == run
    assert client.get(url).status_code == 302  # nothing left to publish

    login_as("association", village="Beilen")
    page = client.get(f"/surveys/{computed.id}/results").text
    assert "Report mark for the village" in page and "Beilen" in page


def test_publishing_without_the_csrf_token_is_refused(client, login_as, computed):
    login_as("official")
    run = services.computed_run(computed)
    response = client.post(RELEASE.format(id=computed.id), data={"run": run.id})
    assert response.status_code == 400
    assert services.published_run(computed) is None and released_events() == []


@pytest.mark.parametrize(
    ("role", "village", "expected"),
    [
        (None, None, 302),
        ("resident", "Beilen", 403),
        ("volunteer", None, 403),
        ("association", "Beilen", 403),
        ("official", None, 200),
    ],
)
def test_only_officials_may_publish_results(client, login_as, computed, role, village, expected):
    if role is not None:
        login_as(role, village=village)
    url = RELEASE.format(id=computed.id)
    assert client.get(url).status_code == expected
    token = csrf_token_from(client.get("/account" if role else "/login").text)
    run = services.computed_run(computed)
    posted = client.post(url, data={"csrf_token": token, "run": run.id})
    assert posted.status_code == (302 if role in (None, "official") else 403)
    assert (services.published_run(computed) is not None) is (role == "official")


def test_only_the_newest_figures_can_be_published(client, login_as, computed, post_form, english):
    older = services.computed_run(computed)
    newer = run_now(computed)
    login_as("official")
    url = RELEASE.format(id=computed.id)
    response = post_form(url, data={"run": older.id}, follow_redirects=True)
    assert "These are no longer the newest figures." in response.text
    assert services.published_run(computed) is None and released_events() == []
    post_form(url, data={"run": newer.id})
    assert services.published_run(computed) == newer


def test_a_run_of_another_survey_is_not_found(client, login_as, computed, make_wave, post_form):
    other = make_wave(seed=7)
    login_as("official")
    run = services.computed_run(computed)
    url = RELEASE.format(id=other.id)
    assert post_form(f"/surveys/{computed.id}/results", url, data={"run": run.id}).status_code == (
        404
    )


def test_a_survey_reopened_meanwhile_is_not_published(
    client, login_as, computed, post_form, english
):
    """The confirmation was open in one tab while the survey was reopened in another."""
    from datetime import timedelta

    from core.dates import local_today
    from surveys.services import reopen

    login_as("official")
    url = RELEASE.format(id=computed.id)
    token = csrf_token_from(client.get(url).text)
    run_id = services.computed_run(computed).id
    reopen(computed, local_today() + timedelta(days=7), local_today())
    db.session.commit()
    response = client.post(url, data={"csrf_token": token, "run": run_id}, follow_redirects=True)
    assert "The survey is open again" in response.text
    assert services.published_run(computed) is None and released_events() == []


def test_the_page_says_how_reliable_the_figures_are(client, login_as, wave, english):
    login_as("association", village="Beilen")
    page = html.unescape(client.get(f"/surveys/{wave.id}/results").text)
    assert "How reliable is this?" in page
    assert "chose to take part themselves" in page  # open sign-up, not a random sample
    assert "but not for everything" in page
    assert "if the people who answered had been drawn by lot" in page
    assert "a range without 0 always goes with a clear difference" in page
    assert "95% certainty" not in page
    assert "true value lies" not in page


def test_officials_read_weighting_effect_and_effective_number(client, login_as, wave, english):
    login_as("official")
    page = html.unescape(client.get(f"/surveys/{wave.id}/results").text)
    assert "Weighting effect" in page and "weighting effect of 1.5" in page
    assert "Design effect" not in page and "design effect" not in page
    assert "the effective number is the number of people drawn by lot" in page


def test_each_share_shows_who_answered_dont_know(client, login_as, wave, english):
    login_as("official")
    page = html.unescape(client.get(f"/surveys/{wave.id}/results").text)
    assert re.search(r"“Don't know” \(not counted\): \d+%", page)
    moving = page[page.index('id="indicator-verhuisgeneigdheid"') :]
    assert "“Don't know” (not counted)" in moving[: moving.index("</section>")]


@pytest.mark.parametrize(("value", "percent"), [(-0.0, True), (-0.0, False), (0, True)])
def test_a_rounded_nothing_never_reads_minus_zero(app, value, percent):
    with app.test_request_context():
        shown = render_template_string(
            '{% from "results/_figures.html" import comparison_cell with context %}'
            "{{ comparison_cell(c, t) }}",
            c={"value": value, "low": -0.0, "high": 0.0, "flagged": False, "tested": True},
            t={"percent": percent},
        )
    assert "0" in shown  # no difference has no sign at all
    assert "−0" not in shown and "-0" not in shown and "+0" not in shown
