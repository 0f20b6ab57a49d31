"""Publishing, closing and reopening a survey, each confirmed on a page that says what will
happen, through the real routes. Officials read in English, so the texts stay put when
translations change.

Jobs wait in the database here (no worker thread): a test decides when the analysis runs.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.dates import local_today
from core.db import db, utcnow
from fieldwork import answering
from fieldwork.links import survey_token
from fieldwork.models import Invitation
from jobs.models import Job, JobStatus
from jobs.runner import run_next
from results.models import AnalysisRun, RunStatus
from results.services import run_now
from surveys.models import LifecycleError, SurveyStatus
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from
from tests.waves import make_margins, make_wave  # noqa: F401  (fixtures)
from villages.queries import village_by_name

ROLES = ["resident", "association", "volunteer", "official"]


@pytest.fixture
def app(make_app):
    app = make_app(JOBS_WEB_WORKER=False)
    with app.app_context():
        yield app


@pytest.fixture
def today(app) -> date:
    return local_today()


@pytest.fixture
def official(client, login_as):
    account = login_as("official")
    with client.session_transaction() as session:
        session["language"] = "en"
    return account


def new_survey(villages=(), **settings):
    survey = create_survey(load_template("leefbaarheid"), by=None, villages=list(villages))
    for key, value in settings.items():
        setattr(survey, key, value)
    db.session.commit()
    return survey


@pytest.fixture
def draft(seeded):
    return new_survey([village_by_name("Orvelte"), village_by_name("Beilen")])


@pytest.fixture
def open_survey(draft, today):
    draft.publish(today - timedelta(days=3), today + timedelta(days=20), utcnow())
    db.session.commit()
    return draft


@pytest.fixture
def closed_survey(open_survey, client, official):
    response = post_from(client, f"/surveys/{open_survey.id}/close")
    assert response.status_code == 302
    return open_survey


def post_from(client, page: str, action: str | None = None, **data):
    """Submit the page's form as a browser does: its CSRF token and hidden fields."""
    html = client.get(page).text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    hidden["csrf_token"] = csrf_token_from(html)
    return client.post(action or page, data={**hidden, **data})


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def fresh(survey):
    db.session.expire_all()
    return survey


# Publishing --------------------------------------------------------------------------------


def test_publishing_asks_for_dates_then_says_what_happens_before_anything_changes(
    client, official, draft, today
):
    url = f"/surveys/{draft.id}/publish"
    first = client.get(url)
    assert first.status_code == 200
    assert 'name="opens_on"' in first.text
    assert f'<form method="post" action="{url}"' not in first.text

    opens, closes = today + timedelta(days=1), today + timedelta(days=22)
    page = client.get(url, query_string={"opens_on": opens, "closes_on": closes})
    assert page.status_code == 200
    happens = page.text[page.text.index('id="what-happens"') :]
    assert f"until and including {closes:%B} {closes.day}, {closes.year}" in happens
    assert "Beilen, Orvelte" in happens
    assert "Version 1 of the questionnaire is frozen" in happens
    assert "Nobody is invited yet" in happens
    assert f'value="{opens.isoformat()}"' in page.text
    assert fresh(draft).status is SurveyStatus.DRAFT  # looking is not publishing


def test_dates_in_the_wrong_order_are_refused_on_the_confirmation_page(client, official, draft):
    page = client.get(
        f"/surveys/{draft.id}/publish",
        query_string={"opens_on": "2027-01-31", "closes_on": "2027-01-01"},
    )
    assert page.status_code == 422
    assert 'id="closes_on-error"' in page.text
    assert (
        f'action="/surveys/{draft.id}/publish"' not in page.text.split("</h1>")[1].split("<h2")[0]
    )


