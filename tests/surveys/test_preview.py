"""The designer's preview of the liveability questionnaire: pages, checks, routing, phone.

Officials read it in English, so the texts the tests look for stay put when the Dutch
translations arrive. The questionnaire's pages: DORP, SAMEN, VOORZ, MEEDOEN, TOEKOMST.
"""

from __future__ import annotations

import copy
import html
import json
import re

import pytest

from core.db import db
from surveys.models import ReviewStatus, SurveyKind
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from
from tests.helpers import every_row_as_text
from villages.queries import village_by_name

LAST_PAGE = 4


@pytest.fixture
def survey(app):
    survey = create_survey(load_template("leefbaarheid"), by=None)
    db.session.commit()
    return survey


@pytest.fixture
def official(client, login_as):
    account = login_as("official")
    with client.session_transaction() as session:
        session["language"] = "en"
    return account


def url(survey, suffix=""):
    return f"/surveys/{survey.id}/preview{suffix}"


def carried(page_html: str) -> dict:
    """The answers the page carries to the next in its hidden field."""
    match = re.search(r'name="_answers" value="([^"]*)"', page_html)
    return json.loads(html.unescape(match.group(1)))


def checked(page_html: str, name: str) -> list[str]:
    return re.findall(rf'<input checked[^>]*name="{name}"[^>]*value="([^"]+)"', page_html)


@pytest.fixture
def post_page(client, survey):
    """Post page `index` of the preview with the answers carried from earlier pages."""

    def post(index, data=None, answers=None, action="next", target=None):
        token = csrf_token_from(client.get(url(target or survey)).text)
        form = {"csrf_token": token, "_page": str(index), "_action": action}
        form["_answers"] = json.dumps(answers or {})
        return client.post(url(target or survey), data={**form, **(data or {})})

    return post


def test_the_first_page_shows_as_a_resident_sees_it(client, official, survey):
    response = client.get(url(survey))
    page = response.text
    assert response.status_code == 200
    assert '<h1 class="utrecht-heading-1">Liveability in your village</h1>' in page
    assert "It takes about ten minutes." in page  # the introduction, on the first page
    assert "Page 1 of 5" in page and '<h2 class="utrecht-heading-2">Your village</h2>' in page
    assert "Your answers are not saved." in page
    assert f'href="/surveys/{survey.id}"' in page  # back to the designer
    marks = re.findall(
        r'type="radio"[^>]*name="LEEF_CIJFER"|name="LEEF_CIJFER"[^>]*type="radio"', page
    )
    assert len(marks) == 10 and "app-question--mark" in page
    assert "How safe do you feel in your village?" in page and "Very unsafe" in page
    assert ">Next</button>" in page and ">Back</button>" not in page
    assert carried(page) == {}
    assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", page)


def test_a_missing_required_answer_is_refused_and_what_was_entered_is_kept(
    client, official, survey, post_page
):
    earlier = {"SOC_KENNEN": "4"}
    response = post_page(0, {"VEILIG": "4"}, answers=earlier)
    page = response.text
    assert response.status_code == 422
    assert 'id="error-summary"' in page
    question = "What mark would you give your village as a place to live?"
    assert f'href="#LEEF_CIJFER">{question}</a>: Choose an answer.' in page
    assert 'id="LEEF_CIJFER-error">Choose an answer.' in page
    assert checked(page, "VEILIG") == ["4"]
    assert carried(page) == earlier
    assert page.startswith("<!doctype html>") and "<title>Error: " in page


def test_pages_follow_each_other_and_back_keeps_the_answers(client, official, survey, post_page):
    response = post_page(0, {"LEEF_CIJFER": "7", "VEILIG": "4"})
    page = response.text
    assert response.status_code == 200
    assert "Page 2 of 5" in page and "Together in the village" in page
    assert "It takes about ten minutes." not in page
    assert carried(page) == {"LEEF_CIJFER": 7, "VEILIG": "4"}
    assert ">Back</button>" in page

    back = post_page(1, {"SOC_KENNEN": "5"}, answers=carried(page), action="back").text
    assert "Page 1 of 5" in back
    assert checked(back, "LEEF_CIJFER") == ["7"] and checked(back, "VEILIG") == ["4"]
    assert carried(back) == {"LEEF_CIJFER": 7, "VEILIG": "4", "SOC_KENNEN": "5"}


def test_routing_shows_a_question_only_after_the_answer_it_depends_on(
    client, official, survey, post_page
):
    staying = post_page(LAST_PAGE, {"VERHUIZEN": "4"}).text
    assert "End of the preview." in staying and "VERHUIZEN_WAAROM" not in staying

    moving = post_page(LAST_PAGE, {"VERHUIZEN": "3"})
    assert moving.status_code == 200
    assert "Page 5 of 5" in moving.text and 'name="VERHUIZEN_WAAROM"' in moving.text
    assert checked(moving.text, "VERHUIZEN") == ["3"]
    assert "Your answers added a question to this page." in moving.text
    assert 'href="#question-VERHUIZEN_WAAROM"' in moving.text
    assert 'id="question-VERHUIZEN_WAAROM"' in moving.text

    reasons = {"VERHUIZEN": "3", "VERHUIZEN_WAAROM": ["werk", "other"]}
    answers = carried(moving.text)
    done = post_page(LAST_PAGE, {**reasons, "VERHUIZEN_WAAROM_other": "Liefde"}, answers).text
    assert "End of the preview." in done
    assert re.search(r">VERHUIZEN_WAAROM</th>\s*<td[^>]*>werk, other</td>", done)
    assert re.search(r">VERHUIZEN_WAAROM_other</th>\s*<td[^>]*>Liefde</td>", done)


