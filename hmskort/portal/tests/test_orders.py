"""Cart, checkout, payment through the simulator, the order page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hmskort.cards.models import Card, CardState
from hmskort.cards.tests.factories import card_for_employment
from hmskort.notifications.models import OutboxMessage, PortalMessage
from hmskort.portal.models import (
    CartItem,
    CompanySettings,
    DeliveryAddress,
    InvoiceChannel,
    Order,
    OrderLineStatus,
    PaymentAttempt,
    PaymentStatus,
)
from hmskort.portal.refs import person_ref
from hmskort.portal.services import orders as order_services
from hmskort.portal.tests.conftest import url
from hmskort.registers.tests.factories import ArbeidsforholdFactory

pytestmark = pytest.mark.django_db


def _add(client, company, person, **headers):
    return client.post(
        url("cart_add", company),
        {"person": person_ref(company.organisasjonsnummer, person.identifikator)},
        **headers,
    )


def _ready(company, address):
    """Declare and address every line in the cart."""
    CartItem.objects.filter(orgnr=company.organisasjonsnummer).update(
        declaration=True, delivery_address=address
    )


def test_add_to_cart_shows_refusal_with_reason_when_card_already_valid(
    owner_client, company, address
):
    employment = ArbeidsforholdFactory(arbeidsgiver=company)
    card_for_employment(employment, active=True)
    response = _add(owner_client, company, employment.arbeidstaker, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "kan ikke bestilles" in html
    assert "har allerede HMS-kort fra denne arbeidsgiveren" in html
    assert not CartItem.objects.exists()


def test_add_to_cart_refused_when_employment_starts_in_more_than_30_days(owner_client, company):
    import datetime as dt

    start = dt.date.today() + dt.timedelta(days=45)
    employment = ArbeidsforholdFactory(arbeidsgiver=company, startdato=start)
    response = _add(owner_client, company, employment.arbeidstaker)
    assert response.status_code == 302
    assert not CartItem.objects.exists()
    html = owner_client.get(response.url).content.decode()
    assert "kan ikke bestilles" in html


def test_cannot_add_someone_outside_the_company(owner_client, company):
    stranger = ArbeidsforholdFactory().arbeidstaker
    response = _add(owner_client, company, stranger)
    assert response.status_code == 404


def test_order_with_invoice_creates_pending_cards_and_confirmation(
    owner_client, company, address, owner
):
    a = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    b = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    _add(owner_client, company, a)
    _add(owner_client, company, b)
    item = CartItem.objects.get(person_id=a.identifikator)
    owner_client.post(
        url("cart_item_update", company, item_id=item.pk),
        {
            f"i{item.pk}-card_type": "BA",
            f"i{item.pk}-declaration": "on",
            f"i{item.pk}-card_holders": "2",
            f"i{item.pk}-delivery_address": str(address.pk),
        },
    )
    item.refresh_from_db()
    assert item.declaration and item.card_holders == 2
    CartItem.objects.filter(person_id=b.identifikator).update(declaration=True)

    response = owner_client.post(
        url("checkout", company),
        {"payment_method": "invoice", "orderer_email": "leder@example.no"},
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.payment_status == PaymentStatus.INVOICED
    assert order.orderer_pid == owner.identifikator
    # 2 BA cards + 2 card holders, plus 25 % VAT.
    net = Decimal("107.50") * 2 + Decimal("39.00") * 2
    assert order.total_excl_vat == net
    assert order.vat == (net * Decimal("0.25")).quantize(Decimal("0.01"))
    cards = Card.objects.filter(employer_orgnr=company.organisasjonsnummer)
    assert {c.holder_id for c in cards} == {a.identifikator, b.identifikator}
    assert all(c.state == CardState.PENDING for c in cards)
    assert all(c.orderer_email == "leder@example.no" for c in cards)
    assert all(line.status == OrderLineStatus.ORDERED for line in order.lines.all())
    mail = OutboxMessage.objects.get(key=f"portal-order-confirmation-{order.pk}")
    assert order.reference in mail.subject
    assert PortalMessage.objects.filter(orgnr=company.organisasjonsnummer).exists()
    assert not CartItem.objects.exists()
    page = owner_client.get(response.url).content.decode()
    assert order.reference in page and 'hx-trigger="every 10s"' in page


def test_checkout_needs_the_declaration_per_card(owner_client, company, address):
    person = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    _add(owner_client, company, person)
    response = owner_client.post(
        url("checkout", company), {"payment_method": "invoice", "orderer_email": "a@example.no"}
    )
    assert response.status_code == 422
    assert "egenerklæringen mangler" in response.content.decode()
    assert not Order.objects.exists() and not Card.objects.exists()
    assert CartItem.objects.count() == 1


def test_different_addresses_make_different_orders(owner_client, company, address):
    other = DeliveryAddress.objects.create(
        orgnr=company.organisasjonsnummer,
        name="Lager",
        street="Vei 2",
        postcode="0150",
        city="OSLO",
    )
    a = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    b = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    _add(owner_client, company, a)
    _add(owner_client, company, b)
    _ready(company, address)
    CartItem.objects.filter(person_id=b.identifikator).update(delivery_address=other)
    owner_client.post(
        url("checkout", company),
        {"payment_method": "monthly_invoice", "orderer_email": "a@example.no"},
    )
    orders = Order.objects.all()
    assert orders.count() == 2
    assert {o.delivery_address_id for o in orders} == {address.pk, other.pk}
    assert all(o.payment_status == PaymentStatus.MONTHLY for o in orders)
    assert all(o.lines.count() == 1 for o in orders)


def test_ehf_only_with_monthly_invoice(owner_client, company, address):
    CompanySettings.objects.create(
        orgnr=company.organisasjonsnummer, invoice_channel=InvoiceChannel.EHF
    )
    _add(owner_client, company, ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker)
    _ready(company, address)
    response = owner_client.post(
        url("checkout", company), {"payment_method": "invoice", "orderer_email": "a@example.no"}
    )
    assert response.status_code == 422
    assert "EHF kan bare brukes med månedlig" in response.content.decode()
    response = owner_client.post(
        url("checkout", company),
        {"payment_method": "monthly_invoice", "orderer_email": "a@example.no"},
    )
    assert Order.objects.get().invoice_channel == InvoiceChannel.EHF


def test_card_payment_declined_leaves_order_unpaid_then_retry_succeeds(
    owner_client, company, address
):
    person = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    _add(owner_client, company, person)
    _ready(company, address)
    response = owner_client.post(
        url("checkout", company), {"payment_method": "card", "orderer_email": "a@example.no"}
    )
    order = Order.objects.get()
    payment = PaymentAttempt.objects.get()
    assert response.url.endswith(f"/portal/betaling/simulator/{payment.pk}")
    simulator = owner_client.get(response.url).content.decode()
    assert str(order.total_incl_vat).replace(".", ",") in simulator  # nb locale

    back = owner_client.post(response.url, {"decision": "declined"})
    assert back.url == url("payment_return", company, payment_id=payment.pk)
    page = owner_client.get(back.url, follow=True).content.decode()
    assert "avvist" in page
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.UNPAID
    assert order.lines.get().status == OrderLineStatus.WAITING
    assert not Card.objects.exists()

    retry = owner_client.post(url("order_pay", company, order_id=order.pk))
    second = PaymentAttempt.objects.exclude(pk=payment.pk).get()
    assert retry.url.endswith(str(second.pk))
    owner_client.post(retry.url, {"decision": "approved"})
    owner_client.get(url("payment_return", company, payment_id=second.pk))
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PAID
    card = Card.objects.get()
    assert order.lines.get().card_id == card.pk
    assert OutboxMessage.objects.filter(key=f"portal-order-confirmation-{order.pk}").count() == 1


def test_abandoned_vipps_payment_keeps_order(owner_client, company, address):
    _add(owner_client, company, ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker)
    _ready(company, address)
    response = owner_client.post(
        url("checkout", company), {"payment_method": "vipps", "orderer_email": "a@example.no"}
    )
    owner_client.post(response.url, {"decision": "abandoned"})
    order = Order.objects.get()
    assert order.payment_status == PaymentStatus.UNPAID and order.lines.count() == 1
    html = owner_client.get(url("order", company, order_id=order.pk)).content.decode()
    assert "ikke betalt" in html and "Betal" in html


def test_payment_callback_is_idempotent(company, address, owner):
    from hmskort.portal.models import CartItem as CI

    person = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    CI.objects.create(
        orgnr=company.organisasjonsnummer,
        person_id=person.identifikator,
        holder_name=person.fulltnavn,
        card_type="BA",
        declaration=True,
        delivery_address=address,
    )
    import datetime as dt

    today = dt.date.today()
    [order] = order_services.order_place(
        orgnr=company.organisasjonsnummer,
        company_name=company.navn,
        orderer_pid=owner.identifikator,
        orderer_email="a@example.no",
        payment_method="card",
        today=today,
    )
    payment = order_services.payment_start(orgnr=company.organisasjonsnummer, order_id=order.pk)
    order_services.payment_provider_decide(payment_id=payment.pk, decision="approved")
    order_services.payment_provider_decide(payment_id=payment.pk, decision="declined")  # ignored
    for _ in range(3):
        order_services.payment_callback(payment_id=payment.pk, today=today)
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PAID
    assert Card.objects.count() == 1
    payment.refresh_from_db()
    assert payment.provider_status == "approved"


def test_order_page_shows_pending_reason_and_rejected_action(owner_client, company, address):
    person = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    _add(owner_client, company, person)
    _ready(company, address)
    owner_client.post(
        url("checkout", company), {"payment_method": "invoice", "orderer_email": "a@example.no"}
    )
    order = Order.objects.get()
    card = Card.objects.get()
    Card.objects.filter(pk=card.pk).update(state="rejected", reason_codes=["DOCUMENTS_REJECTED"])
    fragment = owner_client.get(
        url("order_cards", company, order_id=order.pk), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Avslått" in fragment
    assert "Dette kan du gjøre" in fragment
    assert "<html" not in fragment  # a fragment, swapped in place
    Card.objects.filter(pk=card.pk).update(state="in_production", reason_codes=[])
    fragment = owner_client.get(url("order_cards", company, order_id=order.pk)).content.decode()
    assert "I produksjon" in fragment


def test_orders_list_and_messages(owner_client, company, address):
    _add(owner_client, company, ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker)
    _ready(company, address)
    owner_client.post(
        url("checkout", company), {"payment_method": "invoice", "orderer_email": "a@example.no"}
    )
    order = Order.objects.get()
    assert order.reference in owner_client.get(url("orders", company)).content.decode()
    messages_html = owner_client.get(url("messages", company)).content.decode()
    assert "Ordrebekreftelse" in messages_html


def test_a_card_type_without_a_price_is_a_clear_error_and_the_cart_is_kept(
    owner_client, company, address
):
    from hmskort.billing.models import Price

    person = ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker
    _add(owner_client, company, person)
    _ready(company, address)
    item = CartItem.objects.get()
    Price.objects.filter(code=item.card_type).delete()

    page = owner_client.get(url("cart", company))
    assert page.status_code == 409
    assert "Handlekurven er tatt vare på" in page.content.decode()
    response = owner_client.post(
        url("checkout", company),
        {"payment_method": "invoice", "orderer_email": "leder@example.no"},
    )
    assert response.status_code == 409
    assert not Order.objects.exists() and not Card.objects.exists()
    assert CartItem.objects.filter(pk=item.pk).exists()
