"""The only code that writes the simulated registers.

Every write appends a `RegisterChange` row in the same transaction, so the
change feed never misses or invents a change. Functions are named entity
first, take keyword-only typed arguments, and call `full_clean()` before
saving. Upserts go by the record's natural key (see docs/register-file.md).
`registers_apply` applies a whole JSON document (the `load_registers` format).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from stdnum.no import orgnr as stdnum_orgnr

from hmskort.core.errors import ApplicationError, NotFound
from hmskort.registers import models as m
from hmskort.registers.identifiers import is_dnr, is_valid_person_identifier

__all__ = [
    "ApplyResult",
    "InvalidRegisterRecord",
    "arbeidsforhold_end",
    "arbeidsforhold_register",
    "bemanningsforetak_register",
    "bilpleiegodkjenning_set",
    "enhet_delete",
    "enhet_upsert",
    "mva_deregister",
    "mva_egenerklaering_declare",
    "mva_egenerklaering_withdraw",
    "mva_register",
    "oppdrag_arbeidstaker_register",
    "oppdrag_register",
    "oppholdstillatelse_register",
    "person_set_status",
    "person_upsert",
    "register_record_delete",
    "register_record_save",
    "registers_apply",
    "renholdsgodkjenning_set",
    "rolle_upsert",
    "unntak_end",
    "unntak_register",
    "verkstedgodkjenning_set",
]


@dataclass(frozen=True)
class ApplyResult:
    """The outcome of `registers_apply`."""

    ok: bool
    applied: int = 0  # records applied (0 when not ok)
    changes: int = 0  # change-feed rows written
    errors: tuple[str, ...] = ()  # "records[3].startdato: ugyldig dato (YYYY-MM-DD)"
    counts: dict[str, int] = field(default_factory=dict)  # records applied per type


class InvalidRegisterRecord(ApplicationError):
    """A register record failed validation; `extra["fields"]` maps field -> messages."""

    code = "invalid_register_record"


# --- helpers -------------------------------------------------------------------------------


def allow_synthetic_identifiers() -> bool:
    """Synthetic numbers (month + 80) are valid only in a test environment
    (`settings.HMSKORT_ACCEPT_SYNTHETIC_IDS`, see `idnumbers.accept_synthetic_ids`)."""
    from hmskort.registers.idnumbers import accept_synthetic_ids

    return accept_synthetic_ids()


def _save(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidRegisterRecord(
            f"Ugyldig {instance._meta.verbose_name}: {exc.message_dict}",
            extra={"fields": exc.message_dict},
        ) from exc
    instance.save()


def _change(
    *,
    register: str,
    instance: models.Model,
    change_type: str,
    orgnr: str = "",
    fnr: str = "",
    entity: str | None = None,
) -> m.RegisterChange:
    return m.RegisterChange.objects.create(
        register=register,
        entity=entity or type(instance).__name__,
        entity_key=str(instance.pk),
        change_type=change_type,
        orgnr=orgnr or "",
        fnr=fnr or "",
        changed_at=timezone.now(),
    )


def _enhet(orgnr: str) -> m.Enhet:
    try:
        return m.Enhet.objects.get(organisasjonsnummer=orgnr)
    except m.Enhet.DoesNotExist:
        raise NotFound(
            f"Enheten {orgnr} finnes ikke i Enhetsregisteret", code="enhet_not_found"
        ) from None


def _person(fnr: str) -> m.Person:
    try:
        return m.Person.objects.get(identifikator=fnr)
    except m.Person.DoesNotExist:
        raise NotFound(
            f"Personen {fnr[:6]}***** finnes ikke i Folkeregisteret", code="person_not_found"
        ) from None


def _assign(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set attributes; True if anything changed."""
    changed = False
    for name, value in values.items():
        try:
            current = getattr(instance, name)
        except ObjectDoesNotExist:  # a foreign key not set yet on a new instance
            current = None
        if current != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _enhet_entity(enhet: m.Enhet) -> str:
    return "Underenhet" if enhet.overordnet_enhet_id else "Enhet"


# --- Enhetsregisteret --------------------------------------------------------------------------


