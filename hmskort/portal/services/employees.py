"""Adding a person to the company's employee list by fødselsnummer / D-nummer.

The employer types the number *and the person's surname*; the entry is made
only when both match Folkeregisteret. Asking for the number alone answered
with the person's full name, so any company user could look up the name of
any fødselsnummer. Now a wrong surname and an unknown number get the same
answer, every attempt is audit-logged (the person sees the employer's look-up
on their own "my data" page), and a user with too many misses within an hour
(`HMSKORT_EMPLOYEE_ADD_MISSES`, default 10 per 3600 s) is refused for the rest
of it."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction

from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError, Throttled
from hmskort.portal.models import AddedEmployee
from hmskort.registers import idnumbers
from hmskort.registers.adapters import get_ports
from hmskort.registers.ports import RegisterPorts
from hmskort.verification.ratelimit import rate_limit_hit, rate_limit_peek

DEFAULT_MISSES = (10, 3600)
_MISS_SCOPE = "employee_add_miss"


class InvalidPersonIdentifier(ApplicationError):
    code = "invalid_person_identifier"
    http_status = 422


class PersonNotFound(ApplicationError):
    """No person with this number *and* this surname (the two are not told apart)."""

    code = "person_not_found"
    http_status = 422


class TooManyMisses(Throttled):
    code = "employee_add_throttled"
    default_message = "For mange forsøk som ikke passet med Folkeregisteret; prøv igjen senere."


def _misses_limit() -> tuple[tuple[int, int], ...]:
    requests, seconds = getattr(settings, "HMSKORT_EMPLOYEE_ADD_MISSES", DEFAULT_MISSES)
    return ((int(requests), int(seconds)),)


def _name_key(text: str) -> str:
    """Case, accents written as combining marks, and spacing do not matter; the
    Norwegian letters æ, ø and å are kept as they are."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    return " ".join(text.replace("-", " ").split())


def surname_matches(typed: str, registered: str) -> bool:
    """The typed surname is the registered one, or one whole part of a double
    surname ("Berg" for "Hansen-Berg" or "Hansen Berg")."""
    typed_key, registered_key = _name_key(typed), _name_key(registered)
    if not typed_key or not registered_key:
        return False
    return typed_key == registered_key or (
        len(typed_key) >= 2 and typed_key in registered_key.split(" ")
    )


def normalize_identifier(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if not ch.isspace())


def employee_add(
    *,
    orgnr: str,
    person_id: str,
    surname: str,
    added_by: str,
    ports: RegisterPorts | None = None,
) -> AddedEmployee:
    """Add a person by fødselsnummer / D-nummer and surname; the full name comes
    from Folkeregisteret.

    Raises InvalidPersonIdentifier (checksum or date), PersonNotFound (no person
    with this number and surname in Folkeregisteret) or TooManyMisses (this
    user missed too often lately). Adding the same person again returns the entry."""
    person_id = normalize_identifier(person_id)
    if not idnumbers.is_valid(person_id):
        raise InvalidPersonIdentifier(
            "Fødselsnummeret eller D-nummeret er ikke gyldig.", extra={"person_id": person_id}
        )
    limits = _misses_limit()
    blocked = rate_limit_peek(scope=_MISS_SCOPE, client=added_by, limits=limits)
    if not blocked.allowed:
        raise TooManyMisses(retry_after=blocked.retry_after)
    ports = ports or get_ports()
    record = ports.folkeregisteret.personer([person_id]).get(person_id)
    found = record is not None and surname_matches(surname, record.etternavn)
    audit_record(
        actor_type="user",
        actor=added_by,
        action="employee_add",
        object_type="portal.addedemployee",
        subject_id=person_id,
        purpose="employee_add",
        detail={"orgnr": orgnr, "matched": found},
    )
    if not found:
        rate_limit_hit(scope=_MISS_SCOPE, client=added_by, limits=limits)
        raise PersonNotFound(
            "Fant ingen person med dette nummeret og etternavnet i Folkeregisteret."
        )
    try:
        with transaction.atomic():
            added = AddedEmployee(
                orgnr=orgnr, person_id=person_id, name=record.fulltnavn, added_by=added_by
            )
            added.full_clean(validate_unique=False, validate_constraints=False)
            added.save()
    except IntegrityError:
        return AddedEmployee.objects.get(orgnr=orgnr, person_id=person_id)
    return added
