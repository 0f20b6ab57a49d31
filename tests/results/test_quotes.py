"""Curated quotes: officials read open answers without village or respondent, make a quote
with identifying details removed, publish and withdraw it; every step is in the audit log.

Officials read the pages in English, so the texts the tests look for stay put when the
Dutch translations arrive."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db, utcnow
from fieldwork.models import Response
from panel.models import Channel
from results import quote_views, quotes
from results.models import Quote, QuoteStatus
from surveys.models import Survey
from surveys.services import create_survey
from tests.conftest import csrf_token_from
from tests.helpers import count

ROLES = ["resident", "volunteer", "association", "official"]
NAMED = "Jan de Vries van de Hoofdstraat 12 wil een bankje bij de brink."
LONG = "Meer groen in het dorp."


def questionnaire() -> dict:
    return {
        "schema_version": 1,
        "title": {"nl": "Leefbaarheid"},
        "introduction": {},
        "pages": [
            {
                "code": "P1",
                "title": {"nl": "Uw dorp"},
                "questions": [
                    {
                        "code": "WOON",
                        "type": "single",
                        "text": {"nl": "Woont u hier graag?"},
                        "required": True,
                        "options": [
                            {"code": "1", "label": {"nl": "Ja"}},
                            {"code": "2", "label": {"nl": "Nee"}},
                        ],
                    },
                    {
                        "code": "WENS",
                        "type": "text",
                        "text": {"nl": "Wat wenst u?", "en": "What do you wish for?"},
                        "required": False,
                    },
                    {
                        "code": "TOEL",
                        "type": "long_text",
                        "text": {"nl": "Toelichting"},
                        "required": False,
                    },
                ],
            }
        ],
    }


@pytest.fixture
def survey(app):
    made = create_survey(questionnaire(), by=None)
    made.publish(date(2026, 12, 1), date(2026, 12, 21), utcnow())
    db.session.commit()
    return made


@pytest.fixture
def respond(survey, make_village):
    """A response to `survey` from the village Zwiggelte; completed unless told."""
    village = make_village("Zwiggelte")

    def make(answers: dict, completed: bool = True, to=None) -> Response:
        target = to or survey
        response = Response(
            survey_id=target.id,
            version_id=target.live_version.id,
            channel=Channel.WEB,
            village_id=village.id,
            answers=answers,
        )
        if completed:
            response.complete(utcnow())
        db.session.add(response)
        db.session.commit()
        return response

    return make


@pytest.fixture
def answered(respond):
    """Two completed responses with open answers, eight without, one not finished: ten
    completed, the disclosure threshold; then the survey closes (open answers are read only
    after closing)."""
    made = [
        respond({"WOON": "1", "WENS": NAMED, "TOEL": LONG}),
        respond({"WOON": "2", "WENS": "  Een winkel.  "}),
        respond({"WOON": "1", "WENS": "   "}),
        respond({"WOON": "1", "WENS": "Nog niet verstuurd."}, completed=False),
        *(respond({"WOON": "2"}) for _ in range(7)),
    ]
    close(made[0].survey_id)
    return made


def close(survey_id: int) -> None:
    db.session.get(Survey, survey_id).close()
    db.session.commit()


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


@pytest.fixture
def official(login_as, english):
    return login_as("official")


@pytest.fixture
def make_quote(make_account):
    """A quote made by another official, published when asked."""
    curator = make_account("official")

    def make(survey, response, question="WENS", text="Iemand wil een bankje.", status=None):
        quote = quotes.create_quote(survey, response.id, question, text, curator)
        if status is QuoteStatus.PUBLISHED:
            quote.publish(utcnow())
        db.session.commit()
        return quote

    return make


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def reloaded(quote_id: int) -> Quote:
    db.session.expire_all()
    return db.session.get(Quote, quote_id)


# Who may -----------------------------------------------------------------------------


@pytest.fixture
def paths(survey, answered, make_quote):
    quote = make_quote(survey, answered[0])
    first = answered[0].id
    return {
        "index": f"/surveys/{survey.id}/quotes",
        "new": f"/surveys/{survey.id}/quotes/new?response_id={first}&question=TOEL",
        "publish": f"/surveys/{survey.id}/quotes/{quote.id}/publish",
        "withdraw": f"/surveys/{survey.id}/quotes/{quote.id}/withdraw",
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["index", "new", "publish"])
def test_role_matrix(client, login_as, paths, role, page):
    """Open answers and quotes are for officials only."""
    login_as(role, village="Orvelte" if role in ("association", "resident") else None)
    response = client.get(paths[page])
    assert response.status_code == (200 if role == "official" else 403)


@pytest.mark.parametrize("role", ["resident", "volunteer", "association"])
def test_others_cannot_post(client, login_as, paths, role):
    login_as(role, village="Orvelte" if role in ("association", "resident") else None)
    token = csrf_token_from(client.get("/account").text)
    for page in ("new", "publish", "withdraw"):
        url = paths[page].split("?")[0]
        response = client.post(url, data={"csrf_token": token, "confirm": "y"})
        assert response.status_code == 403
    assert count(Quote) == 1
    assert events("quotes.open_answers_viewed") == []


def test_anonymous_visitors_are_sent_to_login(client, paths):
    for page in ("index", "new", "publish"):
        response = client.get(paths[page])
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")


def test_posts_without_csrf_token_are_refused(client, official, survey, answered):
    data = {"response_id": answered[0].id, "question": "WENS", "text": "Een bankje."}
    assert client.post(f"/surveys/{survey.id}/quotes/new", data=data).status_code == 400
    assert count(Quote) == 0


def test_unknown_survey_and_quote_are_not_found(client, official, survey):
    assert client.get("/surveys/999/quotes").status_code == 404
    assert client.get(f"/surveys/{survey.id}/quotes/999/publish").status_code == 404


# Reading open answers -------------------------------------------------------------------


def test_open_answers_are_text_and_question_only(survey, answered):
    found = quotes.open_answers(survey)
    assert sorted((a.question, a.text) for a in found) == [
        ("TOEL", LONG),
        ("WENS", "Een winkel."),
        ("WENS", NAMED),
    ]
    assert [a.question for a in found] == ["WENS", "WENS", "TOEL"]  # questionnaire order
    assert set(vars(found[0])) == {"response_id", "question", "text"}


def test_page_shows_open_answers_without_village_and_logs_it(client, official, survey, answered):
    page = client.get(f"/surveys/{survey.id}/quotes").text
    assert NAMED in page and LONG in page and "Een winkel." in page
    assert "What do you wish for?" in page  # the question, in the official's language
    assert "Nog niet verstuurd." not in page  # not submitted
    assert "Zwiggelte" not in page
    client.get(f"/surveys/{survey.id}/quotes")
    viewed = events("quotes.open_answers_viewed")
    assert len(viewed) == 2
    assert viewed[0].actor_id == official.id
    assert viewed[0].detail["survey"] == survey.id


def test_open_answers_come_a_page_at_a_time(client, official, survey, answered, monkeypatch):
    monkeypatch.setattr(quote_views, "PAGE_SIZE", 2)
    first = client.get(f"/surveys/{survey.id}/quotes").text
    second = client.get(f"/surveys/{survey.id}/quotes?page=2").text
    assert "Page 1 of 2." in first and "Next answers" in first
    assert "Page 2 of 2." in second and LONG in second and LONG not in first
    assert [e.detail["page"] for e in events("quotes.open_answers_viewed")] == [1, 2]


# Making quotes ---------------------------------------------------------------------------


def test_official_makes_a_draft_quote_from_an_answer(client, official, post_form, survey, answered):
    edited = "Iemand wil een bankje bij de brink."
    data = {"response_id": answered[0].id, "question": "WENS", "text": edited}
    response = post_form(f"/surveys/{survey.id}/quotes", f"/surveys/{survey.id}/quotes/new", data)
    quote = db.session.scalars(select(Quote)).one()
    assert response.status_code == 303
    assert response.location == f"/surveys/{survey.id}/quotes/{quote.id}/publish"
    assert (quote.text, quote.question, quote.status) == (edited, "WENS", QuoteStatus.DRAFT)
    assert (quote.response_id, quote.created_by_id) == (answered[0].id, official.id)
    created = events("quotes.created")
    assert [(e.actor_id, e.detail) for e in created] == [
        (official.id, {"survey": survey.id, "question": "WENS"})
    ]
    assert edited not in str(created[0].detail)  # the text stays out of the log
    page = client.get(f"/surveys/{survey.id}/quotes").text
    assert "A quote has been made of this answer" in page


def test_making_the_same_quote_twice_makes_one(client, official, post_form, survey, answered):
    data = {"response_id": answered[0].id, "question": "WENS", "text": "Een bankje."}
    url = f"/surveys/{survey.id}/quotes/new"
    first = post_form(f"/surveys/{survey.id}/quotes", url, data)
    second = post_form(f"/surveys/{survey.id}/quotes", url, data)
    assert second.status_code == 303 and second.location == first.location
    assert count(Quote) == 1
    assert len(events("quotes.created")) == 1


def test_the_form_is_prefilled_and_a_refusal_keeps_it(
    client, official, post_form, survey, answered
):
    url = f"/surveys/{survey.id}/quotes/new"
    form = client.get(f"{url}?response_id={answered[0].id}&question=WENS").text
    assert re.search(rf">\s*{re.escape(NAMED)}</textarea>", form)
    data = {"response_id": answered[0].id, "question": "WENS", "text": "  "}
    response = post_form(f"{url}?response_id={answered[0].id}&question=WENS", url, data)
    assert response.status_code == 422
    assert "Fill in the text of the quote." in response.text
    assert f'value="{answered[0].id}"' in response.text
    long = {**data, "text": "Een bankje. " + "x" * 5000}
    response = post_form(f"{url}?response_id={answered[0].id}&question=WENS", url, long)
    assert response.status_code == 422 and "x" * 5000 in response.text
    assert count(Quote) == 0


@pytest.mark.parametrize("which", ["unfinished", "other_survey", "closed_question", "blank"])
def test_only_open_answers_of_completed_responses_can_be_quoted(
    client, official, post_form, survey, answered, respond, which
):
    if which == "other_survey":
        other = create_survey(questionnaire(), by=None)
        other.publish(date(2026, 12, 1), date(2026, 12, 21), utcnow())
        db.session.commit()
        target, question = respond({"WENS": "Elders."}, to=other), "WENS"
    else:
        target, question = {
            "unfinished": (answered[3], "WENS"),
            "closed_question": (answered[0], "WOON"),
            "blank": (answered[2], "WENS"),
        }[which]
    url = f"/surveys/{survey.id}/quotes/new"
    data = {"response_id": target.id, "question": question, "text": "Een tekst."}
    assert post_form(f"/surveys/{survey.id}/quotes", url, data).status_code == 404
    assert client.get(f"{url}?response_id={target.id}&question={question}").status_code == 404
    assert count(Quote) == 0


# Publishing and withdrawing ----------------------------------------------------------------


def test_publishing_needs_the_confirmation(
    client, official, post_form, survey, answered, make_quote
):
    quote = make_quote(survey, answered[0])
    url = f"/surveys/{survey.id}/quotes/{quote.id}/publish"
    response = post_form(url)
    assert response.status_code == 422
    assert "Confirm that you removed names, addresses" in response.text
    assert 'href="#confirm"' in response.text
    assert reloaded(quote.id).status is QuoteStatus.DRAFT
    assert events("quotes.published") == []


def test_official_publishes_and_withdraws(
    client, official, post_form, survey, answered, make_quote
):
    quote = make_quote(survey, answered[0])
    url = f"/surveys/{survey.id}/quotes/{quote.id}/publish"
    assert "I removed names, addresses and other identifying details" in client.get(url).text
    response = post_form(url, data={"confirm": "y"})
    assert response.status_code == 303
    assert "The quote has been published." in client.get(response.location).text
    assert reloaded(quote.id).status is QuoteStatus.PUBLISHED
    assert quotes.published_texts(survey.id) == [reloaded(quote.id).text]
    again = post_form(url, data={"confirm": "y"})  # a double click
    assert again.status_code == 303
    assert len(events("quotes.published")) == 1

    withdraw = f"/surveys/{survey.id}/quotes/{quote.id}/withdraw"
    response = post_form(f"/surveys/{survey.id}/quotes", withdraw)
    assert response.status_code == 303
    assert reloaded(quote.id).status is QuoteStatus.WITHDRAWN
    assert quotes.published_texts(survey.id) == []
    post_form(f"/surveys/{survey.id}/quotes", withdraw)  # a double click
    published, withdrawn = events("quotes.published"), events("quotes.withdrawn")
    assert [(e.actor_id, e.detail) for e in published + withdrawn] == [
        (official.id, {"survey": survey.id}),
        (official.id, {"survey": survey.id}),
    ]


def test_a_draft_cannot_be_withdrawn(client, official, post_form, survey, answered, make_quote):
    quote = make_quote(survey, answered[0])
    withdraw = f"/surveys/{survey.id}/quotes/{quote.id}/withdraw"
    response = post_form(f"/surveys/{survey.id}/quotes", withdraw)
    assert "Only a published quote can be withdrawn." in client.get(response.location).text
    assert reloaded(quote.id).status is QuoteStatus.DRAFT


def test_published_quotes_are_only_the_published_ones(survey, answered, make_quote):
    draft = make_quote(survey, answered[0], "WENS")
    shown = make_quote(survey, answered[0], "TOEL", status=QuoteStatus.PUBLISHED)
    gone = make_quote(survey, answered[1], "WENS", status=QuoteStatus.PUBLISHED)
    gone.withdraw()
    db.session.commit()
    assert quotes.published_texts(survey.id) == [shown.text]
    assert draft.status is QuoteStatus.DRAFT


def test_an_anonymous_surveys_open_answers_are_read_from_its_own_table(
    client, official, app, make_village
):
    """Sent anonymous answers live apart (fieldwork.answering.submit): quotes find them there."""
    from fieldwork.models import AnonymousResponse

    anonymous = create_survey(questionnaire(), by=None)
    anonymous.anonymous = True
    anonymous.publish(date(2026, 12, 1), date(2026, 12, 21), utcnow())
    village = make_village("Zwiggelte")
    for number in range(10):
        db.session.add(
            AnonymousResponse(
                survey_id=anonymous.id,
                version_id=anonymous.live_version.id,
                channel=Channel.WEB,
                village_id=village.id,
                answers={"WOON": "1", "WENS": f"Een bankje bij de brink ({number})."},
            )
        )
    db.session.commit()
    close(anonymous.id)
    page = client.get(f"/surveys/{anonymous.id}/quotes")
    assert page.status_code == 200
    assert all(f"Een bankje bij de brink ({number})." in page.text for number in range(10))
