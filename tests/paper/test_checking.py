"""What a volunteer types from paper is checked exactly as the web checks a page: every
question type by its printed numbers, the codes "-" and "?", routing and required answers.

No database: checking is pure (the app only gives the form its translations).
"""

from __future__ import annotations

import pytest

from app import create_app
from paper.checking import NO_ANSWER, UNCLEAR, check_sheet, entry_fields
from surveys.format import from_json
from tests.conftest import base_config


def question(code, kind, required=False, **fields):
    return {
        "code": code,
        "type": kind,
        "text": {"nl": f"Vraag {code}"},
        "required": required,
        **fields,
    }


def options(*codes):
    return [{"code": code, "label": {"nl": f"Keuze {code}"}} for code in codes]


#: Every question type; page 2 only for those who answered KEUZE 1, ALS_TWEE only after KEUZE 2.
EVERY_TYPE = {
    "schema_version": 1,
    "title": {"nl": "Alle soorten vragen"},
    "pages": [
        {
            "code": "P1",
            "questions": [
                question("UITLEG", "info"),
                question("KEUZE", "single", True, options=options("j", "n")),
                question("STELLING", "likert"),
                question(
                    "GRID",
                    "likert_grid",
                    items=[
                        {"code": "G_1", "text": {"nl": "Eerste"}},
                        {"code": "G_2", "text": {"nl": "Tweede"}},
                    ],
                ),
                question("HULP", "multiple", options=options("a", "b", "c"), other=True),
                question("CIJFER", "mark"),
                question("KIND", "number", minimum=0, maximum=15),
                question("NAAM", "text"),
                question("VERHAAL", "long_text"),
                question("PRIO", "ranking", options=options("x", "y", "z"), rank_count=2),
                question("ALS_TWEE", "text", condition={"question": "KEUZE", "equals": "n"}),
            ],
        },
        {
            "code": "P2",
            "condition": {"question": "KEUZE", "equals": "j"},
            "questions": [question("LATER", "single", True, options=options("1", "2"))],
        },
    ],
}
EVERY_VALUE = {
    "KEUZE": "1",
    "STELLING": "4",
    "G_1": "5",
    "G_2": "6",  # printed 6 = don't know, code 9
    "HULP": "1, 4",  # "a" and "other, namely"
    "HULP_other": "Buren",
    "CIJFER": "8",
    "KIND": "3",
    "NAAM": "Anna",
    "VERHAAL": "Eerst dit.\nDan dat.",
    "PRIO": "3 1",
    "LATER": "2",
}
STORED = {
    "KEUZE": "j",
    "STELLING": "4",
    "G_1": "5",
    "G_2": "9",
    "HULP": ["a", "other"],
    "HULP_other": "Buren",
    "CIJFER": 8,
    "KIND": 3,
    "NAAM": "Anna",
    "VERHAAL": "Eerst dit.\nDan dat.",
    "PRIO": ["z", "x"],
    "LATER": "2",
}


@pytest.fixture(scope="module")
def form_app():
    app = create_app({**base_config("sqlite://"), "BABEL_DEFAULT_LOCALE": "en"})
    yield app
    app.extensions["mail_worker"].stop()


@pytest.fixture
def check(form_app):
    questionnaire, problems = from_json(EVERY_TYPE)
    assert questionnaire is not None, problems

    def check(values):
        with form_app.test_request_context("/"):
            return check_sheet(questionnaire, values, "en")

    return check


def kinds(checked) -> dict[str, str]:
    return {problem.key: problem.kind for problem in checked.problems}


def test_every_question_type_by_its_printed_numbers(check):
    checked = check(EVERY_VALUE)
    assert checked.problems == []
    assert checked.answers == STORED
    assert checked.coded == {}


def test_entry_fields_in_paper_order_with_their_numbers(form_app):
    questionnaire, _ = from_json(EVERY_TYPE)
    with form_app.test_request_context("/"):
        fields = entry_fields(questionnaire, "en")
    assert [f.key for f in fields] == [
        "KEUZE", "STELLING", "G_1", "G_2", "HULP", "HULP_other", "CIJFER", "KIND", "NAAM",
        "VERHAAL", "PRIO", "ALS_TWEE", "LATER",
    ]  # fmt: skip
    assert [f.kind for f in fields][:8] == [
        "choice", "choice", "choice", "choice", "choices", "text", "choice", "number",
    ]  # fmt: skip
    assert fields[0].number == 1 and fields[2].number == 3 and fields[3].number == 3
    assert [box.number for box in fields[1].boxes] == [1, 2, 3, 4, 5, 6]
    assert fields[2].sublabel == "Eerste" and fields[3].printed_number == "3b"


