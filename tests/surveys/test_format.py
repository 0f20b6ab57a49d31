"""The exchange format and the checks: round trip, and every error at its location."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.checks import check
from surveys.format import SCHEMA_VERSION, from_json, to_json

EXAMPLE = {
    "schema_version": 1,
    "title": {"nl": "Leefbaarheid in uw dorp", "en": "Liveability in your village"},
    "introduction": {"nl": "Dank u wel voor het meedoen."},
    "pages": [
        {
            "code": "P1",
            "title": {"nl": "Uw dorp"},
            "questions": [
                {
                    "code": "INTRO",
                    "type": "info",
                    "text": {"nl": "Eerst over uw dorp."},
                    "required": False,
                },
                {
                    "code": "LEEF_01",
                    "type": "mark",
                    "text": {"nl": "Welk cijfer geeft u?"},
                    "required": True,
                },
                {
                    "code": "LEEF_02",
                    "type": "single",
                    "text": {"nl": "Woont u hier graag?"},
                    "required": True,
                    "options": [
                        {"code": "1", "label": {"nl": "Ja"}},
                        {"code": "2", "label": {"nl": "Nee"}},
                    ],
                },
                {
                    "code": "LEEF_03",
                    "type": "long_text",
                    "text": {"nl": "Waarom niet?"},
                    "required": False,
                    "condition": {"question": "LEEF_02", "equals": "2"},
                },
            ],
        },
        {
            "code": "P2",
            "title": {"nl": "Samen"},
            "condition": {"question": "LEEF_01", "less_than": 6},
            "questions": [
                {
                    "code": "SOC",
                    "type": "likert_grid",
                    "text": {"nl": "Bent u het eens?"},
                    "required": False,
                    "items": [
                        {"code": "SOC_01", "text": {"nl": "Ik ken mijn buren."}},
                        {"code": "SOC_02", "text": {"nl": "Ik voel me thuis."}},
                    ],
                },
                {
                    "code": "PRIO",
                    "type": "ranking",
                    "text": {"nl": "Wat eerst?"},
                    "required": False,
                    "rank_count": 2,
                    "options": [
                        {"code": "wonen", "label": {"nl": "Wonen"}},
                        {"code": "groen", "label": {"nl": "Groen"}},
                        {"code": "verkeer", "label": {"nl": "Verkeer"}},
                    ],
                },
                {
                    "code": "KIND",
                    "type": "number",
                    "text": {"nl": "Hoeveel kinderen?"},
                    "required": False,
                    "minimum": 0,
                    "maximum": 15,
                    "condition": {
                        "all": [
                            {"question": "SOC_01", "one_of": ["4", "5"]},
                            {"not": {"question": "LEEF_03", "answered": True}},
                        ]
                    },
                },
                {
                    "code": "HULP",
                    "type": "multiple",
                    "text": {"nl": "Waarmee helpt u?"},
                    "required": False,
                    "other": True,
                    "options": [{"code": "a", "label": {"nl": "Sport"}}],
                },
            ],
        },
    ],
}


def with_change(path, value):
    """EXAMPLE with one value replaced; `path` like ["pages", 0, "questions", 1, "type"]."""
    data = copy.deepcopy(EXAMPLE)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def test_the_example_reads_and_round_trips_exactly():
    questionnaire, problems = from_json(EXAMPLE)
    assert problems == []
    assert to_json(questionnaire) == EXAMPLE
    again, _ = from_json(to_json(questionnaire))
    assert again == questionnaire


@pytest.mark.parametrize(
    ("path", "value", "location", "kind"),
    [
        (["schema_version"], 2, "schema_version", "wrong_schema_version"),
        (["schema_version"], KeyError, "schema_version", "wrong_schema_version"),
        (["title"], "Leefbaarheid", "title", "wrong_type"),
        (["title", "nl"], " ", "title.nl", "dutch_text_missing"),
        (
            ["pages", 0, "questions", 1, "type"],
            "slider",
            "pages[0].questions[1].type",
            "unknown_type",
        ),
        (
            ["pages", 0, "questions", 2, "code"],
            "LEEF_01",
            "pages[0].questions[2].code",
            "duplicate_code",
        ),
        (["pages", 0, "questions", 2, "code"], "1 leef", "pages[0].questions[2].code", "bad_code"),
        (
            ["pages", 0, "questions", 2, "code"],
            "csrf_token",
            "pages[0].questions[2].code",
            "reserved_code",
        ),
        (
            ["pages", 0, "questions", 2, "code"],
            "HULP_other",
            "pages[0].questions[2].code",
            "reserved_code",
        ),
        (
            ["pages", 0, "questions", 2, "options"],
            [],
            "pages[0].questions[2].options",
            "no_options",
        ),
        (
            ["pages", 0, "questions", 2, "options", 1, "code"],
            "1",
            "pages[0].questions[2].options[1].code",
            "bad_option_code",
        ),
        (
            ["pages", 0, "questions", 2, "text"],
            {"en": "Only English"},
            "pages[0].questions[2].text.nl",
            "dutch_text_missing",
        ),
        (
            ["pages", 1, "questions", 2, "minimum"],
            20,
            "pages[1].questions[2].maximum",
            "minimum_above_maximum",
        ),
        (
            ["pages", 1, "questions", 2, "maximum"],
            "veel",
            "pages[1].questions[2].maximum",
            "wrong_type",
        ),
        (
            ["pages", 1, "questions", 1, "rank_count"],
            4,
            "pages[1].questions[1].rank_count",
            "bad_rank_count",
        ),
        (["pages", 1, "questions", 0, "items"], [], "pages[1].questions[0].items", "no_items"),
        (
            ["pages", 0, "questions", 3, "condition"],
            {"question": "KIND", "answered": True},
            "pages[0].questions[3].condition",
            "unknown_or_later_question",
        ),
        (
            ["pages", 0, "questions", 3, "condition"],
            {"question": "LEEF_03", "answered": True},
            "pages[0].questions[3].condition",
            "unknown_or_later_question",
        ),  # itself
        (
            ["pages", 0, "questions", 3, "condition"],
            {"question": "LEEF_02", "equals": "3"},
            "pages[0].questions[3].condition",
            "never_true",
        ),
        (
            ["pages", 0, "questions", 3, "condition"],
            {"question": "INTRO", "answered": True},
            "pages[0].questions[3].condition",
            "condition_on_info",
        ),
        (
            ["pages", 1, "condition"],
            {"question": "LEEF_01", "greater_than": 10},
            "pages[1].condition",
            "never_true",
        ),  # a mark is at most 10
        (
            ["pages", 1, "condition"],
            {"question": "LEEF_02", "greater_than": 1},
            "pages[1].condition",
            "not_numeric",
        ),
        (
            ["pages", 1, "condition"],
            {"question": "LEEF_01", "below": 6},
            "pages[1].condition",
            "bad_condition",
        ),
        (["pages", 1, "condition"], {"all": []}, "pages[1].condition", "bad_condition"),
        (
            ["pages", 1, "questions", 2, "condition", "all", 0, "one_of"],
            ["6"],
            "pages[1].questions[2].condition",
            "never_true",
        ),  # Likert codes are 1-5 and 9
    ],
)
def test_each_problem_is_reported_at_its_location(path, value, location, kind):
    questionnaire, problems = from_json(with_change(path, value))
    assert questionnaire is None
    assert (location, kind) in [(p.location, p.kind) for p in problems], problems


def test_every_problem_is_reported_not_only_the_first():
    data = with_change(["pages", 0, "questions", 2, "options"], [])
    data["pages"][1]["questions"][2]["minimum"] = 99
    _, problems = from_json(data)
    assert {p.kind for p in problems} >= {"no_options", "minimum_above_maximum"}


def test_not_an_object_at_all():
    questionnaire, problems = from_json(["not", "a", "questionnaire"])
    assert questionnaire is None and problems[0].kind == "wrong_type"


@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(
                    [
                        "code",
                        "type",
                        "text",
                        "nl",
                        "options",
                        "pages",
                        "title",
                        "questions",
                        "condition",
                        "question",
                        "equals",
                        "all",
                    ]
                ),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=20,
    )
)
def test_any_json_gives_problems_or_a_questionnaire_never_an_exception(garbage):
    document = {"schema_version": SCHEMA_VERSION, "title": {"nl": "T"}, "pages": garbage}
    questionnaire, problems = from_json(document)
    assert (questionnaire is None) == bool(problems)
    if questionnaire is not None:
        assert check(questionnaire) == []
