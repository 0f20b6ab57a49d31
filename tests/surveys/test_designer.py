"""The designer as officials use it: create, edit, reorder, copy, remove, import, export,
publish, and correct typos; every refused change saves nothing and says why, at the field."""

import io
import json
import re

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db
from surveys import services
from surveys.models import Survey, SurveyStatus
from surveys.proposal_services import start_proposal
from surveys.templates import load_template
from tests.conftest import csrf_token_from
from tests.panel.test_overview import counted_queries
from villages.queries import village_by_name

ROLES = ["resident", "association", "volunteer", "official"]


def small_questionnaire() -> dict:
    return {
        "schema_version": 1,
        "title": {"nl": "Proef"},
        "introduction": {},
        "pages": [
            {
                "code": "P1",
                "title": {"nl": "Eerste"},
                "questions": [
                    {
                        "code": "Q1",
                        "type": "single",
                        "text": {"nl": "Woont u in het dorp?"},
                        "required": True,
                        "options": [
                            {"code": "1", "label": {"nl": "Ja"}},
                            {"code": "2", "label": {"nl": "Nee"}},
                        ],
                    },
                    {
                        "code": "Q2",
                        "type": "text",
                        "text": {"nl": "Waarom niet?"},
                        "required": False,
                        "condition": {"question": "Q1", "equals": "2"},
                    },
                ],
            },
            {
                "code": "P2",
                "title": {"nl": "Tweede"},
                "questions": [
                    {
                        "code": "Q3",
                        "type": "mark",
                        "text": {"nl": "Rapportcijfer"},
                        "required": False,
                    }
                ],
            },
        ],
    }


@pytest.fixture
def survey(app):
    made = services.create_survey(small_questionnaire(), by=None)
    db.session.commit()
    return made


def definition_of(survey_id: int) -> dict:
    db.session.expire_all()
    return db.session.get(Survey, survey_id).current_version.definition


def codes(definition: dict) -> list[list[str]]:
    return [[q["code"] for q in page["questions"]] for page in definition["pages"]]


def token(client, url: str) -> str:
    return csrf_token_from(client.get(url).text)


def hidden_fields(client, url: str) -> dict:
    """The CSRF token and questionnaire revision a page's forms carry."""
    html = client.get(url).text
    revision = re.search(r'name="revision"[^>]*value="([0-9a-f]+)"', html)
    return {"csrf_token": csrf_token_from(html), "revision": revision.group(1) if revision else ""}


def stamped_form(client, url: str) -> dict:
    """The CSRF token and the one-time key of a freshly opened page's creating form."""
    html = client.get(url).text
    key = re.search(r'<input[^>]*name="form_key"[^>]*value="([^"]+)"', html)
    return {"csrf_token": csrf_token_from(html), "form_key": key.group(1)}


def survey_count() -> int:
    return db.session.scalar(select(db.func.count(Survey.id)))


def post_button(client, survey_id: int, action: str):
    data = stamped_form(client, f"/surveys/{survey_id}") if action == "duplicate" else {}
    data = {**hidden_fields(client, f"/surveys/{survey_id}"), **data}
    return client.post(f"/surveys/{survey_id}/{action}", data=data)


def question_data(client, survey_id: int, question_code: str, **changes) -> dict:
    """The edit form's current values, as a browser would send them back, with changes."""
    from surveys.forms import QuestionForm

    form = QuestionForm(meta={"csrf": False})
    form.show_question(
        next(
            q
            for p in definition_of(survey_id)["pages"]
            for q in p["questions"]
            if q["code"] == question_code
        )
    )
    data = {
        name: field.data for name, field in form._fields.items() if field.data not in (None, False)
    }
    data.update(hidden_fields(client, f"/surveys/{survey_id}/questions/{question_code}"))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/surveys/", {"official", "association"}),
        ("/surveys/new", {"official"}),
        ("/surveys/import", {"official"}),
        ("/surveys/{id}", {"official"}),
        ("/surveys/{id}/export.json", {"official"}),
        ("/surveys/{id}/texts", {"official"}),
        ("/surveys/{id}/scope", {"official"}),
        ("/surveys/{id}/fieldwork", {"official"}),
        ("/surveys/{id}/pages/new", {"official"}),
        ("/surveys/{id}/pages/P1/edit", {"official"}),
        ("/surveys/{id}/pages/P1/questions/new?type=single", {"official"}),
        ("/surveys/{id}/questions/Q1", {"official"}),
        ("/surveys/{id}/questions/Q1/delete", {"official"}),
    ],
)
def test_role_matrix(client, login_as, seeded, survey, role, path, allowed):
    """A municipal survey is for officials only; associations see just their proposals."""
    login_as(role, village="Orvelte" if role in ("association", "resident") else None)
    response = client.get(path.format(id=survey.id))
    assert response.status_code == (200 if role in allowed else 403)


