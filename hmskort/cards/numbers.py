"""Card numbers: ten digits, the last a Damm check digit, the rest random.

Random (not sequential) so that one card number reveals nothing about its
neighbours, and so that guessing a valid number is improbable (about 1 in
2,000 at national scale); the check digit lets a typo be caught without a
database look-up. Damm's algorithm (not Luhn) because it catches every
single-digit error *and* every swap of two adjacent digits (Luhn misses 09/90).
"""

from __future__ import annotations

import random
import secrets

CARD_NUMBER_LENGTH = 10

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def _damm(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def check_digit(payload: str) -> str:
    """The Damm check digit for a string of digits."""
    return str(_damm(payload))


def normalize_card_number(raw: str) -> str:
    """Strip spaces and dashes a person may type or a reader may add."""
    return "".join(ch for ch in raw if ch not in " -\u00a0\t")


def is_valid_card_number(raw: str) -> bool:
    number = normalize_card_number(raw)
    return (
        len(number) == CARD_NUMBER_LENGTH
        and number.isascii()
        and number.isdigit()
        and number[0] != "0"
        and _damm(number) == 0
    )


def new_card_number(rng: random.Random | None = None) -> str:
    """A new random card number. Uniqueness is enforced by the database; the
    caller retries on collision. `rng` makes generation reproducible (seeding)."""
    if rng is None:
        payload = str(
            secrets.randbelow(9 * 10 ** (CARD_NUMBER_LENGTH - 2)) + 10 ** (CARD_NUMBER_LENGTH - 2)
        )
    else:
        payload = str(rng.randrange(10 ** (CARD_NUMBER_LENGTH - 2), 10 ** (CARD_NUMBER_LENGTH - 1)))
    return payload + check_digit(payload)


def format_card_number(number: str) -> str:
    """As printed on the card: 1234 5678 90."""
    n = normalize_card_number(number)
    return f"{n[:4]} {n[4:8]} {n[8:]}"
