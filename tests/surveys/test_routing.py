"""Routing: which pages and questions a resident meets, given the answers so far. No app."""

import pytest

from surveys.definition import Page, Question, Questionnaire, QuestionType
from surveys.format import from_json
from surveys.routing import (
    answer_keys,
    answers_on_route,
    first_page,
    next_page,
    page_is_shown,
    previous_page,
    still_asked,
    visible_questions,
)
from tests.surveys.test_format import EXAMPLE

# EXAMPLE: page P1 asks LEEF_01 (mark), LEEF_02 (yes 1 / no 2) and, after "no", LEEF_03.
# Page P2 (grid SOC, ranking PRIO, number KIND, multiple HULP) only after a mark below 6.
QUESTIONNAIRE, _ = from_json(EXAMPLE)
P1, P2 = QUESTIONNAIRE.pages


def codes(questions):
    return [question.code for question in questions]


def text(words):
    return {"nl": words}


def test_a_question_shows_only_when_its_condition_holds():
    assert codes(visible_questions(P1, {})) == ["INTRO", "LEEF_01", "LEEF_02"]
    assert codes(visible_questions(P1, {"LEEF_02": "2"}))[-1] == "LEEF_03"
    assert "LEEF_03" not in codes(visible_questions(P1, {"LEEF_02": "1"}))


@pytest.mark.parametrize(
    ("mark", "pages"),
    [(5, [0, 1]), (6, [0]), (None, [0])],
    ids=["low mark: both pages", "six: first page only", "no mark: first page only"],
)
def test_a_page_shows_only_when_its_condition_holds(mark, pages):
    answers = {} if mark is None else {"LEEF_01": mark}
    assert [i for i, page in enumerate(QUESTIONNAIRE.pages) if page_is_shown(page, answers)] == (
        pages
    )
    assert first_page(QUESTIONNAIRE, answers) == 0
    assert next_page(QUESTIONNAIRE, 0, answers) == (1 if 1 in pages else None)
    assert next_page(QUESTIONNAIRE, 1, answers) is None
    assert previous_page(QUESTIONNAIRE, 1, answers) == 0
    assert previous_page(QUESTIONNAIRE, 0, answers) is None


def question(code, kind=QuestionType.SINGLE, condition=None, **fields):
    if kind is QuestionType.SINGLE:
        fields.setdefault("options", ())
    return Question(code=code, type=kind, text=text(code), condition=condition, **fields)


ASKS_A = question("A")
WHEN_A_IS_1 = {"question": "A", "equals": "1"}
ROUTED = Questionnaire(
    title=text("Routing"),
    pages=(
        Page(code="START", questions=(ASKS_A,)),
        # Its info text introduces the routed question: without that, nothing to show.
        Page(
            code="FOLLOW_UP",
            questions=(
                question("WHY_INTRO", QuestionType.INFO),
                question("WHY", QuestionType.TEXT, WHEN_A_IS_1),
            ),
        ),
        Page(code="SKIPPED", condition=WHEN_A_IS_1, questions=(question("B"),)),
        Page(code="THANKS", questions=(question("BYE", QuestionType.INFO),)),
    ),
)


def test_pages_whose_questions_are_all_routed_away_are_skipped_but_text_pages_are_not():
    assert next_page(ROUTED, 0, {"A": "2"}) == 3
    assert previous_page(ROUTED, 3, {"A": "2"}) == 0
    assert next_page(ROUTED, 0, {"A": "1"}) == 1
    assert next_page(ROUTED, 1, {"A": "1"}) == 2
    assert next_page(ROUTED, 3, {"A": "1"}) is None


def test_no_first_page_when_every_page_is_routed_away():
    only = Questionnaire(
        title=text("x"), pages=(Page(code="P", condition=WHEN_A_IS_1, questions=(ASKS_A,)),)
    )
    assert first_page(only, {}) is None


def test_answers_off_the_route_are_dropped_in_order():
    answers = {
        "LEEF_01": 5,
        "LEEF_02": "1",  # changed from "no": the "why not" text is now off the route
        "LEEF_03": "Te weinig voorzieningen",
        "SOC_01": "4",
        "KIND": 2,  # after SOC_01 4 or 5, and only when LEEF_03 was not answered
        "HULP": ["a", "other"],
        "HULP_other": "Koffie schenken",
        "PRIO": ["groen", "wonen"],
        "NOT_A_QUESTION": "x",
    }
    kept = answers_on_route(QUESTIONNAIRE, answers)
    assert kept == {k: v for k, v in answers.items() if k not in ("LEEF_03", "NOT_A_QUESTION")}
    assert answers_on_route(QUESTIONNAIRE, {**answers, "LEEF_01": 8}) == {
        "LEEF_01": 8,
        "LEEF_02": "1",
    }


def test_a_chain_of_conditions_is_dropped_whole():
    chain = Questionnaire(
        title=text("x"),
        pages=(
            Page(
                code="P",
                questions=(
                    ASKS_A,
                    question("B", QuestionType.TEXT, WHEN_A_IS_1),
                    question("C", QuestionType.TEXT, {"question": "B", "answered": True}),
                ),
            ),
        ),
    )
    assert answers_on_route(chain, {"A": "1", "B": "b", "C": "c"}) == {"A": "1", "B": "b", "C": "c"}
    assert answers_on_route(chain, {"A": "2", "B": "b", "C": "c"}) == {"A": "2"}


def test_an_answer_posted_on_a_page_can_hide_a_later_question_on_it():
    chain = Page(
        code="P",
        questions=(
            ASKS_A,
            question("B", QuestionType.TEXT, WHEN_A_IS_1),
            question("C", QuestionType.TEXT, {"question": "B", "answered": True}),
        ),
    )
    earlier = {"A": "1", "B": "b"}  # from the previous visit to the page
    shown = visible_questions(chain, earlier)
    assert codes(shown) == ["A", "B", "C"]
    assert still_asked(chain, shown, earlier, {"A": "1", "B": "b"}) == shown
    assert codes(still_asked(chain, shown, earlier, {"A": "2", "B": "b"})) == ["A"]
    # A question revealed by the posted answer was not on the page: it is not asked yet.
    assert codes(still_asked(chain, [ASKS_A], {}, {"A": "1"})) == ["A"]


def test_answer_keys_name_grid_items_and_the_other_text():
    grid, ranking, multiple = P2.questions[0], P2.questions[1], P2.questions[3]
    assert answer_keys(grid) == ["SOC_01", "SOC_02"]
    assert answer_keys(ranking) == ["PRIO"]
    assert answer_keys(multiple) == ["HULP", "HULP_other"]
    assert answer_keys(P1.questions[0]) == []  # info: no answer