def test_anonymous_visitors_are_sent_to_login(client, survey):
    response = client.get(f"/surveys/{survey.id}")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_post_actions_need_the_official_role(client, login_as, seeded, survey):
    login_as("volunteer")
    csrf = token(client, "/account")
    for action in ("questions/Q1/up", "questions/Q1/duplicate", "duplicate", "close"):
        response = client.post(f"/surveys/{survey.id}/{action}", data={"csrf_token": csrf})
        assert response.status_code == 403


def test_new_survey_from_the_liveability_template(client, login_as, seeded, post_form):
    login_as("official")
    response = post_form(
        "/surveys/new", data={"title": "Leefbaarheid 2027", "start": "leefbaarheid"}
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Survey).where(Survey.title == "Leefbaarheid 2027"))
    assert codes(created.current_version.definition) == codes(load_template("leefbaarheid"))
    page = client.get(response.location).text
    assert "Leefbaarheid 2027" in page and "LEEF_CIJFER" in page


def test_new_blank_survey_has_an_empty_page(client, login_as, seeded, post_form):
    login_as("official")
    response = post_form("/surveys/new", data={"title": "Leeg", "start": "blank"})
    survey_id = int(response.location.rsplit("/", 1)[1])
    assert codes(definition_of(survey_id)) == [[]]


def test_add_a_question_without_javascript(client, login_as, seeded, survey):
    login_as("official")
    url = f"/surveys/{survey.id}/pages/P2/questions/new"
    assert 'name="type"' in client.get(url).text  # first: which type
    form = client.get(f"{url}?type=multiple").text
    assert 'name="options"' in form and 'name="other"' in form and 'name="minimum"' not in form
    response = client.post(
        url,
        data={
            **hidden_fields(client, f"{url}?type=multiple"),
            "code": "Q4",
            "type": "multiple",
            "text_nl": "Welke voorzieningen mist u?",
            "options": "1 | Winkel | Shop\n2 | Huisarts",
            "other": "y",
            "cond_question": "Q1",
            "cond_operator": "equals",
            "cond_value": "1",
        },
    )
    assert response.status_code == 302
    added = definition_of(survey.id)["pages"][1]["questions"][-1]
    assert added == {
        "code": "Q4",
        "type": "multiple",
        "text": {"nl": "Welke voorzieningen mist u?"},
        "required": False,
        "options": [
            {"code": "1", "label": {"nl": "Winkel", "en": "Shop"}},
            {"code": "2", "label": {"nl": "Huisarts"}},
        ],
        "other": True,
        "condition": {"question": "Q1", "equals": "1"},
    }


