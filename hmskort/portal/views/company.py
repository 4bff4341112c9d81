"""The company's settings: invoice channel, delivery addresses, contact e-mail,
and the VAT self-declaration."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hmskort.core.errors import ApplicationError
from hmskort.identity.access import company_access_required
from hmskort.notifications.selectors import company_contact_get
from hmskort.notifications.services import company_contact_set
from hmskort.portal import selectors
from hmskort.portal.forms import CompanySettingsForm, ConfirmForm, ContactForm, DeliveryAddressForm
from hmskort.portal.services.company import (
    company_settings_get,
    company_settings_set,
    delivery_address_create,
    delivery_address_deactivate,
)
from hmskort.portal.views.common import today
from hmskort.registers.services import mva_egenerklaering_declare


def _settings_context(orgnr: str, **forms) -> dict:
    current = company_settings_get(orgnr)
    contact = company_contact_get(orgnr)
    vat_registered, declared = selectors.company_is_vat_registered(orgnr, today=today())
    return {
        "nav": "settings",
        "settings_form": forms.get("settings_form")
        or CompanySettingsForm(
            initial={
                "invoice_channel": current.invoice_channel,
                "invoice_email": current.invoice_email,
            }
        ),
        "contact_form": forms.get("contact_form")
        or ContactForm(initial={"email": contact.email, "name": contact.name} if contact else None),
        "declaration_form": forms.get("declaration_form") or ConfirmForm(),
        "address_form": forms.get("address_form") or DeliveryAddressForm(),
        "addresses": selectors.delivery_addresses(orgnr),
        "vat_registered": vat_registered,
        "vat_declared": declared,
    }


@company_access_required
@require_http_methods(["GET", "POST"])
def company_settings(request: HttpRequest, orgnr: str) -> HttpResponse:
    if request.method == "POST":
        form = CompanySettingsForm(request.POST)
        if form.is_valid():
            company_settings_set(orgnr=orgnr, **form.cleaned_data)
            messages.success(request, _("Fakturainnstillingene er lagret."))
            return redirect("portal:settings", orgnr=orgnr)
        return render(
            request,
            "portal/settings.html",
            _settings_context(orgnr, settings_form=form),
            status=422,
        )
    return render(request, "portal/settings.html", _settings_context(orgnr))


@company_access_required
@require_POST
def contact_set(request: HttpRequest, orgnr: str) -> HttpResponse:
    form = ContactForm(request.POST)
    if form.is_valid():
        company_contact_set(orgnr=orgnr, **form.cleaned_data)
        messages.success(request, _("Kontaktpersonen er lagret."))
        return redirect("portal:settings", orgnr=orgnr)
    return render(
        request, "portal/settings.html", _settings_context(orgnr, contact_form=form), status=422
    )


@company_access_required
@require_POST
def address_add(request: HttpRequest, orgnr: str) -> HttpResponse:
    form = DeliveryAddressForm(request.POST)
    if form.is_valid():
        delivery_address_create(orgnr=orgnr, **form.cleaned_data)
        messages.success(request, _("Adressen er lagt til."))
        return redirect("portal:settings", orgnr=orgnr)
    return render(
        request, "portal/settings.html", _settings_context(orgnr, address_form=form), status=422
    )


@company_access_required
@require_POST
def address_remove(request: HttpRequest, orgnr: str, address_id: int) -> HttpResponse:
    try:
        delivery_address_deactivate(orgnr=orgnr, address_id=address_id)
    except ApplicationError:
        raise Http404("No such address") from None
    messages.success(request, _("Adressen er fjernet."))
    return redirect("portal:settings", orgnr=orgnr)


@company_access_required
@require_POST
def vat_declaration(request: HttpRequest, orgnr: str) -> HttpResponse:
    form = ConfirmForm(request.POST)
    registered, declared = selectors.company_is_vat_registered(orgnr, today=today())
    if registered or declared:
        messages.info(request, _("Virksomheten trenger ingen egenerklæring."))
        return redirect("portal:settings", orgnr=orgnr)
    if not form.is_valid():
        return render(
            request,
            "portal/settings.html",
            _settings_context(orgnr, declaration_form=form),
            status=422,
        )
    mva_egenerklaering_declare(
        organisasjonsnummer=orgnr, erklaert_dato=today(), erklaert_av=request.pid
    )
    messages.success(
        request,
        _("Egenerklæringen er registrert og blir meldt til Skatteetaten."),
    )
    return redirect("portal:settings", orgnr=orgnr)
