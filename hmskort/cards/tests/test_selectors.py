"""Card look-ups."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hmskort.cards.models import ActorType, CardState
from hmskort.cards.numbers import format_card_number
from hmskort.cards.selectors import (
    card_get_by_number,
    card_history,
    cards_for_employment,
    existing_cards_for_pairs,
)
from hmskort.cards.services.transitions import card_transition
from hmskort.cards.tests.factories import CardFactory
from hmskort.eligibility.facts import ExistingCardKind as K

pytestmark = pytest.mark.django_db


def test_card_get_by_number_accepts_the_printed_form():
    card = CardFactory(active=True)
    assert card_get_by_number(format_card_number(card.card_number)) == card
    assert card_get_by_number(f"{card.card_number[:5]}-{card.card_number[5:]}") == card


def test_card_get_by_number_does_not_query_for_a_mistyped_number():
    card = CardFactory(active=True)
    typo = card.card_number[:-1] + str((int(card.card_number[-1]) + 1) % 10)
    with CaptureQueriesContext(connection) as queries:
        assert card_get_by_number(typo) is None
        assert card_get_by_number("") is None
    assert len(queries) == 0


def test_cards_for_employment_newest_first_and_only_that_employment():
    old = CardFactory(expired=True, employer_orgnr="911111111", holder_id="01019012345")
    new = CardFactory(active=True, employer_orgnr="911111111", holder_id="01019012345")
    CardFactory(employer_orgnr="922222222", holder_id="01019012345")

    assert list(cards_for_employment("911111111", "01019012345")) == [new, old]


def test_card_history_oldest_first():
    card = CardFactory(active=True)
    card_transition(
        card=card, to_state=CardState.INVALID, reason_codes=["A"], actor_type=ActorType.JOB
    )
    card_transition(
        card=card, to_state=CardState.INVALID, reason_codes=["B"], actor_type=ActorType.JOB
    )

    assert [h.reason_codes for h in card_history(card)] == [["A"], ["B"]]


@pytest.mark.parametrize(
    ("trait", "kind"),
    [
        ({}, K.PENDING),
        ({"in_production": True}, K.VALID),
        ({"active": True}, K.VALID),
        ({"invalid": True}, K.INVALID),
        ({"blocked": True}, K.BLOCKED),
        ({"expired": True}, K.ENDED),
        ({"returned": True}, K.ENDED),
        ({"confiscated": True}, K.ENDED),
        ({"rejected": True}, K.ENDED),
        ({"cancelled": True}, K.ENDED),
    ],
)
def test_existing_card_kinds(trait, kind):
    card = CardFactory(**trait)
    pair = (card.employer_orgnr, card.holder_id)

    (existing,) = existing_cards_for_pairs([pair])[pair]

    assert existing.kind == kind
    assert (existing.card_number, existing.card_type, existing.valid_until) == (
        card.card_number,
        card.card_type,
        card.valid_until,
    )


def test_existing_cards_for_pairs_in_one_query_without_mixing_pairs():
    a = CardFactory(active=True, employer_orgnr="911111111", holder_id="01019011111")
    b = CardFactory(active=True, employer_orgnr="922222222", holder_id="01019022222")
    excluded = CardFactory(invalid=True, employer_orgnr="911111111", holder_id="01019011111")
    pairs = [
        ("911111111", "01019011111"),
        ("922222222", "01019022222"),
        ("911111111", "01019022222"),  # the cross pair has no card
        ("933333333", "01019033333"),
    ]

    with CaptureQueriesContext(connection) as queries:
        result = existing_cards_for_pairs(pairs, exclude_card_ids=[excluded.pk])

    assert len(queries) == 1
    assert [c.card_number for c in result[pairs[0]]] == [a.card_number]
    assert [c.card_number for c in result[pairs[1]]] == [b.card_number]
    assert result[pairs[2]] == ()
    assert result[pairs[3]] == ()