def test_each_problem_is_shown_at_its_field_and_nothing_is_saved(client, login_as, seeded, survey):
    login_as("official")
    before = definition_of(survey.id)
    response = client.post(
        f"/surveys/{survey.id}/questions/Q3",
        data=question_data(
            client,
            survey.id,
            "Q3",
            code="Q1",
            type="number",
            minimum="10",
            maximum="5",
            text_nl="",
        ),
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="code-error"' in page and "Q1" in page  # duplicate code
    assert 'id="maximum-error"' in page  # min above max
    assert 'id="text_nl-error"' in page  # Dutch text missing
    assert 'value="10"' in page  # what was typed stays
    assert definition_of(survey.id) == before


def test_empty_option_list_and_impossible_condition(client, login_as, seeded, survey):
    login_as("official")
    response = client.post(
        f"/surveys/{survey.id}/questions/Q2",
        data=question_data(client, survey.id, "Q2", type="single", options="", cond_value="7"),
    )
    assert response.status_code == 422
    assert 'id="options-error"' in response.text
    assert 'id="cond_value-error"' in response.text


def test_renaming_a_routed_question_is_refused_with_the_place_that_breaks(
    client, login_as, seeded, survey
):
    login_as("official")
    response = client.post(
        f"/surveys/{survey.id}/questions/Q1",
        data=question_data(client, survey.id, "Q1", code="Q1_NEW"),
    )
    assert response.status_code == 422
    assert "Q2" in response.text and "Q1" in response.text
    assert codes(definition_of(survey.id)) == [["Q1", "Q2"], ["Q3"]]


def test_removing_a_routed_question_is_refused(client, login_as, seeded, survey):
    login_as("official")
    response = post_button(client, survey.id, "questions/Q1/delete")
    assert response.status_code == 422
    assert "Q2" in response.text
    assert codes(definition_of(survey.id)) == [["Q1", "Q2"], ["Q3"]]


def test_reorder_copy_and_remove(client, login_as, seeded, survey):
    login_as("official")
    assert post_button(client, survey.id, "questions/Q3/up").status_code == 302
    assert codes(definition_of(survey.id)) == [["Q1", "Q2", "Q3"], []]
    post_button(client, survey.id, "questions/Q1/duplicate")
    assert codes(definition_of(survey.id)) == [["Q1", "Q1_2", "Q2", "Q3"], []]
    post_button(client, survey.id, "questions/Q1_2/delete")
    post_button(client, survey.id, "questions/Q3/down")
    assert codes(definition_of(survey.id)) == [["Q1", "Q2"], ["Q3"]]
    post_button(client, survey.id, "pages/P2/up")
    assert [p["code"] for p in definition_of(survey.id)["pages"]] == ["P2", "P1"]


def test_moving_a_question_above_the_one_it_routes_on_is_refused(client, login_as, seeded, survey):
    login_as("official")
    response = post_button(client, survey.id, "questions/Q2/up")
    assert response.status_code == 422
    assert codes(definition_of(survey.id)) == [["Q1", "Q2"], ["Q3"]]


def test_duplicate_a_whole_survey(client, login_as, seeded, survey):
    login_as("official")
    response = post_button(client, survey.id, "duplicate")
    twin = db.session.get(Survey, int(response.location.rsplit("/", 1)[1]))
    assert twin.title == "Proef (kopie)"
    assert codes(twin.current_version.definition) == codes(definition_of(survey.id))


def test_page_with_a_condition(client, login_as, seeded, survey):
    login_as("official")
    url = f"/surveys/{survey.id}/pages/P2/edit"
    response = client.post(
        url,
        data={
            **hidden_fields(client, url),
            "code": "P2",
            "title_nl": "Tweede",
            "cond_json": json.dumps(
                {"any": [{"question": "Q1", "equals": "1"}, {"question": "Q2", "answered": True}]}
            ),
        },
    )
    assert response.status_code == 302
    assert definition_of(survey.id)["pages"][1]["condition"]["any"][0]["question"] == "Q1"
    assert "Q1" in client.get(url).text


def test_scope_of_villages(client, login_as, seeded, survey):
    login_as("official")
    orvelte, beilen = village_by_name("Orvelte"), village_by_name("Beilen")
    url = f"/surveys/{survey.id}/scope"
    response = client.post(
        url, data={"csrf_token": token(client, url), "villages": [str(orvelte.id), str(beilen.id)]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {v.name for v in db.session.get(Survey, survey.id).villages} == {"Beilen", "Orvelte"}


def test_export_and_import_round_trip(client, login_as, seeded, survey):
    login_as("official")
    exported = client.get(f"/surveys/{survey.id}/export.json")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    url = "/surveys/import"
    response = client.post(
        url,
        data={**stamped_form(client, url), "file": (io.BytesIO(exported.data), "q.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    imported = db.session.get(Survey, int(response.location.rsplit("/", 1)[1]))
    assert imported.current_version.definition == json.loads(exported.data)


def test_import_reports_every_problem_with_its_place_and_saves_nothing(
    client, login_as, seeded, survey
):
    login_as("official")
    document = small_questionnaire()
    document["pages"][0]["questions"][1]["code"] = "Q1"
    document["pages"][1]["questions"][0]["type"] = "slider"
    url = "/surveys/import"
    response = client.post(
        url, data={"csrf_token": token(client, url), "pasted": json.dumps(document)}
    )
    assert response.status_code == 422
    assert "Q1" in response.text and "slider" in response.text
    assert db.session.scalar(select(db.func.count(Survey.id))) == 1


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ('{"schema_version": 2, "pages": []}', "2"),
        ("{not json", "JSON"),
    ],
)
def test_import_of_a_wrong_file(client, login_as, seeded, pasted, expected):
    login_as("official")
    url = "/surveys/import"
    response = client.post(url, data={"csrf_token": token(client, url), "pasted": pasted})
    assert response.status_code == 422
    assert expected in response.text


def publish(client, survey_id: int) -> None:
    csrf = token(client, f"/surveys/{survey_id}")
    response = client.post(
        f"/surveys/{survey_id}/publish",
        data={"csrf_token": csrf, "opens_on": "2026-12-01", "closes_on": "2026-12-31"},
    )
    assert response.status_code == 302


def test_publishing_needs_sensible_dates(client, login_as, seeded, survey):
    login_as("official")
    csrf = token(client, f"/surveys/{survey.id}")
    response = client.post(
        f"/surveys/{survey.id}/publish",
        data={"csrf_token": csrf, "opens_on": "2026-12-31", "closes_on": "2026-12-01"},
    )
    assert response.status_code == 422
    assert 'id="closes_on-error"' in response.text
    assert db.session.get(Survey, survey.id).status is SurveyStatus.DRAFT


def test_a_typo_is_corrected_in_the_published_version_and_logged(client, login_as, seeded, survey):
    login_as("official")
    publish(client, survey.id)
    response = client.post(
        f"/surveys/{survey.id}/questions/Q2",
        data=question_data(
            client,
            survey.id,
            "Q2",
            text_nl="Waarom niet? (toelichting)",
            action="correct",
            confirm="y",
        ),
    )
    assert response.status_code == 302
    survey_now = db.session.get(Survey, survey.id)
    assert len(survey_now.versions) == 1 and survey_now.current_version.frozen
    assert definition_of(survey.id)["pages"][0]["questions"][1]["text"]["nl"].endswith(
        "(toelichting)"
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "survey.text_corrected")
    )
    assert event.detail["changes"][0]["new"] == {"nl": "Waarom niet? (toelichting)"}


def test_a_correction_needs_confirmation_and_may_not_change_meaning(
    client, login_as, seeded, survey
):
    login_as("official")
    publish(client, survey.id)
    url = f"/surveys/{survey.id}/questions/Q1"
    unconfirmed = client.post(url, data=question_data(client, survey.id, "Q1", action="correct"))
    assert unconfirmed.status_code == 422
    structural = client.post(
        url,
        data=question_data(
            client, survey.id, "Q1", options="1 | Ja\n3 | Nee", action="correct", confirm="y"
        ),
    )
    assert structural.status_code == 422
    assert definition_of(survey.id) == small_questionnaire()


def test_changing_a_published_survey_makes_a_draft_version_put_into_use_later(
    client, login_as, seeded, survey
):
    login_as("official")
    publish(client, survey.id)
    response = client.post(
        f"/surveys/{survey.id}/questions/Q1",
        data=question_data(
            client, survey.id, "Q1", options="1 | Ja\n2 | Nee\n3 | Soms", action="save"
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    current = db.session.get(Survey, survey.id)
    assert [v.number for v in current.versions] == [1, 2]
    assert current.live_version.number == 1 and current.has_draft_version
    assert post_button(client, survey.id, "publish-version").status_code == 302
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).live_version.number == 2


def test_close_and_archive(client, login_as, seeded, survey):
    login_as("official")
    publish(client, survey.id)
    post_button(client, survey.id, "close")
    post_button(client, survey.id, "archive")
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).status is SurveyStatus.ARCHIVED
    assert client.get(f"/surveys/{survey.id}/questions/Q1").status_code == 403


def test_an_illegal_transition_is_refused(client, login_as, seeded, survey):
    login_as("official")
    response = post_button(client, survey.id, "archive")
    assert response.status_code == 302
    assert db.session.get(Survey, survey.id).status is SurveyStatus.DRAFT


def test_a_double_click_on_copy_makes_one_copy(client, login_as, seeded, survey):
    login_as("official")
    data = hidden_fields(client, f"/surveys/{survey.id}")
    first = client.post(f"/surveys/{survey.id}/questions/Q3/duplicate", data=data)
    second = client.post(f"/surveys/{survey.id}/questions/Q3/duplicate", data=data)
    assert first.status_code == second.status_code == 302
    assert codes(definition_of(survey.id)) == [["Q1", "Q2"], ["Q3", "Q3_2"]]
    assert "veranderd" in client.get(second.location).text  # told nothing was done


def test_a_double_click_on_adding_a_question_adds_it_once(client, login_as, seeded, survey):
    login_as("official")
    url = f"/surveys/{survey.id}/pages/P2/questions/new"
    data = {
        **hidden_fields(client, f"{url}?type=text"),
        "code": "Q4",
        "type": "text",
        "text_nl": "Nog iets?",
        "cond_operator": "equals",
    }
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302
    assert codes(definition_of(survey.id)) == [["Q1", "Q2"], ["Q3", "Q4"]]


def test_an_edit_made_on_an_older_revision_is_shown_again_not_applied(
    client, login_as, seeded, survey
):
    login_as("official")
    stale = question_data(client, survey.id, "Q3", text_nl="Mijn versie")
    post_button(client, survey.id, "questions/Q1/duplicate")  # someone else's change
    response = client.post(f"/surveys/{survey.id}/questions/Q3", data=stale)
    assert response.status_code == 422
    assert "Mijn versie" in response.text  # nothing typed is lost
    assert question_of(survey.id, "Q3")["text"]["nl"] == "Rapportcijfer"
    fresh_revision = re.search(r'name="revision"[^>]*value="([0-9a-f]+)"', response.text).group(1)
    again = client.post(
        f"/surveys/{survey.id}/questions/Q3", data={**stale, "revision": fresh_revision}
    )
    assert again.status_code == 302
    assert question_of(survey.id, "Q3")["text"]["nl"] == "Mijn versie"


def question_of(survey_id: int, code: str) -> dict:
    return next(
        q for p in definition_of(survey_id)["pages"] for q in p["questions"] if q["code"] == code
    )


def test_saving_without_changes_makes_no_new_version(client, login_as, seeded, survey):
    login_as("official")
    publish(client, survey.id)
    response = client.post(
        f"/surveys/{survey.id}/questions/Q1", data=question_data(client, survey.id, "Q1")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert len(db.session.get(Survey, survey.id).versions) == 1


def test_a_double_click_on_copying_a_survey_makes_one_copy(client, login_as, seeded, survey):
    login_as("official")
    data = stamped_form(client, f"/surveys/{survey.id}")
    first = client.post(f"/surveys/{survey.id}/duplicate", data=data)
    second = client.post(f"/surveys/{survey.id}/duplicate", data=data)
    assert first.location == second.location
    assert survey_count() == 2


def test_copying_a_survey_again_makes_a_second_copy(client, login_as, seeded, survey):
    """The double-click guard returned the first copy for two minutes, while the page said
    a copy had been made."""
    login_as("official")
    url = f"/surveys/{survey.id}/duplicate"
    first = client.post(url, data=stamped_form(client, f"/surveys/{survey.id}"))
    second = client.post(url, data=stamped_form(client, f"/surveys/{survey.id}"))
    assert first.location != second.location
    assert survey_count() == 3


def test_a_draft_can_be_deleted_a_published_survey_cannot(client, login_as, seeded, survey):
    login_as("official")
    assert client.get(f"/surveys/{survey.id}/delete").status_code == 200
    assert post_button(client, survey.id, "delete").location == "/surveys/"
    assert db.session.scalar(select(db.func.count(Survey.id))) == 0
    assert db.session.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == "survey.deleted")
    ) == {"title": "Proef"}


def test_a_published_survey_cannot_be_deleted(client, login_as, seeded, survey):
    login_as("official")
    publish(client, survey.id)
    assert client.get(f"/surveys/{survey.id}/delete").status_code == 403
    assert post_button(client, survey.id, "delete").status_code == 403
    assert db.session.get(Survey, survey.id) is not None


def test_anonymity_and_reminders_are_set_before_publishing(client, login_as, seeded, survey):
    login_as("official")
    url = f"/surveys/{survey.id}/fieldwork"
    data = {
        **hidden_fields(client, url),
        "anonymous": "anonymous",
        "first_reminder_days": "4",
        "second_reminder_days": "4",
    }
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and 'id="second_reminder_days-error"' in refused.text
    assert client.post(url, data={**data, "second_reminder_days": "9"}).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Survey, survey.id)
    assert (saved.anonymous, saved.first_reminder_days, saved.second_reminder_days) == (True, 4, 9)
    # An anonymous survey needs enough members to invite before it can be published, so
    # the fixed choice is tested the other way round.
    back = {**data, "anonymous": "pseudonymous", "second_reminder_days": "9"}
    assert client.post(url, data=back).status_code == 302
    publish(client, survey.id)
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).status is SurveyStatus.PUBLISHED
    changed = client.post(url, data={**hidden_fields(client, url), "anonymous": "anonymous"})
    assert changed.status_code == 422
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).anonymous is False


