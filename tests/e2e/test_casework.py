"""The caseworker queue in a real browser (issue 3 item 9, issue 6 item 3).

A caseworker rejects a photo/ID upload with a reason; the orderer sees the
reason on the order page and uploads both again; the caseworker approves and
the order line shows the card in production at once.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from hmskort.cards.models import Card, CardState
from hmskort.casework.permissions import CASEWORKER_GROUP
from hmskort.identity.tests.factories import portal_user  # noqa: F401 - TestID creates the user
from hmskort.portal.models import DeliveryAddress
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RolleFactory,
)
from tests.e2e.helpers import admin_login, choose_company, log_in_with_testid, png, shot, staff_user
from tests.e2e.test_portal import (
    _checkout_with_invoice,
    _fill_cart_line,
    _order_new_card,
    _row,
    card_photo,
)

pytestmark = pytest.mark.e2e

COMPANY = "RENT BYGG AS"
WORKER = ("Kari", "Nordmann")


@pytest.fixture
def world(portal_settings):
    company = EnhetFactory(navn=COMPANY)
    owner = PersonFactory(fornavn="Olav", etternavn="Eier")
    RolleFactory(enhet=company, person=owner, rolletype=rm.RolleType.DAGL)
    worker = ArbeidsforholdFactory(
        arbeidsgiver=company,
        arbeidstaker=PersonFactory(
            fornavn=WORKER[0], etternavn=WORKER[1], foedselsdato=dt.date(1985, 4, 17)
        ),
    ).arbeidstaker
    address = DeliveryAddress.objects.create(
        orgnr=company.organisasjonsnummer,
        name="Hovedkontoret",
        street="Storgata 1",
        postcode="0155",
        city="OSLO",
    )
    caseworker = staff_user("kari.saksbehandler", groups=(CASEWORKER_GROUP,))
    _grant_caseworker_permission()
    return company, owner, worker, address, caseworker


def _grant_caseworker_permission():
    """A transactional test's flush removes the data migration's group permission."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.get(name=CASEWORKER_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="casework", codename="work_cases")
    )


def _upload(page, name: str) -> None:
    _row(page, name).get_by_role("link", name=re.compile(r"Mangler|Avvist|Venter")).click()
    expect(page.get_by_role("heading", name=f"Bilde og ID: {name}")).to_be_visible()
    page.get_by_label("Bilde av den ansatte").set_input_files(files=[card_photo()])
    page.get_by_label("Kopi av ID-dokument").set_input_files(
        files=[{"name": "pass.png", "mimeType": "image/png", "buffer": png((400, 280))}]
    )
    page.get_by_label("Type ID-dokument").select_option(label="Pass")
    page.get_by_role("button", name="Last opp", exact=True).click()
    expect(page.get_by_text("Bildet og ID-dokumentet er lastet opp")).to_be_visible()


def _open_review(page, name: str) -> None:
    page.goto("/saksbehandling/?type=document_review")
    expect(page.get_by_role("heading", name="Saksbehandlerkøen")).to_be_visible()
    page.get_by_role("link", name=re.compile(name)).first.click()
    expect(page.get_by_role("heading", name=re.compile("Kontroll av bilde og ID"))).to_be_visible()
    expect(page.get_by_role("img", name="Portrettbildet som ble lastet opp")).to_be_visible()


def test_caseworker_rejects_the_orderer_uploads_again_and_the_approved_order_goes_to_production(
    page, new_page, world
):
    company, owner, worker, address, _ = world
    name = worker.fulltnavn

    # The orderer uploads a photo and ID and orders a card.
    log_in_with_testid(page, owner.identifikator)
    choose_company(page, COMPANY)
    _upload(page, name)
    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Ansatte").click()
    _order_new_card(page, name)
    expect(_row(page, name).get_by_text("I handlekurven")).to_be_visible()
    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Handlekurv").click()
    _fill_cart_line(page, name, address=address.one_line)
    _checkout_with_invoice(page, "olav@rentbygg.example")
    order_url = page.url
    line = page.locator("#order-cards tbody tr", has=page.get_by_text(name))
    expect(line).to_contain_text("Venter på kontroll")

    # The caseworker rejects it with a reason from the list.
    staff = new_page()
    staff.goto("/saksbehandling/")
    admin_login(staff, "kari.saksbehandler")
    expect(staff.get_by_role("heading", name="Saksbehandlerkøen")).to_be_visible()
    expect(
        staff.get_by_role("link", name=re.compile(r"Kontroll av bilde og ID \(1\)"))
    ).to_be_visible()
    shot(staff, "casework-queue")
    _open_review(staff, name)
    expect(staff.locator("main")).to_contain_text("17.04.1985")  # from Folkeregisteret
    shot(staff, "casework-document-review")
    staff.get_by_label("Avvis", exact=True).check()
    staff.get_by_label("Begrunnelse ved avvisning").select_option(label="Bildet: briller")
    staff.get_by_label("Merknad til bestilleren (valgfritt)").fill("Ta av brillene.")
    staff.get_by_role("button", name="Lagre vurderingen").click()
    expect(staff.get_by_text("Bilde og ID er avvist.")).to_be_visible()
    expect(staff.locator("main")).to_contain_text("Ingen åpne saker.")

    # The orderer sees the reason on the order page, and uploads both again.
    page.goto(order_url)
    line = page.locator("#order-cards tbody tr", has=page.get_by_text(name))
    expect(line).to_contain_text("Avvist")
    expect(line).to_contain_text("Bildet: briller")
    expect(line).to_contain_text("Last opp både bilde og ID på nytt.")
    shot(page, "order-documents-rejected")
    card = Card.objects.get(holder_id=worker.identifikator)
    assert (card.state, card.reason_codes) == (CardState.PENDING, ["DOCUMENTS_REJECTED"])
    page.get_by_role("navigation", name="Portalmeny").get_by_role("link", name="Ansatte").click()
    _upload(page, name)

    # The caseworker approves the new upload: the order continues at once.
    _open_review(staff, name)
    staff.get_by_label("Godkjenn", exact=True).check()
    staff.get_by_role("button", name="Lagre vurderingen").click()
    expect(staff.get_by_text("Bilde og ID er godkjent.")).to_be_visible()

    page.goto(order_url)
    line = page.locator("#order-cards tbody tr", has=page.get_by_text(name))
    expect(line).to_contain_text("I produksjon")
    expect(line).to_contain_text("Godkjent")
    shot(page, "order-in-production")
    card.refresh_from_db()
    assert card.state == CardState.IN_PRODUCTION


def test_the_queue_works_on_a_phone(phone, world):
    phone.goto("/saksbehandling/")
    admin_login(phone, "kari.saksbehandler")
    expect(phone.get_by_role("heading", name="Saksbehandlerkøen")).to_be_visible()
    expect(phone.get_by_text("Ingen åpne saker.")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
