"""Residents answer the liveability survey from their personal link, page by page.

The client reads English, so the texts the tests look for stay put when the Dutch
translations arrive. The questionnaire's pages: DORP (1), SAMEN (2), VOORZ (3),
MEEDOEN (4), TOEKOMST (5); only page 1 has required questions (LEEF_CIJFER, VEILIG).
"""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import func, select, update

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.links import SURVEY_SALT, _signer, survey_token
from fieldwork.models import (
    AnonymousResponse,
    Invitation,
    Response,
    ResponseLocked,
    ResponseStatus,
)
from mail.models import OutboxMail
from panel.models import Channel, Sex
from population.representativeness import age_band_on
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from, start_session
from tests.helpers import count, every_row_as_text

DORP = {"LEEF_CIJFER": "7", "VEILIG": "2"}
ANSWERS = [DORP, {"SOC_KENNEN": "4"}, {}, {"VRIJWILLIG": "1"}, {"TOEKOMST": "2", "VERHUIZEN": "1"}]
#: A small questionnaire with a page routing can skip and a number with limits.
LIVING = {
    "schema_version": 1,
    "title": {"nl": "Wonen", "en": "Living"},
    "pages": [
        {
            "code": "P1",
            "title": {"nl": "Eén", "en": "One"},
            "questions": [
                {
                    "code": "WOONT",
                    "type": "single",
                    "text": {"nl": "Woont u hier?", "en": "Do you live here?"},
                    "required": True,
                    "options": [
                        {"code": "1", "label": {"nl": "Ja", "en": "Yes"}},
                        {"code": "2", "label": {"nl": "Nee", "en": "No"}},
                    ],
                }
            ],
        },
        {
            "code": "P2",
            "title": {"nl": "Twee", "en": "Two"},
            "condition": {"question": "WOONT", "equals": "1"},
            "questions": [
                {
                    "code": "JAREN",
                    "type": "number",
                    "text": {"nl": "Hoeveel jaar?", "en": "For how many years?"},
                    "required": True,
                    "minimum": 0,
                    "maximum": 100,
                }
            ],
        },
        {
            "code": "P3",
            "title": {"nl": "Drie", "en": "Three"},
            "questions": [
                {
                    "code": "OPMERKING",
                    "type": "text",
                    "text": {"nl": "Nog iets?", "en": "Anything else?"},
                }
            ],
        },
    ],
}


def publish(definition=None, anonymous=False, open_days=30):
    survey = create_survey(definition or load_template("leefbaarheid"), by=None)
    survey.anonymous = anonymous
    today = local_today()
    survey.publish(today - timedelta(days=1), today + timedelta(days=open_days), utcnow())
    db.session.commit()
    return survey


def invite(survey, member) -> Invitation:
    invitation = Invitation(survey=survey, member=member)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def fresh(thing):
    db.session.expire_all()
    return db.session.get(type(thing), thing.id)


def responses() -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(select(Response)))


def checked(page_html: str, name: str) -> list[str]:
    return re.findall(rf'<input checked[^>]*name="{name}"[^>]*value="([^"]+)"', page_html)


class Resident:
    """A browser with a personal survey link, reading English."""

    def __init__(self, app, token: str):
        self.client, self.token = app.test_client(), token
        with self.client.session_transaction() as session:
            session["language"] = "en"
        self._csrf = None
        # Following the link from the mail swaps its key for a cookie.
        exchanged = self.client.get(f"/enquete/{token}")
        assert exchanged.status_code == 303, exchanged.text
        self.address = exchanged.location

    def url(self, suffix: str = "") -> str:
        return f"{self.address}{suffix}"

    def csrf(self) -> str:
        if self._csrf is None:
            self._csrf = csrf_token_from(self.client.get(self.url()).text)
        return self._csrf

    def start(self):
        return self.client.post(self.url(), data={"csrf_token": self.csrf()})

    def page(self, number: int):
        return self.client.get(self.url(f"/pagina/{number}"))

    def post(self, number, data=None, action="next", response_id=None):
        form = {"csrf_token": self.csrf(), "_action": action, "_response": response_id}
        if response_id is None:
            form["_response"] = db.session.scalar(select(Response.id))
        return self.client.post(self.url(f"/pagina/{number}"), data={**form, **(data or {})})

    def send(self, confirm=False):
        form = {"csrf_token": self.csrf(), "_response": db.session.scalar(select(Response.id))}
        if confirm:
            form["confirm"] = "y"
        return self.client.post(self.url("/versturen"), data=form)

    def answer_all(self):
        """Start and answer every page; ends at the check-and-send step."""
        self.start()
        for number, data in enumerate(ANSWERS, start=1):
            answered = self.post(number, data)
            assert answered.status_code == 303, (number, answered.text)
        assert answered.location == self.url("/versturen")