def import_pasted(client, text: str):
    return client.post(
        "/surveys/import", data={**stamped_form(client, "/surveys/import"), "pasted": text}
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["pages"][0]["questions"][1].update(
                condition={"question": ["Q1"], "equals": "2"}
            ),
            "Q2",
        ),
        (lambda d: d.update(title={"nl": "x" * 201}), "200"),
        (
            lambda d: d["pages"][1]["questions"].append(
                {
                    "code": "Q4",
                    "type": "text",
                    "text": {"nl": "?"},
                    "required": False,
                    "condition": {"question": "Q3", "greater_than": float("nan")},
                }
            ),
            "JSON",
        ),
    ],
)
def test_malformed_imports_are_refused_not_crashed(client, login_as, seeded, change, expected):
    login_as("official")
    document = small_questionnaire()
    change(document)
    response = import_pasted(client, json.dumps(document))
    assert response.status_code == 422
    assert expected in response.text
    assert db.session.scalar(select(db.func.count(Survey.id))) == 0


@pytest.mark.parametrize("pasted", ["null", "[1, 2]", "[" * 5000 + "]" * 5000])
def test_a_file_that_is_no_questionnaire_is_refused(client, login_as, seeded, pasted):
    login_as("official")
    response = import_pasted(client, pasted)
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count(Survey.id))) == 0


