"""Village-vision proposals: an association drafts and submits, an official reviews, and the
shared history shows the association every change the municipality made."""

import copy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from surveys import services
from surveys.models import (
    LifecycleError,
    ProposalEvent,
    ProposalEventKind,
    ReviewStatus,
    Survey,
    SurveyKind,
)
from surveys.proposal_messages import changed_texts, describe_change
from surveys.proposal_services import start_proposal
from surveys.templates import load_template
from tests.conftest import csrf_token_from, form_key_from, start_session
from tests.helpers import count
from villages.queries import village_by_name

TODAY = utcnow().date()
MIST = "Wat mist u in uw dorp?"
MIST_NEW = "Welke voorziening mist u het meest in uw dorp?"


def english(client) -> None:
    """New texts are translated after they are written: read the pages in English."""
    with client.session_transaction() as session:
        session["language"] = "en"


def proposal(association, status: ReviewStatus = ReviewStatus.DRAFTING) -> Survey:
    """A proposal of `association`'s village, brought to `status` through the services."""
    survey = start_proposal(village_by_name("Orvelte"), "Dorpsvisie Orvelte", association)
    if status is not ReviewStatus.DRAFTING:
        services.submit_proposal(survey, association)
    if status is ReviewStatus.CHANGES_REQUESTED:
        services.request_changes(survey, None, "Graag aanpassen")
    if status is ReviewStatus.APPROVED:
        services.approve_proposal(survey, None)
    db.session.commit()
    return survey


def with_question_text(survey: Survey, code: str, text: str) -> dict:
    definition = copy.deepcopy(survey.current_version.definition)
    for page in definition["pages"]:
        for question in page["questions"]:
            if question["code"] == code:
                question["text"]["nl"] = text
    return definition


def publish(survey: Survey) -> None:
    survey.publish(TODAY, TODAY + timedelta(days=21), utcnow())


@pytest.fixture
def people(seeded, make_account):
    return {
        "association": make_account("association", village="Orvelte"),
        "official": make_account("official"),
    }


def test_a_proposal_goes_from_the_association_to_approval(client, post_form, people):
    association, official = people["association"], people["official"]
    orvelte = village_by_name("Orvelte")

    start_session(client, association)
    response = post_form(
        "/surveys/proposals/new",
        data={"village": str(orvelte.id), "title": "Dorpsvisie Orvelte 2027"},
    )
    survey = db.session.scalars(select(Survey)).one()
    assert response.status_code == 303
    assert response.location == f"/surveys/{survey.id}"
    assert (survey.kind, survey.review_status) == (SurveyKind.VILLAGE_VISION, ReviewStatus.DRAFTING)
    assert survey.villages == [orvelte] and survey.title == "Dorpsvisie Orvelte 2027"
    template_codes = [p["code"] for p in load_template("dorpsvisie")["pages"]]
    assert [p["code"] for p in survey.current_version.definition["pages"]] == template_codes
    with pytest.raises(LifecycleError):
        publish(survey)
    db.session.rollback()

    history = f"/surveys/{survey.id}/history"
    response = post_form(history, f"/surveys/{survey.id}/submit", {"submit-comment": "Klaar!"})
    assert response.status_code == 303
    assert reviewed(survey) is ReviewStatus.SUBMITTED

    start_session(client, official)
    response = post_form(
        history,
        f"/surveys/{survey.id}/review",
        {"review-decision": "request_changes", "review-comment": "Vraag MIST is te algemeen."},
    )
    assert response.status_code == 303
    assert reviewed(survey) is ReviewStatus.CHANGES_REQUESTED

    start_session(client, association)
    english(client)
    page = client.get(history).text
    assert "Vraag MIST is te algemeen." in page and "Klaar!" in page
    assert "Back with the village association: the municipality asks for changes" in page
    assert official.email not in page and "Municipality" in page
    response = post_form(history, f"/surveys/{survey.id}/submit", {"submit-comment": ""})
    assert reviewed(survey) is ReviewStatus.SUBMITTED

    # The official corrects a question on the way (the designer saves through this service).
    services.save_questionnaire(survey, with_question_text(survey, "MIST", MIST_NEW), official)
    db.session.commit()

    page = client.get(history).text
    assert "Changed by the municipality" in page
    assert "Question MIST: the text changed." in page
    assert f"<del>{MIST}</del>" in page and f"<ins>{MIST_NEW}</ins>" in page

    start_session(client, official)
    response = post_form(
        history,
        f"/surveys/{survey.id}/review",
        {"review-decision": "approve", "review-comment": ""},
    )
    assert response.status_code == 303
    assert reviewed(survey) is ReviewStatus.APPROVED
    kinds = [e.kind for e in survey.events]
    assert kinds == [
        ProposalEventKind.SUBMITTED,
        ProposalEventKind.CHANGES_REQUESTED,
        ProposalEventKind.SUBMITTED,
        ProposalEventKind.CHANGED,
        ProposalEventKind.APPROVED,
    ]
    assert [e.by_municipality for e in survey.events] == [False, True, False, True, True]
    publish(survey)
    db.session.commit()