@pytest.fixture
def member(make_member):
    return make_member(email="inwoner@example.nl")


@pytest.fixture
def survey(app):
    return publish()


@pytest.fixture
def invitation(survey, member):
    return invite(survey, member)


@pytest.fixture
def resident(app, invitation):
    return Resident(app, survey_token(invitation))


# --- start, pages, sending -------------------------------------------------------------


def test_the_welcome_page_explains_and_starting_twice_makes_one_response(
    resident, invitation, member, survey
):
    welcome = resident.client.get(resident.url())
    assert welcome.status_code == 200
    assert "Liveability in your village" in welcome.text
    assert "It takes about ten minutes." in welcome.text
    assert "We keep your answers with a number, not with your name." in welcome.text
    assert ">Start the survey</button>" in welcome.text
    assert welcome.headers["Cache-Control"] == "no-store"
    assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", welcome.text)
    assert count(Response) == 0  # opening the link stores nothing

    for _ in range(2):  # a double click
        started = resident.start()
        assert started.status_code == 303 and started.location == resident.url("/pagina/1")
    [response] = responses()
    band = age_band_on(member.birth_year, member.age_band, local_today())
    assert response.version_id == survey.live_version.id
    assert response.channel is Channel.WEB and response.status is ResponseStatus.STARTED
    assert response.respondent_id == member.respondent_id
    assert (response.village_id, response.age_band) == (member.village_id, band.value)
    assert fresh(invitation).response_id == response.id
    assert ">Go on where you stopped</button>" in resident.client.get(resident.url()).text


def test_posts_through_a_link_are_limited_per_link_and_reading_is_not(
    app, resident, survey, make_member
):
    """Thirty posts a minute to a page through one link (POST_LIMIT)."""
    resident.start()
    statuses = [resident.post(1, DORP).status_code for _ in range(30)]
    assert statuses == [303] * 30
    refused = resident.post(1, {"LEEF_CIJFER": "3", "VEILIG": "1"})
    assert refused.status_code == 429 and "Please wait a moment" in refused.text
    assert responses()[0].answers == {"LEEF_CIJFER": 7, "VEILIG": "2"}  # nothing saved
    assert resident.page(1).status_code == 200  # reading goes on
    # Per link, not per address: another resident on the same network goes on.
    neighbours = invite(survey, make_member())
    neighbour = Resident(app, survey_token(neighbours))
    neighbour.start()
    theirs = fresh(neighbours).response_id
    assert neighbour.post(1, DORP, response_id=theirs).location == neighbour.url("/pagina/2")


def test_page_by_page_then_check_and_send_locks_the_response(resident, invitation, member):
    resident.start()
    first = resident.page(1)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert "Page 1 of 5" in first.text and ">Next</button>" in first.text
    assert ">Back</button>" not in first.text
    assert re.search(r'name="_response" value="[0-9a-f]{32}"', first.text)
    resident.answer_all()
    [response] = responses()
    assert response.answers == {
        "LEEF_CIJFER": 7,
        "VEILIG": "2",
        "SOC_KENNEN": "4",
        "VRIJWILLIG": "1",
        "TOEKOMST": "2",
        "VERHUIZEN": "1",
    }

    check = resident.client.get(resident.url("/versturen"))
    assert check.status_code == 200 and "Check and send your answers" in check.text
    assert "How safe do you feel in your village?" in check.text
    assert "Agree" in check.text  # SOC_KENNEN 4, in words
    assert f'href="{resident.url("/pagina/1")}#LEEF_CIJFER"' in check.text
    assert "Send me a confirmation by email" in check.text

    sent = resident.send()
    assert sent.status_code == 303 and sent.location == resident.url("/bedankt")
    [response] = responses()
    assert response.status is ResponseStatus.COMPLETED and response.completed_at is not None
    assert response.respondent_id == member.respondent_id  # pseudonymous: kept
    assert fresh(invitation).completed_at is not None
    assert fresh(invitation).response_id == response.id
    thanks = resident.client.get(resident.url("/bedankt"))
    assert thanks.status_code == 200 and "Thank you for taking part" in thanks.text
    assert count(OutboxMail) == 0  # no confirmation asked for

    before = every_row_as_text()
    again = resident.post(1, {"LEEF_CIJFER": "1", "VEILIG": "5"})
    assert again.status_code == 303 and again.location == resident.url("/bedankt")
    assert resident.send().location == resident.url("/bedankt")  # a double click
    assert resident.start().location == resident.url("/bedankt")
    for path in ("", "/pagina/1", "/versturen"):
        assert resident.client.get(resident.url(path)).location == resident.url("/bedankt")
    assert every_row_as_text() == before