@transaction.atomic
def enhet_upsert(
    *,
    organisasjonsnummer: str,
    navn: str,
    organisasjonsform: str,
    registreringsdato: dt.date,
    overordnet_enhet: str | None = None,
    naeringskode1: str = "",
    naeringskode2: str = "",
    naeringskode3: str = "",
    antall_ansatte: int = 0,
    stiftelsesdato: dt.date | None = None,
    registrert_i_foretaksregisteret: bool = False,
    konkurs: bool = False,
    konkursdato: dt.date | None = None,
    under_avvikling: bool = False,
    under_tvangsavvikling: bool = False,
    forretningsadresse: dict | None = None,
    postadresse: dict | None = None,
    hjemland: str = "",
    slettedato: dt.date | None = None,
) -> m.Enhet:
    """Create or replace a hovedenhet / underenhet by organisation number."""
    if not stdnum_orgnr.is_valid(organisasjonsnummer):
        raise InvalidRegisterRecord(
            f"Ugyldig organisasjonsnummer: {organisasjonsnummer}",
            extra={"fields": {"organisasjonsnummer": ["ugyldig organisasjonsnummer"]}},
        )
    parent = _enhet(overordnet_enhet) if overordnet_enhet else None
    enhet = m.Enhet.objects.select_for_update().filter(pk=organisasjonsnummer).first()
    created = enhet is None
    was_deleted = bool(enhet and enhet.slettedato)
    if created:
        enhet = m.Enhet(organisasjonsnummer=organisasjonsnummer)
    changed = _assign(
        enhet,
        {
            "navn": navn,
            "organisasjonsform": organisasjonsform,
            "registreringsdato": registreringsdato,
            "overordnet_enhet": parent,
            "naeringskode1": naeringskode1,
            "naeringskode2": naeringskode2,
            "naeringskode3": naeringskode3,
            "antall_ansatte": antall_ansatte,
            "stiftelsesdato": stiftelsesdato,
            "registrert_i_foretaksregisteret": registrert_i_foretaksregisteret,
            "konkurs": konkurs,
            "konkursdato": konkursdato,
            "under_avvikling": under_avvikling,
            "under_tvangsavvikling": under_tvangsavvikling,
            "forretningsadresse": forretningsadresse or {},
            "postadresse": postadresse or {},
            "hjemland": hjemland,
            "slettedato": slettedato,
        },
    )
    if not (created or changed):
        return enhet
    _save(enhet)
    if created:
        change_type = m.ChangeType.NY
    elif slettedato and not was_deleted:
        change_type = m.ChangeType.SLETTING
    else:
        change_type = m.ChangeType.ENDRING
    _change(
        register=m.Register.ENHETSREGISTERET,
        instance=enhet,
        entity=_enhet_entity(enhet),
        change_type=change_type,
        orgnr=organisasjonsnummer,
    )
    return enhet


@transaction.atomic
def enhet_delete(*, organisasjonsnummer: str, slettedato: dt.date) -> m.Enhet:
    """Delete a company from Enhetsregisteret: it keeps its record, with `slettedato` set."""
    enhet = _enhet(organisasjonsnummer)
    if enhet.slettedato == slettedato:
        return enhet
    enhet.slettedato = slettedato
    _save(enhet)
    _change(
        register=m.Register.ENHETSREGISTERET,
        instance=enhet,
        entity=_enhet_entity(enhet),
        change_type=m.ChangeType.SLETTING,
        orgnr=organisasjonsnummer,
    )
    return enhet


@transaction.atomic
def rolle_upsert(
    *,
    organisasjonsnummer: str,
    rolletype: str,
    identifikator: str,
    fratraadt: bool = False,
    registrert: dt.date | None = None,
) -> m.Rolle:
    """Register a role (or mark it resigned with `fratraadt=True`) by (company, role, person)."""
    enhet, person = _enhet(organisasjonsnummer), _person(identifikator)
    rolle = m.Rolle.objects.filter(enhet=enhet, rolletype=rolletype, person=person).first()
    created = rolle is None
    if created:
        rolle = m.Rolle(enhet=enhet, rolletype=rolletype, person=person)
    changed = _assign(rolle, {"fratraadt": fratraadt, "registrert": registrert})
    if not (created or changed):
        return rolle
    _save(rolle)
    _change(
        register=m.Register.ENHETSREGISTERET,
        instance=rolle,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        orgnr=organisasjonsnummer,
        fnr=identifikator,
    )
    return rolle


