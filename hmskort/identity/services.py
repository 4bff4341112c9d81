"""Writes for identity: portal users by national identity number, and delegations."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from hmskort.identity.access import company_access
from hmskort.identity.models import Delegation, PersonIdentity
from hmskort.registers import idnumbers
from hmskort.registers import models as rm
from hmskort.registers.adapters import get_ports

AUDIT_OBJECT_TYPE = "identity.delegation"


class InvalidIdentifier(ApplicationError):
    code = "invalid_identifier"


class PersonNotFound(NotFound):
    code = "person_not_found"


class NotEmployed(ApplicationError):
    code = "not_employed"


class InvalidPeriod(ApplicationError):
    code = "invalid_period"


class NotRoleHolder(PermissionDenied):
    code = "not_role_holder"


class DelegationExists(Conflict):
    code = "delegation_exists"


# --- portal users ---------------------------------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = (name or "").strip().rpartition(" ")
    return first[:150], last[:150]


def person_user_ensure(*, pid: str, name: str = ""):
    """The portal user for this person, created on first login; the name is kept current."""
    user_model = get_user_model()
    first, last = _split_name(name)
    identity = PersonIdentity.objects.select_related("user").filter(pid=pid).first()
    if identity is None:
        try:
            with transaction.atomic():
                user = user_model(username=f"pid-{pid}", first_name=first, last_name=last)
                user.set_unusable_password()
                user.full_clean(exclude=["password"])
                user.save()
                identity = PersonIdentity(user=user, pid=pid)
                identity.full_clean(exclude=["user"])
                identity.save()
                return user
        except IntegrityError:  # created by a concurrent login
            identity = PersonIdentity.objects.select_related("user").get(pid=pid)
    user = identity.user
    if name and (user.first_name, user.last_name) != (first, last):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return user


# --- delegations ----------------------------------------------------------------------------


def _company_family(orgnr: str) -> set[str]:
    """The company, its parent and its underenheter: where its employees may be registered."""
    family = {orgnr}
    parent = (
        rm.Enhet.objects.filter(organisasjonsnummer=orgnr)
        .values_list("overordnet_enhet_id", flat=True)
        .first()
    )
    if parent:
        family.add(parent)
    family.update(
        rm.Enhet.objects.filter(overordnet_enhet_id=orgnr).values_list(
            "organisasjonsnummer", flat=True
        )
    )
    return family


def person_is_employed(*, orgnr: str, pid: str, start: dt.date, end: dt.date) -> bool:
    """Whether Aa-registeret (or OAR, for posted workers) has this person employed by the
    company (or its hovedenhet/underenheter) at some time between start and end."""
    ports = get_ports()
    family = _company_family(orgnr)

    def overlaps(s: dt.date, e: dt.date | None) -> bool:
        return s <= end and (e is None or e >= start)

    for a in ports.aareg.arbeidsforhold_for_personer([pid]).get(pid, ()):
        if a.arbeidsgiver in family and overlaps(a.startdato, a.sluttdato):
            return True
    for u in ports.oar.utsendinger_for_personer([pid]).get(pid, ()):
        if u.oppdragstaker in family and overlaps(u.startdato, u.sluttdato):
            return True
    return False


def delegation_grant(
    *,
    orgnr: str,
    delegate_pid: str,
    valid_from: dt.date,
    valid_to: dt.date,
    granted_by_pid: str,
    today: dt.date,
) -> Delegation:
    """A role holder gives an employee authority to act for the company from `valid_from`
    to `valid_to` (both inclusive). Audit-logged as "grant"."""
    delegate_pid = (delegate_pid or "").replace(" ", "")
    access = company_access(granted_by_pid, orgnr, today=today)
    if access is None or not access.is_role_holder:
        raise NotRoleHolder(
            _("Bare personer med rolle i Enhetsregisteret kan gi fullmakt for virksomheten.")
        )
    if not idnumbers.is_valid(delegate_pid):
        raise InvalidIdentifier(_("Fødselsnummeret eller D-nummeret er ikke gyldig."))
    if delegate_pid == granted_by_pid:
        raise InvalidIdentifier(_("Du kan ikke gi fullmakt til deg selv."))
    if valid_from < today:
        raise InvalidPeriod(_("Fullmakten kan ikke starte før i dag."))
    if valid_to < valid_from:
        raise InvalidPeriod(_("Sluttdatoen kan ikke være før startdatoen."))
    person = get_ports().folkeregisteret.personer([delegate_pid]).get(delegate_pid)
    if person is None:
        raise PersonNotFound(_("Vi fant ingen person med dette nummeret i Folkeregisteret."))
    if not person_is_employed(orgnr=orgnr, pid=delegate_pid, start=valid_from, end=valid_to):
        raise NotEmployed(
            _(
                "Personen er ikke registrert som ansatt i virksomheten i Aa-registeret. "
                "Du kan bare gi fullmakt til egne ansatte."
            )
        )
    with transaction.atomic():
        # Lock this person's delegations for the company so two grants cannot overlap.
        existing = list(
            Delegation.objects.select_for_update().filter(
                orgnr=orgnr,
                delegate_pid=delegate_pid,
                revoked_at__isnull=True,
                valid_to__gte=valid_from,
                valid_from__lte=valid_to,
            )
        )
        if existing:
            raise DelegationExists(
                _("Personen har allerede fullmakt i denne perioden (til og med {date}).").format(
                    date=max(d.valid_to for d in existing).strftime("%d.%m.%Y")
                )
            )
        delegation = Delegation(
            orgnr=orgnr,
            delegate_pid=delegate_pid,
            delegate_name=person.fulltnavn,
            granted_by_pid=granted_by_pid,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        delegation.full_clean()
        delegation.save()
        audit_record(
            actor_type="user",
            actor=granted_by_pid,
            action="grant",
            object_type=AUDIT_OBJECT_TYPE,
            object_id=str(delegation.pk),
            subject_id=delegate_pid,
            detail={
                "orgnr": orgnr,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat(),
            },
        )
    return delegation


def delegation_revoke(
    *, orgnr: str, delegation_id: int, revoked_by_pid: str, today: dt.date, at=None
) -> Delegation:
    """End a delegation at once. Only a role holder of the company may revoke.
    Audit-logged as "revoke"."""
    access = company_access(revoked_by_pid, orgnr, today=today)
    if access is None or not access.is_role_holder:
        raise NotRoleHolder(
            _("Bare personer med rolle i Enhetsregisteret kan trekke tilbake fullmakter.")
        )
    with transaction.atomic():
        delegation = (
            Delegation.objects.select_for_update().filter(pk=delegation_id, orgnr=orgnr).first()
        )
        if delegation is None:
            raise NotFound(_("Fant ikke fullmakten."))
        if delegation.revoked_at is not None:
            return delegation
        delegation.revoked_at = at or timezone.now()
        delegation.revoked_by_pid = revoked_by_pid
        delegation.full_clean()
        delegation.save(update_fields=["revoked_at", "revoked_by_pid"])
        audit_record(
            actor_type="user",
            actor=revoked_by_pid,
            action="revoke",
            object_type=AUDIT_OBJECT_TYPE,
            object_id=str(delegation.pk),
            subject_id=delegation.delegate_pid,
            detail={"orgnr": orgnr},
        )
    return delegation
