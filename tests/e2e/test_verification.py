"""Journeys of issue 4 in a real browser: the public status check, the QR page on a
phone, the supplier check, and an inspector who looks up and confiscates a card."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmskort.cards.models import ActorType, Card, CardState
from hmskort.cards.numbers import format_card_number, new_card_number
from hmskort.cards.qr import card_qr_url
from hmskort.cards.services.transitions import card_insert, card_transition
from hmskort.cards.tests.factories import CardFactory, card_for_employment
from hmskort.core.models import AuditEvent
from hmskort.core.signing import b64url_decode, b64url_encode
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RenholdsgodkjenningFactory,
)
from tests.e2e.helpers import admin_login, path_of, shot, staff_user

pytestmark = pytest.mark.e2e

INVALID_HEADLINE = "Ugyldig – arbeidsforholdet er ikke registrert i Aa-registeret eller OAR"
WRONG_FORMAT = "Dette er ikke et gyldig kortnummer."
# Known defect (reported; not in this folder's ownership): the inspector's card page
# answers `Referrer-Policy: no-referrer`, so Chromium sends `Origin: null` with the
# page's POST forms and Django's CSRF check refuses them (403). Fix in
# hmskort/verification/views.py `_private`: "same-origin" instead of "no-referrer".
# The test checks that exact condition, so it runs in full once the fix lands.
CSRF_BUG = (
    "verification: inspector POST forms are refused by CSRF in a real browser "
    "(Referrer-Policy no-referrer makes the browser send Origin: null)"
)


def _employment(**person):
    person = PersonFactory(**({"fornavn": "Zacharias", "etternavn": "Qwertyfjell"} | person))
    return ArbeidsforholdFactory(arbeidstaker=person)


def _check_card(page, number: str) -> None:
    page.goto("/status")
    expect(page.get_by_role("heading", name="Sjekk et HMS-kort")).to_be_visible()
    page.get_by_label("Kortnummer").fill(number)
    page.get_by_role("button", name="Sjekk kortet").click()


def test_public_status_of_a_valid_card_shows_company_and_nothing_personal(page):
    card = card_for_employment(_employment(), active=True)

    _check_card(page, format_card_number(card.card_number))

    result = page.locator(".verification-result")
    expect(result.get_by_role("heading", name="Gyldig", exact=True)).to_be_visible()
    expect(result).to_contain_text(card.employer_name)
    expect(result).to_contain_text(card.employer_orgnr)
    expect(result).to_contain_text("Bygg og anlegg")
    expect(result).to_contain_text(card.valid_until.strftime("%Y"))
    expect(page).to_have_url(re.compile(r"/status\?kortnummer=\d"))  # a link that can be shared
    body = page.locator("body")
    for secret in ("Zacharias", "Qwertyfjell", card.holder_id):
        expect(body).not_to_contain_text(secret)
    shot(page, "status-valid")


def test_public_status_of_an_invalid_card_gives_the_reason(phone):
    card = card_for_employment(_employment(), invalid=True)

    _check_card(phone, card.card_number)

    expect(phone.get_by_role("heading", name=INVALID_HEADLINE)).to_be_visible()
    expect(phone.locator(".verification-result")).to_contain_text(card.employer_name)
    expect(phone.locator("body")).not_to_contain_text("Qwertyfjell")
    shot(phone, "status-invalid")


def test_public_status_explains_a_wrong_number_and_an_unknown_one(page):
    _check_card(page, "1234 567")

    field = page.get_by_label("Kortnummer")
    expect(page.get_by_text(WRONG_FORMAT)).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("1234 567")  # what was typed is kept
    shot(page, "status-wrong-format")

    field.fill(new_card_number())  # well-formed, but no such card
    page.get_by_role("button", name="Sjekk kortet").click()
    expect(page.get_by_role("heading", name="Fant ikke kortet")).to_be_visible()
    expect(page.get_by_text(WRONG_FORMAT)).to_have_count(0)


def test_scanning_a_cards_qr_code_on_a_phone_shows_the_holder_and_status(phone):
    card = card_for_employment(_employment(), active=True)

    phone.goto(path_of(card_qr_url(card)))

    expect(phone.get_by_role("heading", name="Gyldig", exact=True)).to_be_visible()
    holder = phone.locator(".verification-holder")
    expect(holder).to_have_text(card.holder_name)
    expect(holder).to_be_in_viewport()  # the name is on the first screen of a phone
    expect(phone.locator(".verification-card")).to_contain_text(card.employer_name)
    expect(phone.locator("body")).not_to_contain_text(card.holder_id)
    # Nothing sticks out sideways on a 390 px wide screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "qr-valid")


def test_a_tampered_qr_code_says_so(phone):
    genuine = card_for_employment(_employment(), invalid=True)
    other = CardFactory(active=True)
    header, payload, signature = path_of(card_qr_url(genuine)).rsplit("/", 1)[1].split(".")
    claims = json.loads(b64url_decode(payload)) | {"cn": other.card_number}
    forged = ".".join([header, b64url_encode(json.dumps(claims).encode()), signature])

    phone.goto(f"/qr/{forged}")

    expect(
        phone.get_by_role("heading", name="QR-koden er ikke gyldig (forfalsket eller skadet)")
    ).to_be_visible()
    expect(phone.locator("body")).not_to_contain_text(other.holder_name)
    expect(phone.locator("body")).not_to_contain_text(other.employer_name)
    shot(phone, "qr-tampered")
    phone.get_by_role("link", name="Sjekk kortnummeret i stedet").click()
    expect(phone.get_by_role("heading", name="Sjekk et HMS-kort")).to_be_visible()


def test_supplier_check_by_organisation_number(page):
    company = EnhetFactory(navn="RENT OG PENT VASK AS", naeringskode1="81.210")
    RenholdsgodkjenningFactory(enhet=company)
    orgnr = company.organisasjonsnummer
    CardFactory.create_batch(2, active=True, card_type="RH", employer_orgnr=orgnr)
    CardFactory(invalid=True, card_type="RH", employer_orgnr=orgnr)
    CardFactory(active=True, card_type="RH")  # another company's

    page.goto("/leverandor")
    page.get_by_label("Organisasjonsnummer").fill(f"{orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}")
    page.get_by_role("button", name="Sjekk virksomheten").click()

    expect(page.get_by_role("heading", name="RENT OG PENT VASK AS")).to_be_visible()
    expect(page.locator(".verification-result")).to_contain_text("Merverdiavgiftsregisteret")
    row = page.locator('#card-counts tr[data-card-type="RH"]')
    expect(row.locator("td")).to_have_text(["2", "1", "0"])
    expect(page).to_have_url(re.compile(rf"orgnr=.*{orgnr[6:]}"))
    shot(page, "supplier-check")

    page.get_by_label("Organisasjonsnummer").fill("123456789")
    page.get_by_role("button", name="Sjekk virksomheten").click()
    expect(page.get_by_text("Dette er ikke et gyldig organisasjonsnummer.")).to_be_visible()


def _card_with_history(employment) -> Card:
    """Ordered, effectuated, shipped, then invalid after the nightly check."""
    card = card_insert(
        card=Card(
            card_number=new_card_number(),
            card_type="BA",
            employer_orgnr=employment.arbeidsgiver.organisasjonsnummer,
            employer_name=employment.arbeidsgiver.navn,
            holder_id=employment.arbeidstaker.identifikator,
            holder_name=employment.arbeidstaker.fulltnavn,
            state_changed_at=timezone.now(),
            orderer_email="bestiller@firma.example",
        ),
        actor_type=ActorType.USER,
        actor="bestiller",
    )
    card_transition(card=card, to_state=CardState.IN_PRODUCTION, actor_type=ActorType.JOB)
    card_transition(card=card, to_state=CardState.ACTIVE, actor_type=ActorType.SYSTEM)
    card_transition(
        card=card,
        to_state=CardState.INVALID,
        reason_codes=["EMPLOYMENT_NOT_REGISTERED"],
        actor_type=ActorType.JOB,
        actor="nightly-1",
    )
    return card


def test_inspector_looks_up_a_card_sees_the_history_and_confiscates_it(page, fast_passwords):
    staff_user("inspektor-e2e", groups=("Arbeidstilsynet",))
    card = _card_with_history(_employment())
    purpose = "Tilsyn 2026/118"

    page.goto("/tilsyn/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/tilsyn/"))
    admin_login(page, "inspektor-e2e")
    expect(page.get_by_role("heading", name="Tilsyn: slå opp HMS-kort")).to_be_visible()
    shot(page, "inspector-search")

    page.get_by_label("Kortnummer eller QR-kode").fill(format_card_number(card.card_number))
    page.get_by_label("Formål").fill(purpose)
    with page.expect_response(re.compile(r"/tilsyn/\?sok=")) as lookup:
        page.get_by_role("button", name="Slå opp").click()
    referrer_policy = lookup.value.headers.get("referrer-policy", "")

    expect(
        page.get_by_role("heading", name=f"HMS-kort {format_card_number(card.card_number)}")
    ).to_be_visible()
    expect(page.get_by_text(f"Oppslaget er logget med formålet «{purpose}»")).to_be_visible()
    expect(page.get_by_role("heading", name=INVALID_HEADLINE)).to_be_visible()
    expect(page.locator("body")).to_contain_text("Zacharias Qwertyfjell")
    expect(page.locator("body")).not_to_contain_text(card.holder_id)  # masked until asked
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(4)
    expect(history.last).to_contain_text("EMPLOYMENT_NOT_REGISTERED")
    expect(history.last).to_contain_text("nightly-1")
    shot(page, "inspector-card")

    action = page.locator("form", has=page.get_by_role("heading", name="Inndra kortet"))
    action.get_by_label("Begrunnelse").fill("Kortet ble vist fram på byggeplass; ugyldig.")
    action.get_by_role("button", name="Inndra kortet").click()

    if referrer_policy == "no-referrer" and page.get_by_text("CSRF").count():
        pytest.xfail(CSRF_BUG)
    expect(page.get_by_text("Kortet er inndratt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ugyldig – inndratt")).to_be_visible()
    expect(history).to_have_count(5)
    expect(history.last).to_contain_text("inspektor-e2e")
    expect(history.last).to_contain_text("Kortet ble vist fram på byggeplass")
    shot(page, "inspector-confiscated")

    card.refresh_from_db()
    assert card.state == CardState.CONFISCATED
    logged = AuditEvent.objects.filter(actor="inspektor-e2e", object_id=card.card_number)
    assert set(logged.values_list("purpose", flat=True)) == {purpose}
    assert logged.filter(action="inspector_confiscate").count() == 1