def test_back_keeps_the_answers_and_where_to_go_on(resident):
    resident.start()
    resident.post(1, DORP)
    resident.post(2, {"SOC_KENNEN": "4"})
    back = resident.post(3, {"VOORZ_WINKEL": "5"}, action="back")
    assert back.status_code == 303 and back.location == resident.url("/pagina/2")
    [response] = responses()
    assert response.current_page == 1 and response.answers["VOORZ_WINKEL"] == "5"
    page = resident.page(2).text
    assert checked(page, "SOC_KENNEN") == ["4"] and ">Back</button>" in page
    assert resident.post(2, {"SOC_KENNEN": "4"}, action="back").location == resident.url(
        "/pagina/1"
    )
    assert checked(resident.page(1).text, "LEEF_CIJFER") == ["7"]


def test_going_back_with_missing_answers_moves_back_and_stores_no_answers(resident):
    resident.start()
    resident.post(1, DORP)
    back = resident.post(2, {"SOC_KENNEN": "12"}, action="back")  # not a valid code
    assert back.location == resident.url("/pagina/1")
    [response] = responses()
    assert response.answers == {"LEEF_CIJFER": 7, "VEILIG": "2"} and response.current_page == 0


def test_an_answer_adds_a_question_to_its_page_and_a_changed_one_drops_it(resident):
    resident.start()
    for number, data in enumerate(ANSWERS[:4], start=1):
        resident.post(number, data)
    moving = resident.post(5, {"VERHUIZEN": "3"})
    assert moving.location == resident.url("/pagina/5?nieuw=VERHUIZEN_WAAROM")
    page = resident.client.get(moving.location).text
    assert "Your answers added a question to this page." in page
    assert 'name="VERHUIZEN_WAAROM"' in page

    reasons = {"VERHUIZEN": "3", "VERHUIZEN_WAAROM": ["werk", "other"]}
    done = resident.post(5, {**reasons, "VERHUIZEN_WAAROM_other": "Liefde"})
    assert done.location == resident.url("/versturen")
    [response] = responses()
    assert response.answers["VERHUIZEN_WAAROM"] == ["werk", "other"]
    assert "Liefde" in resident.client.get(resident.url("/versturen")).text

    # Without JavaScript the ticked reasons are still posted when the answer changes.
    staying = resident.post(5, {"VERHUIZEN": "1", "VERHUIZEN_WAAROM": ["werk"]})
    assert staying.location == resident.url("/versturen")
    [response] = responses()
    assert "VERHUIZEN_WAAROM" not in response.answers
    assert "VERHUIZEN_WAAROM_other" not in response.answers


def test_routing_skips_a_page_whose_condition_fails(app, member):
    definition = copy.deepcopy(load_template("leefbaarheid"))
    definition["pages"][1]["condition"] = {"question": "LEEF_CIJFER", "less_than": 6}
    resident = Resident(app, survey_token(invite(publish(definition), member)))
    resident.start()
    assert resident.post(1, DORP).location == resident.url("/pagina/3")
    assert resident.page(2).location == resident.url("/pagina/3")  # not on the route
    assert resident.post(3, {}, action="back").location == resident.url("/pagina/1")
    assert resident.post(1, {"LEEF_CIJFER": "5", "VEILIG": "2"}).location == resident.url(
        "/pagina/2"
    )


def test_a_missing_required_answer_is_shown_at_the_field_and_nothing_is_stored(resident):
    resident.start()
    before = every_row_as_text()
    refused = resident.post(1, {"VEILIG": "4"})
    assert refused.status_code == 422
    assert 'id="error-summary"' in refused.text and "<title>Error: " in refused.text
    assert 'id="LEEF_CIJFER-error">Choose an answer.' in refused.text
    assert checked(refused.text, "VEILIG") == ["4"]  # what was entered stays
    assert refused.headers["Cache-Control"] == "no-store"
    assert every_row_as_text() == before