def test_the_form_keeps_numbers_and_bars_it_does_not_edit(client, login_as, seeded):
    login_as("official")
    document = small_questionnaire()
    document["pages"][0]["questions"][0]["options"][0]["label"] = {"nl": "Ja | zeker"}
    document["pages"][1]["questions"].append(
        {
            "code": "Q4",
            "type": "text",
            "text": {"nl": "Waarom zo laag?"},
            "required": False,
            "condition": {"question": "Q3", "less_than": 6},
        }
    )
    survey = services.create_survey(document, by=None)
    db.session.commit()
    publish(client, survey.id)
    for code, text in [("Q4", "Waarom zo laag? (kort)"), ("Q1", "Woont u in dit dorp?")]:
        response = client.post(
            f"/surveys/{survey.id}/questions/{code}",
            data=question_data(
                client, survey.id, code, text_nl=text, action="correct", confirm="y"
            ),
        )
        assert response.status_code == 302, code
    assert question_of(survey.id, "Q4")["condition"] == {"question": "Q3", "less_than": 6}
    assert question_of(survey.id, "Q1")["options"][0]["label"] == {"nl": "Ja | zeker"}


def test_a_double_click_on_renaming_returns_to_the_outline(client, login_as, seeded, survey):
    login_as("official")
    data = question_data(client, survey.id, "Q3", code="CIJFER")
    assert client.post(f"/surveys/{survey.id}/questions/Q3", data=data).status_code == 302
    again = client.post(f"/surveys/{survey.id}/questions/Q3", data=data)
    assert again.status_code == 302 and again.location == f"/surveys/{survey.id}"


