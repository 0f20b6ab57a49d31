"""The routing evaluator: worked examples, and property tests against a reference."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.conditions import evaluate, referenced_codes

ANSWERS = {"Q1": "2", "Q2": ["a", "c"], "Q3": 7, "Q4": "", "Q5": "8,5", "GRID_1": "9"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (None, True),
        ({"question": "Q1", "equals": "2"}, True),
        ({"question": "Q1", "equals": 2}, True),  # codes compare as text
        ({"question": "Q1", "equals": "3"}, False),
        ({"question": "Q1", "one_of": ["1", "2"]}, True),
        ({"question": "Q2", "equals": "c"}, True),  # any chosen code of a multiple choice
        ({"question": "Q2", "one_of": ["b", "d"]}, False),
        ({"question": "Q3", "greater_than": 6}, True),
        ({"question": "Q3", "greater_than": 7}, False),
        ({"question": "Q3", "less_than": 8}, True),
        ({"question": "Q5", "greater_than": 8}, True),  # "8,5" read as a Dutch decimal
        ({"question": "Q1", "greater_than": 1}, True),
        ({"question": "Q2", "greater_than": 1}, False),  # a list is no number
        ({"question": "Q4", "answered": True}, False),  # blank text is not an answer
        ({"question": "Q4", "answered": False}, True),
        ({"question": "MISSING", "answered": False}, True),
        ({"question": "MISSING", "equals": "1"}, False),
        ({"question": "MISSING", "less_than": 100}, False),
        ({"question": "GRID_1", "equals": "9"}, True),
        ({"all": [{"question": "Q1", "equals": "2"}, {"question": "Q3", "less_than": 5}]}, False),
        ({"any": [{"question": "Q1", "equals": "1"}, {"question": "Q3", "less_than": 9}]}, True),
        ({"not": {"question": "Q1", "equals": "2"}}, False),
    ],
)
def test_worked_examples(condition, expected):
    assert evaluate(condition, ANSWERS) is expected


def test_referenced_codes():
    condition = {
        "any": [{"question": "A", "equals": "1"}, {"not": {"question": "B", "answered": True}}]
    }
    assert referenced_codes(condition) == {"A", "B"}


# --- property tests ------------------------------------------------------------------------

CODES = ["A", "B", "C", "D"]
answer_values = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "1", "2", "9", "x", "3,5", "abc"]),
    st.integers(-5, 15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-100, max_value=100),
    st.lists(st.sampled_from(["1", "2", "3", "x"]), max_size=3),
    st.booleans(),
)
answer_sets = st.dictionaries(st.sampled_from(CODES), answer_values)
leaves = st.one_of(
    st.builds(
        lambda q, v: {"question": q, "equals": v},
        st.sampled_from(CODES),
        st.sampled_from(["1", "2", "x", 1]),
    ),
    st.builds(
        lambda q, v: {"question": q, "one_of": v},
        st.sampled_from(CODES),
        st.lists(st.sampled_from(["1", "2", "9"]), min_size=1, max_size=3),
    ),
    st.builds(
        lambda q, n: {"question": q, "greater_than": n}, st.sampled_from(CODES), st.integers(-3, 12)
    ),
    st.builds(
        lambda q, n: {"question": q, "less_than": n}, st.sampled_from(CODES), st.integers(-3, 12)
    ),
    st.builds(lambda q, b: {"question": q, "answered": b}, st.sampled_from(CODES), st.booleans()),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=8,
)


def reference(condition, answers) -> bool:
    """The rules of docs/questionnaire-format.md written out a second, plainer way."""
    kind = next(iter(condition))
    if kind in ("all", "any", "not"):
        results = [
            reference(part, answers)
            for part in (condition[kind] if kind != "not" else [condition[kind]])
        ]
        return {"all": all, "any": any}[kind](results) if kind != "not" else not results[0]
    answer = answers.get(condition["question"])
    given_answer = not (
        answer is None
        or (isinstance(answer, str) and not answer.strip())
        or (isinstance(answer, list) and not answer)
    )
    if "answered" in condition:
        return given_answer == condition["answered"]
    if not given_answer:
        return False
    chosen = [str(a) for a in answer] if isinstance(answer, list) else [str(answer)]
    if "equals" in condition:
        return str(condition["equals"]) in chosen
    if "one_of" in condition:
        return any(str(code) in chosen for code in condition["one_of"])
    if isinstance(answer, bool) or isinstance(answer, list):
        return False
    try:
        number = float(str(answer).replace(",", "."))
    except ValueError:
        return False
    if "greater_than" in condition:
        return number > condition["greater_than"]
    return number < condition["less_than"]


@given(conditions, answer_sets)
def test_the_evaluator_never_crashes_and_agrees_with_the_reference(condition, answers):
    assert evaluate(condition, answers) is reference(condition, answers)


@given(conditions, answer_sets)
def test_not_is_the_opposite(condition, answers):
    assert evaluate({"not": condition}, answers) is not evaluate(condition, answers)