def test_save_and_go_on_from_another_device(app, resident, invitation):
    resident.start()
    resident.post(1, DORP)
    resident.post(2, {"SOC_KENNEN": "4"})

    other = Resident(app, survey_token(invitation))  # a new browser: no session shared
    assert ">Go on where you stopped</button>" in other.client.get(other.url()).text
    assert other.start().location == other.url("/pagina/3")
    assert checked(other.page(2).text, "SOC_KENNEN") == ["4"]
    assert checked(other.page(1).text, "VEILIG") == ["2"]
    assert other.page(4).location == other.url("/pagina/3")  # not reached yet
    other.post(3, {})
    assert resident.page(4).status_code == 200  # and back on the first device
    assert count(Response) == 1


def test_a_confirmation_mail_thanks_without_the_answers(resident, member):
    resident.answer_all()
    resident.send(confirm=True)
    resident.send(confirm=True)  # a double click mails once
    [mail] = db.session.scalars(select(OutboxMail)).all()
    assert mail.kind == "response_received" and mail.recipient == "inwoner@example.nl"
    assert "Leefbaarheid in uw dorp" in mail.body_text
    for answer in ("LEEF_CIJFER", "VEILIG", "SOC_KENNEN"):
        assert answer not in mail.body_text and answer not in mail.body_html


def test_the_services_check_and_store_a_page_without_http(app, invitation):
    from werkzeug.datastructures import MultiDict

    from fieldwork import answering

    app.config["WTF_CSRF_ENABLED"] = False  # no browser here, so no CSRF token
    response = answering.start_or_resume(invitation, utcnow())
    with app.test_request_context():
        hidden = MultiDict({**DORP, "VERHUIZEN_WAAROM": "werk"})
        outcome = answering.save_page(response, 0, hidden, "nl", utcnow())
        assert outcome.refused and not outcome.saved and response.answers == {}
        with pytest.raises(answering.NotReady) as not_ready:
            answering.submit(invitation, response, utcnow())
        assert not_ready.value.page == 0
        outcome = answering.save_page(response, 0, MultiDict(DORP), "nl", utcnow())
        assert outcome.saved and outcome.goes_to == 1
        assert response.answers == {"LEEF_CIJFER": 7, "VEILIG": "2"}
        for index in range(1, 5):
            answering.save_page(response, index, MultiDict(), "nl", utcnow())
        assert answering.submit(invitation, response, utcnow()) is True
        assert answering.submit(invitation, response, utcnow()) is False
    db.session.commit()
    assert responses()[0].status is ResponseStatus.COMPLETED


def test_a_page_for_a_response_sent_meanwhile_is_not_stored(app, invitation):
    """The page's row is written only while its response is being filled in, even when the
    object in hand still says so (another process sent it after it was read)."""
    from werkzeug.datastructures import MultiDict

    from fieldwork import answering

    app.config["WTF_CSRF_ENABLED"] = False
    response = answering.start_or_resume(invitation, utcnow())
    db.session.commit()
    response_id, sent = response.id, {"LEEF_CIJFER": 9, "VEILIG": "1"}
    with db.engine.begin() as elsewhere:
        elsewhere.execute(
            update(Response.__table__)
            .where(Response.__table__.c.id == response_id)
            .values(status="completed", completed_at=utcnow(), answers=sent)
        )
    with app.test_request_context():
        with pytest.raises(ResponseLocked):
            answering.save_page(response, 0, MultiDict(DORP), "nl", utcnow())
    db.session.rollback()
    stored = db.session.get(Response, response_id)
    assert stored.completed and stored.answers == sent


def test_the_village_vision_ranking_page_is_answered_through_the_link(app, member):
    resident = Resident(app, survey_token(invite(publish(load_template("dorpsvisie")), member)))
    resident.start()
    assert resident.post(1, {}).location == resident.url("/pagina/2")
    page = resident.page(2).text
    assert page.count('name="PRIO_TOP3"') == 3  # one select per place, one name

    twice = resident.post(2, {"PRIO_TOP3": ["natuur", "natuur", "zorg"]})
    assert twice.status_code == 422 and "Choose each answer only once." in twice.text
    top_three = {"PRIO_TOP3": ["natuur", "wonen_jong", "zorg"], "IDEE": "Een moestuin"}
    ranked = resident.post(2, top_three)
    assert ranked.status_code == 303 and ranked.location == resident.url("/pagina/3")
    assert responses()[0].answers == top_three
    again = resident.page(2).text  # the places show the choices made, in order
    assert re.findall(r'<option value="([a-z_]+)" selected>', again) == top_three["PRIO_TOP3"]


# --- anonymity -------------------------------------------------------------------------