def test_a_double_click_on_new_survey_makes_one(client, login_as, seeded):
    login_as("official")
    data = {**stamped_form(client, "/surveys/new"), "title": "Twee keer", "start": "blank"}
    first, second = client.post("/surveys/new", data=data), client.post("/surveys/new", data=data)
    assert first.location == second.location
    assert survey_count() == 1


def test_the_same_new_survey_made_again_is_a_second_survey(client, login_as, seeded):
    """The double-click guard returned the first survey for two minutes, while the page said
    it had made a new one."""
    login_as("official")
    choice = {"title": "Leefbaarheid", "start": "leefbaarheid"}
    first = client.post("/surveys/new", data={**stamped_form(client, "/surveys/new"), **choice})
    second = client.post("/surveys/new", data={**stamped_form(client, "/surveys/new"), **choice})
    assert first.location != second.location
    assert survey_count() == 2


def test_a_double_click_on_close_says_it_is_closed(client, login_as, seeded, survey):
    login_as("official")
    publish(client, survey.id)
    post_button(client, survey.id, "close")
    second = post_button(client, survey.id, "close")
    assert "gesloten" in client.get(second.location).text
    assert "Dat kan niet" not in client.get(f"/surveys/{survey.id}").text


@pytest.fixture
def proposal(app, seeded, make_account):
    from surveys.models import SurveyKind

    board = make_account("association", email="bestuur@orvelte.example", village="Orvelte")
    made = services.create_survey(
        small_questionnaire(),
        board,
        kind=SurveyKind.VILLAGE_VISION,
        villages=[village_by_name("Orvelte")],
    )
    db.session.commit()
    return made


