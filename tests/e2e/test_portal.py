"""Journeys of issue 3 in a real browser: the employer portal.

A construction company (BETONG OG FORSKALING AS) has a daglig leder, Dagny,
who also chairs another company (FJELLSPRENG AS); three employees in
Aa-registeret (Dina, who gets a fullmakt, and the workers Per and Kari); and a
delivery address. Everyone logs in through TestID, the local OpenID provider.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from hmskort.cards.models import Card, CardState
from hmskort.cards.tests.factories import card_for_employment
from hmskort.eligibility.reasons import public_text
from hmskort.identity.tests.factories import DelegationFactory
from hmskort.portal.models import DeliveryAddress, UploadSet
from hmskort.portal.uploads.services import upload_set_review
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RolleFactory,
)
from tests.e2e.helpers import choose_company, log_in_with_testid, png, shot

pytestmark = pytest.mark.e2e

COMPANY = "BETONG OG FORSKALING AS"
OTHER_COMPANY = "FJELLSPRENG AS"
ADDRESS = "Byggeplass Bjørvika"


@dataclass
class World:
    company: rm.Enhet
    other_company: rm.Enhet
    owner: rm.Person
    delegate: rm.Person
    workers: list[rm.Arbeidsforhold]
    address: DeliveryAddress

    @property
    def orgnr(self) -> str:
        return self.company.organisasjonsnummer

    def url(self, rest: str = "ansatte") -> str:
        return f"/portal/v/{self.orgnr}/{rest}"


@pytest.fixture
def world(portal_settings) -> World:
    company = EnhetFactory(navn=COMPANY)
    other = EnhetFactory(navn=OTHER_COMPANY)
    owner = PersonFactory(fornavn="Dagny", etternavn="Dagligleder")
    RolleFactory(enhet=company, person=owner, rolletype=rm.RolleType.DAGL)
    RolleFactory(enhet=other, person=owner, rolletype=rm.RolleType.LEDE)
    delegate = ArbeidsforholdFactory(
        arbeidsgiver=company, arbeidstaker=PersonFactory(fornavn="Dina", etternavn="Fullmektig")
    ).arbeidstaker
    workers = [
        ArbeidsforholdFactory(
            arbeidsgiver=company, arbeidstaker=PersonFactory(fornavn=first, etternavn=last)
        )
        for first, last in (("Per", "Forskaling"), ("Kari", "Armering"))
    ]
    address = DeliveryAddress.objects.create(
        orgnr=company.organisasjonsnummer,
        name=ADDRESS,
        street="Dronning Eufemias gate 1",
        postcode="0191",
        city="OSLO",
    )
    return World(company, other, owner, delegate, workers, address)


def card_photo() -> dict:
    """The portrait to upload (`png()` without a size: one that passes the photo checks)."""
    return {"name": "bilde.png", "mimeType": "image/png", "buffer": png()}


def _choose(page, name: str) -> None:
    """Choose a company on "Velg virksomhet"; the portal opens on its employee list."""
    choose_company(page, name)
    expect(page.get_by_role("heading", name="Ansatte", exact=True)).to_be_visible()


def _current_company(page):
    return page.get_by_role("banner").get_by_test_id("current-company")


def _switch_company(page, name: str) -> None:
    page.get_by_role("banner").get_by_test_id("profile-menu").click()
    page.get_by_role("link", name="Bytt virksomhet").first.click()
    expect(page.get_by_role("heading", name="Velg virksomhet")).to_be_visible()
    _choose(page, name)
    expect(_current_company(page)).to_contain_text(name)


def _row(page, name: str):
    return page.locator("#employee-results tr", has=page.get_by_text(name, exact=True))


def _order_new_card(page, name: str) -> None:
    """ "Bestill nytt kort" on the employee list (htmx: answers in the row)."""
    row = _row(page, name)
    row.get_by_role("button", name=re.compile(r"^Bestill nytt kort")).click()


def _fill_cart_line(page, name: str, *, address: str, replaces_lost_card: bool = False) -> None:
    line = page.locator("section.portal-card-line", has=page.get_by_role("heading", name=name))
    line.get_by_label("Jeg bekrefter at arbeidstakeren har skriftlig arbeidsavtale").check()
    line.get_by_label("Leveringsadresse").select_option(label=address)
    if replaces_lost_card:
        line.get_by_label("Erstatter et tapt eller stjålet kort").check()
    line.get_by_role("button", name=re.compile(r"^Lagre")).click()
    expect(page.get_by_text("Endringen er lagret.")).to_be_visible()


def _checkout_with_invoice(page, email: str) -> None:
    page.get_by_label("Faktura", exact=True).check()
    page.get_by_label("E-post for ordrebekreftelse").fill(email)
    page.get_by_role("button", name="Send bestillingen").click()
    expect(page.get_by_text("Takk for bestillingen.")).to_be_visible()


# --- journeys -----------------------------------------------------------------------


def test_role_holder_logs_in_with_testid_switches_company_and_delegates(page, world):
    page.goto("/logg-inn")
    shot(page, "portal-login")
    page.get_by_role("link", name="Logg inn med ID-porten").click()
    expect(page.get_by_role("heading", name="TestID: logg inn med testperson")).to_be_visible()
    shot(page, "testid")
    page.get_by_label("Fødselsnummer eller D-nummer").fill(world.owner.identifikator)
    page.get_by_role("button", name="Logg inn", exact=True).click()

    # Both companies where Dagny holds a role, and nothing else.
    expect(page.get_by_role("heading", name="Velg virksomhet")).to_be_visible()
    companies = page.get_by_test_id("company-list").locator("li")
    expect(companies).to_have_count(2)
    expect(page.get_by_test_id("company-list")).to_contain_text("Daglig leder")
    shot(page, "choose-company")

    _choose(page, OTHER_COMPANY)
    expect(_current_company(page)).to_contain_text(OTHER_COMPANY)

    _switch_company(page, COMPANY)
    expect(page.locator("#employee-results")).to_contain_text("Per Forskaling")
    shot(page, "employees")

    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Fullmakter").click()
    expect(page.get_by_role("heading", name="Fullmakter", exact=True)).to_be_visible()
    today = timezone.localdate()
    until = today + dt.timedelta(days=90)
    page.get_by_label("Fødselsnummer eller D-nummer").fill(world.delegate.identifikator)
    page.get_by_label("Fra og med").fill(today.isoformat())
    page.get_by_label("Til og med").fill(until.isoformat())
    page.get_by_role("button", name="Gi fullmakt").click()

    expect(
        page.get_by_text(f"Dina Fullmektig har fått fullmakt til og med {until:%d.%m.%Y}.")
    ).to_be_visible()
    granted = page.get_by_test_id("delegation-list").locator("tbody tr")
    expect(granted).to_have_count(1)
    expect(granted).to_contain_text("Dina Fullmektig")
    expect(granted).to_contain_text(f"{until:%d.%m.%Y}")
    shot(page, "delegations")

    # Only employees can be given a fullmakt: the form says so and keeps the number.
    stranger = PersonFactory()
    page.get_by_label("Fødselsnummer eller D-nummer").fill(stranger.identifikator)
    page.get_by_label("Til og med").fill(until.isoformat())
    page.get_by_role("button", name="Gi fullmakt").click()
    expect(page.get_by_text("Du kan bare gi fullmakt til egne ansatte.").first).to_be_visible()
    expect(page.get_by_label("Fødselsnummer eller D-nummer")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.get_by_label("Fødselsnummer eller D-nummer")).to_have_value(stranger.identifikator)
    expect(granted).to_have_count(1)


def test_delegate_orders_two_cards_with_uploads_and_invoice(page, world):
    until = timezone.localdate() + dt.timedelta(days=60)
    DelegationFactory(
        orgnr=world.orgnr,
        delegate_pid=world.delegate.identifikator,
        delegate_name=world.delegate.fulltnavn,
        granted_by_pid=world.owner.identifikator,
        valid_to=until,
    )
    log_in_with_testid(page, world.delegate.identifikator)
    expect(page.get_by_test_id("company-list")).to_contain_text(
        f"Fullmakt til og med {until:%d.%m.%Y}"
    )
    _choose(page, COMPANY)
    portal_menu = page.get_by_role("navigation", name="Portalmeny")
    expect(portal_menu).to_be_visible()
    expect(portal_menu.get_by_role("link", name="Fullmakter")).to_have_count(0)

    names = [w.arbeidstaker.fulltnavn for w in world.workers]
    for name in names:
        _row(page, name).get_by_role("link", name=re.compile(r"Mangler")).click()
        expect(page.get_by_role("heading", name=f"Bilde og ID: {name}")).to_be_visible()
        page.get_by_label("Bilde av den ansatte").set_input_files(files=[card_photo()])
        page.get_by_label("Kopi av ID-dokument").set_input_files(
            files=[{"name": "pass.png", "mimeType": "image/png", "buffer": png((400, 280))}]
        )
        page.get_by_label("Type ID-dokument").select_option(label="Pass")
        if name == names[0]:
            shot(page, "employee-uploads")
        page.get_by_role("button", name="Last opp", exact=True).click()
        expect(page.get_by_text("Bildet og ID-dokumentet er lastet opp")).to_be_visible()
        page.get_by_role("navigation", name="Portalmeny").get_by_role(
            "link", name="Ansatte"
        ).click()

    for name in names:
        _order_new_card(page, name)
        expect(_row(page, name).get_by_text("I handlekurven")).to_be_visible()
    shot(page, "employees-in-cart")

    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Handlekurv").click()
    expect(page.locator("section.portal-card-line")).to_have_count(2)
    for name in names:
        _fill_cart_line(page, name, address=world.address.one_line)
    expect(page.get_by_text("Totalt inkl. mva")).to_be_visible()
    shot(page, "cart")

    _checkout_with_invoice(page, "dina@betong.example")

    expect(page.get_by_role("heading", name=re.compile(r"^Ordre HMS-"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Faktura")
    cards_table = page.locator("#order-cards tbody tr")
    expect(cards_table).to_have_count(2)
    for name in names:
        expect(page.locator("#order-cards")).to_contain_text(name)
    shot(page, "order")

    ordered = Card.objects.filter(employer_orgnr=world.orgnr)
    assert sorted(ordered.values_list("holder_name", flat=True)) == sorted(names)
    assert set(ordered.values_list("ordered_by", flat=True)) == {world.delegate.identifikator}
    to_dina = [m.subject for m in mail.outbox if "dina@betong.example" in m.to]
    assert any("Ordrebekreftelse" in subject for subject in to_dina), to_dina  # (+ the invoice)

    # Both wait for a caseworker to approve the photo and ID (the gate on orders) ...
    for name in names:
        line = page.locator("#order-cards tbody tr", has=page.get_by_text(name))
        expect(line).to_contain_text("Venter på kontroll")
    assert set(ordered.values_list("state", flat=True)) == {CardState.PENDING}
    # ... and go to production the moment they are approved.
    for upload in UploadSet.objects.filter(orgnr=world.orgnr):
        upload_set_review(upload=upload, approve=True, reviewed_by="saksbehandler")
    page.reload()
    for name in names:
        line = page.locator("#order-cards tbody tr", has=page.get_by_text(name))
        expect(line).to_contain_text("I produksjon")
    assert set(ordered.values_list("state", flat=True)) == {CardState.IN_PRODUCTION}

    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Mine ordre").click()
    expect(page.locator("main tbody tr")).to_have_count(1)
    shot(page, "orders")


def test_an_order_refused_by_a_rule_shows_the_reason(page, world):
    worker = world.workers[0]
    card_for_employment(worker, active=True)
    name = worker.arbeidstaker.fulltnavn
    log_in_with_testid(page, world.owner.identifikator)
    _choose(page, COMPANY)

    _order_new_card(page, name)

    refusal = _row(page, name).get_by_role("status")
    expect(refusal).to_contain_text(f"Kort til {name} kan ikke bestilles")
    expect(refusal).to_contain_text(public_text("ALREADY_HAS_CARD", "nb"))
    shot(page, "order-refused")
    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Handlekurv").click()
    expect(page.get_by_text("Handlekurven er tom.")).to_be_visible()


def test_a_lost_card_is_blocked_and_reordered(page, world):
    worker = world.workers[1]
    lost = card_for_employment(worker, active=True)
    name = worker.arbeidstaker.fulltnavn
    log_in_with_testid(page, world.owner.identifikator)
    _choose(page, COMPANY)

    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Kort").click()
    row = page.locator("tbody tr", has=page.get_by_text(lost.card_number))
    expect(row).to_contain_text("Gyldig")
    row.get_by_role("link", name=re.compile(r"^Sperr kortet")).click()
    expect(page.get_by_role("heading", name="Sperr kortet")).to_be_visible()
    page.get_by_label("Tapt").check()
    shot(page, "card-block")
    page.get_by_role("button", name="Sperr kortet").click()

    expect(
        page.get_by_text(f"Kortet {lost.card_number} er sperret. Du kan nå bestille nytt kort.")
    ).to_be_visible()
    expect(row).to_contain_text("Sperret")
    shot(page, "cards-after-block")

    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Ansatte").click()
    _order_new_card(page, name)
    expect(_row(page, name).get_by_text("I handlekurven")).to_be_visible()
    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Handlekurv").click()
    _fill_cart_line(page, name, address=world.address.one_line, replaces_lost_card=True)
    _checkout_with_invoice(page, "dagny@betong.example")
    expect(page.locator("#order-cards")).to_contain_text(name)

    lost.refresh_from_db()
    assert lost.state == CardState.BLOCKED
    new = Card.objects.exclude(pk=lost.pk).get(holder_id=worker.arbeidstaker.identifikator)
    assert new.state in {CardState.PENDING, CardState.IN_PRODUCTION}


def test_a_person_without_a_role_sees_no_company_and_cannot_reach_one(page, world):
    outsider = PersonFactory(fornavn="Ola", etternavn="Utenfor")
    log_in_with_testid(page, outsider.identifikator)

    expect(page.get_by_role("heading", name="Du har ingen virksomheter")).to_be_visible()
    expect(page.get_by_test_id("company-list")).to_have_count(0)
    shot(page, "no-companies")

    for path in (
        world.url("ansatte"),
        world.url("handlekurv"),
        world.url("kort"),
        world.url("ordre"),
        world.url("innstillinger"),
        f"/virksomhet/{world.orgnr}/fullmakter",
    ):
        response = page.goto(path)
        assert response.status == 404, path
        body = page.locator("body")
        expect(body).not_to_contain_text(COMPANY)
        for worker in world.workers:
            expect(body).not_to_contain_text(worker.arbeidstaker.fulltnavn)


def test_logging_out_ends_both_the_portal_and_the_testid_session(page, world):
    log_in_with_testid(page, world.owner.identifikator)

    page.get_by_role("banner").get_by_test_id("profile-menu").click()
    page.get_by_role("banner").get_by_role("button", name="Logg ut").click()

    expect(page.get_by_role("heading", name="Du er logget ut")).to_be_visible()
    shot(page, "logged-out")
    response = page.goto(world.url("ansatte"))
    expect(page).to_have_url(re.compile(r"/logg-inn\?next="))
    assert response.ok
    # TestID asks who you are again: its session ended too.
    page.get_by_role("link", name="Logg inn med ID-porten").click()
    expect(page.get_by_role("heading", name="TestID: logg inn med testperson")).to_be_visible()