def test_an_anonymous_response_moves_to_a_new_row_apart_from_the_member_when_sent(app, member):
    invitation = invite(publish(anonymous=True), member)
    resident = Resident(app, survey_token(invitation))
    welcome = resident.client.get(resident.url()).text
    assert "This survey is anonymous." in welcome
    resident.answer_all()
    [response] = responses()
    assert response.respondent_id == member.respondent_id  # linked while answering
    linked_id = response.id

    assert resident.send().location == resident.url("/bedankt")
    assert responses() == []  # the row that was linked is gone
    [sent] = db.session.scalars(select(AnonymousResponse)).all()
    invitation = fresh(invitation)
    assert sent.id != linked_id and sent.answers["LEEF_CIJFER"] == 7
    assert invitation.response_id is None and invitation.took_part
    assert invitation.completed_at is None  # no moment to match a quote or a count to
    # Fewer than k members took part: nothing of who answered is kept.
    assert (sent.village_id, sent.age_band, sent.sex) == (None, None, None)

    thanks = resident.client.get(resident.url("/bedankt"))
    assert "your answers are no longer linked to you" in thanks.text
    [received] = re.findall(r"We received your answers to ([^<]*)</p>", thanks.text)
    assert " on " not in received  # no date
    before = every_row_as_text()
    assert resident.start().location == resident.url("/bedankt")
    assert resident.send().location == resident.url("/bedankt")
    assert resident.post(1, DORP).location == resident.url("/bedankt")
    assert every_row_as_text() == before and count(AnonymousResponse) == 1


def test_an_anonymous_response_keeps_village_age_and_sex_only_when_k_took_part(app, make_member):
    """The cell stored is the finest that at least k (here 3) participants share."""
    from fieldwork import answering

    app.config["DISCLOSURE_THRESHOLD"] = 3
    survey = publish(anonymous=True)
    women = [make_member("Orvelte", birth_year=1960, sex=Sex.FEMALE) for _ in range(3)]
    man = make_member("Orvelte", birth_year=1960, sex=Sex.MALE)
    stored = []
    for member in [*women, man]:
        invitation = invite(survey, member)
        response = answering.start_or_resume(invitation, utcnow())
        response.save_page(DORP, 5, utcnow())
        assert answering.submit(invitation, response, utcnow())
        db.session.commit()
        [new] = db.session.scalars(
            select(AnonymousResponse).where(AnonymousResponse.id.not_in([r.id for r in stored]))
        ).all()
        stored.append(new)
    band = age_band_on(1960, None, local_today()).value
    village = women[0].village_id
    assert [(r.village_id, r.age_band, r.sex) for r in stored] == [
        (None, None, None),  # the first to take part: alone in every cell
        (None, None, None),
        (village, band, "female"),  # three women of that age took part
        (village, band, None),  # the only man: his sex would give him away
    ]


# --- tampering -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reached", "number", "data"),
    [
        pytest.param(0, 1, {"LEEF_CIJFER": "7", "VEILIG": "7"}, id="unknown option code"),
        pytest.param(0, 1, {"LEEF_CIJFER": "11", "VEILIG": "2"}, id="mark out of range"),
        pytest.param(0, 1, {"LEEF_CIJFER": "7"}, id="required question missing"),
        pytest.param(0, 1, {**DORP, "TOEKOMST": "1"}, id="question of another page"),
        pytest.param(0, 1, {**DORP, "VERZONNEN": "1"}, id="question that does not exist"),
        pytest.param(
            4, 5, {"VERHUIZEN": "1", "VERHUIZEN_WAAROM": "werk"}, id="hidden question answered"
        ),
    ],
)
def test_a_crafted_page_is_refused_and_nothing_is_stored(resident, reached, number, data):
    resident.start()
    for page_number, answers in enumerate(ANSWERS[:reached], start=1):
        resident.post(page_number, answers)
    before = every_row_as_text()
    refused = resident.post(number, data)
    assert refused.status_code == 422
    assert 'id="error-summary"' in refused.text or "Nothing was saved" in refused.text
    assert every_row_as_text() == before


def test_answers_to_questions_not_on_the_page_get_a_clear_message(resident):
    resident.start()
    refused = resident.post(1, {**DORP, "TOEKOMST": "1"})
    assert "The form sent answers to questions that are not on this page." in refused.text


def test_two_answers_to_a_one_answer_question_are_refused(resident):
    resident.start()
    before = every_row_as_text()
    refused = resident.post(1, {"LEEF_CIJFER": ["7", "8"], "VEILIG": "2"})
    assert refused.status_code == 422
    assert every_row_as_text() == before


