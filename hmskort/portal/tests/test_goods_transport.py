"""Issue 10 in the portal: the VT weight-limit declaration per order, NACE
justifications through the caseworker queue, and own-employer cards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hmskort.cards.models import Card, CardState
from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.casework.services import case_decide
from hmskort.checks.services import orders_process_pending
from hmskort.portal.models import CartItem, Order, UploadSet, UploadStatus
from hmskort.portal.refs import person_ref
from hmskort.portal.tests.conftest import url
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RolleFactory,
)
from hmskort.verification.selectors import inspector_card_view

pytestmark = pytest.mark.django_db


def approve_documents(orgnr: str, person_id: str) -> UploadSet:
    """Photo and ID approved for the pair (H1 makes them a condition of effectuation)."""
    return UploadSet.objects.create(
        orgnr=orgnr,
        person_id=person_id,
        photo_path="x/photo.jpg",
        photo_content_type="image/jpeg",
        id_document_path="x/id.jpg",
        id_document_content_type="image/jpeg",
        document_type="passport",
        status=UploadStatus.APPROVED,
        reviewed_at=timezone.now(),
    )


@pytest.fixture
def courier(db):
    return EnhetFactory(navn="Bud og Bil AS", naeringskode1="53.200")


@pytest.fixture
def courier_client(client, courier):
    from hmskort.identity.tests.factories import portal_user

    leader = PersonFactory()
    RolleFactory(enhet=courier, person=leader, rolletype=rm.RolleType.DAGL)
    client.force_login(portal_user(leader.identifikator, name=leader.fulltnavn))
    client.leader = leader
    return client


@pytest.fixture
def courier_address(courier):
    from hmskort.portal.models import DeliveryAddress

    return DeliveryAddress.objects.create(
        orgnr=courier.organisasjonsnummer,
        name="Bud og Bil AS",
        street="Terminalveien 2",
        postcode="0580",
        city="OSLO",
    )


def _add(client, company, person, card_type=None):
    data = {"person": person_ref(company.organisasjonsnummer, person.identifikator)}
    if card_type:
        data["card_type"] = card_type
    return client.post(url("cart_add", company), data)


def _ready(company, address):
    CartItem.objects.filter(orgnr=company.organisasjonsnummer).update(
        declaration=True, delivery_address=address
    )


def _checkout(client, company, **extra):
    data = {"payment_method": "invoice", "orderer_email": "leder@bud.example", **extra}
    return client.post(url("checkout", company), data)


# --- the weight-limit declaration --------------------------------------------------------


def test_vt_order_without_the_weight_declaration_is_refused_and_nothing_is_lost(
    courier_client, courier, courier_address
):
    driver = ArbeidsforholdFactory(arbeidsgiver=courier).arbeidstaker
    _add(courier_client, courier, driver)
    item = CartItem.objects.get()
    assert item.card_type == "VT"  # the card type that fits the courier's NACE code
    _ready(courier, courier_address)

    page = courier_client.get(url("cart", courier)).content.decode()
    assert 'name="declare_VT"' in page and "3 500 kg" in page

    response = _checkout(courier_client, courier, orderer_email="typed@bud.example")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Du må bekrefte erklæringen" in html
    assert "typed@bud.example" in html  # what was typed is still there
    assert CartItem.objects.count() == 1 and not Order.objects.exists()


def test_vt_order_stores_the_declaration_and_inspectors_see_it(
    courier_client, courier, courier_address
):
    driver = ArbeidsforholdFactory(arbeidsgiver=courier).arbeidstaker
    _add(courier_client, courier, driver)
    _ready(courier, courier_address)
    response = _checkout(courier_client, courier, declare_VT="on")
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    declaration = order.declaration_for("VT")
    assert "3 500 kg" in declaration["text"]
    assert declaration["confirmed_by"] == courier_client.leader.identifikator

    card = Card.objects.get(holder_id=driver.identifikator)
    assert card.card_type == "VT" and card.state == CardState.PENDING
    approve_documents(courier.organisasjonsnummer, driver.identifikator)
    orders_process_pending(today=timezone.localdate())
    card.refresh_from_db()
    assert card.state == CardState.IN_PRODUCTION

    view = inspector_card_view(card.card_number, today=timezone.localdate())
    assert view.industry_name == "Varetransport"
    assert [d.card_type for d in view.order_declarations] == ["VT"]
    assert "3 500 kg" in view.order_declarations[0].text
    assert order.reference == view.order_declarations[0].order_reference


def test_other_card_types_ask_no_weight_declaration(owner_client, company, address, employee):
    _add(owner_client, company, employee)
    _ready(company, address)
    assert 'name="declare_' not in owner_client.get(url("cart", company)).content.decode()
    assert _checkout(owner_client, company).status_code == 302


# --- NACE consistency at order time --------------------------------------------------------


def _wrong_nace_order(owner_client, company, address, employee, justification=None):
    _add(owner_client, company, employee, card_type="VT")  # construction company orders VT
    _ready(company, address)
    extra = {"declare_VT": "on"}
    item = CartItem.objects.get()
    if justification is not None:
        extra[f"justification_{item.pk}"] = justification
    return _checkout(owner_client, company, **extra), item


def test_wrong_nace_needs_a_written_justification(owner_client, company, address, employee):
    response, item = _wrong_nace_order(owner_client, company, address, employee)
    assert response.status_code == 422
    assert "Skriv en begrunnelse" in response.content.decode()
    assert not Order.objects.exists()


def test_a_typed_justification_survives_a_refused_checkout(
    owner_client, company, address, employee
):
    _add(owner_client, company, employee, card_type="VT")
    _ready(company, address)
    item = CartItem.objects.get()
    # the declaration is forgotten: refused, but the justification is kept
    response = _checkout(
        owner_client, company, **{f"justification_{item.pk}": "Vi kjører varer for kunder."}
    )
    assert response.status_code == 422
    assert "Vi kjører varer for kunder." in response.content.decode()
    item.refresh_from_db()
    assert item.nace_justification == "Vi kjører varer for kunder."


def test_wrong_nace_goes_to_the_caseworker_and_continues_when_approved(
    owner_client, company, address, employee
):
    response, _item = _wrong_nace_order(
        owner_client, company, address, employee, "Vi har egen budavdeling."
    )
    assert response.status_code == 302
    card = Card.objects.get(holder_id=employee.identifikator)
    assert card.state == CardState.PENDING
    assert "NACE_JUSTIFICATION_PENDING" in card.reason_codes
    case = Case.objects.get(kind=CaseKind.NACE_JUSTIFICATION)
    assert case.status == CaseStatus.OPEN and case.card_id == card.pk
    assert case.details["justification"] == "Vi har egen budavdeling."
    assert case.details["card_type"] == "VT"

    # nightly processing does not let it through while the case is open
    approve_documents(company.organisasjonsnummer, employee.identifikator)
    orders_process_pending(today=timezone.localdate())
    card.refresh_from_db()
    assert card.state == CardState.PENDING

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        case_decide(case=case, approved=True, decided_by="saksbehandler")
    card.refresh_from_db()
    assert card.state == CardState.IN_PRODUCTION


def test_rejected_justification_rejects_the_order_with_a_reason(
    owner_client, company, address, employee
):
    from django.test import TestCase

    _wrong_nace_order(owner_client, company, address, employee, "Trenger det.")
    case = Case.objects.get(kind=CaseKind.NACE_JUSTIFICATION)
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_decide(
            case=case, approved=False, decided_by="saksbehandler", note="Ikke varetransport"
        )
    card = Card.objects.get(holder_id=employee.identifikator)
    assert card.state == CardState.REJECTED
    assert card.reason_codes == ["NACE_JUSTIFICATION_REJECTED"]


# --- own employer --------------------------------------------------------------------------


@pytest.fixture
def carpenter(db):
    """A self-employed carpenter: ENK, role INNH, no employment in Aa-registeret."""
    enk = EnhetFactory(navn="Snekker Olsen", organisasjonsform="ENK", naeringskode1="43.320")
    person = PersonFactory()
    RolleFactory(enhet=enk, person=person, rolletype=rm.RolleType.INNH)
    return enk, person


def test_a_self_employed_carpenter_orders_a_ba_card_for_himself(client, carpenter):
    from hmskort.identity.tests.factories import portal_user
    from hmskort.portal.models import DeliveryAddress

    enk, person = carpenter
    client.force_login(portal_user(person.identifikator, name=person.fulltnavn))
    page = client.get(url("employees", enk)).content.decode()
    assert person.fulltnavn in page and "egen arbeidsgiver" in page
    address = DeliveryAddress.objects.create(
        orgnr=enk.organisasjonsnummer, name="Olsen", street="Vei 1", postcode="0150", city="OSLO"
    )
    _add(client, enk, person)
    item = CartItem.objects.get()
    assert item.card_type == "BA"
    _ready(enk, address)
    assert _checkout(client, enk).status_code == 302
    card = Card.objects.get(holder_id=person.identifikator)
    assert card.employer_orgnr == enk.organisasjonsnummer
    assert card.employer_name == "Snekker Olsen"  # the business is the employer on the card
    approve_documents(enk.organisasjonsnummer, person.identifikator)
    orders_process_pending(today=timezone.localdate())
    card.refresh_from_db()
    assert card.state == CardState.IN_PRODUCTION


def test_owner_no_longer_innh_makes_the_card_invalid_at_recheck(carpenter):
    from hmskort.cards.tests.factories import CardFactory
    from hmskort.checks.services import recheck_incremental
    from hmskort.registers import services as register_services

    enk, person = carpenter
    today = timezone.localdate()
    card = CardFactory(
        active=True,
        employer_orgnr=enk.organisasjonsnummer,
        holder_id=person.identifikator,
        card_type="BA",
    )
    recheck_incremental(today=today)  # consume the feed so far
    register_services.rolle_upsert(
        organisasjonsnummer=enk.organisasjonsnummer,
        rolletype="INNH",
        identifikator=person.identifikator,
        fratraadt=True,
    )
    recheck_incremental(today=today)
    card.refresh_from_db()
    assert card.state == CardState.INVALID
    assert card.reason_codes == ["OWNER_ROLE_MISSING"]

    # back as owner: valid again
    register_services.rolle_upsert(
        organisasjonsnummer=enk.organisasjonsnummer,
        rolletype="INNH",
        identifikator=person.identifikator,
    )
    recheck_incremental(today=today)
    card.refresh_from_db()
    assert card.state == CardState.ACTIVE

    register_services.enhet_delete(
        organisasjonsnummer=enk.organisasjonsnummer, slettedato=today - dt.timedelta(days=1)
    )
    recheck_incremental(today=today)
    card.refresh_from_db()
    assert card.reason_codes == ["COMPANY_DELETED"]


def test_after_a_rejection_a_new_order_can_be_justified_again(
    owner_client, company, address, employee
):
    from django.test import TestCase

    _wrong_nace_order(owner_client, company, address, employee, "Første forsøk.")
    case = Case.objects.get(kind=CaseKind.NACE_JUSTIFICATION)
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_decide(case=case, approved=False, decided_by="saksbehandler")
    assert Card.objects.get(holder_id=employee.identifikator).state == CardState.REJECTED

    # the cart takes the card type again and asks for a new justification
    response, _item = _wrong_nace_order(
        owner_client, company, address, employee, "Vi har fått budoppdrag."
    )
    assert response.status_code == 302
    assert Case.objects.filter(kind=CaseKind.NACE_JUSTIFICATION, status="open").count() == 1
    pending = Card.objects.get(holder_id=employee.identifikator, state=CardState.PENDING)
    assert pending.reason_codes[:1] == ["NACE_JUSTIFICATION_PENDING"]
