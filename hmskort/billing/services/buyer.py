"""The buyer as Enhetsregisteret says it is when the invoice is issued."""

from __future__ import annotations

import datetime as dt

from hmskort.registers.adapters import get_ports


def _vat_registered(periods, today: dt.date) -> bool:
    return any(p.fra <= today and (p.til is None or p.til >= today) for p in periods)


def buyer_snapshot(*, orgnr: str, fallback_name: str, today: dt.date) -> dict:
    """name, orgnr, address (postal address, else business address) and whether the
    company is in Merverdiavgiftsregisteret; the fallback name when the register
    does not know the company (it is then invoiced without an address)."""
    ports = get_ports()
    record = ports.enhetsregisteret.enheter([orgnr]).get(orgnr)
    periods = ports.mva.registreringer([orgnr]).get(orgnr, ())
    address = {}
    if record is not None:
        address = record.postadresse or record.forretningsadresse or {}
    return {
        "name": record.navn if record is not None else fallback_name,
        "orgnr": orgnr,
        "address_lines": [line for line in (address.get("adresse") or []) if line],
        "postcode": address.get("postnummer") or "",
        "city": address.get("poststed") or "",
        "country": address.get("landkode") or "NO",
        "vat_registered": _vat_registered(periods, today),
    }