def test_a_number_out_of_range_is_refused(app, member):
    resident = Resident(app, survey_token(invite(publish(LIVING), member)))
    resident.start()
    resident.post(1, {"WOONT": "1"})
    before = every_row_as_text()
    for typed in ("101", "-1", "twee", "1e3"):
        refused = resident.post(2, {"JAREN": typed})
        assert refused.status_code == 422
        assert "Enter a whole number from 0 to 100." in refused.text
    assert every_row_as_text() == before
    assert resident.post(2, {"JAREN": "12"}).location == resident.url("/pagina/3")
    assert responses()[0].answers == {"WOONT": "1", "JAREN": 12}


def test_skipping_pages_or_jumping_to_sending_is_refused(resident):
    resident.start()
    before = every_row_as_text()
    skipped = resident.post(3, {"VOORZ_WINKEL": "5"})
    assert skipped.status_code == 303 and skipped.location == resident.url("/pagina/1")
    assert "You cannot skip questions." in resident.page(1).text
    assert resident.page(3).location == resident.url("/pagina/1")
    assert resident.client.get(resident.url("/versturen")).location == resident.url("/pagina/1")
    jumped = resident.send()
    assert jumped.status_code == 303 and jumped.location == resident.url("/pagina/1")
    assert resident.page(99).location == resident.url("/pagina/1")
    assert every_row_as_text() == before
    assert responses()[0].status is ResponseStatus.STARTED

    # Required questions answered, but the other pages not seen: still not sendable.
    resident.post(1, DORP)
    assert resident.send().location == resident.url("/pagina/2")
    assert responses()[0].status is ResponseStatus.STARTED


def test_a_page_for_another_response_stores_nothing(resident):
    resident.start()
    before = every_row_as_text()
    stale = resident.post(1, DORP, response_id="0" * 32)
    assert stale.status_code == 303 and stale.location == resident.url("/pagina/1")
    assert every_row_as_text() == before


def test_the_link_opens_only_its_own_survey_for_its_own_member(
    app, resident, invitation, survey, member, make_member
):
    other_survey, other_member = publish(), make_member()
    other_invitation = invite(other_survey, other_member)
    signer = _signer(SURVEY_SALT)
    token = survey_token(invitation)
    forged = [
        signer.dumps([invitation.id, other_survey.id, member.id]),
        signer.dumps([invitation.id, survey.id, other_member.id]),
        signer.dumps([other_invitation.id, survey.id, member.id]),
        ("B" if token[0] == "A" else "A") + token[1:],
        "not-a-token",
    ]
    before = every_row_as_text()
    other_address = f"/enquete/invullen/{other_survey.id}"
    for bad in forged:
        thief = app.test_client()
        with thief.session_transaction() as session:
            session["language"] = "en"
        refused = thief.get(f"/enquete/{bad}")
        assert refused.status_code == 404 and "This link does not work" in refused.text
        # The key planted as the cookie by hand does not work either.
        csrf = csrf_token_from(thief.get("/login").text)
        for path in (resident.url(), other_address):
            thief.set_cookie("enquete_link", bad, path=path)
            posted = thief.post(path, data={"csrf_token": csrf})
            assert posted.status_code == 404
            page = thief.post(f"{path}/pagina/1", data={"csrf_token": csrf, **DORP})
            assert page.status_code == 404 and "This link does not work" in page.text
    # A genuine key opens only its own survey's pages.
    stranger = app.test_client()
    stranger.set_cookie("enquete_link", token, path=other_address)
    assert stranger.get(other_address).status_code == 404
    assert every_row_as_text() == before


def test_a_survey_closed_early_says_so_through_the_link_and_stores_nothing(resident, survey):
    from surveys import services

    resident.start()
    services.close(survey)  # before the closing date the invitation mail gave
    db.session.commit()
    before = every_row_as_text()
    for closed in (
        resident.client.get(resident.url()),
        resident.page(1),
        resident.post(1, DORP),
        resident.start(),
        resident.send(),
    ):
        assert closed.status_code == 410 and closed.headers["Cache-Control"] == "no-store"
        assert "This survey has closed" in closed.text
        assert "Liveability in your village” can no longer be filled in" in closed.text
        assert "This link does not work" not in closed.text
    assert every_row_as_text() == before


def test_a_survey_past_its_closing_date_thanks_those_who_took_part(resident, survey):
    resident.answer_all()
    resident.send()
    survey.closes_on = local_today() - timedelta(days=1)
    db.session.commit()
    closed = resident.client.get(resident.url("/bedankt"))
    assert closed.status_code == 410 and "This survey has closed" in closed.text
    assert "We received your answers to “Liveability in your village” on" in closed.text


