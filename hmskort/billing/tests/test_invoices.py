"""One invoice per order paid by invoice (idempotent), sent by the company's
channel; credit notes for invoiced cards that are rejected or cancelled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hmskort.billing.models import (
    DispatchStatus,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Price,
)
from hmskort.billing.pricing import PriceMissing
from hmskort.billing.services import invoice_for_order, order_confirmed
from hmskort.billing.services.numbering import kid_is_valid
from hmskort.billing.tests.conftest import company_settings, place_order
from hmskort.cards.models import CardState
from hmskort.cards.services.lifecycle import card_cancel, card_reject
from hmskort.notifications.models import OutboxMessage
from hmskort.portal.models import CartItem, InvoiceChannel, Order, PaymentAttempt
from hmskort.portal.services import orders as order_services

pytestmark = pytest.mark.django_db


def test_an_order_paid_by_invoice_gets_one_invoice_with_its_lines_and_vat(company, address):
    today = timezone.localdate()
    order = place_order(company, method="invoice", cards=2, holders=1)
    invoice = Invoice.objects.get()
    assert invoice.kind == InvoiceKind.INVOICE
    assert invoice.key == f"order:{order.pk}"
    assert invoice.buyer_reference == order.reference
    # 2 cards at 107.50 and 2 card holders at 39.00, plus 25 % VAT: as the order says.
    assert invoice.total_excl_vat == order.total_excl_vat == Decimal("293.00")
    assert invoice.vat == order.vat == Decimal("73.25")
    assert invoice.total_incl_vat == order.total_incl_vat == Decimal("366.25")
    assert [(li.code, li.amount) for li in invoice.lines.all()] == [
        ("BA", Decimal("107.50")),
        ("KORTHOLDER", Decimal("39.00")),
        ("BA", Decimal("107.50")),
        ("KORTHOLDER", Decimal("39.00")),
    ]
    assert invoice.issue_date == today and invoice.due_date == today + dt.timedelta(days=14)
    assert kid_is_valid(invoice.kid)
    # Buyer from Enhetsregisteret, seller from settings.
    assert invoice.buyer["orgnr"] == company.organisasjonsnummer
    assert invoice.buyer["name"] == company.navn
    assert invoice.buyer["address_lines"] and invoice.buyer["postcode"]
    assert invoice.seller["orgnr"] == "921000006"
    assert list(invoice.orders.values_list("order_id", flat=True)) == [order.pk]


def test_confirming_again_never_makes_a_second_invoice(company, address):
    order = place_order(company, method="invoice")
    first = Invoice.objects.get()
    order_confirmed(order=order, today=timezone.localdate())
    again = invoice_for_order(order=order, today=timezone.localdate())
    assert again.pk == first.pk
    assert Invoice.objects.count() == 1
    assert OutboxMessage.objects.filter(key__startswith="billing-invoice-").count() == 1


def test_email_invoice_goes_with_the_pdf_to_the_invoice_address(company, address):
    company_settings(company, channel=InvoiceChannel.EMAIL, email="regnskap@example.no")
    place_order(company, method="invoice")
    invoice = Invoice.objects.get()
    assert invoice.channel == InvoiceChannel.EMAIL and invoice.status == InvoiceStatus.SENT
    mail = OutboxMessage.objects.get(key=f"billing-invoice-{invoice.number}")
    assert mail.to == ["regnskap@example.no"]
    assert f"Faktura {invoice.number}" in mail.subject
    assert invoice.kid in mail.body
    attachment = mail.attachments.get()
    assert attachment.filename == f"faktura-{invoice.number}.pdf"
    assert bytes(attachment.content).startswith(b"%PDF")
    assert invoice.dispatch.status == DispatchStatus.SENT


def test_without_an_invoice_address_the_orderer_gets_the_email(company, address):
    place_order(company, method="invoice")
    invoice = Invoice.objects.get()
    assert invoice.email == "bestiller@example.no"


def test_post_invoice_waits_in_the_print_queue_until_printed(company, address, admin_client):
    company_settings(company, channel=InvoiceChannel.POST)
    place_order(company, method="invoice")
    invoice = Invoice.objects.get()
    dispatch = invoice.dispatch
    assert dispatch.status == DispatchStatus.QUEUED
    assert company.navn in dispatch.recipient
    assert not OutboxMessage.objects.filter(key__startswith="billing-invoice-").exists()
    changelist = reverse("admin:billing_postletter_changelist")
    assert str(invoice.number) in admin_client.get(changelist).content.decode()
    pdf = admin_client.post(
        changelist, {"action": "download_letters", "_selected_action": [dispatch.pk]}
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    admin_client.post(changelist, {"action": "mark_printed", "_selected_action": [dispatch.pk]})
    dispatch.refresh_from_db()
    invoice.refresh_from_db()
    assert dispatch.status == DispatchStatus.PRINTED and dispatch.sent_at is not None
    assert invoice.status == InvoiceStatus.SENT


def test_orders_paid_online_or_monthly_get_no_invoice_at_confirmation(company, address):
    place_order(company, method="monthly_invoice")
    order = place_order(company, method="card")
    payment = order_services.payment_start(orgnr=company.organisasjonsnummer, order_id=order.pk)
    order_services.payment_provider_decide(
        payment_id=payment.pk, decision=PaymentAttempt.Status.APPROVED
    )
    order_services.payment_callback(payment_id=payment.pk, today=timezone.localdate())
    order_services.payment_callback(payment_id=payment.pk, today=timezone.localdate())
    assert not Invoice.objects.exists()


def test_a_card_type_without_a_price_cannot_be_ordered_and_the_cart_is_kept(company, address):
    Price.objects.filter(code="BA").delete()
    with pytest.raises(PriceMissing):
        place_order(company, method="invoice")
    assert not Order.objects.exists() and not Invoice.objects.exists()
    assert CartItem.objects.filter(orgnr=company.organisasjonsnummer).count() == 1


def test_a_rejected_invoiced_card_gets_a_credit_note_once(
    company, address, django_capture_on_commit_callbacks
):
    order = place_order(company, method="invoice", cards=2, holders=1)
    invoice = Invoice.objects.get()
    line = order.lines.order_by("id").first()
    assert line.card.state == CardState.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        card_reject(card=line.card, reason_codes=["DOCUMENTS_REJECTED"])
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert credit.credited_invoice == invoice
    assert credit.key == f"credit:card:{line.card_id}"
    # The card and its card holder, with VAT.
    assert credit.total_excl_vat == Decimal("146.50")
    assert credit.total_incl_vat == Decimal("183.13")
    assert credit.number == invoice.number + 1
    # The nightly sweep finds nothing more to credit.
    from hmskort.billing.services import credit_notes_sweep

    assert credit_notes_sweep(today=timezone.localdate()) == []
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_the_sweep_credits_a_cancelled_card_the_listener_missed(company, address):
    from hmskort.billing.services import credit_notes_sweep

    order = place_order(company, method="invoice")
    card_cancel(card=order.lines.get().card)  # on_commit never runs here: the listener missed it
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()
    [credit] = credit_notes_sweep(today=timezone.localdate())
    assert credit.total_incl_vat == Invoice.objects.get(kind=InvoiceKind.INVOICE).total_incl_vat
    assert credit_notes_sweep(today=timezone.localdate()) == []
