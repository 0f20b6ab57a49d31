"""The designer's edits on plain definitions, and what counts as a change of meaning."""

import copy

import pytest

from surveys import changes, editing
from surveys.format import from_json
from surveys.templates import load_template


def codes(definition):
    return [[q["code"] for q in page["questions"]] for page in definition["pages"]]


@pytest.fixture
def definition():
    return load_template("leefbaarheid")


def test_edits_never_touch_their_input(definition):
    original = copy.deepcopy(definition)
    first = definition["pages"][0]["questions"][0]["code"]
    editing.move_question(definition, first, 1)
    editing.duplicate_question(definition, first)
    editing.remove_question(definition, first)
    editing.move_page(definition, definition["pages"][0]["code"], 1)
    assert definition == original


def test_a_question_moves_across_page_edges_and_stops_at_the_ends():
    definition = {
        "pages": [
            {"code": "P1", "questions": [{"code": "A"}, {"code": "B"}]},
            {"code": "P2", "questions": [{"code": "C"}]},
        ]
    }
    assert codes(editing.move_question(definition, "B", 1)) == [["A"], ["B", "C"]]
    assert codes(editing.move_question(definition, "C", -1)) == [["A", "B", "C"], []]
    assert codes(editing.move_question(definition, "A", 1)) == [["B", "A"], ["C"]]
    assert codes(editing.move_question(definition, "A", -1)) == codes(definition)
    assert codes(editing.move_question(definition, "C", 1)) == codes(definition)


def test_a_duplicated_grid_gets_free_codes_for_itself_and_its_items(definition):
    grid = next(
        q for page in definition["pages"] for q in page["questions"] if q["type"] == "likert_grid"
    )
    copied, new_code = editing.duplicate_question(definition, grid["code"])
    assert new_code == f"{grid['code']}_2"
    twin = editing.question(copied, new_code)
    assert [i["code"] for i in twin["items"]] == [f"{i['code']}_2" for i in grid["items"]]
    assert from_json(copied)[1] == []


def test_codes_before_a_place_are_the_earlier_answerable_ones():
    definition = {
        "pages": [
            {
                "code": "P1",
                "questions": [
                    {"code": "A", "type": "single"},
                    {"code": "I", "type": "info"},
                    {"code": "G", "type": "likert_grid", "items": [{"code": "G1"}, {"code": "G2"}]},
                ],
            },
            {"code": "P2", "questions": [{"code": "B", "type": "text"}]},
        ]
    }
    assert editing.codes_before(definition, page=0, question=0) == []
    assert editing.codes_before(definition, page=1) == ["A", "G", "G1", "G2"]
    assert editing.codes_before(definition, page=1, question=1) == ["A", "G", "G1", "G2", "B"]


def test_only_text_changes_keep_the_structure(definition):
    typo = copy.deepcopy(definition)
    typo["pages"][0]["questions"][0]["text"]["nl"] += " (aangepast)"
    assert changes.same_structure(definition, typo)
    recoded = copy.deepcopy(definition)
    recoded["pages"][0]["questions"][1]["options"][0]["code"] = "X"
    assert not changes.same_structure(definition, recoded)


def test_changes_are_described_with_their_codes(definition):
    changed = copy.deepcopy(definition)
    first = changed["pages"][0]["questions"][0]
    old_text = dict(first["text"])
    first["text"]["nl"] = "Nieuwe vraag"
    changed["pages"][0]["questions"][1]["options"].pop()
    removed = changed["pages"][-1]["questions"].pop()
    described = changes.describe(definition, changed)
    assert {
        "what": "question_text_changed",
        "code": first["code"],
        "old": old_text,
        "new": first["text"],
    } in described
    assert {
        "what": "question_options_changed",
        "code": changed["pages"][0]["questions"][1]["code"],
    } in described
    assert {"what": "question_removed", "code": removed["code"]} in described
    assert changes.describe(definition, definition) == []
