"""Sheet ids: random, with a check character that catches a volunteer's typing mistakes."""

from __future__ import annotations

import pytest

from paper.sheet_ids import ALPHABET, LENGTH, compact, display, is_valid, new_sheet_id


def test_new_ids_are_valid_distinct_and_printable():
    ids = {new_sheet_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(sheet_id) == LENGTH and is_valid(sheet_id) for sheet_id in ids)
    assert not set("".join(ids)) & set("01OILUVZ")


def test_what_a_person_types_is_read_back():
    sheet_id = new_sheet_id()
    assert compact(f" {display(sheet_id).lower()} ") == sheet_id
    assert display(sheet_id).count("-") == 2


@pytest.mark.parametrize("position", range(LENGTH))
def test_every_single_mistyped_character_is_caught(position):
    sheet_id = new_sheet_id()
    for wrong in ALPHABET:
        if wrong != sheet_id[position]:
            typo = sheet_id[:position] + wrong + sheet_id[position + 1 :]
            assert not is_valid(typo)


def test_almost_every_swap_of_neighbours_is_caught():
    swaps = caught = 0
    for _ in range(300):
        sheet_id = new_sheet_id()
        for i in range(LENGTH - 1):
            if sheet_id[i] != sheet_id[i + 1]:
                swapped = sheet_id[:i] + sheet_id[i + 1] + sheet_id[i] + sheet_id[i + 2 :]
                swaps += 1
                caught += not is_valid(swapped)
    assert caught / swaps > 0.97


def test_ids_of_the_wrong_shape_are_refused():
    assert not is_valid("")
    assert not is_valid("ABCDEFGH")
    assert not is_valid(new_sheet_id() + "2")
    assert not is_valid("0" * LENGTH)
