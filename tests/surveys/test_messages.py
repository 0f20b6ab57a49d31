"""Every problem the checks can find reaches the designer as a sentence, in both languages."""

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from surveys.checks import Problem
from surveys.messages import describe_condition, problem_message, where

SOURCES = ["surveys/checks.py", "surveys/format.py"]
PARAMS = {
    "code": "X",
    "min": 5,
    "max": 1,
    "options": 3,
    "detail": "d",
    "values": ["7"],
    "found": 2,
    "expected": 1,
}


def problem_kinds() -> set[str]:
    kinds = set()
    for source in SOURCES:
        text = Path(source).read_text()
        kinds |= set(re.findall(r'Problem\([^,]+, "([a-z_]+)"', text))
        kinds |= set(re.findall(r'fail\(\s*[^,]+,\s*"([a-z_]+)"', text))
    return kinds


def test_the_kinds_are_found():
    assert {
        "duplicate_code",
        "never_true",
        "wrong_schema_version",
        "reserved_code",
    } <= problem_kinds()


@pytest.mark.parametrize("kind", sorted(problem_kinds()))
@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_problem_kind_has_a_message(app, kind, language):
    with app.test_request_context(), force_locale(language):
        message = problem_message(Problem("pages[0].code", kind, PARAMS))
    assert message != kind and len(message) > 10


def test_locations_are_described_with_codes(app):
    definition = {
        "pages": [{"code": "P1", "questions": [{"code": "Q1", "options": [{"code": "a"}]}]}]
    }
    with app.test_request_context(), force_locale("en"):
        assert where("pages[0].questions[0].options[0].code", definition) == (
            "page P1, question Q1, option a, code"
        )
        assert where("pages[3].title.nl", definition) == "page 4, title, Dutch"


def test_conditions_are_described_in_words(app):
    condition = {
        "all": [
            {"question": "A", "one_of": ["1", "2"]},
            {"not": {"question": "B", "answered": True}},
        ]
    }
    with app.test_request_context(), force_locale("en"):
        assert describe_condition(condition) == "(A is one of 1, 2) and (not (B is answered))"