def test_confirming_publishes_once_however_often_it_is_sent(client, official, draft, today):
    url = f"/surveys/{draft.id}/publish"
    query = f"?opens_on={today}&closes_on={today + timedelta(days=21)}"
    html = client.get(url + query).text
    data = {
        "csrf_token": csrf_token_from(html),
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=21)).isoformat(),
    }
    first, second = client.post(url, data=data), client.post(url, data=data)
    assert first.status_code == second.status_code == 302
    assert "The survey has been published." in client.get(second.location).text
    assert fresh(draft).status is SurveyStatus.PUBLISHED
    assert len(audit("survey.published")) == 1


def test_publishing_without_the_csrf_token_is_refused(client, official, draft, today):
    response = client.post(
        f"/surveys/{draft.id}/publish",
        data={"opens_on": today.isoformat(), "closes_on": today.isoformat()},
    )
    assert response.status_code == 400
    assert fresh(draft).status is SurveyStatus.DRAFT


def test_the_survey_page_asks_for_the_dates_with_a_form_that_changes_nothing(
    client, official, draft
):
    html = client.get(f"/surveys/{draft.id}").text
    assert f'<form method="get" action="/surveys/{draft.id}/publish"' in html


def test_the_publish_page_warns_per_village_below_the_disclosure_threshold(
    client, official, draft, make_member, today
):
    for _ in range(8):
        make_member("Orvelte")
    for _ in range(20):
        make_member("Beilen")
    page = client.get(
        f"/surveys/{draft.id}/publish",
        query_string={"opens_on": today, "closes_on": today + timedelta(days=21)},
    ).text
    warning = page[page.index('id="expected-warning"') : page.index('id="expected-responses"')]
    assert "Orvelte: 8 members invited, about 4 responses expected; 10 are needed." in warning
    assert "About 9 more members are needed." in warning
    assert "Beilen" not in warning
    assert "Village clusters" in warning and "Register a paper member" in warning
    assert "60% (assumed)" in page
    beilen = page[page.index('data-village="Beilen"') :]
    assert re.search(r"data-expected>12<", beilen)


# Closing -----------------------------------------------------------------------------------


def test_closing_says_how_many_are_still_answering_and_that_results_start(
    client, official, open_survey, make_member
):
    for started in (True, True, False):
        invitation = Invitation(survey=open_survey, member=make_member("Orvelte"))
        db.session.add(invitation)
        db.session.flush()
        if started:
            answering.start_or_resume(invitation, utcnow())
    db.session.commit()
    page = client.get(f"/surveys/{open_survey.id}/close")
    assert page.status_code == 200
    assert "2 residents are still answering" in page.text
    assert "3 residents were invited." in page.text
    assert "Closing starts the computation of the results" in page.text
    assert fresh(open_survey).status is SurveyStatus.PUBLISHED  # cancel: nothing happened


def test_closing_a_village_vision_says_no_figures_are_computed(client, official, seeded, today):
    survey = create_survey(load_template("dorpsvisie"), by=None, villages=[])
    survey.publish(today - timedelta(days=3), today + timedelta(days=20), utcnow())
    db.session.commit()
    page = client.get(f"/surveys/{survey.id}/close").text
    assert "no figures are computed when it closes" in page
    assert "Closing starts the computation of the results" not in page
    assert "reads that the survey has closed" in page


def test_the_survey_page_leads_to_the_close_confirmation_instead_of_closing(
    client, official, open_survey
):
    html = client.get(f"/surveys/{open_survey.id}").text
    assert f'href="/surveys/{open_survey.id}/close"' in html
    assert f'action="/surveys/{open_survey.id}/close"' not in html
    assert f'href="/surveys/{open_survey.id}/responses"' in html