def reviewed(survey: Survey) -> ReviewStatus:
    db.session.refresh(survey)
    return survey.review_status


def test_the_designer_page_shows_the_forms_each_side_may_use(client, people):
    survey = proposal(people["association"])
    start_session(client, people["association"])
    page = client.get(f"/surveys/{survey.id}").text
    assert 'name="submit-comment"' in page and 'name="comment-comment"' in page
    assert 'name="review-decision"' not in page

    services.submit_proposal(survey, people["association"])
    db.session.commit()
    assert 'name="submit-comment"' not in client.get(f"/surveys/{survey.id}").text

    start_session(client, people["official"])
    page = client.get(f"/surveys/{survey.id}").text
    assert 'name="review-decision"' in page and 'name="submit-comment"' not in page
    assert f'href="/surveys/{survey.id}/history"' in page


def test_only_changes_by_the_municipality_carry_the_badge(client, people):
    association, official = people["association"], people["official"]
    survey = proposal(association)
    services.save_questionnaire(survey, with_question_text(survey, "MIST", MIST_NEW), association)
    db.session.commit()
    start_session(client, association)
    english(client)
    page = client.get(f"/surveys/{survey.id}/history").text
    assert "Question MIST: the text changed." in page
    assert "Changed by the municipality" not in page

    services.save_questionnaire(
        survey, with_question_text(survey, "WAARDE", "Wat is mooi?"), official
    )
    db.session.commit()
    page = client.get(f"/surveys/{survey.id}/history").text
    assert page.count("Changed by the municipality") == 1
    assert "Question WAARDE: the text changed." in page


def test_associations_find_their_surveys_from_their_account_page(client, login_as):
    login_as("association", village="Orvelte")
    page = client.get("/account").text
    assert 'href="/surveys/"' in page and 'href="/surveys/proposals/new"' in page
    login_as("resident", village="Orvelte")
    assert 'href="/surveys/proposals/new"' not in client.get("/account").text


# --- who may do what ------------------------------------------------------------------

ROLES = ["anonymous", "resident", "volunteer", "other_association", "association", "official"]
OK = {"GET": 200, "POST": 303}
#: endpoint -> (method, the review status the proposal is in, the roles allowed)
ENDPOINTS = {
    "new": ("GET", ReviewStatus.DRAFTING, {"association", "other_association"}),
    "submit": ("POST", ReviewStatus.DRAFTING, {"association"}),
    "review": ("POST", ReviewStatus.SUBMITTED, {"official"}),
    "comments": ("POST", ReviewStatus.SUBMITTED, {"association", "official"}),
    "history": ("GET", ReviewStatus.SUBMITTED, {"association", "official"}),
}
DATA = {
    "submit": {"submit-comment": ""},
    "review": {"review-decision": "approve"},
    "comments": {"comment-comment": "Een opmerking."},
}


