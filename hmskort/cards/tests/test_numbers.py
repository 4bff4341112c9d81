"""Card numbers: unique, random, with a check digit that catches typos."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hmskort.cards.numbers import (
    CARD_NUMBER_LENGTH,
    check_digit,
    format_card_number,
    is_valid_card_number,
    new_card_number,
    normalize_card_number,
)


@pytest.fixture(scope="module")
def thousand() -> list[str]:
    return [new_card_number() for _ in range(1000)]


def test_new_numbers_are_ten_digits_with_a_valid_check_digit(thousand):
    for number in thousand:
        assert len(number) == CARD_NUMBER_LENGTH and number.isdigit() and number[0] != "0"
        assert is_valid_card_number(number)
        assert number[-1] == check_digit(number[:-1])


def test_a_thousand_numbers_are_unique_and_not_sequential(thousand):
    assert len(set(thousand)) == 1000
    issued = [int(n) for n in thousand]
    # Consecutively issued numbers are far apart (median jump ~ 3 * 10^9) ...
    jumps = sorted(abs(b - a) for a, b in zip(issued, issued[1:], strict=False))
    assert jumps[len(jumps) // 2] > 10**7
    # ... and issue order is not sorted order.
    assert issued != sorted(issued)


def test_issued_numbers_have_no_close_neighbours():
    rng = random.Random(2026)  # deterministic: the same generator as the seeded population
    values = sorted(int(new_card_number(rng)) for _ in range(1000))
    gaps = [b - a for a, b in zip(values, values[1:], strict=False)]
    assert min(gaps) > 100


def test_seeded_generation_is_reproducible():
    assert [new_card_number(random.Random(7)) for _ in range(3)] == [
        new_card_number(random.Random(7)) for _ in range(3)
    ]


@given(st.integers(min_value=10**8, max_value=10**9 - 1), st.data())
def test_every_single_digit_typo_is_detected(payload, data):
    number = str(payload) + check_digit(str(payload))
    position = data.draw(st.integers(0, CARD_NUMBER_LENGTH - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    typo = number[:position] + wrong + number[position + 1 :]
    assert not is_valid_card_number(typo)


@given(st.integers(min_value=10**8, max_value=10**9 - 1), st.data())
def test_every_swap_of_two_adjacent_digits_is_detected(payload, data):
    number = str(payload) + check_digit(str(payload))
    i = data.draw(st.integers(0, CARD_NUMBER_LENGTH - 2))
    if number[i] == number[i + 1]:
        return  # swapping equal digits is no typo
    swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    assert not is_valid_card_number(swapped)


def test_the_swaps_luhn_would_miss_are_detected():
    # 09 <-> 90 passes a Luhn check; the Damm digit catches it.
    number = next(n for n in (new_card_number() for _ in range(100_000)) if "09" in n[:-1])
    i = number.index("09")
    swapped = number[:i] + "90" + number[i + 2 :]
    assert not is_valid_card_number(swapped)


@pytest.mark.parametrize(
    "raw",
    ["", "123", "12345678901", "abcdefghij", "0" + "000000000", "١٢٣٤٥٦٧٨٩٠", "²" * 10],
)
def test_malformed_input_is_not_a_card_number(raw):
    assert not is_valid_card_number(raw)


def test_printed_and_typed_forms_normalize_to_the_number():
    number = new_card_number()
    printed = format_card_number(number)
    assert printed == f"{number[:4]} {number[4:8]} {number[8:]}"
    assert normalize_card_number(printed) == number
    assert normalize_card_number(f" {number[:4]}-{number[4:]}\t") == number
    assert is_valid_card_number(printed)