# --- Merverdiavgiftsregisteret and self-declarations ---------------------------------------------


def _period_upsert(
    *,
    model: type[models.Model],
    register: str,
    enhet: m.Enhet,
    key: dict[str, Any],
    values: dict[str, Any],
) -> tuple[models.Model, bool]:
    """Upsert a period row by key; returns (row, whether anything was written)."""
    obj = model.objects.filter(enhet=enhet, **key).first()
    created = obj is None
    if created:
        obj = model(enhet=enhet, **key)
    if not (_assign(obj, values) or created):
        return obj, False
    _save(obj)
    _change(
        register=register,
        instance=obj,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        orgnr=enhet.organisasjonsnummer,
    )
    return obj, True


@transaction.atomic
def mva_register(
    *, organisasjonsnummer: str, registrert_fra: dt.date, registrert_til: dt.date | None = None
) -> m.MvaRegistrering:
    """Register a VAT registration period (natural key: company + registrert_fra)."""
    enhet = _enhet(organisasjonsnummer)
    reg, changed = _period_upsert(
        model=m.MvaRegistrering,
        register=m.Register.MVA,
        enhet=enhet,
        key={"registrert_fra": registrert_fra},
        values={"registrert_til": registrert_til},
    )
    if not changed:
        return reg
    # registrertIMvaregisteret is part of the Enhetsregisteret record: its feed shows it too.
    _change(
        register=m.Register.ENHETSREGISTERET,
        instance=enhet,
        entity=_enhet_entity(enhet),
        change_type=m.ChangeType.ENDRING,
        orgnr=organisasjonsnummer,
    )
    return reg


@transaction.atomic
def mva_deregister(*, organisasjonsnummer: str, registrert_til: dt.date) -> m.MvaRegistrering:
    """End the company's open VAT registration on `registrert_til`."""
    enhet = _enhet(organisasjonsnummer)
    open_reg = (
        m.MvaRegistrering.objects.filter(enhet=enhet, registrert_til__isnull=True)
        .order_by("-registrert_fra")
        .first()
    )
    if open_reg is None:
        raise NotFound(
            f"{organisasjonsnummer} har ingen åpen MVA-registrering", code="mva_not_registered"
        )
    return mva_register(
        organisasjonsnummer=organisasjonsnummer,
        registrert_fra=open_reg.registrert_fra,
        registrert_til=registrert_til,
    )


@transaction.atomic
def mva_egenerklaering_declare(
    *,
    organisasjonsnummer: str,
    erklaert_dato: dt.date,
    erklaert_av: str = "",
    trukket_dato: dt.date | None = None,
) -> m.MvaEgenerklaering:
    """Record the company's declaration that it is not liable to register for VAT."""
    declaration, _ = _period_upsert(
        model=m.MvaEgenerklaering,
        register=m.Register.MVA_EGENERKLAERING,
        enhet=_enhet(organisasjonsnummer),
        key={"erklaert_dato": erklaert_dato},
        values={"erklaert_av": erklaert_av, "trukket_dato": trukket_dato},
    )
    return declaration


@transaction.atomic
def mva_egenerklaering_withdraw(
    *, organisasjonsnummer: str, trukket_dato: dt.date
) -> m.MvaEgenerklaering:
    """Withdraw the company's open VAT self-declaration."""
    current = (
        m.MvaEgenerklaering.objects.filter(enhet_id=organisasjonsnummer, trukket_dato__isnull=True)
        .order_by("-erklaert_dato")
        .first()
    )
    if current is None:
        raise NotFound(
            f"{organisasjonsnummer} har ingen gjeldende egenerklæring",
            code="mva_egenerklaering_not_found",
        )
    return mva_egenerklaering_declare(
        organisasjonsnummer=organisasjonsnummer,
        erklaert_dato=current.erklaert_dato,
        erklaert_av=current.erklaert_av,
        trukket_dato=trukket_dato,
    )


# --- Folkeregisteret -------------------------------------------------------------------------------


