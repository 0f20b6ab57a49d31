"""Recruitment codes: random, typo-proof, stored only as a hash.

A code is 10 random characters plus one check character, from an alphabet without
look-alikes (no 0/O, 1/I/L, U), printed in groups as `K7Q2-M9XH-4TW`. The check
character (Luhn mod N over the alphabet) catches every single mistyped character and
every swap of two neighbours, so a typo is reported as a typo rather than as unknown.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 10  # 30**10 ≈ 5.9e14 possibilities: about 49 bits
GROUP = 4


class MalformedCode(ValueError):
    """Not something a letter of ours can hold (wrong length or a failing check character)."""


def check_character(body: str) -> str:
    """Luhn mod N check character for `body` over ALPHABET."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def generate() -> str:
    """A new random code with its check character, unformatted."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def formatted(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str) -> str:
    """What a person typed, as a bare code: case, spaces and dashes forgiven.

    Raises MalformedCode when it cannot be one of our codes.
    """
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(cleaned) != RANDOM_LENGTH + 1 or any(ch not in ALPHABET for ch in cleaned):
        raise MalformedCode(typed)
    if check_character(cleaned[:-1]) != cleaned[-1]:
        raise MalformedCode(typed)
    return cleaned


def code_hash(code: str) -> str:
    """The stored form. Codes carry ~49 random bits and expire, so plain SHA-256 suffices."""
    return hashlib.sha256(code.encode()).hexdigest()