def log_in(client, make_account, role: str):
    if role == "anonymous":
        return None
    if role == "association":
        account = make_account("association", village="Orvelte")
    elif role == "other_association":
        account = make_account("association", village="Beilen")
    elif role == "resident":
        account = make_account("resident", village="Orvelte")
    else:
        account = make_account(role)
    start_session(client, account)
    return account


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_who_may_use_each_page(client, post_form, make_account, seeded, role, endpoint):
    method, status, allowed = ENDPOINTS[endpoint]
    survey = proposal(make_account("association", village="Orvelte"), status)
    log_in(client, make_account, role)
    path = "/surveys/proposals/new" if endpoint == "new" else f"/surveys/{survey.id}/{endpoint}"
    if method == "GET":
        response = client.get(path)
    else:
        response = post_form("/", path, DATA[endpoint])
    if role == "anonymous":
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")
    else:
        assert response.status_code == (OK[method] if role in allowed else 403)
    changed = method == "POST" and role in allowed
    assert count(ProposalEvent) == (1 if status is ReviewStatus.SUBMITTED else 0) + changed


def test_a_general_survey_has_no_proposal_pages(client, post_form, login_as):
    survey = services.create_survey(load_template("leefbaarheid"), by=None)
    db.session.commit()
    login_as("official")
    assert client.get(f"/surveys/{survey.id}/history").status_code == 404
    response = post_form("/", f"/surveys/{survey.id}/comments", {"comment-comment": "Hallo"})
    assert response.status_code == 404
    assert client.get("/surveys/999999/history").status_code == 404


# --- starting a proposal -------------------------------------------------------------