@transaction.atomic
def person_upsert(
    *,
    identifikator: str,
    fornavn: str,
    etternavn: str,
    foedselsdato: dt.date,
    kjoenn: str,
    status: str,
    mellomnavn: str = "",
    statsborgerskap: list[str] | None = None,
    status_dato: dt.date | None = None,
    identifikator_tildelt: dt.date | None = None,
    bostedsadresse: dict | None = None,
) -> m.Person:
    """Create or replace a person by fødselsnummer / D-nummer (the type follows the number)."""
    if not is_valid_person_identifier(identifikator, allow_synthetic=allow_synthetic_identifiers()):
        raise InvalidRegisterRecord(
            "Ugyldig fødselsnummer eller D-nummer",
            extra={"fields": {"identifikator": ["ugyldig fødselsnummer eller D-nummer"]}},
        )
    if kjoenn not in ("mann", "kvinne"):
        raise InvalidRegisterRecord(
            "Ugyldig kjønn", extra={"fields": {"kjoenn": ["må være «mann» eller «kvinne»"]}}
        )
    person = m.Person.objects.select_for_update().filter(pk=identifikator).first()
    created = person is None
    if created:
        person = m.Person(identifikator=identifikator)
    old_status = None if created else person.status
    changed = _assign(
        person,
        {
            "identifikatortype": m.Identifikatortype.DNR
            if is_dnr(identifikator)
            else m.Identifikatortype.FNR,
            "fornavn": fornavn,
            "mellomnavn": mellomnavn,
            "etternavn": etternavn,
            "foedselsdato": foedselsdato,
            "kjoenn": kjoenn,
            "statsborgerskap": list(statsborgerskap or []),
            "status": status,
            "status_dato": status_dato,
            "identifikator_tildelt": identifikator_tildelt,
            "bostedsadresse": bostedsadresse or {},
        },
    )
    if old_status is not None and old_status != status and status_dato is None:
        person.status_dato = timezone.localdate()
    if not (created or changed):
        return person
    _save(person)
    _change(
        register=m.Register.FOLKEREGISTERET,
        instance=person,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        fnr=identifikator,
    )
    return person


@transaction.atomic
def person_set_status(
    *, identifikator: str, status: str, status_dato: dt.date | None = None
) -> m.Person:
    """Set a person's status in Folkeregisteret (dead, emigrated, D-number inactive ...)."""
    person = _person(identifikator)
    status_dato = status_dato or timezone.localdate()
    if not _assign(person, {"status": status, "status_dato": status_dato}):
        return person
    _save(person)
    _change(
        register=m.Register.FOLKEREGISTERET,
        instance=person,
        change_type=m.ChangeType.ENDRING,
        fnr=identifikator,
    )
    return person


# --- Aa-registeret -------------------------------------------------------------------------------------


@transaction.atomic
def arbeidsforhold_register(
    *,
    arbeidsgiver: str,
    arbeidstaker: str,
    startdato: dt.date,
    sluttdato: dt.date | None = None,
    type: str = m.Arbeidsforholdstype.ORDINAERT,
    stillingsprosent: Decimal | int = 100,
    yrke: str = "",
    navarbeidsforhold_id: int | None = None,
) -> m.Arbeidsforhold:
    """Create or replace an employment.

    Natural key: `navarbeidsforhold_id` when given, else (employer, employee, startdato).
    """
    enhet, person = _enhet(arbeidsgiver), _person(arbeidstaker)
    if navarbeidsforhold_id is not None:
        af = m.Arbeidsforhold.objects.filter(pk=navarbeidsforhold_id).first()
        if af is None:
            raise NotFound(
                f"Arbeidsforhold {navarbeidsforhold_id} finnes ikke",
                code="arbeidsforhold_not_found",
            )
    else:
        af = m.Arbeidsforhold.objects.filter(
            arbeidsgiver=enhet, arbeidstaker=person, startdato=startdato
        ).first()
    created = af is None
    if created:
        af = m.Arbeidsforhold()
    changed = _assign(
        af,
        {
            "arbeidsgiver": enhet,
            "arbeidstaker": person,
            "startdato": startdato,
            "sluttdato": sluttdato,
            "type": type,
            "stillingsprosent": Decimal(stillingsprosent),
            "yrke": yrke,
        },
    )
    if sluttdato and sluttdato < startdato:
        raise InvalidRegisterRecord(
            "Sluttdato er før startdato",
            extra={"fields": {"sluttdato": ["sluttdato er før startdato"]}},
        )
    if not (created or changed):
        return af
    _save(af)
    _change(
        register=m.Register.AAREG,
        instance=af,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        orgnr=arbeidsgiver,
        fnr=arbeidstaker,
    )
    return af