def test_closing_twice_closes_once_and_queues_one_computation(client, official, open_survey):
    url = f"/surveys/{open_survey.id}/close"
    token = csrf_token_from(client.get(url).text)
    first = client.post(url, data={"csrf_token": token})
    second = client.post(url, data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    assert "The survey is closed." in client.get(second.location).text
    assert fresh(open_survey).status is SurveyStatus.CLOSED
    assert len(audit("survey.closed")) == 1
    assert db.session.scalar(select(db.func.count(AnalysisRun.id))) == 1


def test_a_closed_survey_page_links_to_its_results_and_to_reopening(
    client, official, closed_survey
):
    html = client.get(f"/surveys/{closed_survey.id}").text
    assert f'href="/surveys/{closed_survey.id}/results"' in html
    assert f'href="/surveys/{closed_survey.id}/reopen"' in html


# Reopening ---------------------------------------------------------------------------------


def test_reopening_opens_the_links_again_and_withdraws_the_queued_computation(
    client, official, closed_survey, make_member, today
):
    invitation = Invitation(survey=closed_survey, member=make_member("Orvelte"))
    db.session.add(invitation)
    db.session.commit()
    link = f"/enquete/{survey_token(invitation)}"
    assert "Start the survey" not in client.get(link, follow_redirects=True).text
    run = db.session.scalars(select(AnalysisRun)).one()

    url = f"/surveys/{closed_survey.id}/reopen"
    page = client.get(url)
    assert page.status_code == 200 and "personal links in their invitations work again" in page.text
    new_date = today + timedelta(days=14)
    response = post_from(client, url, closes_on=new_date.isoformat())
    assert response.status_code == 302
    assert "The survey is open again until and including" in client.get(response.location).text

    survey = fresh(closed_survey)
    assert (survey.status, survey.closes_on) == (SurveyStatus.PUBLISHED, new_date)
    assert "Start the survey" in client.get(link, follow_redirects=True).text
    run = db.session.get(AnalysisRun, run.id)
    assert run.status is RunStatus.FAILED and run.withdrawn
    assert db.session.get(Job, run.job_id).status is JobStatus.FAILED
    assert run_next() is False  # no worker picks the withdrawn job up
    (event,) = audit("survey.reopened")
    assert event.detail["closes_on"] == new_date.isoformat()
    assert event.detail["withdrawn_runs"] == [run.id]
    results = client.get(f"/surveys/{closed_survey.id}/results").text
    assert "The survey was reopened before its results were published" in results
    assert "failed" not in results and "still open" not in results


def test_a_survey_whose_figures_are_computed_but_not_published_can_be_reopened(
    client,
    official,
    make_margins,  # noqa: F811
    make_wave,  # noqa: F811
    today,
):
    make_margins()
    survey = make_wave(opens_on=today - timedelta(days=30))
    run = run_now(survey)
    db.session.commit()
    assert run.status is RunStatus.SUCCEEDED and run.figures  # officials see them
    url = f"/surveys/{survey.id}/reopen"
    assert f'href="{url}"' in client.get(f"/surveys/{survey.id}").text
    page = client.get(url)
    assert 'name="closes_on"' in page.text and "will never be published" in page.text
    response = post_from(client, url, closes_on=str(today + timedelta(days=7)))
    assert "open again" in client.get(response.location).text
    assert fresh(survey).status is SurveyStatus.PUBLISHED
    run = db.session.get(AnalysisRun, run.id)
    assert run.withdrawn and run.figures == [] and run.output is None
    (event,) = audit("survey.reopened")
    assert event.detail["withdrawn_runs"] == [run.id]
    # Figures on fewer answers can never be published, not even from a stale page.
    assert client.get(f"/surveys/{survey.id}/results/release").status_code == 302
    results = client.get(f"/surveys/{survey.id}/results").text
    assert "The survey was reopened before its results were published" in results
    assert "Report mark for the village" not in results


def test_reopening_twice_reopens_once(client, official, closed_survey, today):
    url = f"/surveys/{closed_survey.id}/reopen"
    html = client.get(url).text
    data = {"csrf_token": csrf_token_from(html), "closes_on": str(today + timedelta(days=7))}
    first, second = client.post(url, data=data), client.post(url, data=data)
    assert first.status_code == second.status_code == 302
    assert "open again" in client.get(second.location).text
    assert len(audit("survey.reopened")) == 1


def test_closing_again_computes_the_results_anew(client, official, closed_survey, today):
    post_from(
        client,
        f"/surveys/{closed_survey.id}/reopen",
        closes_on=str(today + timedelta(days=7)),
    )
    post_from(client, f"/surveys/{closed_survey.id}/close")
    runs = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id)).all()
    assert [run.status for run in runs] == [RunStatus.FAILED, RunStatus.QUEUED]
    assert fresh(closed_survey).status is SurveyStatus.CLOSED