def test_a_double_submit_makes_one_proposal(client, post_form, login_as, seeded):
    login_as("association", village="Orvelte")
    html = client.get("/surveys/proposals/new").text
    choice = {"village": str(village_by_name("Orvelte").id), "title": "Dorpsvisie Orvelte"}
    data = {**choice, "csrf_token": csrf_token_from(html), **form_key_from(html)}
    first = client.post("/surveys/proposals/new", data=data)
    second = client.post("/surveys/proposals/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert count(Survey) == 1

    # The form opened again: the same title is a new proposal on purpose.
    post_form("/surveys/proposals/new", data=choice)
    assert count(Survey) == 2


def test_the_title_is_prefilled_and_the_village_must_be_ones_own(
    client, post_form, login_as, seeded
):
    login_as("association", village="Orvelte")
    page = client.get("/surveys/proposals/new").text
    assert 'value="Dorpsvisie Orvelte"' in page and "<select" not in page
    beilen = village_by_name("Beilen")
    response = post_form("/surveys/proposals/new", data={"village": str(beilen.id), "title": "X"})
    assert response.status_code == 422 and count(Survey) == 0


def test_an_association_of_two_villages_chooses_one(client, post_form, make_account, seeded):
    from accounts.models import Role
    from accounts.services import grant_role

    account = make_account("association", village="Orvelte")
    grant_role(account, Role.ASSOCIATION, village_by_name("Beilen"))
    db.session.commit()
    start_session(client, account)
    page = client.get("/surveys/proposals/new").text
    assert "<select" in page and ">Beilen</option>" in page and ">Orvelte</option>" in page
    beilen = village_by_name("Beilen")
    post_form("/surveys/proposals/new", data={"village": str(beilen.id), "title": "Beilen 2035"})
    assert db.session.scalars(select(Survey)).one().villages == [beilen]


# --- mistakes and races ----------------------------------------------------------------


def test_requesting_changes_without_a_comment_changes_nothing(client, post_form, people):
    survey = proposal(people["association"], ReviewStatus.SUBMITTED)
    start_session(client, people["official"])
    response = post_form(
        f"/surveys/{survey.id}/history",
        f"/surveys/{survey.id}/review",
        {"review-decision": "request_changes", "review-comment": "  "},
    )
    assert response.status_code == 422
    assert 'id="error-summary"' in response.text
    assert 'id="review-comment-error"' in response.text
    assert re.search(r'<input checked[^>]*value="request_changes"', response.text)  # kept
    assert reviewed(survey) is ReviewStatus.SUBMITTED and count(ProposalEvent) == 1


def test_an_empty_comment_shows_the_history_again_with_the_error(client, post_form, people):
    survey = proposal(people["association"])
    start_session(client, people["association"])
    history = f"/surveys/{survey.id}/history"
    response = post_form(history, f"/surveys/{survey.id}/comments", {"comment-comment": ""})
    assert response.status_code == 422 and 'id="comment-comment-error"' in response.text
    assert count(ProposalEvent) == 0

    response = post_form(
        history, f"/surveys/{survey.id}/comments?next={history}", {"comment-comment": "Vraag?"}
    )
    assert response.status_code == 303 and response.location == history
    assert [e.comment for e in survey.events] == ["Vraag?"]


def test_a_second_click_on_submit_changes_nothing(client, post_form, people):
    survey = proposal(people["association"])
    start_session(client, people["association"])
    for _ in range(2):
        response = post_form("/", f"/surveys/{survey.id}/submit", {"submit-comment": ""})
        assert response.status_code == 303
    assert reviewed(survey) is ReviewStatus.SUBMITTED and count(ProposalEvent) == 1


def test_an_approved_proposal_cannot_be_approved_again(client, post_form, people):
    survey = proposal(people["association"], ReviewStatus.APPROVED)
    start_session(client, people["official"])
    post_form("/", f"/surveys/{survey.id}/review", {"review-decision": "approve"})
    assert count(ProposalEvent) == 2  # submitted, approved: nothing new


def test_the_association_can_no_longer_edit_once_submitted(people):
    from surveys.permissions import can_edit

    survey = proposal(people["association"], ReviewStatus.SUBMITTED)
    assert not can_edit(people["association"], survey)
    assert can_edit(people["official"], survey)


# --- the changes in words -------------------------------------------------------------

CHANGE_KINDS = [
    "page_added",
    "page_removed",
    "pages_reordered",
    "page_title_changed",
    "page_condition_changed",
    "questions_reordered",
    "question_added",
    "question_removed",
    "question_text_changed",
    "question_help_changed",
    "question_moved",
    "question_type_changed",
    "question_required_changed",
    "question_condition_changed",
    "question_indicator_changed",
    "question_options_changed",
    "question_option_texts_changed",
    "question_items_changed",
    "question_item_texts_changed",
    "question_limits_changed",
    "title_changed",
    "introduction_changed",
]


@pytest.mark.parametrize("what", CHANGE_KINDS)
def test_every_kind_of_change_is_described_in_words(app, what):
    with app.test_request_context():
        sentence = describe_change({"what": what, "code": "LEEF_07", "page": "P2"})
    assert what not in sentence and sentence.endswith(".")
    if what.startswith(("page_", "question")):
        assert "LEEF_07" in sentence


def test_an_unknown_change_is_still_shown(app):
    with app.test_request_context():
        assert describe_change({"what": "question_colour_changed", "code": "X"}) == (
            "question_colour_changed X"
        )


def test_changed_texts_name_each_language_that_changed():
    change = {
        "what": "question_text_changed",
        "code": "MIST",
        "old": {"nl": "Oud", "en": "Old"},
        "new": {"nl": "Nieuw", "en": "Old"},
    }
    assert changed_texts(change) == [("nl", "Oud", "Nieuw")]
    assert changed_texts({"what": "question_added", "code": "MIST"}) == []
    help_added = {"what": "question_help_changed", "code": "X", "old": {}, "new": {"en": "Hi"}}
    assert changed_texts(help_added) == [("en", "", "Hi")]


def test_two_officials_approving_at_once_approve_once(app, people, make_account):
    """On PostgreSQL the second approval waits for the first, then is refused."""
    import threading

    from tests.conftest import csrf_token_from

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time anyway")
    survey = proposal(people["association"], ReviewStatus.SUBMITTED)
    presses = []
    for official in (people["official"], make_account("official")):
        browser = app.test_client()
        start_session(browser, official)
        token = csrf_token_from(browser.get(f"/surveys/{survey.id}/history").text)
        presses.append((browser, token))
    start, statuses = threading.Barrier(2), []
    review = f"/surveys/{survey.id}/review"  # read here, not through this session from two threads

    def press(browser, token):
        start.wait()
        data = {"csrf_token": token, "review-decision": "approve"}
        statuses.append(browser.post(review, data=data).status_code)

    threads = [threading.Thread(target=press, args=args) for args in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303, 303]
    assert [e.kind for e in survey.events] == [
        ProposalEventKind.SUBMITTED,
        ProposalEventKind.APPROVED,
    ]


# --- who hears about each step ---------------------------------------------------------


def proposal_mails(kind: str) -> list:
    from mail.models import OutboxMail

    query = select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)
    return list(db.session.scalars(query))