@transaction.atomic
def arbeidsforhold_end(
    *,
    arbeidsgiver: str,
    arbeidstaker: str,
    sluttdato: dt.date,
    startdato: dt.date | None = None,
) -> list[m.Arbeidsforhold]:
    """End the person's open employment(s) with this employer (or the one starting `startdato`)."""
    qs = m.Arbeidsforhold.objects.filter(arbeidsgiver_id=arbeidsgiver, arbeidstaker_id=arbeidstaker)
    qs = qs.filter(startdato=startdato) if startdato else qs.filter(sluttdato__isnull=True)
    ended = []
    for af in qs.order_by("startdato"):
        ended.append(
            arbeidsforhold_register(
                navarbeidsforhold_id=af.pk,
                arbeidsgiver=arbeidsgiver,
                arbeidstaker=arbeidstaker,
                startdato=af.startdato,
                sluttdato=sluttdato,
                type=af.type,
                stillingsprosent=af.stillingsprosent,
                yrke=af.yrke,
            )
        )
    if not ended:
        raise NotFound(
            "Fant ikke noe åpent arbeidsforhold å avslutte", code="arbeidsforhold_not_found"
        )
    return ended


# --- OAR ---------------------------------------------------------------------------------------------------


@transaction.atomic
def oppdrag_register(
    *,
    oppdragsgiver: str,
    oppdragstaker: str,
    startdato: dt.date,
    sluttdato: dt.date | None = None,
    beskrivelse: str = "",
) -> m.Oppdrag:
    """Create or replace an assignment (natural key: giver, taker, startdato)."""
    giver, taker = _enhet(oppdragsgiver), _enhet(oppdragstaker)
    oppdrag = m.Oppdrag.objects.filter(
        oppdragsgiver=giver, oppdragstaker=taker, startdato=startdato
    ).first()
    created = oppdrag is None
    if created:
        oppdrag = m.Oppdrag(oppdragsgiver=giver, oppdragstaker=taker, startdato=startdato)
    if not (_assign(oppdrag, {"sluttdato": sluttdato, "beskrivelse": beskrivelse}) or created):
        return oppdrag
    _save(oppdrag)
    _change(
        register=m.Register.OAR,
        instance=oppdrag,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        orgnr=oppdragstaker,
    )
    return oppdrag


@transaction.atomic
def oppdrag_arbeidstaker_register(
    *,
    oppdrag_id: int,
    arbeidstaker: str,
    startdato: dt.date,
    sluttdato: dt.date | None = None,
) -> m.OppdragArbeidstaker:
    """Post a worker on an assignment, or change their period on it (key: assignment, worker)."""
    oppdrag = m.Oppdrag.objects.filter(pk=oppdrag_id).first()
    if oppdrag is None:
        raise NotFound(f"Oppdrag {oppdrag_id} finnes ikke", code="oppdrag_not_found")
    person = _person(arbeidstaker)
    row = m.OppdragArbeidstaker.objects.filter(oppdrag=oppdrag, arbeidstaker=person).first()
    created = row is None
    if created:
        row = m.OppdragArbeidstaker(oppdrag=oppdrag, arbeidstaker=person)
    if not (_assign(row, {"startdato": startdato, "sluttdato": sluttdato}) or created):
        return row
    _save(row)
    _change(
        register=m.Register.OAR,
        instance=row,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        orgnr=oppdrag.oppdragstaker_id,
        fnr=arbeidstaker,
    )
    return row


# --- Arbeidstilsynet's registers, UDI, Statens vegvesen ---------------------------------------------------


def _one_to_one_upsert(
    *, model: type[models.Model], register: str, organisasjonsnummer: str, values: dict[str, Any]
) -> models.Model:
    enhet = _enhet(organisasjonsnummer)
    obj = model.objects.filter(enhet=enhet).first()
    created = obj is None
    if created:
        obj = model(enhet=enhet)
    if not (_assign(obj, values) or created):
        return obj
    _save(obj)
    _change(
        register=register,
        instance=obj,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        orgnr=organisasjonsnummer,
    )
    return obj


