"""Every question of both shipped questionnaires (and of a page with every question type)
renders exactly as stored in tests/fieldwork/data/answer_pages: empty, with earlier answers,
and posted with mistakes, in Dutch and in English. The stored pages were written by the
WTForms subfield rendering that the answer page used before it was made faster (issue 20);
a change to the markup must be deliberate: rewrite them with

    ANSWER_PAGES_WRITE=1 .venv/bin/pytest -q -n 0 tests/fieldwork/test_answer_render.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import render_template_string
from flask_babel import force_locale
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from app import create_app
from surveys.answer_form import OTHER, page_form, questions_html
from surveys.definition import LIKERT_CODES, Question, QuestionType
from surveys.format import from_json
from surveys.routing import other_key
from surveys.templates import load_template
from tests.conftest import base_config
from tests.surveys.test_answer_form import DEFINITION

GOLDEN = Path(__file__).parent / "data" / "answer_pages"
WRITE = os.environ.get("ANSWER_PAGES_WRITE") == "1"
PAGE = (
    '{% from "surveys/_questions.html" import error_summary, page_questions %}'
    "{{ error_summary(form) }}\n{{ page_questions(form) }}"
)
#: The answer page's way: the questions through `questions_html`.
KEPT = (
    '{% from "surveys/_questions.html" import error_summary %}'
    "{{ error_summary(form) }}\n{{ questions_html(form) }}"
)
QUESTIONNAIRES = {
    "leefbaarheid": load_template("leefbaarheid"),
    "dorpsvisie": load_template("dorpsvisie"),
    "alle-soorten": DEFINITION,
}
STATES = ("empty", "answered", "invalid")
#: Text that must come out escaped, in answers given and posted.
TRICKY = 'Fiets & "auto" <b>'


def pages():
    for name, definition in QUESTIONNAIRES.items():
        questionnaire = from_json(definition)[0]
        for page in questionnaire.pages:
            for language in ("nl", "en"):
                for state in STATES:
                    yield pytest.param(
                        page.questions, state, language, id=f"{name}-{page.code}-{language}-{state}"
                    )


@pytest.fixture(scope="module")
def render_app():
    app = create_app(base_config("sqlite://"))
    yield app
    app.extensions["mail_worker"].stop()


def rendered(
    app, questions, state: str, language: str, csrf: bool = True, template=PAGE, locale=None
) -> str:
    with app.test_request_context("/", method="POST"), force_locale(locale or language):
        if state == "invalid":
            pairs = [("csrf_token", generate_csrf())] if csrf else []
            formdata = MultiDict(posted_wrongly(questions) + pairs)
            form = page_form(questions, language, formdata=formdata)
            form.validate()
        else:
            answers = given(questions) if state == "answered" else None
            form = page_form(questions, language, answers=answers)
        return render_template_string(template, form=form, questions_html=questions_html)


@pytest.mark.parametrize(("questions", "state", "language"), list(pages()))
def test_an_answer_page_renders_as_before(render_app, request, questions, state, language):
    html = rendered(render_app, questions, state, language)
    assert_golden(request.node.callspec.id, html)


@pytest.mark.parametrize(("questions", "state", "language"), list(pages()))
def test_an_answer_page_renders_as_before_when_kept(
    render_app, request, questions, state, language
):
    """The answer page's questions as `questions_html` gives them: a blank page's HTML is
    kept, then shown again; in the other language the other locale's."""
    other = "en" if language == "nl" else "nl"
    for locale in (language, other, language, other):
        html = rendered(render_app, questions, state, language, template=KEPT, locale=locale)
        assert html == rendered(render_app, questions, state, language, locale=locale)
    kept = rendered(render_app, questions, state, language, template=KEPT)
    assert_golden(request.node.callspec.id, kept)


def test_a_page_without_its_csrf_token_says_so_in_the_summary(render_app):
    questions = from_json(QUESTIONNAIRES["leefbaarheid"])[0].pages[0].questions
    html = rendered(render_app, questions, "invalid", "en", csrf=False)
    assert "The CSRF token is missing." in html
    assert_golden("leefbaarheid-DORP-en-invalid-no-csrf", html)


def assert_golden(name: str, html: str) -> None:
    path = GOLDEN / f"{name}.html"
    # Bytes, not text: a text area's value starts with the "\r\n" WTForms writes.
    if WRITE:
        path.write_bytes(html.encode())
    assert html == path.read_bytes().decode()


# --- answers of every type, given earlier or posted with mistakes ---------------------------


def given(questions: tuple[Question, ...]) -> dict:
    answers: dict = {}
    for question in questions:
        kind, codes = question.type, [option.code for option in question.options]
        if kind is QuestionType.LIKERT_GRID:
            for n, item in enumerate(question.items):
                answers[item.code] = LIKERT_CODES[n % len(LIKERT_CODES)]
        elif kind is QuestionType.SINGLE:
            answers[question.code] = codes[-1]
        elif kind is QuestionType.LIKERT:
            answers[question.code] = "9"
        elif kind in (QuestionType.MARK, QuestionType.NUMBER):
            answers[question.code] = 7
        elif kind is QuestionType.MULTIPLE:
            answers[question.code] = [codes[0], codes[-1]] + ([OTHER] if question.other else [])
            if question.other:
                answers[other_key(question.code)] = TRICKY
        elif kind is QuestionType.RANKING:
            answers[question.code] = codes[::-1][: question.rank_count or len(codes)]
        elif kind in (QuestionType.TEXT, QuestionType.LONG_TEXT):
            answers[question.code] = TRICKY + "\nnog een regel"
    return answers


def posted_wrongly(questions: tuple[Question, ...]) -> list[tuple[str, str]]:
    """Some answers right, some unknown codes, some left out, some too long or no number."""
    pairs: list[tuple[str, str]] = []
    for question in questions:
        kind, code, codes = question.type, question.code, [o.code for o in question.options]
        if kind is QuestionType.LIKERT_GRID:
            for n, item in enumerate(question.items):
                pairs += [[(item.code, "1")], [(item.code, "<zz>")], []][n % 3]
        elif kind in (QuestionType.SINGLE, QuestionType.LIKERT, QuestionType.MARK):
            pairs.append((code, "<zz>"))
        elif kind is QuestionType.MULTIPLE:
            pairs += [(code, codes[0]), (code, OTHER if question.other else "<zz>")]
        elif kind is QuestionType.RANKING:
            pairs += [(code, codes[1]), (code, codes[1])]
        elif kind is QuestionType.NUMBER:
            pairs.append((code, TRICKY))
        elif kind is QuestionType.TEXT:
            pairs.append((code, TRICKY * 100))
    return pairs


def test_the_scale_is_in_the_language_of_each_request_though_the_form_is_kept(render_app):
    """The radio buttons' fixed parts are kept per form class; the Likert labels are
    translated per request, so what is kept is per locale too (the preview's form
    language need not be the visitor's)."""
    grid = from_json(QUESTIONNAIRES["leefbaarheid"])[0].pages[1].questions
    html = {}
    for locale in ("en", "nl", "en"):
        with render_app.test_request_context("/"), force_locale(locale):
            html[locale] = render_template_string(PAGE, form=page_form(grid, "nl"))
    assert "Strongly disagree" in html["en"] and "Helemaal mee oneens" not in html["en"]
    assert "Helemaal mee oneens" in html["nl"] and "Strongly disagree" not in html["nl"]
