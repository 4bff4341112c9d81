"""The company's invoices in the portal ("Fakturaer"): list, PDF and EHF XML.

Only those who may act for the company (role holders and current delegates)
reach these pages (`company_access_required`: anonymous users are sent to log
in, everyone else gets 404, so a URL never reveals another company's invoice)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from hmskort.billing import selectors
from hmskort.billing.pdf import invoice_pdf
from hmskort.identity.access import company_access_required
from hmskort.portal.models import InvoiceChannel


@company_access_required
def invoices(request: HttpRequest, orgnr: str) -> HttpResponse:
    page = Paginator(selectors.invoices_for_company(orgnr), 25).get_page(request.GET.get("side"))
    return render(request, "billing/invoices.html", {"nav": "invoices", "page": page})


def _invoice_or_404(orgnr: str, number: int):
    invoice = selectors.invoice_get(orgnr, number)
    if invoice is None:
        raise Http404("No such invoice")
    return invoice


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@company_access_required
def invoice_pdf_view(request: HttpRequest, orgnr: str, number: int) -> HttpResponse:
    invoice = _invoice_or_404(orgnr, number)
    name = "kreditnota" if invoice.is_credit_note else "faktura"
    return _download(invoice_pdf(invoice), "application/pdf", f"{name}-{invoice.number}.pdf")


@company_access_required
def invoice_xml_view(request: HttpRequest, orgnr: str, number: int) -> HttpResponse:
    """The EHF document as sent (only invoices that went by EHF have one)."""
    invoice = _invoice_or_404(orgnr, number)
    dispatch = getattr(invoice, "dispatch", None)
    if dispatch is None or dispatch.channel != InvoiceChannel.EHF or not dispatch.document:
        raise Http404("No EHF document")
    return _download(
        dispatch.document.encode("utf-8"), "application/xml", f"ehf-{invoice.number}.xml"
    )
