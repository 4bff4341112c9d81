"""Fixtures for billing's tests: the portal's company, role holder and address
(hmskort/portal/tests/conftest.py), and a helper that places real orders."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hmskort.portal.models import CartItem, CompanySettings, DeliveryAddress, Order
from hmskort.portal.services import orders as order_services
from hmskort.portal.tests.conftest import (  # noqa: F401  (fixtures)
    address,
    company,
    employee,
    owner,
    owner_client,
    private_media,
)
from hmskort.registers.tests.factories import ArbeidsforholdFactory


def company_settings(enhet, *, channel: str, email: str = "") -> CompanySettings:
    settings_, _ = CompanySettings.objects.update_or_create(
        orgnr=enhet.organisasjonsnummer,
        defaults={"invoice_channel": channel, "invoice_email": email},
    )
    return settings_


def place_order(
    enhet,
    *,
    method: str = "invoice",
    cards: int = 1,
    holders: int = 0,
    card_type: str = "BA",
    today: dt.date | None = None,
    orderer_pid: str = "",
) -> Order:
    """One confirmed (or, for card/Vipps, awaiting payment) order of `cards` new
    employees through the portal's own services."""
    orgnr = enhet.organisasjonsnummer
    address_ = DeliveryAddress.objects.filter(
        orgnr=orgnr
    ).first() or DeliveryAddress.objects.create(
        orgnr=orgnr, name="Kontor", street="Gate 1", postcode="0150", city="OSLO"
    )
    for _ in range(cards):
        person = ArbeidsforholdFactory(arbeidsgiver=enhet).arbeidstaker
        CartItem.objects.create(
            orgnr=orgnr,
            person_id=person.identifikator,
            holder_name=person.fulltnavn,
            card_type=card_type,
            declaration=True,
            card_holders=holders,
            delivery_address=address_,
        )
    [order] = order_services.order_place(
        orgnr=orgnr,
        company_name=enhet.navn,
        orderer_pid=orderer_pid or "01010112345",
        orderer_email="bestiller@example.no",
        payment_method=method,
        today=today or timezone.localdate(),
    )
    return order
