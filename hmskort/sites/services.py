"""Writes for construction sites: sites, the companies on them, gate readers, chip codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import orgnr as stdnum_orgnr

from hmskort.api.models import ApiLevel
from hmskort.api.services import api_client_create
from hmskort.cards.models import Card
from hmskort.cards.numbers import is_valid_card_number, normalize_card_number
from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError, Conflict, NotFound
from hmskort.eligibility.industries import get_industry
from hmskort.registers.adapters import get_ports
from hmskort.sites.gate import normalize_chip_code, reader_cache_clear
from hmskort.sites.models import (
    MAX_ANTI_PASSBACK_MINUTES,
    ChipCode,
    GateReader,
    Site,
    SiteCompany,
)


class InvalidSite(ApplicationError):
    code = "invalid_site"
    http_status = 422


class CompanyNotFound(NotFound):
    code = "company_not_found"


def _synthetic_ok() -> bool:
    return getattr(settings, "HMSKORT_ENVIRONMENT", "development") != "production"


def _valid_orgnr(orgnr: str) -> str:
    orgnr = "".join((orgnr or "").split())
    try:
        return stdnum_orgnr.validate(orgnr)
    except StdnumError:
        raise InvalidSite(
            "Dette er ikke et gyldig organisasjonsnummer (ni sifre med kontrollsiffer). "
            "(Not a valid organisation number.)",
            code="invalid_orgnr",
            extra={"fields": {"orgnr": "invalid"}},
        ) from None


def company_verified(orgnr: str) -> tuple[str, str]:
    """(orgnr, name) of a live company in Enhetsregisteret; raises otherwise."""
    orgnr = _valid_orgnr(orgnr)
    record = get_ports().enhetsregisteret.enheter([orgnr]).get(orgnr)
    if record is None:
        raise CompanyNotFound(
            f"Fant ikke {orgnr} i Enhetsregisteret. (No such company in the register.)"
        )
    if record.slettedato is not None:
        raise InvalidSite(
            f"{record.navn} ({orgnr}) er slettet i Enhetsregisteret. (The company is deleted.)",
            code="company_deleted",
        )
    return orgnr, record.navn


def _check_site_fields(
    *, name: str, starts_on: dt.date, ends_on: dt.date, required_industry: str, minutes: int
) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = "Navn mangler (name required)."
    if ends_on < starts_on:
        errors["ends_on"] = "Til-dato kan ikke være før fra-dato (the end is before the start)."
    if get_industry(required_industry) is None:
        errors["required_industry"] = "Ukjent korttype (unknown card type)."
    if not 0 <= minutes <= MAX_ANTI_PASSBACK_MINUTES:
        errors["anti_passback_minutes"] = (
            f"Mellom 0 og {MAX_ANTI_PASSBACK_MINUTES} minutter (0 to {MAX_ANTI_PASSBACK_MINUTES})."
        )
    if errors:
        raise InvalidSite(
            "Kontroller feltene (check the fields): " + ", ".join(errors),
            extra={"fields": errors},
        )


def site_create(
    *,
    owner_orgnr: str,
    owner_name: str,
    name: str,
    address: str,
    builder_name: str,
    builder_orgnr: str = "",
    starts_on: dt.date,
    ends_on: dt.date,
    required_industry: str = "BA",
    anti_passback_minutes: int = 10,
    created_by: str,
) -> Site:
    """A new site; the owner (main contractor) is the first company on it."""
    required_industry = required_industry.strip().upper()
    _check_site_fields(
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        required_industry=required_industry,
        minutes=anti_passback_minutes,
    )
    if builder_orgnr:
        builder_orgnr = _valid_orgnr(builder_orgnr)
    with transaction.atomic():
        site = Site.objects.create(
            owner_orgnr=owner_orgnr,
            owner_name=owner_name,
            name=name.strip(),
            address=address.strip(),
            builder_name=builder_name.strip(),
            builder_orgnr=builder_orgnr,
            starts_on=starts_on,
            ends_on=ends_on,
            required_industry=required_industry,
            anti_passback_minutes=anti_passback_minutes,
            created_by=created_by,
        )
        SiteCompany.objects.create(
            site=site, orgnr=owner_orgnr, name=owner_name, added_by=created_by
        )
    return site


def site_update(
    *,
    site: Site,
    name: str,
    address: str,
    builder_name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    required_industry: str,
    anti_passback_minutes: int,
) -> Site:
    required_industry = required_industry.strip().upper()
    _check_site_fields(
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        required_industry=required_industry,
        minutes=anti_passback_minutes,
    )
    site.name, site.address, site.builder_name = name.strip(), address.strip(), builder_name
    site.starts_on, site.ends_on = starts_on, ends_on
    site.required_industry, site.anti_passback_minutes = required_industry, anti_passback_minutes
    site.save()
    reader_cache_clear()
    return site


def site_company_add(*, site: Site, orgnr: str, added_by: str) -> SiteCompany:
    """Add a company (verified against Enhetsregisteret) to the site; idempotent."""
    orgnr, name = company_verified(orgnr)
    entry, _ = SiteCompany.objects.get_or_create(
        site=site, orgnr=orgnr, defaults={"name": name, "added_by": added_by}
    )
    return entry


def site_company_remove(*, site: Site, orgnr: str) -> None:
    if orgnr == site.owner_orgnr:
        raise InvalidSite(
            "Hovedentreprenøren kan ikke fjernes fra egen byggeplass. "
            "(The main contractor cannot be removed from its own site.)",
            code="owner_not_removable",
        )
    SiteCompany.objects.filter(site=site, orgnr=orgnr).delete()


@dataclass(frozen=True)
class ReaderCredentials:
    """Shown once to the site owner; the secret is stored only as a hash."""

    reader: GateReader
    client_id: str
    client_secret: str


def gate_reader_create(*, site: Site, name: str, created_by: str) -> ReaderCredentials:
    """A gate reader for `site`: an OAuth2 client (client credentials) bound to it.

    Its ApiClient row says level 1 (the API app has no other level for it), but
    being a `GateReader` is what decides its scope: it can get only the gate
    scope (`hmskort.gate`, see `hmskort.api.oauth.client_scopes`), so its token
    posts gate events for this site and does nothing else. The client and the
    reader are created in one transaction: there is no moment in which the
    client exists without being a reader."""
    name = name.strip()[:100] or "Portleser"
    with transaction.atomic():
        issued = api_client_create(
            level=ApiLevel.LEVEL1,
            organisation_name=f"{site.owner_name}: {site.name} – {name}"[:255],
            approved_by=f"site-owner:{created_by}",
        )
        reader = GateReader.objects.create(
            site=site, api_client=issued.client, name=name, created_by=created_by
        )
        audit_record(
            actor_type="user",
            actor=created_by,
            action="gate_reader_create",
            object_type="sites.site",
            object_id=str(site.pk),
            detail={"client_id": issued.client_id, "reader": name},
        )
    return ReaderCredentials(reader, issued.client_id, issued.client_secret)


def gate_reader_deactivate(*, reader: GateReader, actor: str) -> GateReader:
    """Withdraw a reader: its tokens stop working at once (see hmskort.api.auth)."""
    with transaction.atomic():
        reader.active = False
        reader.save(update_fields=["active"])
        client = reader.api_client
        client.active = False
        client.save(update_fields=["active"])
        audit_record(
            actor_type="user",
            actor=actor,
            action="gate_reader_deactivate",
            object_type="sites.gatereader",
            object_id=str(reader.pk),
        )
    reader_cache_clear()
    return reader


class ChipCodeTaken(Conflict):
    code = "chip_code_taken"


def chip_code_register(*, code: str, card_number: str, registered_by: str) -> ChipCode:
    """Map a card's chip code to the card (one card per code)."""
    normalized = normalize_chip_code(code)
    if not (4 <= len(normalized) <= 64) or any(c not in "0123456789ABCDEF" for c in normalized):
        raise InvalidSite(
            "Brikkekoden skal være 4–64 heksadesimale tegn. (The chip code is 4–64 hex digits.)",
            code="invalid_chip_code",
            extra={"fields": {"code": "invalid"}},
        )
    number = normalize_card_number(card_number)
    card = Card.objects.filter(card_number=number).first() if is_valid_card_number(number) else None
    if card is None:
        raise NotFound("Fant ikke kortet. (Card not found.)", code="card_not_found")
    existing = ChipCode.objects.filter(code=normalized).first()
    if existing is not None:
        if existing.card_id == card.pk:
            return existing
        raise ChipCodeTaken("Brikkekoden er allerede i bruk. (The chip code is already in use.)")
    try:
        with transaction.atomic():
            return ChipCode.objects.create(code=normalized, card=card, registered_by=registered_by)
    except IntegrityError:
        raise ChipCodeTaken(
            "Brikkekoden er allerede i bruk. (The chip code is already in use.)"
        ) from None
