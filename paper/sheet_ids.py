"""Sheet ids: eight random characters and a check character, e.g. ``K7M3-Q9PX-D``.

The alphabet leaves out characters that are easily misread on paper or typed wrongly
(0/O, 1/I/L, U/V, Z/2); the check character (Luhn mod N over that alphabet; N is even, so
doubling is a permutation) catches every single mistyped character and almost every swap
of two neighbouring ones, so a volunteer who types a sheet id wrongly is told so instead
of entering answers for another form. Random, not serial: an id says nothing about the
order in which forms were printed or sent.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXY"
BODY_LENGTH = 8
LENGTH = BODY_LENGTH + 1


def _check_character(body: str) -> str:
    """Luhn mod N: from the right, every second value is doubled (digits summed in base N)."""
    n = len(ALPHABET)
    total, factor = 0, 2
    for character in reversed(body):
        addend = factor * ALPHABET.index(character)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_sheet_id() -> str:
    """A fresh random id with its check character, in compact form (no dashes)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_character(body)


def compact(typed: str) -> str:
    """What a person typed or a scanner read, without spaces and dashes, upper case."""
    return "".join(typed.split()).replace("-", "").upper()


def is_valid(sheet_id: str) -> bool:
    """A compact id of the right length, alphabet and check character."""
    return (
        len(sheet_id) == LENGTH
        and all(character in ALPHABET for character in sheet_id)
        and _check_character(sheet_id[:BODY_LENGTH]) == sheet_id[BODY_LENGTH]
    )


def display(sheet_id: str) -> str:
    """As printed and shown: ``K7M3-Q9PX-D``."""
    return f"{sheet_id[:4]}-{sheet_id[4:8]}-{sheet_id[8:]}"