def test_a_proposal_keeps_its_village(client, login_as, proposal):
    login_as("official")
    assert client.get(f"/surveys/{proposal.id}/scope").status_code == 403


def test_a_proposal_is_deleted_only_by_its_association_before_submitting(
    client, login_as, proposal
):
    from accounts.models import Account
    from tests.conftest import start_session

    login_as("official")
    assert client.get(f"/surveys/{proposal.id}/delete").status_code == 403
    board = db.session.scalar(select(Account).where(Account.email == "bestuur@orvelte.example"))
    start_session(client, board)
    assert client.get(f"/surveys/{proposal.id}/delete").status_code == 200
    services.submit_proposal(db.session.get(Survey, proposal.id), board)
    db.session.commit()
    assert client.get(f"/surveys/{proposal.id}/delete").status_code == 403


def test_the_same_comment_twice_in_a_row_is_kept_once(app, proposal, make_account):
    official = make_account("official")
    for _ in range(2):
        services.comment_on_proposal(proposal, official, "Graag vraag 3 korter.")
    db.session.commit()
    assert [e.comment for e in proposal.events] == ["Graag vraag 3 korter."]


PYTHON_REPR = re.compile(r"object at 0x|<built-in|<bound method|<function ")


def python_repr(html: str) -> str:
    """The Python repr a page shows, with some context; empty when there is none."""
    found = PYTHON_REPR.search(html)
    return html[max(found.start() - 80, 0) : found.end() + 40] if found else ""


def designer_pages(survey_id: int) -> list[str]:
    """Every page of the designer an official opens on a survey."""
    return [
        "/surveys/",
        "/surveys/new",
        "/surveys/import",
        f"/surveys/{survey_id}",
        f"/surveys/{survey_id}/texts",
        f"/surveys/{survey_id}/scope",
        f"/surveys/{survey_id}/fieldwork",
        f"/surveys/{survey_id}/pages/new",
        f"/surveys/{survey_id}/pages/DORP/edit",
        f"/surveys/{survey_id}/pages/DORP/questions/new",
        *(f"/surveys/{survey_id}/pages/DORP/questions/new?type={kind}" for kind in TYPES),
        *(f"/surveys/{survey_id}/questions/{code}" for code in ("VEILIG", "SOC", "LEEF_CIJFER")),
        f"/surveys/{survey_id}/questions/VEILIG/delete",
        f"/surveys/{survey_id}/delete",
        f"/surveys/{survey_id}/preview",
        f"/surveys/{survey_id}/preview/phone",
    ]


TYPES = ["single", "multiple", "likert", "likert_grid", "mark", "number", "text", "long_text"]
TYPES += ["ranking", "info"]


def test_the_copy_button_names_itself_and_its_question(client, login_as, seeded):
    """It read "<built-in method copy of dict object at 0x…>": Jinja's words.copy is the
    dict's own method, not the word stored under "copy"."""
    login_as("official")
    survey = services.create_survey(load_template("leefbaarheid"), by=None)
    db.session.commit()
    html = client.get(f"/surveys/{survey.id}").text
    for code in ("LEEF_CIJFER", "VEILIG", "SOC", "DIGITAAL"):
        assert f'Kopiëren<span class="visually-hidden">, vraag {code}</span></button>' in html
    assert not python_repr(html)


def test_no_designer_page_shows_python_internals(client, login_as, seeded):
    login_as("official")
    survey = services.create_survey(load_template("leefbaarheid"), by=None)
    db.session.commit()
    for path in designer_pages(survey.id):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not python_repr(response.text), path


def test_a_double_submit_of_the_import_form_imports_once(client, login_as, seeded):
    login_as("official")
    data = {**stamped_form(client, "/surveys/import"), "pasted": json.dumps(small_questionnaire())}
    first, second = (
        client.post("/surveys/import", data=data),
        client.post("/surveys/import", data=data),
    )
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert survey_count() == 1


