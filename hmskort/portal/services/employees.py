"""Adding a person to the company's employee list by fødselsnummer / D-nummer."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from hmskort.core.errors import ApplicationError
from hmskort.portal.models import AddedEmployee
from hmskort.registers import idnumbers
from hmskort.registers.adapters import get_ports
from hmskort.registers.ports import RegisterPorts


class InvalidPersonIdentifier(ApplicationError):
    code = "invalid_person_identifier"
    http_status = 422


class PersonNotFound(ApplicationError):
    code = "person_not_found"
    http_status = 422


def normalize_identifier(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if not ch.isspace())


def employee_add(
    *, orgnr: str, person_id: str, added_by: str, ports: RegisterPorts | None = None
) -> AddedEmployee:
    """Add a person by fødselsnummer / D-nummer; the name comes from Folkeregisteret.

    Raises InvalidPersonIdentifier (checksum or date) or PersonNotFound
    (not in Folkeregisteret). Adding the same person again returns the entry."""
    person_id = normalize_identifier(person_id)
    if not idnumbers.is_valid(person_id):
        raise InvalidPersonIdentifier(
            "Fødselsnummeret eller D-nummeret er ikke gyldig.", extra={"person_id": person_id}
        )
    ports = ports or get_ports()
    record = ports.folkeregisteret.personer([person_id]).get(person_id)
    if record is None:
        raise PersonNotFound("Fant ingen person med dette nummeret i Folkeregisteret.")
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