@pytest.mark.parametrize("closes_on", [lambda today: today, lambda today: today - timedelta(1)])
def test_reopening_needs_a_closing_date_in_the_future(
    client, official, closed_survey, today, closes_on
):
    response = post_from(
        client, f"/surveys/{closed_survey.id}/reopen", closes_on=str(closes_on(today))
    )
    assert response.status_code == 422
    assert 'id="closes_on-error"' in response.text
    assert fresh(closed_survey).status is SurveyStatus.CLOSED


def test_a_survey_with_published_results_cannot_be_reopened(
    client,
    official,
    make_margins,  # noqa: F811
    make_wave,  # noqa: F811
    today,
):
    make_margins()
    survey = make_wave(opens_on=today - timedelta(days=30))
    run = run_now(survey)
    assert run.status is RunStatus.SUCCEEDED
    db.session.commit()
    post_from(client, f"/surveys/{survey.id}/results/release")  # published
    assert fresh(run).released
    url = f"/surveys/{survey.id}/reopen"
    page = client.get(url)
    assert "cannot be reopened" in page.text and 'name="closes_on"' not in page.text
    assert f'href="{url}"' not in client.get(f"/surveys/{survey.id}").text

    html = client.get(f"/surveys/{survey.id}").text  # a stale form, as from another tab
    response = client.post(
        url,
        data={"csrf_token": csrf_token_from(html), "closes_on": str(today + timedelta(days=7))},
    )
    assert response.status_code == 302
    assert "published, so it cannot be reopened" in client.get(response.location).text
    assert fresh(survey).status is SurveyStatus.CLOSED
    assert audit("survey.reopened") == []


def test_reopening_waits_while_a_worker_computes_the_results(
    client, official, closed_survey, today
):
    run = db.session.scalars(select(AnalysisRun)).one()
    db.session.get(Job, run.job_id).status = JobStatus.RUNNING  # a worker claimed it
    db.session.commit()
    response = post_from(
        client, f"/surveys/{closed_survey.id}/reopen", closes_on=str(today + timedelta(days=7))
    )
    assert "being computed right now" in client.get(response.location).text
    assert fresh(closed_survey).status is SurveyStatus.CLOSED
    assert db.session.get(AnalysisRun, run.id).status is RunStatus.QUEUED


def test_the_model_refuses_illegal_reopening(app, today):
    survey = new_survey()
    later = today + timedelta(days=7)
    with pytest.raises(LifecycleError):
        survey.reopen(later, today, results_published=False)  # a draft
    survey.publish(today - timedelta(days=7), today, utcnow())
    with pytest.raises(LifecycleError):
        survey.reopen(later, today, results_published=False)  # still open
    survey.close()
    with pytest.raises(LifecycleError):
        survey.reopen(later, today, results_published=True)
    with pytest.raises(LifecycleError):
        survey.reopen(today, today, results_published=False)
    survey.reopen(later, today, results_published=False)
    assert (survey.status, survey.closes_on) == (SurveyStatus.PUBLISHED, later)
    survey.close()
    survey.archive()
    with pytest.raises(LifecycleError):
        survey.reopen(later, today, results_published=False)


# Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("state", "path"),
    [
        ("draft", "/surveys/{id}/publish"),
        ("open", "/surveys/{id}/close"),
        ("closed", "/surveys/{id}/reopen"),
    ],
)
def test_role_matrix(client, login_as, seeded, today, role, state, path):
    survey = new_survey([village_by_name("Orvelte")])
    if state != "draft":
        survey.publish(today - timedelta(days=3), today + timedelta(days=20), utcnow())
    if state == "closed":
        survey.close()
    db.session.commit()
    login_as(role, village="Orvelte" if role in ("association", "resident") else None)
    response = client.get(path.format(id=survey.id))
    assert response.status_code == (200 if role == "official" else 403)


