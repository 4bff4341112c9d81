"""Every EHF document billing writes passes the Peppol BIS Billing 3.0 and
EN 16931 Schematron rules (run with Saxon), with no failed assert at all."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from hmskort.billing.ehf.ubl import invoice_ubl
from hmskort.billing.models import Invoice, InvoiceKind
from hmskort.billing.services import credit_note_for_card, invoices_monthly_run
from hmskort.billing.tests.conftest import company_settings, place_order
from hmskort.billing.tests.ehf import SPECS, assert_valid_ehf, ehf_failures
from hmskort.cards.services.lifecycle import card_reject
from hmskort.portal.models import InvoiceChannel
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import EnhetFactory


def test_the_validator_passes_the_official_examples_and_catches_broken_documents():
    base = (SPECS / "base-example.xml").read_bytes()
    assert_valid_ehf(base)
    norwegian = (SPECS / "Norwegian-example-1.xml").read_text()
    assert_valid_ehf(norwegian.encode(), warnings_allowed=True)
    broken = re.sub(r"<cbc:BuyerReference>.*?</cbc:BuyerReference>", "", norwegian)
    broken = re.sub(r"<cac:OrderReference>.*?</cac:OrderReference>", "", broken, flags=re.S)
    broken = broken.replace("NO123456785MVA", "NO123456786MVA")
    broken = broken.replace(
        'PayableAmount currencyID="NOK">802.00', 'PayableAmount currencyID="NOK">803.00'
    )
    fatal = {f.id for f in ehf_failures(broken.encode()) if f.flag == "fatal"}
    assert {"PEPPOL-EN16931-R003", "NO-R-001", "BR-CO-16"} <= fatal


@pytest.mark.django_db
def test_single_invoice_is_valid_ehf_with_the_norwegian_seller_details(company, address):
    place_order(company, method="invoice", cards=3, holders=2)
    invoice = Invoice.objects.get()
    xml = invoice_ubl(invoice)
    assert_valid_ehf(xml)
    text = xml.decode()
    assert "<cbc:CompanyID>NO921000006MVA</cbc:CompanyID>" in text
    assert "<cbc:CompanyID>Foretaksregisteret</cbc:CompanyID>" in text
    assert f'<cbc:EndpointID schemeID="0192">{company.organisasjonsnummer}</cbc:EndpointID>' in text
    assert f"<cbc:PaymentID>{invoice.kid}</cbc:PaymentID>" in text
    assert (
        f'<cbc:PayableAmount currencyID="NOK">{invoice.total_incl_vat}</cbc:PayableAmount>' in text
    )


@pytest.mark.django_db
def test_monthly_invoice_with_period_is_valid_ehf(company, address):
    company_settings(company, channel=InvoiceChannel.EHF)
    for _ in range(3):
        place_order(company, method="monthly_invoice", cards=2, holders=1)
    today = timezone.localdate()
    [invoice] = invoices_monthly_run(month=today, today=today)
    document = invoice.dispatch.document.encode()
    assert_valid_ehf(document)
    assert b"<cac:InvoicePeriod>" in document


@pytest.mark.django_db
def test_credit_note_is_valid_ehf_and_refers_to_the_invoice(company, address):
    order = place_order(company, method="invoice", cards=2, holders=1)
    card = order.lines.order_by("id").first().card
    card_reject(card=card, reason_codes=["DOCUMENTS_REJECTED"])
    credit = credit_note_for_card(card_id=card.pk, today=timezone.localdate())
    assert credit.kind == InvoiceKind.CREDIT_NOTE
    xml = invoice_ubl(credit)
    assert_valid_ehf(xml)
    text = xml.decode()
    assert "<CreditNote " in text and "<cbc:CreditNoteTypeCode>381" in text
    assert f"<cbc:ID>{credit.credited_invoice.number}</cbc:ID>" in text


@pytest.mark.django_db
def test_buyer_not_vat_registered_and_without_address_is_still_valid_ehf(address):
    from hmskort.billing.services.buyer import buyer_snapshot

    company = EnhetFactory(postadresse={}, forretningsadresse={})
    place_order(company, method="invoice")
    rm.MvaRegistrering.objects.filter(enhet=company).delete()
    invoice = Invoice.objects.get()
    invoice.buyer = buyer_snapshot(
        orgnr=company.organisasjonsnummer, fallback_name="x", today=timezone.localdate()
    )
    assert invoice.buyer["vat_registered"] is False and invoice.buyer["address_lines"] == []
    xml = invoice_ubl(invoice)
    assert_valid_ehf(xml)
    assert f"NO{company.organisasjonsnummer}MVA".encode() not in xml


@pytest.mark.django_db
def test_an_invoice_issued_long_ago_is_still_valid(company, address):
    order = place_order(company, method="invoice")
    invoice = Invoice.objects.get(key=f"order:{order.pk}")
    invoice.issue_date = dt.date(2024, 2, 29)
    invoice.due_date = dt.date(2024, 3, 14)
    assert_valid_ehf(invoice_ubl(invoice))
