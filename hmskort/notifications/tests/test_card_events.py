"""Card state changes -> messages to the orderer and the company, in the same transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from hmskort.cards.models import ActorType, CardState
from hmskort.cards.services.transitions import CardChange, card_transition, card_transition_bulk
from hmskort.cards.tests.factories import CardFactory
from hmskort.eligibility.reasons import ReasonCode, get_reason
from hmskort.notifications import renderers
from hmskort.notifications.models import OutboxMessage, PortalMessage
from hmskort.notifications.services import (
    card_event_notify,
    company_contact_set,
    outbox_deliver,
)

pytestmark = pytest.mark.django_db

S = CardState
ORGNR = "912345670"


@pytest.fixture
def no_temporary_card(monkeypatch):
    monkeypatch.setattr(renderers, "temporary_card_renderer", lambda: None)


@pytest.fixture
def fake_temporary_card(monkeypatch):
    """Stands in for helper G's `temporary_card_pdf(card) -> bytes` (our wiring, not its PDF)."""
    monkeypatch.setattr(
        renderers,
        "temporary_card_renderer",
        lambda: lambda card: f"%PDF-1.4 midlertidig {card.card_number}".encode(),
    )


def notify(card, from_state, to_state, reasons=(), history_id=1):
    with transaction.atomic():
        return card_event_notify(
            card=card,
            from_state=from_state,
            to_state=to_state,
            reason_codes=reasons,
            history_id=history_id,
        )


def pending_card(**kwargs):
    defaults = {
        "employer_orgnr": ORGNR,
        "employer_name": "BYGG OG BETONG AS",
        "holder_name": "Kari Nordmann",
        "orderer_email": "bestiller@bygg.example",
        "ordered_by": "ola",
    }
    return CardFactory(**{**defaults, **kwargs})


def test_a_rejected_order_tells_the_orderer_why_and_what_to_do_in_norwegian_and_english():
    card = pending_card(state=S.REJECTED, reason_codes=["EMPLOYMENT_NOT_REGISTERED"])

    assert notify(card, S.PENDING, S.REJECTED, ["EMPLOYMENT_NOT_REGISTERED"], history_id=41) == 1

    message = OutboxMessage.objects.get()
    reason = get_reason("EMPLOYMENT_NOT_REGISTERED")
    assert message.key == "card:41:rejected"
    assert message.to == ["bestiller@bygg.example"]
    assert "avslått" in message.subject and "rejected" in message.subject
    nb, en = message.body.split("-- English version below --")
    assert reason.public_nb in nb and reason.action_nb in nb and "Kari Nordmann" in nb
    assert reason.public_en in en and reason.action_en in en
    portal = PortalMessage.objects.get()
    assert (portal.key, portal.orgnr, portal.recipient) == ("card:41:rejected", ORGNR, "ola")
    assert portal.body == message.body


def test_the_same_event_twice_gives_one_message():
    card = pending_card(state=S.REJECTED)
    notify(card, S.PENDING, S.REJECTED, ["VAT_UNCLEAR"], history_id=5)
    notify(card, S.PENDING, S.REJECTED, ["VAT_UNCLEAR"], history_id=5)
    assert OutboxMessage.objects.count() == 1
    assert PortalMessage.objects.count() == 1


def test_an_order_cancelled_after_20_days_is_told_but_a_users_own_cancellation_is_not():
    card = pending_card(state=S.CANCELLED)
    notify(card, S.PENDING, S.CANCELLED, ["CARD_RETURNED"], history_id=1)  # not a timeout
    assert not OutboxMessage.objects.exists()

    notify(
        card,
        S.PENDING,
        S.CANCELLED,
        [ReasonCode.ORDER_CANCELLED_TIMEOUT, ReasonCode.VAT_UNCLEAR],
        history_id=2,
    )
    message = OutboxMessage.objects.get()
    assert "kansellert" in message.subject
    assert "20 dager" in message.body and "20 days" in message.body
    assert get_reason("VAT_UNCLEAR").action_nb in message.body


def test_an_effectuated_order_sends_the_receipt_without_attachment_when_no_temporary_card(
    no_temporary_card,
):
    card = pending_card(in_production=True)
    notify(card, S.PENDING, S.IN_PRODUCTION, history_id=9)
    message = OutboxMessage.objects.get(key="card:9:effectuated")
    assert "kvittering" in message.subject.lower()
    assert message.attachments.count() == 0
    assert "midlertidig" not in message.body


def test_the_receipt_carries_the_temporary_card_when_production_provides_it(
    fake_temporary_card, smtp_server
):
    card = pending_card(in_production=True)
    notify(card, S.PENDING, S.IN_PRODUCTION, history_id=9)
    assert outbox_deliver() == 1
    [received] = smtp_server.received
    assert received.rcpt_tos == ["bestiller@bygg.example"]
    assert "QR-koden på det midlertidige kortet er gyldig i 60 dager" in received.text
    assert received.attachments == [
        (
            f"midlertidig-hms-kort-{card.card_number}.pdf",
            "application/pdf",
            f"%PDF-1.4 midlertidig {card.card_number}".encode(),
        )
    ]


