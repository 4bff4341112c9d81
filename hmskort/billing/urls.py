"""Billing's pages in the employer portal (full paths: included at "")."""

from django.urls import path

from hmskort.billing import views

app_name = "billing"

urlpatterns = [
    path("portal/v/<str:orgnr>/fakturaer/", views.invoices, name="invoices"),
    path(
        "portal/v/<str:orgnr>/fakturaer/<int:number>.pdf",
        views.invoice_pdf_view,
        name="invoice_pdf",
    ),
    path(
        "portal/v/<str:orgnr>/fakturaer/<int:number>.xml",
        views.invoice_xml_view,
        name="invoice_xml",
    ),
]
