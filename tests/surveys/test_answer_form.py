"""The generated respondent form: a field per question, each type checked and normalised.

These post straight into a request context of an app without a database: the form
touches none. Messages are read in English, so they stay put when the Dutch arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from app import create_app
from surveys.answer_form import answers_from, page_form
from surveys.definition import Question, QuestionType
from surveys.format import from_json
from tests.conftest import base_config


def question(code, kind, required=False, **fields):
    data = {"code": code, "type": kind, "text": {"nl": f"Vraag {code}"}, "required": required}
    return {**data, **fields}


def options(*codes):
    return [{"code": code, "label": {"nl": f"Keuze {code}"}} for code in codes]


DEFINITION = {
    "schema_version": 1,
    "title": {"nl": "Alle soorten vragen"},
    "pages": [
        {
            "code": "P",
            "questions": [
                question("UITLEG", "info"),
                question("KEUZE", "single", True, options=options("1", "2")),
                question("STELLING", "likert", True),
                question(
                    "GRID",
                    "likert_grid",
                    True,
                    items=[
                        {"code": "G_1", "text": {"nl": "Eerste"}},
                        {"code": "G_2", "text": {"nl": "Tweede"}},
                    ],
                ),
                question("HULP", "multiple", True, options=options("a", "b"), other=True),
                question("CIJFER", "mark", True),
                question("KIND", "number", minimum=0, maximum=15),
                question("NAAM", "text"),
                question("VERHAAL", "long_text", True),
                question("PRIO", "ranking", True, options=options("x", "y", "z"), rank_count=2),
                question("VRIJ", "ranking", options=options("x", "y", "z"), rank_count=2),
            ],
        }
    ],
}
QUESTIONS = list(from_json(DEFINITION)[0].pages[0].questions)

VALID = {
    "KEUZE": "2",
    "STELLING": "9",
    "G_1": "1",
    "G_2": "5",
    "HULP": ["b", "a"],
    "CIJFER": "7",
    "KIND": " 3 ",
    "NAAM": "  Jantje  ",
    "VERHAAL": "Een lang verhaal.",
    "PRIO": ["z", "x"],
    "VRIJ": ["", ""],
}

REQUIRED = {
    "KEUZE": "Choose an answer.",
    "STELLING": "Choose an answer.",
    "G_1": "Choose an answer.",
    "G_2": "Choose an answer.",
    "HULP": "Choose one or more answers.",
    "CIJFER": "Choose an answer.",
    "VERHAAL": "Enter an answer.",
    "PRIO": "Fill in every choice.",
}


@dataclass
class Posted:
    valid: bool
    errors: dict[str, list[str]]
    answers: dict | None


@pytest.fixture(scope="module")
def form_app():
    app = create_app(base_config("sqlite://"))
    yield app
    app.extensions["mail_worker"].stop()


@pytest.fixture
def post(form_app):
    """Post `data` (code -> value or list of values) to the form for `questions`."""

    def post(data: dict, questions=QUESTIONS) -> Posted:
        with form_app.test_request_context("/", method="POST"):
            session["language"] = "en"
            pairs = [("csrf_token", generate_csrf())]
            for key, value in data.items():
                pairs += [(key, v) for v in (value if isinstance(value, list) else [value])]
            form = page_form(questions, "en", formdata=MultiDict(pairs))
            valid = form.validate()
            errors = {f.name: [str(e) for e in f.errors] for f in form if f.errors}
            return Posted(valid, errors, answers_from(form, questions) if valid else None)

    return post


def with_answer(**changes):
    return {**VALID, **changes}


def test_the_form_has_a_field_per_answer_named_by_its_code(form_app):
    with form_app.test_request_context("/"):
        names = [field.name for field in page_form(QUESTIONS, "nl") if field.name != "csrf_token"]
    assert names == [
        "KEUZE", "STELLING", "G_1", "G_2", "HULP", "HULP_other",
        "CIJFER", "KIND", "NAAM", "VERHAAL", "PRIO", "VRIJ",
    ]  # fmt: skip


def test_valid_answers_are_normalised(post):
    posted = post(VALID)
    assert posted.valid, posted.errors
    assert posted.answers == {
        "KEUZE": "2",
        "STELLING": "9",
        "G_1": "1",
        "G_2": "5",
        "HULP": ["a", "b"],  # in option order
        "CIJFER": 7,
        "KIND": 3,
        "NAAM": "Jantje",
        "VERHAAL": "Een lang verhaal.",
        "PRIO": ["z", "x"],  # in the order chosen
    }


def test_every_required_question_asks_for_an_answer(post):
    posted = post({})
    assert not posted.valid
    assert posted.errors == {code: [message] for code, message in REQUIRED.items()}


def test_questions_that_are_not_required_may_stay_empty(post):
    optional = [q for q in QUESTIONS if q.code in ("UITLEG", "KIND", "NAAM", "VRIJ")]
    assert post({"NAAM": "   ", "KIND": ""}, optional).answers == {}


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("KEUZE", "3"),
        ("STELLING", "6"),
        ("G_2", "0"),
        ("HULP", ["a", "c"]),
        ("CIJFER", "11"),
        ("CIJFER", "0"),
        ("PRIO", ["x", "w"]),
        ("PRIO", ["x", "y", "z"]),  # more places than asked for
    ],
)
def test_codes_the_form_did_not_offer_are_refused(post, code, value):
    posted = post(with_answer(**{code: value}))
    assert posted.errors == {code: ["Choose one of the answers shown."]}


def test_other_namely_needs_its_text_when_ticked(post):
    posted = post(with_answer(HULP=["other"]))
    assert posted.errors == {"HULP_other": ["Describe your other answer."]}
    posted = post(with_answer(HULP=["other"], HULP_other=" Koffie schenken "))
    assert posted.answers["HULP"] == ["other"]
    assert posted.answers["HULP_other"] == "Koffie schenken"


def test_other_namely_text_alone_counts_as_ticking_other(post):
    posted = post(with_answer(HULP=[], HULP_other="Bloemen"))
    assert posted.valid, posted.errors
    assert posted.answers["HULP"] == ["other"] and posted.answers["HULP_other"] == "Bloemen"


@pytest.mark.parametrize(
    ("places", "message"),
    [
        (["x", "x"], "Choose each answer only once."),
        (["", "y"], "Fill in the choices in order, starting with the first."),
    ],
)
def test_a_ranking_is_in_order_without_repeats(post, places, message):
    assert post(with_answer(VRIJ=places)).errors == {"VRIJ": [message]}


def test_a_ranking_that_is_not_required_may_stop_early(post):
    assert post(with_answer(VRIJ=["y", ""])).answers["VRIJ"] == ["y"]
    assert post(with_answer(PRIO=["y", ""])).errors == {"PRIO": ["Fill in every choice."]}


@pytest.mark.parametrize("value", ["16", "-1", "3.5", "drie", "1e3"])
def test_a_number_is_whole_and_in_range(post, value):
    assert post(with_answer(KIND=value)).errors == {"KIND": ["Enter a whole number from 0 to 15."]}


@pytest.mark.parametrize(
    ("minimum", "maximum", "value", "message"),
    [
        (5, None, "4", "Enter a whole number of 5 or more."),
        (None, 5, "6", "Enter a whole number of 5 or less."),
        (None, None, "zes", "Enter a whole number."),
    ],
)
def test_a_number_names_the_limits_it_has(post, minimum, maximum, value, message):
    number = Question("N", QuestionType.NUMBER, {"nl": "n"}, minimum=minimum, maximum=maximum)
    assert post({"N": value}, [number]).errors == {"N": [message]}
    assert post({"N": "-5" if maximum else "5"}, [number]).answers == {"N": -5 if maximum else 5}


@pytest.mark.parametrize(("code", "limit"), [("NAAM", 500), ("VERHAAL", 5000)])
def test_text_has_a_maximum_length(post, code, limit):
    assert post(with_answer(**{code: "a" * limit})).valid
    posted = post(with_answer(**{code: "a" * (limit + 1)}))
    assert posted.errors == {code: [f"Use at most {limit} characters; now there are {limit + 1}."]}


def test_earlier_answers_fill_the_form(form_app):
    answers = {
        "KEUZE": "1",
        "G_2": "4",
        "HULP": ["a", "other"],
        "HULP_other": "Bloemen",
        "CIJFER": 8,
        "KIND": 0,
        "PRIO": ["y"],
    }
    with form_app.test_request_context("/"):
        form = page_form(QUESTIONS, "nl", answers=answers)
        checked = {
            f.name: [option.data for option in f if option.checked]
            for f in (form.field("KEUZE"), form.field("G_2"), form.field("HULP"))
        }
        assert checked == {"KEUZE": ["1"], "G_2": ["4"], "HULP": ["a", "other"]}
        assert form.other_field("HULP").data == "Bloemen"
        assert form.field("CIJFER").data == "8" and form.field("KIND").data == "0"
        assert [place.chosen for place in form.field("PRIO").places()] == ["y", ""]
        assert 'value="0"' in form.field("KIND")()


def test_texts_are_in_the_language_asked_for_else_dutch(form_app):
    single = Question(
        "Q",
        QuestionType.SINGLE,
        {"nl": "Woont u graag in uw dorp?", "en": "Do you like living in your village?"},
        help={"nl": "Eerlijk zeggen."},
        options=(),
    )
    with form_app.test_request_context("/"):
        session["language"] = "en"
        english = page_form([single], "en").field("Q")
        dutch = page_form([single], "nl").field("Q")
        likert = page_form([q for q in QUESTIONS if q.code == "STELLING"], "en")
        assert english.label.text == "Do you like living in your village?"
        assert english.description == "Eerlijk zeggen."  # no English: the Dutch
        assert dutch.label.text == "Woont u graag in uw dorp?"
        assert [str(choice.label) for choice in likert.field("STELLING").choices] == [
            "Strongly disagree",
            "Disagree",
            "Neither agree nor disagree",
            "Agree",
            "Strongly agree",
            "Don't know",
        ]


def test_a_question_code_may_be_a_name_the_form_itself_uses(post):
    data = Question("data", QuestionType.TEXT, {"nl": "Gegevens"}, required=True)
    assert post({"data": "ja"}, [data]).answers == {"data": "ja"}
    assert post({}, [data]).errors == {"data": ["Enter an answer."]}


def test_an_unreadable_number_on_a_form_not_yet_valid_is_left_out(form_app):
    with form_app.test_request_context("/"):
        formdata = MultiDict({"KIND": "drie", "CIJFER": "7"})
        form = page_form(QUESTIONS, "nl", formdata=formdata)
        assert answers_from(form, QUESTIONS) == {"CIJFER": 7}