def test_an_order_without_an_orderer_address_is_still_in_the_portal():
    card = pending_card(state=S.REJECTED)
    card.orderer_email = ""
    notify(card, S.PENDING, S.REJECTED, ["VAT_UNCLEAR"])
    assert not OutboxMessage.objects.exists()
    assert PortalMessage.objects.filter(orgnr=ORGNR).count() == 1


def test_an_invalid_card_is_told_to_the_company_contact_and_the_orderer():
    company_contact_set(orgnr=ORGNR, email="hms@bygg.example", name="Kontakt Person")
    card = pending_card(invalid=True)
    notify(card, S.ACTIVE, S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"], history_id=77)

    by_recipient = {m.to[0]: m for m in OutboxMessage.objects.all()}
    assert set(by_recipient) == {"hms@bygg.example", "bestiller@bygg.example"}
    for message in by_recipient.values():
        assert card.card_number in message.body
        assert get_reason("EMPLOYMENT_NOT_REGISTERED").public_nb in message.body
        assert "ugyldig" in message.subject and "invalid" in message.subject
    assert PortalMessage.objects.get().orgnr == ORGNR


def test_an_invalid_card_without_a_known_contact_goes_to_the_orderer_only():
    card = pending_card(invalid=True)
    notify(card, S.ACTIVE, S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
    assert [m.to for m in OutboxMessage.objects.all()] == [["bestiller@bygg.example"]]


def test_changes_nobody_is_told_about_write_nothing():
    card = pending_card(invalid=True)
    notify(card, S.INVALID, S.INVALID, ["PERSON_DEAD"])  # invalid for another reason
    notify(card, S.IN_PRODUCTION, S.ACTIVE)  # shipped
    notify(card, "", S.PENDING)  # ordered
    assert not OutboxMessage.objects.exists()
    assert not PortalMessage.objects.exists()


# Through the card state machine (needs the in-transaction hook in hmskort.cards).


def test_a_rejection_through_the_state_machine_queues_the_email_with_the_change(
    no_temporary_card,
):
    card = pending_card()
    card_transition(
        card=card,
        to_state=S.REJECTED,
        reason_codes=["EMPLOYMENT_NOT_REGISTERED"],
        actor_type=ActorType.JOB,
    )
    history = card.history.get(to_state=S.REJECTED)
    assert OutboxMessage.objects.get().key == f"card:{history.pk}:rejected"


def test_a_rolled_back_card_change_leaves_no_message():
    card = pending_card()
    with pytest.raises(RuntimeError), transaction.atomic():
        card_transition(
            card=card, to_state=S.REJECTED, reason_codes=["VAT_UNCLEAR"], actor_type=ActorType.JOB
        )
        assert OutboxMessage.objects.count() == 1  # written inside the transaction
        raise RuntimeError("something later in the same transaction failed")
    assert not OutboxMessage.objects.exists()
    assert not PortalMessage.objects.exists()
    card.refresh_from_db()
    assert card.state == S.PENDING


def test_the_nightly_bulk_change_sends_one_email_per_recipient_not_per_card():
    company_contact_set(orgnr=ORGNR, email="hms@bygg.example")
    cards = [pending_card(active=True) for _ in range(3)]
    other_orderer = pending_card(active=True, ordered_by="per", orderer_email="per@bygg.example")
    cards.append(other_orderer)

    changed = card_transition_bulk(
        changes=[CardChange(c.pk, S.INVALID, ("COMPANY_BANKRUPT",)) for c in cards],
        actor_type=ActorType.JOB,
    )

    assert changed == 4
    by_recipient = {m.to[0]: m for m in OutboxMessage.objects.all()}
    assert set(by_recipient) == {"hms@bygg.example", "bestiller@bygg.example", "per@bygg.example"}
    assert all(c.card_number in by_recipient["hms@bygg.example"].body for c in cards)
    assert "4 kort er blitt ugyldige" in by_recipient["hms@bygg.example"].subject
    assert sum(c.card_number in by_recipient["bestiller@bygg.example"].body for c in cards) == 3
    assert other_orderer.card_number in by_recipient["per@bygg.example"].body
    assert cards[0].card_number not in by_recipient["per@bygg.example"].body
    assert PortalMessage.objects.count() == 1

    # A re-run of the same changes is a no-op for the cards and for the messages.
    assert (
        card_transition_bulk(
            changes=[CardChange(c.pk, S.INVALID, ("COMPANY_BANKRUPT",)) for c in cards],
            actor_type=ActorType.JOB,
        )
        == 0
    )
    assert OutboxMessage.objects.count() == 3


@pytest.mark.skipif(
    renderers.temporary_card_renderer() is None,
    reason="hmskort.production.temporary_card.temporary_card_pdf is not there yet",
)
def test_effectuation_through_the_state_machine_e_mails_the_real_temporary_card(smtp_server):
    card = pending_card()
    card_transition(card=card, to_state=S.IN_PRODUCTION, actor_type=ActorType.JOB)

    assert outbox_deliver() == 1

    [received] = smtp_server.received
    [(filename, content_type, pdf)] = received.attachments
    assert filename == f"midlertidig-hms-kort-{card.card_number}.pdf"
    assert content_type == "application/pdf"
    assert pdf.startswith(b"%PDF")
    assert "gyldig til og med" in received.text
