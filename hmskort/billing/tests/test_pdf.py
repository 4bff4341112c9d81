"""The invoice PDF as a person reads it (text extracted with pdftotext)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.utils import timezone

from hmskort.billing.models import Invoice
from hmskort.billing.pdf import invoice_pdf, invoices_pdf, kr
from hmskort.billing.services import credit_note_for_card
from hmskort.billing.tests.conftest import place_order
from hmskort.cards.services.lifecycle import card_reject

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode("utf-8").split())


def test_kroner_are_written_the_norwegian_way():
    from decimal import Decimal

    assert kr(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50"
    assert kr(Decimal("39")) == "39,00"


def test_the_invoice_pdf_has_what_the_buyer_needs_to_pay(company, address):
    place_order(company, method="invoice", cards=2, holders=1)
    invoice = Invoice.objects.get()
    text = pdf_text(invoice_pdf(invoice)).replace("\u00a0", " ")
    assert f"Faktura {invoice.number}" in text
    assert company.navn in text and company.organisasjonsnummer in text
    assert "Org.nr. 921000006 MVA" in text and "Foretaksregisteret" in text
    assert f"KID {invoice.kid}" in text
    assert "1503.12.34007" in text  # the seller's account, formatted
    assert f"{invoice.due_date:%d.%m.%Y}" in text
    assert "Mva 25 % av 293,00 73,25" in text
    assert "Å betale (NOK, inkl. mva) 366,25" in text
    holder = invoice.lines.first().description.split(": ")[1].split(" (")[0]
    assert holder in text


def test_credit_note_pdf_and_the_print_queue_pdf(company, address):
    order = place_order(company, method="invoice")
    card_reject(card=order.lines.get().card, reason_codes=["DOCUMENTS_REJECTED"])
    credit = credit_note_for_card(card_id=order.lines.get().card_id, today=timezone.localdate())
    text = pdf_text(invoice_pdf(credit))
    assert f"Kreditnota {credit.number}" in text
    assert f"Krediterer faktura {credit.credited_invoice.number}" in text
    both = pdf_text(invoices_pdf(Invoice.objects.order_by("number")))
    assert f"Faktura {credit.credited_invoice.number}" in both and "Kreditnota" in both
