"""The caseworkers' card admin: read-only state, actions through the services."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from hmskort.cards.models import Card, CardState, CardStatusHistory
from hmskort.cards.numbers import format_card_number
from hmskort.cards.services.transitions import card_transition
from hmskort.cards.tests.factories import CardFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:cards_card_changelist"


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("saksbehandler", "s@example.org", "pw-123456")
    client.force_login(user)
    return client


def test_card_list_masks_the_holder_id(staff):
    card = CardFactory(active=True, holder_id="01019012345")

    response = staff.get(reverse(CHANGELIST))

    body = response.content.decode()
    assert response.status_code == 200
    assert "010190*****" in body
    assert "01019012345" not in body
    assert format_card_number(card.card_number) in body


@pytest.mark.parametrize("field", ["card_number", "printed", "employer_orgnr", "holder_id"])
def test_search_by_card_number_orgnr_or_holder(staff, field):
    card = CardFactory(active=True, employer_orgnr="987654321", holder_id="01019012345")
    other = CardFactory(active=True)
    term = format_card_number(card.card_number) if field == "printed" else getattr(card, field)

    response = staff.get(reverse(CHANGELIST), {"q": term})

    assert list(response.context["cl"].result_list) == [card]
    assert other not in response.context["cl"].result_list


def test_filter_by_state_and_type(staff):
    active = CardFactory(active=True, card_type="RH")
    CardFactory(active=True, card_type="BA")
    CardFactory(invalid=True, card_type="RH")

    response = staff.get(reverse(CHANGELIST), {"state": "active", "card_type": "RH"})

    assert list(response.context["cl"].result_list) == [active]


def test_cards_cannot_be_added_deleted_or_edited_in_the_admin(staff):
    card = CardFactory(active=True)
    url = reverse("admin:cards_card_change", args=[card.pk])

    assert staff.get(reverse("admin:cards_card_add")).status_code == 403
    assert staff.get(reverse("admin:cards_card_delete", args=[card.pk])).status_code == 403
    response = staff.post(url, {"state": "returned", "holder_name": "X"})
    card.refresh_from_db()
    assert card.state == CardState.ACTIVE
    assert response.status_code in (200, 302)


def test_change_page_shows_the_history_read_only(staff):
    card = CardFactory(active=True)
    card_transition(
        card=card, to_state=CardState.INVALID, reason_codes=["PERSON_DEAD"], actor_type="job"
    )

    response = staff.get(reverse("admin:cards_card_change", args=[card.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "PERSON_DEAD" in body
    formset = response.context["inline_admin_formsets"][0]
    assert not formset.has_add_permission
    assert not formset.has_change_permission
    assert not formset.has_delete_permission


def test_action_block_as_lost_goes_through_the_service(staff):
    ok = CardFactory(active=True)
    pending = CardFactory()

    response = staff.post(
        reverse(CHANGELIST),
        {"action": "block_as_lost", "_selected_action": [ok.pk, pending.pk]},
        follow=True,
    )

    ok.refresh_from_db()
    pending.refresh_from_db()
    assert (ok.state, ok.block_reason) == (CardState.BLOCKED, "lost")
    assert pending.state == CardState.PENDING
    row = CardStatusHistory.objects.get(card=ok)
    assert (row.actor_type, row.actor) == ("staff", "saksbehandler")
    messages = [str(m) for m in response.context["messages"]]
    assert any(format_card_number(pending.card_number) in m for m in messages)  # the error
    assert any("Sperret: 1" in m for m in messages)


def test_action_register_returned(staff):
    card = CardFactory(expired=True)

    staff.post(reverse(CHANGELIST), {"action": "register_returned", "_selected_action": [card.pk]})

    assert Card.objects.get(pk=card.pk).state == CardState.RETURNED


def test_history_admin_is_read_only(staff):
    card = CardFactory(active=True)
    card_transition(card=card, to_state=CardState.INVALID, reason_codes=["X"], actor_type="job")
    row = CardStatusHistory.objects.get()

    assert staff.get(reverse("admin:cards_cardstatushistory_changelist")).status_code == 200
    assert staff.get(reverse("admin:cards_cardstatushistory_add")).status_code == 403
    assert (
        staff.get(reverse("admin:cards_cardstatushistory_delete", args=[row.pk])).status_code == 403
    )
    change = reverse("admin:cards_cardstatushistory_change", args=[row.pk])
    assert staff.get(change).status_code == 200  # view only
    staff.post(change, {"note": "rewritten"})
    row.refresh_from_db()
    assert row.note == ""
