"""Journeys of issue 10 in a real browser: goods transport (VT) and own-employer cards.

A courier company (BYBUD TEST AS, NACE 53.200) has a daglig leder, Mona, and a
driver, Sindre, in Aa-registeret. Mona logs in through TestID, orders a VT card
for Sindre (confirming the weight-limit declaration), the order passes the
checks, and the card is looked up on the public status page. A self-employed
carpenter (ENK, role INNH, no employment in Aa-registeret) orders a BA card
for himself.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmskort.cards.models import Card, CardState
from hmskort.checks.services import orders_process_pending
from hmskort.portal.models import DeliveryAddress, Order, UploadSet, UploadStatus
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RolleFactory,
)
from tests.e2e.helpers import log_in_with_testid, shot

pytestmark = pytest.mark.e2e

COURIER = "BYBUD TEST AS"
CARPENTER = "SNEKKER OLSEN"
STREET = "Terminalveien 2, 0580 OSLO"


def _approved_photo_and_id(orgnr: str, person_id: str) -> None:
    """Photo and ID approved for the pair (a condition of effectuation)."""
    UploadSet.objects.create(
        orgnr=orgnr,
        person_id=person_id,
        photo_path="e2e/photo.jpg",
        photo_content_type="image/jpeg",
        id_document_path="e2e/id.jpg",
        id_document_content_type="image/jpeg",
        document_type="passport",
        status=UploadStatus.APPROVED,
        reviewed_at=timezone.now(),
    )


def _address(orgnr: str, name: str) -> DeliveryAddress:
    return DeliveryAddress.objects.create(
        orgnr=orgnr, name=name, street="Terminalveien 2", postcode="0580", city="OSLO"
    )


def _open_employees(page, orgnr: str) -> None:
    page.goto(f"/portal/v/{orgnr}/ansatte")
    expect(page.get_by_role("heading", name="Ansatte", exact=True)).to_be_visible()


def _order_and_fill_line(page, name: str, address: str) -> None:
    row = page.locator("#employee-results tr", has=page.get_by_text(name, exact=True))
    row.get_by_role("button", name=re.compile(r"^Bestill nytt kort")).click()
    expect(row).to_contain_text("handlekurven")
    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Handlekurv").click()
    line = page.locator("section.portal-card-line", has=page.get_by_role("heading", name=name))
    line.get_by_label("Jeg bekrefter at arbeidstakeren har skriftlig arbeidsavtale").check()
    line.get_by_label("Leveringsadresse").select_option(label=f"{address}, {STREET}")
    line.get_by_role("button", name=re.compile(r"^Lagre")).click()
    expect(page.get_by_text("Endringen er lagret.")).to_be_visible()


def _send(page, email: str) -> None:
    page.get_by_label("Faktura", exact=True).check()
    page.get_by_label("E-post for ordrebekreftelse").fill(email)
    page.get_by_role("button", name="Send bestillingen").click()


def _process_and_look_up(page, card: Card, industry: str, employer: str) -> None:
    orders_process_pending(today=timezone.localdate())
    card.refresh_from_db()
    assert card.state == CardState.IN_PRODUCTION, card.reason_codes
    page.goto("/status")
    page.get_by_label("Kortnummer").fill(card.card_number)
    page.get_by_role("button", name="Sjekk kortet").click()
    result = page.locator(".verification-result")
    expect(result.get_by_role("heading", name="Gyldig", exact=True)).to_be_visible()
    expect(result).to_contain_text(industry)
    expect(result).to_contain_text(employer)


def test_a_courier_orders_a_vt_card_for_a_driver_and_it_is_valid(page, portal_settings):
    courier = EnhetFactory(navn=COURIER, naeringskode1="53.200")
    mona = PersonFactory(fornavn="Mona", etternavn="Budsjef")
    RolleFactory(enhet=courier, person=mona, rolletype=rm.RolleType.DAGL)
    driver = ArbeidsforholdFactory(
        arbeidsgiver=courier, arbeidstaker=PersonFactory(fornavn="Sindre", etternavn="Sjåfør")
    ).arbeidstaker
    _address(courier.organisasjonsnummer, "Bybud terminal")
    _approved_photo_and_id(courier.organisasjonsnummer, driver.identifikator)

    log_in_with_testid(page, mona.identifikator)
    _open_employees(page, courier.organisasjonsnummer)
    _order_and_fill_line(page, "Sindre Sjåfør", "Bybud terminal")
    line = page.locator("section.portal-card-line")
    expect(line.get_by_label("Korttype")).to_have_value("VT")  # fits the courier's NACE code

    # Without the weight-limit declaration the order is refused, and nothing typed is lost.
    _send(page, "mona@bybud.example")
    expect(
        page.get_by_text("Du må bekrefte erklæringen for å bestille denne korttypen.", exact=True)
    ).to_be_visible()
    expect(page.get_by_label("E-post for ordrebekreftelse")).to_have_value("mona@bybud.example")
    shot(page, "vt-declaration-missing")

    page.get_by_label(re.compile("transport av andres varer")).check()
    page.get_by_role("button", name="Send bestillingen").click()
    expect(page.get_by_text("Takk for bestillingen.")).to_be_visible()
    shot(page, "vt-order-placed")

    order = Order.objects.get(orgnr=courier.organisasjonsnummer)
    assert "3 500 kg" in order.declaration_for("VT")["text"]
    card = Card.objects.get(holder_id=driver.identifikator)
    assert card.card_type == "VT"
    _process_and_look_up(page, card, "Varetransport", COURIER)
    shot(page, "vt-status-valid")


def test_a_self_employed_carpenter_orders_a_ba_card_for_himself(page, portal_settings):
    enk = EnhetFactory(navn=CARPENTER, organisasjonsform="ENK", naeringskode1="43.320")
    ola = PersonFactory(fornavn="Ola", etternavn="Olsen")
    RolleFactory(enhet=enk, person=ola, rolletype=rm.RolleType.INNH)
    assert not rm.Arbeidsforhold.objects.filter(arbeidstaker=ola).exists()
    _address(enk.organisasjonsnummer, "Verkstedet")
    _approved_photo_and_id(enk.organisasjonsnummer, ola.identifikator)

    log_in_with_testid(page, ola.identifikator)
    _open_employees(page, enk.organisasjonsnummer)
    row = page.locator("#employee-results tr", has=page.get_by_text("Ola Olsen", exact=True))
    expect(row).to_contain_text("egen arbeidsgiver")
    shot(page, "own-employer-listed")
    _order_and_fill_line(page, "Ola Olsen", "Verkstedet")
    _send(page, "ola@snekker.example")
    expect(page.get_by_text("Takk for bestillingen.")).to_be_visible()

    card = Card.objects.get(holder_id=ola.identifikator)
    assert card.card_type == "BA" and card.employer_orgnr == enk.organisasjonsnummer
    _process_and_look_up(page, card, "Bygg og anlegg", CARPENTER)
