"""Indicators as data: per-respondent values, and the shipped liveability definitions."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.indicators import BadIndicator, IndicatorKind, from_json, load, values
from surveys.format import from_json as questionnaire_from_json
from surveys.templates import load_template

RESPONDENTS = [
    {"LEEF_CIJFER": 8, "VEILIG": "4", "SOC_KENNEN": "5", "SOC_OMGANG": "4", "SOC_THUIS": "9"},
    {"LEEF_CIJFER": 6, "VEILIG": "2", "SOC_KENNEN": "2", "SOC_OMGANG": "2", "SOC_THUIS": "3"},
    {"VEILIG": "9", "VERHUIZEN_WAAROM": ["werk", "woning"]},
]


def by_code():
    return {indicator.code: indicator for indicator in load("leefbaarheid")}


def test_a_mean_counts_only_those_who_answered():
    value, counted = values(by_code()["leefbaarheid_cijfer"], RESPONDENTS)
    assert counted.tolist() == [1, 1, 0] and value[:2].tolist() == [8, 6]


def test_a_share_leaves_out_only_its_own_dont_know():
    value, counted = values(
        by_code()["verhuisgeneigdheid"], [{"VERHUIZEN": "9"}, {"VERHUIZEN": "4"}]
    )
    assert counted.tolist() == [0, 1] and value[1] == 0
    value, counted = values(by_code()["veiligheid"], RESPONDENTS)  # no "don't know" to leave out
    assert counted.tolist() == [1, 1, 1] and value.tolist() == [1, 0, 0]


def test_a_share_of_a_multiple_choice_counts_any_chosen_category():
    value, counted = values(by_code()["verhuismotief"], RESPONDENTS)
    assert counted.tolist() == [0, 0, 1] and value[2] == 1


def test_a_scale_counts_only_respondents_who_answered_all_its_items():
    (scale,) = from_json(
        [
            {
                "code": "s",
                "kind": "scale",
                "questions": ["SOC_KENNEN", "SOC_OMGANG", "SOC_THUIS"],
                "excluded": ["9"],
            }
        ]
    )
    assert scale.min_items == 3
    value, counted = values(scale, RESPONDENTS)
    assert counted.tolist() == [0, 1, 0]  # the first said "don't know" to one item
    assert value[1] == pytest.approx(np.mean([2, 2, 3]))


def test_the_shipped_scales_use_their_whole_item_set():
    for indicator in by_code().values():
        if indicator.kind is IndicatorKind.SCALE:
            assert indicator.min_items == len(indicator.questions), indicator.code


def test_an_explicit_minimum_still_counts_part_of_the_items():
    indicator = from_json(
        [
            {
                "code": "s",
                "kind": "scale",
                "questions": ["SOC_KENNEN", "SOC_OMGANG", "SOC_THUIS"],
                "min_items": 2,
                "excluded": ["9"],
            }
        ]
    )[0]
    value, counted = values(indicator, RESPONDENTS)
    assert counted.tolist() == [1, 1, 0]
    assert value[:2] == pytest.approx([4.5, np.mean([2, 2, 3])])


def test_nothing_is_left_out_unless_the_definition_says_so():
    (share,) = from_json([{"code": "x", "kind": "share", "questions": ["Q"], "categories": ["1"]}])
    assert share.excluded == ()
    value, counted = values(share, [{"Q": "9"}, {"Q": "1"}])
    assert counted.tolist() == [1, 1] and value.tolist() == [0, 1]


@pytest.mark.parametrize(
    "entry",
    [
        {"code": "x", "kind": "share", "questions": ["A"]},
        {"code": "x", "kind": "mean", "questions": ["A", "B"]},
        {"code": "x", "kind": "scale", "questions": ["A"], "min_items": 2},
        {"code": "x", "kind": "median", "questions": ["A"]},
        {"kind": "mean", "questions": ["A"]},
    ],
)
def test_bad_definitions_are_refused(entry):
    with pytest.raises(BadIndicator):
        from_json([entry])


def test_every_liveability_indicator_is_defined_on_questions_that_exist():
    questionnaire, _ = questionnaire_from_json(load_template("leefbaarheid"))
    codes = {q.code for q in questionnaire.questions()} | {
        item.code for q in questionnaire.questions() for item in q.items
    }
    defined = by_code()
    template_indicators = {q.indicator for q in questionnaire.questions() if q.indicator}
    assert template_indicators == set(defined)
    for indicator in defined.values():
        assert set(indicator.questions) <= codes, indicator.code
    assert {c for c, i in defined.items() if i.sensitive} == {
        "veiligheid",
        "verhuisgeneigdheid",
        "verhuismotief",
    }
    assert defined["sociale_samenhang"].kind is IndicatorKind.SCALE


def test_a_mark_of_9_counts_for_a_mean():
    (mark,) = from_json([{"code": "cijfer", "kind": "mean", "questions": ["LEEF_CIJFER"]}])
    value, answered = values(mark, [{"LEEF_CIJFER": 9}, {"LEEF_CIJFER": "9"}])
    assert value.tolist() == [9.0, 9.0] and answered.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("categories", "whole"),
    [
        (["4", "5"], True),
        (["3"], True),
        (["1", "2", "3"], True),
        (["5"], False),
        (["2", "3"], False),
    ],
)
def test_agree_scale_shares_count_whole_categories_of_three(categories, whole):
    from analysis.indicators import in_three_categories

    (share,) = from_json(
        [{"code": "x", "kind": "share", "questions": ["Q"], "categories": categories}]
    )
    assert in_three_categories(share) is whole
