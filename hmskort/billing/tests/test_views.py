"""The portal page "Fakturaer": who may see it and download the documents."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hmskort.billing.models import Invoice
from hmskort.billing.services import invoices_monthly_run
from hmskort.billing.tests.conftest import company_settings, place_order
from hmskort.billing.tests.ehf import assert_valid_ehf
from hmskort.identity.tests.matrix import PermissionMatrix
from hmskort.portal.models import InvoiceChannel
from hmskort.registers.tests.factories import EnhetFactory


def _ehf_invoice(company) -> Invoice:
    company_settings(company, channel=InvoiceChannel.EHF)
    place_order(company, method="monthly_invoice")
    today = timezone.localdate()
    [invoice] = invoices_monthly_run(month=today, today=today)
    return invoice


class BillingMatrix(PermissionMatrix):
    def prepare(self, world):
        self.invoice = _ehf_invoice(world.company)

    def url(self, world):
        kwargs = {"orgnr": world.orgnr}
        if self.url_name != "billing:invoices":
            kwargs["number"] = self.invoice.number
        return reverse(self.url_name, kwargs=kwargs)


class TestInvoiceListPermissions(BillingMatrix):
    url_name = "billing:invoices"


class TestInvoicePdfPermissions(BillingMatrix):
    url_name = "billing:invoice_pdf"


class TestInvoiceXmlPermissions(BillingMatrix):
    url_name = "billing:invoice_xml"


class TestInvoiceListOfUnderenhetPermissions(BillingMatrix):
    url_name = "billing:invoices"
    world_underenhet = True


@pytest.mark.django_db
def test_the_list_shows_number_dates_amount_status_and_downloads(owner_client, company, address):
    invoice = _ehf_invoice(company)
    page = owner_client.get(
        reverse("billing:invoices", kwargs={"orgnr": company.organisasjonsnummer})
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Faktura {invoice.number}" in html
    assert invoice.issue_date.strftime("%d.%m.%Y") in html
    assert invoice.due_date.strftime("%d.%m.%Y") in html
    assert str(invoice.total_incl_vat).replace(".", ",") in html  # nb formatting
    assert "EHF (XML)" in html
    pdf = owner_client.get(
        reverse(
            "billing:invoice_pdf",
            kwargs={"orgnr": company.organisasjonsnummer, "number": invoice.number},
        )
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="faktura-{invoice.number}.pdf"'
    xml = owner_client.get(
        reverse(
            "billing:invoice_xml",
            kwargs={"orgnr": company.organisasjonsnummer, "number": invoice.number},
        )
    )
    assert xml["Content-Type"] == "application/xml"
    assert_valid_ehf(xml.content)


@pytest.mark.django_db
def test_another_companys_invoice_is_not_found_under_your_company(owner_client, company, address):
    other = _ehf_invoice(EnhetFactory())
    orgnr = company.organisasjonsnummer
    for name in ("billing:invoice_pdf", "billing:invoice_xml"):
        response = owner_client.get(reverse(name, kwargs={"orgnr": orgnr, "number": other.number}))
        assert response.status_code == 404
    page = owner_client.get(reverse("billing:invoices", kwargs={"orgnr": orgnr})).content.decode()
    assert "Ingen fakturaer ennå." in page


@pytest.mark.django_db
def test_an_email_invoice_has_no_xml_download(owner_client, company, address):
    place_order(company, method="invoice")
    invoice = Invoice.objects.get()
    orgnr = company.organisasjonsnummer
    page = owner_client.get(reverse("billing:invoices", kwargs={"orgnr": orgnr})).content.decode()
    assert "EHF (XML)" not in page
    response = owner_client.get(
        reverse("billing:invoice_xml", kwargs={"orgnr": orgnr, "number": invoice.number})
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_page_is_in_english_too(owner_client, company, address):
    place_order(company, method="invoice")
    owner_client.cookies["django_language"] = "en"
    html = owner_client.get(
        reverse("billing:invoices", kwargs={"orgnr": company.organisasjonsnummer}),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Invoices" in html and "Due" in html
