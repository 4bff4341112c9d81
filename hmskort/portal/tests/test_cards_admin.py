"""Administer cards: block, returned and shredded, expiring with re-order; settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hmskort.cards.models import Card, CardState
from hmskort.cards.tests.factories import card_for_employment
from hmskort.identity.tests.factories import portal_user
from hmskort.notifications.models import CompanyContact
from hmskort.portal.models import CartItem, CompanySettings, DeliveryAddress
from hmskort.portal.tests.conftest import url
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory, RolleFactory

pytestmark = pytest.mark.django_db


def test_block_lost_card_then_reorder(owner_client, company, address, owner):
    employment = ArbeidsforholdFactory(arbeidsgiver=company)
    card = card_for_employment(employment, active=True)
    page = owner_client.get(url("card_block", company, card_id=card.pk))
    assert "Sperr kortet" in page.content.decode()
    owner_client.post(url("card_block", company, card_id=card.pk), {"reason": "lost"})
    card.refresh_from_db()
    assert card.state == CardState.BLOCKED and card.block_reason == "lost"
    assert card.history.last().actor == owner.identifikator
    # A new card can now be ordered; it replaces the blocked one.
    from hmskort.portal.refs import person_ref

    owner_client.post(
        url("cart_add", company),
        {"person": person_ref(company.organisasjonsnummer, employment.arbeidstaker.identifikator)},
    )
    item = CartItem.objects.get()
    assert item.replaces_lost_card
    CartItem.objects.update(declaration=True, delivery_address=address)
    owner_client.post(
        url("checkout", company), {"payment_method": "invoice", "orderer_email": "a@example.no"}
    )
    new = Card.objects.exclude(pk=card.pk).get()
    assert new.state == CardState.PENDING and new.replaces_id == card.pk


def test_register_returned_and_shredded(owner_client, company):
    card = card_for_employment(ArbeidsforholdFactory(arbeidsgiver=company), invalid=True)
    owner_client.post(url("card_returned", company, card_id=card.pk))
    card.refresh_from_db()
    assert card.state == CardState.RETURNED


def test_cannot_touch_another_companys_card(owner_client, company):
    card = card_for_employment(ArbeidsforholdFactory(), active=True)
    assert (
        owner_client.post(
            url("card_block", company, card_id=card.pk), {"reason": "lost"}
        ).status_code
        == 404
    )
    card.refresh_from_db()
    assert card.state == CardState.ACTIVE


def test_expiring_cards_reorder_only_in_last_month(owner_client, company):
    today = timezone.localdate()
    soon = card_for_employment(
        ArbeidsforholdFactory(arbeidsgiver=company),
        active=True,
        valid_until=today + dt.timedelta(days=20),
    )
    later = card_for_employment(
        ArbeidsforholdFactory(arbeidsgiver=company),
        active=True,
        valid_until=today + dt.timedelta(days=50),
    )
    far = card_for_employment(
        ArbeidsforholdFactory(arbeidsgiver=company),
        active=True,
        valid_until=today + dt.timedelta(days=200),
    )
    response = owner_client.get(url("expiring", company))
    rows = {row["card"].pk: row for row in response.context["rows"]}
    assert set(rows) == {soon.pk, later.pk}
    assert rows[soon.pk]["reorder_open"] and not rows[later.pk]["reorder_open"]
    assert far.holder_name not in response.content.decode()
    # One click: the renewal goes into the cart (the rules allow it in the last month).
    owner_client.post(
        url("cart_add", company),
        {"person": rows[soon.pk]["ref"], "card_type": soon.card_type},
    )
    assert CartItem.objects.get().person_id == soon.holder_id


def test_vat_self_declaration_for_unregistered_company(client):
    company = EnhetFactory(mva=None)
    role = RolleFactory(enhet=company, rolletype=rm.RolleType.DAGL)
    client.force_login(portal_user(role.person.identifikator))
    html = client.get(url("settings", company)).content.decode()
    assert "Lever egenerklæring" in html
    response = client.post(url("vat_declaration", company), {})
    assert response.status_code == 422
    client.post(url("vat_declaration", company), {"confirm": "on"})
    declaration = rm.MvaEgenerklaering.objects.get(enhet=company)
    assert declaration.erklaert_av == role.person.identifikator
    assert "har levert egenerklæring" in client.get(url("settings", company)).content.decode()


def test_no_declaration_offered_to_vat_registered_company(owner_client, company):
    assert "Lever egenerklæring" not in owner_client.get(url("settings", company)).content.decode()
    owner_client.post(url("vat_declaration", company), {"confirm": "on"})
    assert not rm.MvaEgenerklaering.objects.exists()


def test_contact_invoice_and_addresses(owner_client, company):
    owner_client.post(url("contact_set", company), {"email": "hms@example.no", "name": "Kari"})
    assert CompanyContact.objects.get(orgnr=company.organisasjonsnummer).email == "hms@example.no"
    owner_client.post(url("settings", company), {"invoice_channel": "ehf", "invoice_email": ""})
    assert CompanySettings.objects.get().invoice_channel == "ehf"
    response = owner_client.post(url("settings", company), {"invoice_channel": "email"})
    assert response.status_code == 422  # e-mail channel needs an address
    response = owner_client.post(
        url("address_add", company),
        {"name": "Lager", "street": "Vei 1", "postcode": "12", "city": "OSLO"},
    )
    assert response.status_code == 422 and "fire siffer" in response.content.decode()
    owner_client.post(
        url("address_add", company),
        {"name": "Lager", "street": "Vei 1", "postcode": "0150", "city": "OSLO"},
    )
    address = DeliveryAddress.objects.get()
    owner_client.post(url("address_remove", company, address_id=address.pk))
    address.refresh_from_db()
    assert not address.active