@transaction.atomic
def bemanningsforetak_register(
    *, organisasjonsnummer: str, registrert_fra: dt.date, registrert_til: dt.date | None = None
) -> m.Bemanningsforetak:
    """Register (or end, with `registrert_til`) a staffing agency."""
    return _one_to_one_upsert(
        model=m.Bemanningsforetak,
        register=m.Register.BEMANNING,
        organisasjonsnummer=organisasjonsnummer,
        values={"registrert_fra": registrert_fra, "registrert_til": registrert_til},
    )


@transaction.atomic
def renholdsgodkjenning_set(
    *, organisasjonsnummer: str, status: str, status_dato: dt.date
) -> m.Renholdsgodkjenning:
    """Set a company's state in Renholdsregisteret (godkjent, soekt_kan_bestille, ...)."""
    return _one_to_one_upsert(
        model=m.Renholdsgodkjenning,
        register=m.Register.RENHOLD,
        organisasjonsnummer=organisasjonsnummer,
        values={"status": status, "status_dato": status_dato},
    )


@transaction.atomic
def bilpleiegodkjenning_set(
    *, organisasjonsnummer: str, status: str, status_dato: dt.date
) -> m.Bilpleiegodkjenning:
    """Set a company's state in the car-care approval register."""
    return _one_to_one_upsert(
        model=m.Bilpleiegodkjenning,
        register=m.Register.BILPLEIE,
        organisasjonsnummer=organisasjonsnummer,
        values={"status": status, "status_dato": status_dato},
    )


@transaction.atomic
def verkstedgodkjenning_set(
    *, organisasjonsnummer: str, godkjent_fra: dt.date, godkjent_til: dt.date | None = None
) -> m.Verkstedgodkjenning:
    """Record (or end) a Statens vegvesen workshop approval."""
    return _one_to_one_upsert(
        model=m.Verkstedgodkjenning,
        register=m.Register.VEGVESEN,
        organisasjonsnummer=organisasjonsnummer,
        values={"godkjent_fra": godkjent_fra, "godkjent_til": godkjent_til},
    )


@transaction.atomic
def oppholdstillatelse_register(
    *,
    identifikator: str,
    gyldig_fra: dt.date,
    gyldig_til: dt.date | None = None,
    arbeidsadgang: bool = True,
    tillatelsestype: str = "",
) -> m.Oppholdstillatelse:
    """Create or replace a UDI residence permit (natural key: person, gyldig_fra)."""
    person = _person(identifikator)
    obj = m.Oppholdstillatelse.objects.filter(person=person, gyldig_fra=gyldig_fra).first()
    created = obj is None
    if created:
        obj = m.Oppholdstillatelse(person=person, gyldig_fra=gyldig_fra)
    values = {
        "gyldig_til": gyldig_til,
        "arbeidsadgang": arbeidsadgang,
        "tillatelsestype": tillatelsestype,
    }
    if not (_assign(obj, values) or created):
        return obj
    _save(obj)
    _change(
        register=m.Register.UDI,
        instance=obj,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        fnr=identifikator,
    )
    return obj


@transaction.atomic
def unntak_register(
    *,
    organisasjonsnummer: str,
    identifikator: str | None,
    fritak: list[str],
    gyldig_fra: dt.date,
    begrunnelse: str,
    gyldig_til: dt.date | None = None,
    registrert_av: str = "",
) -> m.Unntak:
    """Create or replace an exception (key: company, person or None = company-wide, gyldig_fra)."""
    enhet = _enhet(organisasjonsnummer)
    person = _person(identifikator) if identifikator else None
    obj = m.Unntak.objects.filter(enhet=enhet, person=person, gyldig_fra=gyldig_fra).first()
    created = obj is None
    if created:
        obj = m.Unntak(enhet=enhet, person=person, gyldig_fra=gyldig_fra)
    values = {
        "fritak": sorted(set(fritak)),
        "gyldig_til": gyldig_til,
        "begrunnelse": begrunnelse,
        "registrert_av": registrert_av,
    }
    if not (_assign(obj, values) or created):
        return obj
    _save(obj)
    _change(
        register=m.Register.UNNTAK,
        instance=obj,
        change_type=m.ChangeType.NY if created else m.ChangeType.ENDRING,
        orgnr=organisasjonsnummer,
        fnr=identifikator or "",
    )
    return obj