def test_a_closed_anonymous_survey_thanks_those_who_took_part_without_a_date(app, member):
    survey = publish(anonymous=True)
    resident = Resident(app, survey_token(invite(survey, member)))
    resident.answer_all()
    resident.send()
    survey.closes_on = local_today() - timedelta(days=1)
    db.session.commit()
    closed = resident.client.get(resident.url("/bedankt"))
    assert closed.status_code == 410
    assert "We received your answers to “Liveability in your village”. Thank you" in closed.text
    assert "Thank you for wanting to take part" not in closed.text


def test_a_forged_link_to_a_closed_survey_still_does_not_work(resident, survey, invitation):
    survey.close()
    db.session.commit()
    signer = _signer(SURVEY_SALT)
    forged = signer.dumps([invitation.id, survey.id, invitation.member_id + 1])
    for token in (forged, survey_token(invitation)[:-2]):
        refused = resident.client.get(f"/enquete/{token}")
        assert refused.status_code == 404 and "This link does not work" in refused.text


def test_the_link_of_a_member_who_left_no_longer_works(resident, member):
    resident.start()
    member.leave(utcnow())
    db.session.commit()
    left = resident.client.get(resident.url())
    assert left.status_code == 410 and "You are no longer in the resident panel" in left.text
    assert resident.post(1, DORP).status_code == 410


# --- the member's own page -------------------------------------------------------------


def test_the_members_page_lists_open_surveys_and_those_taken_part_in(app, resident, member):
    browser = app.test_client()
    start_session(browser, member.account)
    with browser.session_transaction() as session:
        session["language"] = "en"
    before = browser.get("/me/").text
    assert "Surveys you can fill in" in before
    assert f'href="/enquete/{resident.token}"' in before and "open until" in before
    assert "You have not taken part in a survey yet." in before

    resident.answer_all()
    assert "started; go on until" in browser.get("/me/").text
    resident.send()
    after = browser.get("/me/").text
    assert "Surveys you can fill in" not in after and resident.url() not in after
    assert re.search(r"Leefbaarheid in uw dorp \(filled in on [^)]+\)", after)


# --- at the same moment ----------------------------------------------------------------