def test_each_step_mails_the_side_that_must_act_next(client, post_form, people, make_account):
    association, official = people["association"], people["official"]
    colleague = make_account("official")
    make_account("association", village="Beilen")  # another village: hears nothing
    make_account("volunteer")
    survey = proposal(association)
    history = f"/surveys/{survey.id}/history"
    link = f"http://naoberpanel.test{history}"

    start_session(client, association)
    for _ in range(2):  # a double click mails once
        post_form(history, f"/surveys/{survey.id}/submit", {"submit-comment": "Klaar!"})
    mails = proposal_mails("proposal_submitted")
    assert [m.recipient for m in mails] == [official.email, colleague.email]
    assert mails[0].subject == "Voorstel voor een dorpsvisie ter beoordeling: Dorpsvisie Orvelte"
    body = mails[0].body_text
    assert body.startswith("Beste collega,")
    assert "De dorpsvereniging van Orvelte heeft het voorstel" in body
    assert "Klaar!" in body and link in body and link in mails[0].body_html

    start_session(client, official)
    post_form(
        history,
        f"/surveys/{survey.id}/review",
        {"review-decision": "request_changes", "review-comment": "Vraag MIST is te algemeen."},
    )
    mails = proposal_mails("proposal_reviewed")
    assert [m.recipient for m in mails] == [association.email]
    assert mails[0].subject == (
        "De gemeente vraagt om wijzigingen in uw voorstel: Dorpsvisie Orvelte"
    )
    assert mails[0].body_text.startswith("Beste bestuurslid,")
    assert "Vraag MIST is te algemeen." in mails[0].body_text and link in mails[0].body_text

    # The association's own comment is for the history: nobody is mailed about it.
    start_session(client, association)
    post_form(history, f"/surveys/{survey.id}/comments", {"comment-comment": "Wij passen aan."})
    post_form(history, f"/surveys/{survey.id}/submit", {"submit-comment": ""})
    assert len(proposal_mails("proposal_reviewed")) == 1
    assert len(proposal_mails("proposal_submitted")) == 4

    start_session(client, official)
    post_form(history, f"/surveys/{survey.id}/comments", {"comment-comment": "Mooi zo."})
    post_form(history, f"/surveys/{survey.id}/review", {"review-decision": "approve"})
    subjects = [m.subject for m in proposal_mails("proposal_reviewed")]
    assert subjects[1:] == [
        "De gemeente heeft gereageerd op uw voorstel: Dorpsvisie Orvelte",
        "Uw voorstel voor een dorpsvisie is goedgekeurd: Dorpsvisie Orvelte",
    ]


def test_a_refused_step_mails_nobody(client, post_form, people):
    survey = proposal(people["association"], ReviewStatus.APPROVED)
    start_session(client, people["official"])
    post_form("/", f"/surveys/{survey.id}/review", {"review-decision": "approve"})
    assert proposal_mails("proposal_reviewed") == []


def test_the_list_names_the_association_and_the_review_state(client, people):
    survey = proposal(people["association"])
    start_session(client, people["official"])

    def row() -> str:
        page = client.get("/surveys/").text
        return page.split(f'href="/surveys/{survey.id}"', 1)[1].split("</tr>", 1)[0]

    assert "Algemeen Belang Orvelte (dorpsvisie)" in row()
    assert "In voorbereiding" in row()
    services.submit_proposal(survey, people["association"])
    db.session.commit()
    assert "Ingediend, wacht op beoordeling" in row() and "Concept" not in row()
    services.request_changes(survey, people["official"], "Graag aanpassen")
    db.session.commit()
    assert "Wijzigingen gevraagd" in row()
    services.submit_proposal(survey, people["association"])
    services.approve_proposal(survey, people["official"])
    db.session.commit()
    assert "Goedgekeurd" in row()
    publish(survey)
    db.session.commit()
    assert "Gepubliceerd" in row()