@transaction.atomic
def unntak_end(*, unntak_id: int, gyldig_til: dt.date) -> m.Unntak:
    """End an exception on `gyldig_til`."""
    obj = m.Unntak.objects.filter(pk=unntak_id).first()
    if obj is None:
        raise NotFound(f"Unntak {unntak_id} finnes ikke", code="unntak_not_found")
    return unntak_register(
        organisasjonsnummer=obj.enhet_id,
        identifikator=obj.person_id,
        fritak=list(obj.fritak),
        gyldig_fra=obj.gyldig_fra,
        gyldig_til=gyldig_til,
        begrunnelse=obj.begrunnelse,
        registrert_av=obj.registrert_av,
    )


# --- documents -------------------------------------------------------------------------------------------


def registers_apply(document: dict) -> ApplyResult:
    """Apply a register document (docs/register-file.md) in one transaction.

    Validates every record first; if any is invalid, or any fails while being
    applied, nothing is applied and the errors are reported by path
    ("records[3].startdato: ugyldig dato"). Returns an `ApplyResult`.
    """
    from hmskort.registers.document import apply_document

    return apply_document(document)


# --- edits made in the Django admin ------------------------------------------------------------

_REGISTER_OF: dict[type[models.Model], str] = {
    m.Enhet: m.Register.ENHETSREGISTERET,
    m.Rolle: m.Register.ENHETSREGISTERET,
    m.MvaRegistrering: m.Register.MVA,
    m.MvaEgenerklaering: m.Register.MVA_EGENERKLAERING,
    m.Person: m.Register.FOLKEREGISTERET,
    m.Arbeidsforhold: m.Register.AAREG,
    m.Oppdrag: m.Register.OAR,
    m.OppdragArbeidstaker: m.Register.OAR,
    m.Bemanningsforetak: m.Register.BEMANNING,
    m.Renholdsgodkjenning: m.Register.RENHOLD,
    m.Bilpleiegodkjenning: m.Register.BILPLEIE,
    m.Verkstedgodkjenning: m.Register.VEGVESEN,
    m.Oppholdstillatelse: m.Register.UDI,
    m.Unntak: m.Register.UNNTAK,
}


def _keys_of(instance: models.Model) -> tuple[str, str]:
    """The (orgnr, fnr) a register row touches, for the change feed."""
    if isinstance(instance, m.Enhet):
        return instance.organisasjonsnummer, ""
    if isinstance(instance, m.Person):
        return "", instance.identifikator
    if isinstance(instance, m.Arbeidsforhold):
        return instance.arbeidsgiver_id, instance.arbeidstaker_id
    if isinstance(instance, m.Oppdrag):
        return instance.oppdragstaker_id, ""
    if isinstance(instance, m.OppdragArbeidstaker):
        return instance.oppdrag.oppdragstaker_id, instance.arbeidstaker_id
    orgnr = getattr(instance, "enhet_id", "") or ""
    fnr = getattr(instance, "person_id", "") or ""
    return orgnr, fnr


@transaction.atomic
def register_record_save(*, instance: models.Model, created: bool) -> models.Model:
    """Save a register row edited by a caseworker (Django admin), with its change-feed row."""
    _save(instance)
    orgnr, fnr = _keys_of(instance)
    if isinstance(instance, m.Enhet):
        entity = _enhet_entity(instance)
        deleted = instance.slettedato is not None
        change_type = (
            m.ChangeType.NY
            if created
            else m.ChangeType.SLETTING
            if deleted
            else m.ChangeType.ENDRING
        )
    else:
        entity = None
        change_type = m.ChangeType.NY if created else m.ChangeType.ENDRING
    _change(
        register=_REGISTER_OF[type(instance)],
        instance=instance,
        entity=entity,
        change_type=change_type,
        orgnr=orgnr,
        fnr=fnr,
    )
    return instance


@transaction.atomic
def register_record_delete(*, instance: models.Model) -> None:
    """Remove a register row (Django admin), with a `Sletting` change-feed row."""
    orgnr, fnr = _keys_of(instance)
    entity = _enhet_entity(instance) if isinstance(instance, m.Enhet) else None
    _change(
        register=_REGISTER_OF[type(instance)],
        instance=instance,
        entity=entity,
        change_type=m.ChangeType.SLETTING,
        orgnr=orgnr,
        fnr=fnr,
    )
    instance.delete()