def test_separators_for_several_numbers(check):
    for typed in ("1 2", "1,2", "1;2", " 2 ; 1 ", "1, 2, 2"):
        checked = check({**EVERY_VALUE, "HULP": typed, "HULP_other": ""})
        assert checked.answers["HULP"] == ["a", "b"], typed


def test_codes_count_as_no_answer_also_for_a_required_question(check):
    checked = check({"KEUZE": UNCLEAR, "STELLING": NO_ANSWER, "G_1": "?", "HULP": "-"})
    assert checked.problems == []
    assert checked.answers == {}
    assert checked.coded == {"KEUZE": "?", "STELLING": "-", "G_1": "?", "HULP": "-"}


def test_a_required_question_left_empty(check):
    checked = check({"STELLING": "2"})
    assert kinds(checked) == {"KEUZE": "required"}
    assert checked.answers is None


@pytest.mark.parametrize(
    "values, key, kind",
    [
        ({"KEUZE": "3"}, "KEUZE", "out_of_range"),
        ({"KEUZE": "0"}, "KEUZE", "out_of_range"),
        ({"KEUZE": "ja"}, "KEUZE", "unknown_code"),
        ({"KEUZE": "1 2"}, "KEUZE", "unknown_code"),
        ({"STELLING": "7"}, "STELLING", "out_of_range"),
        ({"G_2": "9"}, "G_2", "out_of_range"),  # the code of don't know, not its number
        ({"CIJFER": "11"}, "CIJFER", "out_of_range"),
        ({"HULP": "1 5"}, "HULP", "out_of_range"),
        ({"KIND": "16"}, "KIND", "out_of_range"),
        ({"KIND": "drie"}, "KIND", "not_a_number"),
        ({"KIND": "3,5"}, "KIND", "not_a_number"),
        ({"NAAM": "x" * 501}, "NAAM", "too_long"),
        ({"PRIO": "1 1"}, "PRIO", "ranking"),
        ({"PRIO": "1 2 3"}, "PRIO", "ranking"),
        ({"HULP": "4"}, "HULP_other", "required"),  # other ticked, nothing written
        ({"VERZONNEN": "1"}, "VERZONNEN", "unknown_field"),
    ],
)
def test_each_kind_of_problem(check, values, key, kind):
    checked = check({"KEUZE": "2", **values})
    assert kinds(checked) == {key: kind}
    assert checked.answers is None
    assert all(problem.message for problem in checked.problems)


def test_other_ticked_with_its_text_coded(check):
    checked = check({"KEUZE": "2", "HULP": "4", "HULP_other": "?"})
    assert checked.answers == {"KEUZE": "n", "HULP": ["other"]}
    assert checked.coded == {"HULP_other": "?"}


def test_routing_skips_a_page_and_a_question(check):
    # KEUZE 2 ("n"): page 2 is skipped, ALS_TWEE is asked.
    checked = check({"KEUZE": "2", "ALS_TWEE": "Omdat", "LATER": "1"})
    assert kinds(checked) == {"LATER": "routing"}
    # KEUZE 1 ("j"): ALS_TWEE is skipped, the required LATER is asked.
    checked = check({"KEUZE": "1", "ALS_TWEE": "Omdat"})
    assert kinds(checked) == {"ALS_TWEE": "routing", "LATER": "required"}


def test_codes_and_blanks_where_the_paper_skips_are_fine(check):
    checked = check({"KEUZE": "2", "LATER": "-", "ALS_TWEE": ""})
    assert checked.problems == []
    assert checked.answers == {"KEUZE": "n"}
    assert checked.coded == {}  # LATER is not on the route


def test_a_code_on_the_route_steers_like_no_answer(check):
    # KEUZE unclear: neither page 2 nor ALS_TWEE is on the route.
    checked = check({"KEUZE": "?", "LATER": "1"})
    assert kinds(checked) == {"LATER": "routing"}


def test_every_problem_at_once_in_paper_order(check):
    checked = check({"KIND": "99", "KEUZE": "5", "CIJFER": "0"})
    assert [p.key for p in checked.problems] == ["KEUZE", "CIJFER", "KIND"]


def test_one_checker_for_many_sheets(form_app):
    from paper.checking import SheetChecker

    questionnaire, _ = from_json(EVERY_TYPE)
    with form_app.test_request_context("/"):
        checker = SheetChecker(questionnaire, "en")
        sheets = [EVERY_VALUE, {"KEUZE": "3"}, {"KEUZE": "2", "LATER": "1"}, EVERY_VALUE]
        assert [checker.check(values) for values in sheets] == [
            check_sheet(questionnaire, values, "en") for values in sheets
        ]
