"""Recruitment codes: random, typo-proof, stored only as a hash.

A code is 10 random characters plus one check character, from an alphabet without
look-alikes (no 0/O, 1/I/L, U), printed in groups as `K7Q2-M9XH-4TW`. The check
character (a position-weighted sum modulo the prime 31) catches every single mistyped
character and every swap of two neighbours, so a typo is reported as a typo rather than
as unknown.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 10  # 30**10 ≈ 5.9e14 possibilities: about 49 bits
GROUP = 4


class MalformedCode(ValueError):
    """Not something a letter of ours can hold (wrong length or a failing check character)."""


#: A prime just above the alphabet's size: weighted sums modulo a prime catch every single
#: substitution and every swap of two neighbours. (Luhn mod N misses 2Z <-> Z2.)
MODULUS = 31


def _weighted_sum(code: str) -> int:
    return sum(weight * ALPHABET.index(char) for weight, char in enumerate(code, start=1))


def check_character(body: str) -> str | None:
    """The character that makes the weighted sum of `body` plus it zero modulo 31, or None
    when that would be the one value (30) the alphabet has no character for."""
    weight = len(body) + 1
    value = -_weighted_sum(body) * pow(weight, -1, MODULUS) % MODULUS
    return ALPHABET[value] if value < len(ALPHABET) else None


def generate() -> str:
    """A new random code with its check character, unformatted."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
        check = check_character(body)
        if check is not None:  # 1 body in 31 has no check character: draw again
            return body + check


def formatted(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str) -> str:
    """What a person typed, as a bare code: case, spaces and dashes forgiven.

    Raises MalformedCode when it cannot be one of our codes.
    """
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(cleaned) != RANDOM_LENGTH + 1 or any(ch not in ALPHABET for ch in cleaned):
        raise MalformedCode(typed)
    if _weighted_sum(cleaned) % MODULUS:
        raise MalformedCode(typed)
    return cleaned


def code_hash(code: str) -> str:
    """The stored form. Codes carry ~49 random bits and expire, so plain SHA-256 suffices."""
    return hashlib.sha256(code.encode()).hexdigest()