def test_importing_the_same_file_again_makes_a_second_survey(client, login_as, seeded):
    """The double-click guard returned the first import's survey for two minutes, while the
    page said it had made a new one."""
    login_as("official")
    document = json.dumps(small_questionnaire())
    first = client.post(
        "/surveys/import", data={**stamped_form(client, "/surveys/import"), "pasted": document}
    )
    second = client.post(
        "/surveys/import", data={**stamped_form(client, "/surveys/import"), "pasted": document}
    )
    assert first.location != second.location
    assert survey_count() == 2
    assert "geïmporteerd als nieuwe concept-enquête" in client.get(second.location).text

    # A double submit of the second form still gets the second survey, not a third.
    data = {**stamped_form(client, "/surveys/import"), "pasted": document}
    third, again = (
        client.post("/surveys/import", data=data),
        client.post("/surveys/import", data=data),
    )
    assert third.location == again.location
    assert survey_count() == 3


def test_a_refused_import_corrected_in_the_same_form_imports_once(client, login_as, seeded):
    login_as("official")
    data = {**stamped_form(client, "/surveys/import"), "pasted": "{not json"}
    refused = client.post("/surveys/import", data=data)
    assert refused.status_code == 422
    key = re.search(r'<input[^>]*name="form_key"[^>]*value="([^"]+)"', refused.text)
    assert key.group(1) == data["form_key"]  # still the same form
    data["pasted"] = json.dumps(small_questionnaire())
    assert client.post("/surveys/import", data=data).status_code == 302
    assert survey_count() == 1


def type_labels(html: str) -> dict[str, str]:
    """The question-type chooser's labels by type (the radio buttons' values)."""
    radios = re.findall(
        r'<input[^>]*name="type"[^>]*value="(\w+)"[^>]*>.*?<label[^>]*>([^<]+)<', html, re.S
    )
    return dict(radios)


def outline_types(html: str) -> dict[str, str]:
    """The type name the outline shows for each question, by question code."""
    return dict(re.findall(r"<strong>(\w+)</strong> · ([^<·]+?)(?: ·|</p>)", html))


@pytest.mark.parametrize(
    ("language", "ranking", "choice"),
    [
        ("nl", "Rangorde", "Rangorde (prioriteiten op volgorde zetten)"),
        ("en", "Ranking", "Ranking (put priorities in order)"),
    ],
)
def test_each_question_type_has_one_name(client, login_as, seeded, language, ranking, choice):
    """The outline said "Rangorde" and the list to choose from "Prioriteiten op volgorde
    zetten" for the same type; every type's choice now starts with the outline's name."""
    login_as("official")
    with client.session_transaction() as session:
        session["language"] = language
    shown = {}
    for template in ("dorpsvisie", "leefbaarheid"):
        survey = services.create_survey(load_template(template), by=None)
        db.session.commit()
        definition = survey.current_version.definition
        kinds = {q["code"]: q["type"] for p in definition["pages"] for q in p["questions"]}
        names = outline_types(client.get(f"/surveys/{survey.id}").text)
        assert names.keys() == kinds.keys()
        shown.update({kinds[code]: name for code, name in names.items()})
    page = definition["pages"][0]["code"]
    labels = type_labels(client.get(f"/surveys/{survey.id}/pages/{page}/questions/new").text)
    assert labels.keys() == set(TYPES)
    assert shown["ranking"] == ranking and labels["ranking"] == choice
    for kind, name in shown.items():
        assert labels[kind] == name or labels[kind].startswith(f"{name} ("), kind


def test_the_survey_list_takes_the_same_queries_however_many_proposals(
    client, login_as, seeded, make_account
):
    """Each proposal's villages and their associations were loaded one by one."""
    login_as("official")

    def queries() -> int:
        with counted_queries() as statements:
            page = client.get("/surveys/")
        assert page.status_code == 200
        return len(statements)

    def propose(village: str) -> None:
        association = make_account("association", village=village)
        start_proposal(village_by_name(village), f"Dorpsvisie {village}", association)
        services.create_survey(small_questionnaire(), None)
        db.session.commit()

    propose("Orvelte")
    few = queries()
    for village in ("Hooghalen", "Beilen", "Smilde"):
        propose(village)
    assert queries() == few
    page = client.get("/surveys/").text
    assert "Algemeen Belang Orvelte" in page and "Bewonersplatform Smilde" in page
