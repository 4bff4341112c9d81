"""The company's own settings in the portal: delivery addresses and invoice channel."""

from __future__ import annotations

from django.db import transaction

from hmskort.core.errors import NotFound
from hmskort.portal.models import CompanySettings, DeliveryAddress, InvoiceChannel


def delivery_address_create(
    *, orgnr: str, name: str, street: str, postcode: str, city: str
) -> DeliveryAddress:
    address = DeliveryAddress(orgnr=orgnr, name=name, street=street, postcode=postcode, city=city)
    address.full_clean()
    address.save()
    return address


def delivery_address_deactivate(*, orgnr: str, address_id: int) -> DeliveryAddress:
    """Take an address out of use (orders that used it keep their copy)."""
    with transaction.atomic():
        address = (
            DeliveryAddress.objects.select_for_update().filter(orgnr=orgnr, pk=address_id).first()
        )
        if address is None:
            raise NotFound("Adressen finnes ikke.", code="address_not_found")
        address.active = False
        address.save(update_fields=["active"])
        address.cartitem_set.update(delivery_address=None)
    return address


def company_settings_get(orgnr: str) -> CompanySettings:
    return CompanySettings.objects.filter(orgnr=orgnr).first() or CompanySettings(orgnr=orgnr)


def company_settings_set(
    *, orgnr: str, invoice_channel: str, invoice_email: str = ""
) -> CompanySettings:
    with transaction.atomic():
        settings, _ = CompanySettings.objects.select_for_update().get_or_create(orgnr=orgnr)
        settings.invoice_channel = InvoiceChannel(invoice_channel)
        settings.invoice_email = invoice_email
        settings.full_clean()
        settings.save()
    return settings