def test_fifty_sends_at_once_store_exactly_one_response(app, invitation):
    """Fifty tabs (or retries) start and send the same invitation at the same moment."""
    import threading

    from fieldwork import answering

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time anyway")
    questionnaire_end = 5
    answers = {"LEEF_CIJFER": 7, "VEILIG": "2"}
    start, outcomes = threading.Barrier(50), []
    # Read here: an expired attribute would load through this thread's session from all 50.
    invitation_id = invitation.id

    def send():
        with app.app_context():
            start.wait()
            try:
                found = db.session.get(Invitation, invitation_id)
                response = answering.start_or_resume(found, utcnow())
                if not response.completed:
                    response.save_page(answers, questionnaire_end, utcnow())
                outcomes.append(answering.submit(found, response, utcnow()))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                outcomes.append(repr(error))

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [False] * 49 + [True]
    [response] = responses()
    assert response.status is ResponseStatus.COMPLETED
    assert fresh(invitation).completed_at == response.completed_at
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_sends_from_several_tabs_at_once_all_end_on_the_thank_you_page(app, invitation):
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time anyway")
    first = Resident(app, survey_token(invitation))
    first.answer_all()
    tabs = [Resident(app, survey_token(invitation)) for _ in range(10)]
    for tab in tabs:
        tab.csrf()
    response_id = responses()[0].id
    start, statuses = threading.Barrier(len(tabs)), []

    def press(tab):
        start.wait()
        data = {"csrf_token": tab.csrf(), "_response": response_id}
        sent = tab.client.post(tab.url("/versturen"), data=data)
        statuses.append((sent.status_code, sent.location))

    threads = [threading.Thread(target=press, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [(303, first.url("/bedankt"))] * len(tabs)
    assert [r.status for r in responses()] == [ResponseStatus.COMPLETED]


def test_pages_saved_from_two_tabs_at_once_keep_both_pages_answers(app, invitation):
    """Each write reads the response only once it holds the lock: one read beside the lock
    would see the response as it was before the other tab's write, and undo that write."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time anyway")
    tabs = [Resident(app, survey_token(invitation)) for _ in range(2)]
    tabs[0].answer_all()
    response_id = responses()[0].id
    for tab in tabs:
        tab.csrf()
    for mark, contacts in [("8", "1"), ("6", "2"), ("9", "3"), ("5", "5"), ("7", "4")] * 2:
        pages = [(1, {"LEEF_CIJFER": mark, "VEILIG": "2"}), (2, {"SOC_KENNEN": contacts})]
        saved = at_once(
            *(
                partial(tab.post, number, answers, response_id=response_id)
                for tab, (number, answers) in zip(tabs, pages, strict=True)
            )
        )
        assert [posted.status_code for posted in saved] == [303, 303]
        answers = fresh(responses()[0]).answers
        assert (answers["LEEF_CIJFER"], answers["SOC_KENNEN"]) == (int(mark), contacts)


def at_once(*calls):
    """The calls' results, each call made in its own thread at the same moment."""
    import threading

    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_anonymous_sends_at_once_all_succeed(app, make_member):
    """Residents sending at the same moment wait for no one else's response: no deadlock,
    no error page, every answer stored once."""
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time anyway")
    survey = publish(anonymous=True)
    residents = []
    for number in range(20):
        member = make_member("Orvelte", email=f"anoniem{number}@example.nl")
        resident = Resident(app, survey_token(invite(survey, member)))
        resident.start()
        for page, data in enumerate(ANSWERS, start=1):
            form = {"csrf_token": resident.csrf(), "_action": "next"}
            form["_response"] = fresh(invite_of(member)).response_id
            assert resident.client.post(resident.url(f"/pagina/{page}"), data={**form, **data})
        residents.append((resident, fresh(invite_of(member)).response_id))
    start, statuses = threading.Barrier(len(residents)), []

    def press(resident, response_id):
        start.wait()
        data = {"csrf_token": resident.csrf(), "_response": response_id}
        sent = resident.client.post(resident.url("/versturen"), data=data)
        statuses.append((sent.status_code, sent.location == resident.url("/bedankt")))

    threads = [threading.Thread(target=press, args=pair) for pair in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [(303, True)] * 20
    assert count(AnonymousResponse) == 20 and responses() == []
    took_part = select(func.count()).where(Invitation.took_part.is_(True))
    assert db.session.scalar(took_part) == 20


def invite_of(member) -> Invitation:
    return db.session.scalar(select(Invitation).where(Invitation.member_id == member.id))


def test_closing_an_anonymous_survey_deletes_answers_never_sent(app, member):
    from surveys import services

    survey = publish(anonymous=True)
    resident = Resident(app, survey_token(invite(survey, member)))
    resident.start()
    resident.post(1, DORP)
    assert count(Response) == 1
    services.close(survey)
    db.session.commit()
    assert count(Response) == 0
    assert db.session.scalar(select(Invitation.response_id)) is None


def test_the_monitor_counts_anonymous_participants_but_on_no_day(app, make_member):
    """Officials see how many took part, never when: a day's count going up by one would
    date a response (and a quote) to the member who sent it."""
    from fieldwork import answering
    from fieldwork.monitor import survey_progress

    survey = publish(anonymous=True)
    for _ in range(2):
        invitation = invite(survey, make_member("Orvelte"))
        response = answering.start_or_resume(invitation, utcnow())
        response.save_page(DORP, 5, utcnow())
        answering.submit(invitation, response, utcnow())
        db.session.commit()
    progress = survey_progress(survey, local_today())
    assert (progress.total.invited, progress.total.completed) == (2, 2)
    assert progress.day_cells == {} and all(row.completed == 0 for row in progress.days)


def test_sent_answers_are_read_from_where_the_survey_keeps_them(app, member, make_member):
    from fieldwork import answering
    from fieldwork.sent import sent_answers, sent_response

    kept = {}
    for anonymous in (False, True):
        survey = publish(anonymous=anonymous)
        invitation = invite(survey, make_member("Orvelte"))
        response = answering.start_or_resume(invitation, utcnow())
        response.save_page(DORP, 5, utcnow())
        answering.submit(invitation, response, utcnow())
        db.session.commit()
        kept[anonymous] = (survey, sent_answers(survey))
    for anonymous, (survey, [sent]) in kept.items():
        assert sent.answers["LEEF_CIJFER"] == "7"
        found, version = sent_response(survey, sent.id)
        assert found == sent and version.id == sent.version_id
        other, _ = kept[not anonymous]
        assert sent_response(other, sent.id) is None
    anonymous_survey, [anonymous_sent] = kept[True]
    assert db.session.get(AnonymousResponse, anonymous_sent.id) is not None