def test_a_required_question_an_answer_on_the_page_hides_does_not_block_it(
    client, official, post_page
):
    definition = load_template("leefbaarheid")
    definition["pages"][LAST_PAGE]["questions"][2]["required"] = True  # VERHUIZEN_WAAROM
    routed = create_survey(definition, by=None)
    db.session.commit()
    earlier = {"VERHUIZEN": "3", "VERHUIZEN_WAAROM": ["werk"]}  # on the previous visit
    shown = post_page(LAST_PAGE, {"VERHUIZEN": "3"}, earlier, target=routed)
    assert shown.status_code == 422 and 'id="VERHUIZEN_WAAROM-error"' in shown.text

    done = post_page(LAST_PAGE, {"VERHUIZEN": "4"}, earlier, target=routed)
    assert done.status_code == 200 and "End of the preview." in done.text
    assert ">VERHUIZEN_WAAROM<" not in done.text  # off the route now: dropped


def test_routing_skips_a_page_whose_condition_fails(client, official, survey, post_page):
    definition = copy.deepcopy(load_template("leefbaarheid"))
    definition["pages"][1]["condition"] = {"question": "LEEF_CIJFER", "less_than": 6}
    routed = create_survey(definition, by=None)
    db.session.commit()

    content = post_page(0, {"LEEF_CIJFER": "8", "VEILIG": "4"}, target=routed).text
    assert "Page 3 of 5" in content and "Facilities and surroundings" in content
    back = post_page(2, answers=carried(content), action="back", target=routed).text
    assert "Page 1 of 5" in back

    unhappy = post_page(0, {"LEEF_CIJFER": "5", "VEILIG": "4"}, target=routed).text
    assert "Page 2 of 5" in unhappy


def test_the_last_page_sends_to_an_end_page_and_nothing_is_saved(
    client, official, survey, post_page
):
    last = post_page(3, {"VRIJWILLIG": "1"}).text
    assert "Page 5 of 5" in last and ">Send</button>" in last
    before = every_row_as_text()
    done = post_page(LAST_PAGE, {"TOEKOMST": "1"}, answers=carried(last))
    assert done.status_code == 200
    assert "nothing has been saved" in done.text
    assert re.search(r">VRIJWILLIG</th>\s*<td[^>]*>1</td>", done.text)
    assert every_row_as_text() == before


def test_an_older_version_can_be_previewed_and_a_missing_one_is_not_found(client, official, survey):
    assert client.get(url(survey, "?version=1")).status_code == 200
    assert client.get(url(survey, "?version=2")).status_code == 404
    assert client.get("/surveys/999999/preview").status_code == 404


def test_a_page_number_that_does_not_exist_is_refused(client, official, survey, post_page):
    assert post_page(5).status_code == 400


def test_the_phone_page_frames_the_preview(client, official, survey):
    response = client.get(url(survey, "/phone"))
    assert response.status_code == 200
    frame = re.search(r"<iframe[^>]*>", response.text).group(0)
    assert 'class="app-phone-frame"' in frame and 'title="' in frame
    assert f'src="/surveys/{survey.id}/preview?version=1&amp;frame=phone"' in frame
    assert "style=" not in response.text
    assert response.headers["X-Frame-Options"] == "DENY"  # the phone page itself is not framed

    framed = client.get(url(survey, "?version=1"))
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    policy = framed.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "frame-ancestors 'none'" not in policy
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy


PATHS = ["", "/phone"]


@pytest.mark.parametrize("role", ["resident", "volunteer", "association"])
@pytest.mark.parametrize("suffix", PATHS)
def test_only_officials_and_the_proposing_association_may_preview(
    client, login_as, survey, role, suffix
):
    login_as(role, village="Orvelte" if role == "association" else None)
    assert client.get(url(survey, suffix)).status_code == 403


def test_an_association_previews_its_own_village_vision_proposal(client, login_as, survey):
    login_as("association", village="Orvelte")
    survey.kind, survey.review_status = SurveyKind.VILLAGE_VISION, ReviewStatus.DRAFTING
    survey.villages.append(village_by_name("Orvelte"))
    db.session.commit()
    assert client.get(url(survey)).status_code == 200
    assert client.get(url(survey, "/phone")).status_code == 200


def test_others_may_not_post_to_the_preview(client, login_as, survey):
    token = csrf_token_from(client.get("/").text)
    login_as("resident")
    response = client.post(url(survey), data={"csrf_token": token, "_page": "0"})
    assert response.status_code == 403


@pytest.mark.parametrize("suffix", PATHS)
def test_anonymous_visitors_are_sent_to_log_in(client, survey, suffix):
    response = client.get(url(survey, suffix))
    assert response.status_code == 302 and response.location.startswith("/login")