@pytest.mark.parametrize("role", ["resident", "association", "volunteer"])
def test_only_officials_may_reopen(client, login_as, closed_survey, today, role):
    csrf = csrf_token_from(client.get(f"/surveys/{closed_survey.id}/reopen").text)
    login_as(role, village="Orvelte" if role in ("association", "resident") else None)
    response = client.post(
        f"/surveys/{closed_survey.id}/reopen",
        data={"csrf_token": csrf, "closes_on": str(today + timedelta(days=7))},
    )
    assert response.status_code == 403
    assert fresh(closed_survey).status is SurveyStatus.CLOSED


def test_anonymous_visitors_are_sent_to_login(client, closed_survey):
    with client.session_transaction() as session:
        session.clear()
    response = client.get(f"/surveys/{closed_survey.id}/reopen")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


# Anonymous surveys need enough members to hide among ----------------------------------------


def publish_page(client, survey, today):
    return client.get(
        f"/surveys/{survey.id}/publish",
        query_string={"opens_on": today, "closes_on": today + timedelta(days=21)},
    )


def test_an_anonymous_survey_with_a_small_village_is_not_published(
    client, official, seeded, make_member, today
):
    survey = new_survey([village_by_name("Orvelte"), village_by_name("Beilen")], anonymous=True)
    for _ in range(3):
        make_member("Orvelte")
    for _ in range(12):
        make_member("Beilen")

    page = publish_page(client, survey, today).text
    refusal = page[page.index('id="too-few"') : page.index('id="expected-heading"')]
    assert "Orvelte: 3 members to invite." in refusal
    assert "Beilen" not in refusal
    assert "This survey cannot be published like this." in refusal
    assert f'<form method="post" action="/surveys/{survey.id}/publish"' not in page

    response = client.post(
        f"/surveys/{survey.id}/publish",
        data={
            "csrf_token": csrf_token_from(page),
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=21)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert (
        "too few members to invite to keep the answers anonymous"
        in client.get(response.location).text
    )
    assert fresh(survey).status is SurveyStatus.DRAFT
    assert audit("survey.published") == []


def test_a_small_village_whose_cluster_has_enough_members_may_be_in_an_anonymous_survey(
    client, official, seeded, make_member, today
):
    from results.clusters import create_cluster

    villages = [village_by_name("Orvelte"), village_by_name("Beilen")]
    create_cluster("Zuid", villages)
    survey = new_survey(villages, anonymous=True)
    for _ in range(4):
        make_member("Orvelte")
    for _ in range(7):
        make_member("Beilen")

    page = publish_page(client, survey, today).text
    assert 'id="too-few"' not in page
    response = post_from(
        client,
        f"/surveys/{survey.id}/publish?opens_on={today}&closes_on={today + timedelta(days=21)}",
        f"/surveys/{survey.id}/publish",
    )
    assert response.status_code == 302
    assert fresh(survey).status is SurveyStatus.PUBLISHED


def test_an_anonymous_survey_with_too_few_members_in_all_is_not_published(
    client, official, seeded, make_member, today
):
    survey = new_survey([village_by_name("Orvelte")], anonymous=True)
    page = publish_page(client, survey, today).text
    assert "The survey as a whole: 0 members to invite." in page
    for _ in range(10):
        make_member("Orvelte")
    assert 'id="too-few"' not in publish_page(client, survey, today).text


def test_a_pseudonymous_survey_with_a_small_village_is_published(
    client, official, seeded, make_member, today
):
    survey = new_survey([village_by_name("Orvelte")])
    make_member("Orvelte")
    page = publish_page(client, survey, today).text
    assert 'id="too-few"' not in page
    url = f"/surveys/{survey.id}/publish"
    response = post_from(
        client, f"{url}?opens_on={today}&closes_on={today + timedelta(days=21)}", url
    )
    assert response.status_code == 302
    assert fresh(survey).status is SurveyStatus.PUBLISHED
