"""The demo population's pending orders come with an approved photo and ID, so
they wait for the registers only (what the order processing decides too)."""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.cards.models import Card
from hmskort.cards.selectors import order_facts_for_pairs
from hmskort.eligibility.facts import DocumentsState
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Purpose
from hmskort.portal.models import UploadSet
from hmskort.registers.population import seed_population

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 2)


def test_seeded_pending_orders_have_approved_documents_and_agree_with_the_order_rules():
    seed_population(preset="demo", seed=7, today=TODAY)
    pending = list(Card.objects.filter(state="pending"))
    assert pending
    facts = order_facts_for_pairs(
        [(c.employer_orgnr, c.holder_id) for c in pending],
        exclude_card_ids=[c.pk for c in pending],
    )
    for card in pending:
        pair = (card.employer_orgnr, card.holder_id)
        assert facts[pair].documents is DocumentsState.APPROVED
        verdict = evaluate(
            facts[pair], card_type=card.card_type, today=TODAY, purpose=Purpose.ORDER
        )
        assert card.reason_codes == verdict.reason_codes
    assert UploadSet.objects.count() == len(pending)

    seed_population(preset="demo", seed=7, today=TODAY)  # a re-seed replaces them
    assert UploadSet.objects.count() == Card.objects.filter(state="pending").count()
