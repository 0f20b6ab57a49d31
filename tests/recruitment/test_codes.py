"""Codes: unguessable, typo-proof, without look-alike characters; checked and redeemed once."""

import itertools
from datetime import date, timedelta

import pytest

from core.db import db
from recruitment import codes
from recruitment.models import RecruitmentBatch, RecruitmentCode
from recruitment.services import CodeError, CodeProblem, find_code, redeem

AMBIGUOUS = set("01OILU")


def test_alphabet_has_no_look_alikes():
    assert not AMBIGUOUS & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 30


def test_generated_codes_use_only_the_alphabet_and_carry_a_valid_check_character():
    for _ in range(500):
        code = codes.generate()
        assert len(code) == codes.RANDOM_LENGTH + 1
        assert set(code) <= set(codes.ALPHABET)
        assert codes.normalise(code) == code


def test_generated_codes_do_not_repeat():
    generated = [codes.generate() for _ in range(5000)]
    assert len(set(generated)) == len(generated)


def test_formatted_codes_are_read_back_whatever_the_case_and_spacing():
    code = codes.generate()
    shown = codes.formatted(code)
    assert shown.count("-") == 2 and shown.replace("-", "") == code
    assert codes.normalise(f"  {shown.lower()} ") == code
    assert codes.normalise(shown.replace("-", " ")) == code


def test_every_single_mistyped_character_is_caught():
    for _ in range(20):
        code = codes.generate()
        for position, original in enumerate(code):
            for typed in codes.ALPHABET:
                if typed == original:
                    continue
                wrong = code[:position] + typed + code[position + 1 :]
                with pytest.raises(codes.MalformedCode):
                    codes.normalise(wrong)


def swaps_of_every_pair_of_characters():
    """Valid codes with every ordered pair of different characters side by side in the body,
    each with that pair swapped."""
    base = codes.generate()[:-1]
    for position in range(codes.RANDOM_LENGTH - 1):
        for a, b in itertools.permutations(codes.ALPHABET, 2):
            body = base[:position] + a + b + base[position + 2 :]
            check = codes.check_character(body)
            if check is None:  # a check scheme may leave a few bodies without a character
                continue
            yield body + check, base[:position] + b + a + base[position + 2 :] + check


def test_every_swap_of_two_neighbours_is_caught():
    for code, swapped in swaps_of_every_pair_of_characters():
        assert codes.normalise(code) == code
        with pytest.raises(codes.MalformedCode):
            codes.normalise(swapped)
    for _ in range(200):  # the check character itself swapped with its neighbour
        code = codes.generate()
        if code[-2] != code[-1]:
            with pytest.raises(codes.MalformedCode):
                codes.normalise(code[:-2] + code[-1] + code[-2])


@pytest.mark.parametrize("typed", ["", "ABC", "K7Q2-M9XH-4TWX", "O0O0-O0O0-O0O"])
def test_malformed_input_is_refused(typed):
    with pytest.raises(codes.MalformedCode):
        codes.normalise(typed)


def test_only_the_hash_is_stored():
    code = codes.generate()
    assert codes.code_hash(code) != code and len(codes.code_hash(code)) == 64
    assert code not in codes.code_hash(code)


# --- find_code and redeem, on the database -----------------------------------------------


@pytest.fixture
def stored_code(app, make_village):
    """A stored code of a batch that expires in a week; returns (plain code, batch)."""

    def store(expires_on=None):
        code = codes.generate()
        batch = RecruitmentBatch(
            village=make_village("Orvelte"),
            size=1,
            expires_on=expires_on or date.today() + timedelta(days=7),
            codes=[RecruitmentCode(code_hash=codes.code_hash(code))],
        )
        db.session.add(batch)
        db.session.commit()
        return code, batch

    return store


def problem_with(typed: str, today=None) -> CodeProblem:
    with pytest.raises(CodeError) as caught:
        find_code(typed, today)
    return caught.value.problem


def test_a_valid_code_is_found_as_typed_on_the_letter(stored_code):
    code, batch = stored_code()
    found = find_code(codes.formatted(code).lower())
    assert found.batch_id == batch.id and found.redeemed_at is None


def test_a_typo_is_reported_as_malformed_not_unknown(stored_code):
    code, _batch = stored_code()
    typo = ("2" if code[0] != "2" else "3") + code[1:]
    assert problem_with(typo) is CodeProblem.MALFORMED
    assert problem_with("hello") is CodeProblem.MALFORMED


def test_a_well_formed_code_we_never_made_is_unknown(stored_code):
    stored_code()
    assert problem_with(codes.generate()) is CodeProblem.UNKNOWN


def test_a_code_works_on_its_last_day_and_not_after(stored_code):
    code, batch = stored_code(expires_on=date(2030, 6, 30))
    assert find_code(code, today=date(2030, 6, 30)).batch_id == batch.id
    assert problem_with(code, today=date(2030, 7, 1)) is CodeProblem.EXPIRED


def test_a_code_is_redeemed_once(stored_code):
    code, _batch = stored_code()
    found = find_code(code)
    assert redeem(found) is True
    assert redeem(found) is False
    db.session.commit()
    assert problem_with(code) is CodeProblem.USED
