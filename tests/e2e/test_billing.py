"""Billing in a real browser: the company's role holder finds its invoices
("Fakturaer"), with amounts incl. VAT and due dates, and downloads the PDF and
the EHF document."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmskort.billing.models import Invoice
from hmskort.billing.services import invoices_monthly_run
from hmskort.billing.tests.conftest import company_settings, place_order
from hmskort.billing.tests.ehf import assert_valid_ehf
from hmskort.portal.models import InvoiceChannel
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import EnhetFactory, PersonFactory, RolleFactory
from tests.e2e.helpers import choose_company, log_in_with_testid, shot

pytestmark = pytest.mark.e2e

COMPANY = "FAKTURA BYGG AS"


def test_role_holder_sees_and_downloads_the_companys_invoices(page, portal_settings):
    company = EnhetFactory(navn=COMPANY)
    owner = PersonFactory(fornavn="Frida", etternavn="Faktura")
    RolleFactory(enhet=company, person=owner, rolletype=rm.RolleType.DAGL)
    single = place_order(company, method="invoice", cards=2, holders=1)
    company_settings(company, channel=InvoiceChannel.EHF)
    place_order(company, method="monthly_invoice")
    today = timezone.localdate()
    [monthly] = invoices_monthly_run(month=today, today=today)
    invoice = Invoice.objects.get(key=f"order:{single.pk}")

    log_in_with_testid(page, owner.identifikator)
    choose_company(page, COMPANY)
    page.goto(f"/portal/v/{company.organisasjonsnummer}/fakturaer/")
    expect(page.get_by_role("heading", name="Fakturaer", exact=True)).to_be_visible()
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(2)
    first = rows.filter(has_text=f"Faktura {invoice.number}")
    expect(first).to_contain_text(str(invoice.total_incl_vat).replace(".", ","))
    expect(first).to_contain_text(f"{invoice.due_date:%d.%m.%Y}")
    shot(page, "invoices")

    with page.expect_download() as pdf:
        first.get_by_role("link", name=f"PDF {invoice.number}").click()
    assert pdf.value.suggested_filename == f"faktura-{invoice.number}.pdf"
    with page.expect_download() as xml:
        rows.filter(has_text=f"Faktura {monthly.number}").get_by_role(
            "link", name=f"EHF (XML) {monthly.number}"
        ).click()
    assert_valid_ehf(open(xml.value.path(), "rb").read())
