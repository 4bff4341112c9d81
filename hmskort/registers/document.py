"""The register document format (docs/register-file.md): validation and application.

A document is {"format": "hmskort-registre/1", "records": [ {"type": ..., ...}, ... ]}.
Each record is upserted by its natural key: fields given replace the stored
value, fields left out keep it (or take their default when the record is new),
and `null` clears an optional field. All records are validated before any is
applied; then all are applied in one transaction, or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.no import orgnr as stdnum_orgnr

from hmskort.core.errors import ApplicationError
from hmskort.registers import idnumbers
from hmskort.registers import models as m
from hmskort.registers import services as s
from hmskort.registers.identifiers import is_dnr
from hmskort.registers.services import ApplyResult

FORMAT = "hmskort-registre/1"


class _FieldError(Exception):
    pass


# --- field parsers ------------------------------------------------------------------------


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise _FieldError("må være en tekst")
    return v.strip()


def _orgnr(v: Any) -> str:
    if not isinstance(v, str) or not stdnum_orgnr.is_valid(v):
        raise _FieldError("ugyldig organisasjonsnummer")
    return stdnum_orgnr.compact(v)


def _fnr(v: Any) -> str:
    if not isinstance(v, str) or not idnumbers.is_valid(v):
        raise _FieldError("ugyldig fødselsnummer eller D-nummer")
    return v


def _date(v: Any) -> dt.date:
    if not isinstance(v, str) or len(v) != 10:
        raise _FieldError("ugyldig dato (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise _FieldError("ugyldig dato (YYYY-MM-DD)") from None


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise _FieldError("må være true eller false")
    return v


def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise _FieldError("må være et heltall >= 0")
    return v


def _number(v: Any) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise _FieldError("må være et tall")
    try:
        return Decimal(str(v))
    except InvalidOperation:
        raise _FieldError("må være et tall") from None


def _str_list(v: Any) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        raise _FieldError("må være en liste med tekster")
    return list(v)


def _country_list(v: Any) -> list[str]:
    values = _str_list(v)
    if not all(len(x) == 2 and x.isalpha() and x.isupper() for x in values):
        raise _FieldError("må være landkoder (ISO 3166-1 alfa-2, f.eks. «NO»)")
    return values


def _object(v: Any) -> dict:
    if not isinstance(v, dict):
        raise _FieldError("må være et objekt")
    return v


def _choice(choices: type[m.models.TextChoices] | tuple[str, ...]) -> Callable[[Any], str]:
    allowed = tuple(choices.values) if hasattr(choices, "values") else tuple(choices)

    def parse(v: Any) -> str:
        if v not in allowed:
            raise _FieldError(f"må være en av {', '.join(allowed)}")
        return v

    return parse


def _nullable(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(v: Any) -> Any:
        return None if v is None else parse(v)

    wrapped.nullable = True  # type: ignore[attr-defined]
    return wrapped


def _opt_date():
    return _nullable(_date)


# --- record types -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordType:
    fields: dict[str, Callable[[Any], Any]]
    required_on_create: tuple[str, ...]
    # Returns the stored record as service keyword arguments, or None if new.
    current: Callable[[dict], dict | None]
    apply: Callable[[dict], Any]
    defaults: Callable[[dict], dict] = lambda values: {}
    always_required: tuple[str, ...] = ()


def _model_values(obj, names: list[str], renames: dict[str, str] | None = None) -> dict:
    renames = renames or {}
    return {name: getattr(obj, renames.get(name, name)) for name in names}


ENHET_FIELDS = {
    "organisasjonsnummer": _orgnr,
    "navn": _str,
    "organisasjonsform": _str,
    "registreringsdato": _date,
    "overordnet_enhet": _nullable(_orgnr),
    "naeringskode1": _str,
    "naeringskode2": _str,
    "naeringskode3": _str,
    "antall_ansatte": _int,
    "stiftelsesdato": _opt_date(),
    "registrert_i_foretaksregisteret": _bool,
    "konkurs": _bool,
    "konkursdato": _opt_date(),
    "under_avvikling": _bool,
    "under_tvangsavvikling": _bool,
    "forretningsadresse": _object,
    "postadresse": _object,
    "hjemland": _str,
    "slettedato": _opt_date(),
}


def _enhet_current(v: dict) -> dict | None:
    obj = m.Enhet.objects.filter(pk=v["organisasjonsnummer"]).first()
    if obj is None:
        return None
    return _model_values(obj, list(ENHET_FIELDS), {"overordnet_enhet": "overordnet_enhet_id"})


def _enhet_defaults(v: dict) -> dict:
    return {"registrert_i_foretaksregisteret": v.get("organisasjonsform") in ("AS", "ASA", "NUF")}


PERSON_FIELDS = {
    "identifikator": _fnr,
    "fornavn": _str,
    "mellomnavn": _str,
    "etternavn": _str,
    "foedselsdato": _date,
    "kjoenn": _choice(("mann", "kvinne")),
    "statsborgerskap": _country_list,
    "status": _choice(m.Personstatus),
    "status_dato": _opt_date(),
    "identifikator_tildelt": _opt_date(),
    "bostedsadresse": _object,
}


def _person_current(v: dict) -> dict | None:
    obj = m.Person.objects.filter(pk=v["identifikator"]).first()
    return _model_values(obj, list(PERSON_FIELDS)) if obj else None


def _person_defaults(v: dict) -> dict:
    number = v["identifikator"]
    dnr = is_dnr(number)
    return {
        "foedselsdato": idnumbers.birth_date(number),
        "status": m.Personstatus.MIDLERTIDIG if dnr else m.Personstatus.BOSATT,
        "statsborgerskap": [] if dnr else ["NO"],
    }


ROLLE_FIELDS = {
    "organisasjonsnummer": _orgnr,
    "rolletype": _choice(m.RolleType),
    "identifikator": _fnr,
    "fratraadt": _bool,
    "registrert": _opt_date(),
}


def _rolle_current(v: dict) -> dict | None:
    obj = m.Rolle.objects.filter(
        enhet_id=v["organisasjonsnummer"], rolletype=v["rolletype"], person_id=v["identifikator"]
    ).first()
    return _model_values(obj, ["fratraadt", "registrert"]) if obj else None


AF_FIELDS = {
    "navarbeidsforhold_id": _int,
    "arbeidsgiver": _orgnr,
    "arbeidstaker": _fnr,
    "startdato": _date,
    "sluttdato": _opt_date(),
    "type": _choice(m.Arbeidsforholdstype),
    "stillingsprosent": _number,
    "yrke": _str,
}


class _ApplyError(Exception):
    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _af_current(v: dict) -> dict | None:
    qs = m.Arbeidsforhold.objects.all()
    if "navarbeidsforhold_id" in v:
        obj = qs.filter(pk=v["navarbeidsforhold_id"]).first()
        if obj is None:
            raise _ApplyError("navarbeidsforhold_id", "arbeidsforholdet finnes ikke")
    else:
        qs = qs.filter(arbeidsgiver_id=v["arbeidsgiver"], arbeidstaker_id=v["arbeidstaker"])
        if "startdato" in v:
            obj = qs.filter(startdato=v["startdato"]).first()
        else:
            open_ = list(qs.filter(sluttdato__isnull=True)[:2])
            if len(open_) != 1:
                raise _ApplyError(
                    "startdato",
                    "mangler: personen har ikke ett åpent arbeidsforhold hos arbeidsgiveren"
                    if not open_
                    else "mangler: flere åpne arbeidsforhold, oppgi startdato",
                )
            obj = open_[0]
    if obj is None:
        return None
    return _model_values(
        obj,
        list(AF_FIELDS),
        {"arbeidsgiver": "arbeidsgiver_id", "arbeidstaker": "arbeidstaker_id"},
    )


UTSENDT_FIELDS = {"arbeidstaker": _fnr, "startdato": _date, "sluttdato": _opt_date()}


def _utsendte(v: Any) -> list[dict]:
    if not isinstance(v, list):
        raise _FieldError("må være en liste")
    return v  # each item is validated by _validate_nested


OPPDRAG_FIELDS = {
    "oppdragsgiver": _orgnr,
    "oppdragstaker": _orgnr,
    "startdato": _date,
    "sluttdato": _opt_date(),
    "beskrivelse": _str,
    "arbeidstakere": _utsendte,
}


def _oppdrag_current(v: dict) -> dict | None:
    obj = m.Oppdrag.objects.filter(
        oppdragsgiver_id=v["oppdragsgiver"],
        oppdragstaker_id=v["oppdragstaker"],
        startdato=v["startdato"],
    ).first()
    return _model_values(obj, ["sluttdato", "beskrivelse"]) if obj else None


def _oppdrag_apply(kw: dict) -> None:
    workers = kw.pop("arbeidstakere", None) or []
    oppdrag = s.oppdrag_register(**kw)
    stored = {w.arbeidstaker_id: w for w in m.OppdragArbeidstaker.objects.filter(oppdrag=oppdrag)}
    for w in workers:
        old = stored.get(w["arbeidstaker"])
        merged = {
            "startdato": old.startdato if old else oppdrag.startdato,
            "sluttdato": old.sluttdato if old else oppdrag.sluttdato,
            **w,
        }
        s.oppdrag_arbeidstaker_register(oppdrag_id=oppdrag.pk, **merged)


def _open_period_current(model, date_field: str, end_field: str, extra: list[str]):
    def current(v: dict) -> dict | None:
        qs = model.objects.filter(enhet_id=v["organisasjonsnummer"])
        if date_field in v:
            obj = qs.filter(**{date_field: v[date_field]}).first()
        else:
            open_ = list(qs.filter(**{f"{end_field}__isnull": True}).order_by(f"-{date_field}")[:1])
            if not open_:
                raise _ApplyError(date_field, "mangler, og det finnes ingen åpen registrering")
            obj = open_[0]
        return _model_values(obj, [date_field, end_field, *extra]) if obj else None

    return current


def _one_to_one_current(model, names: list[str]):
    def current(v: dict) -> dict | None:
        obj = model.objects.filter(enhet_id=v["organisasjonsnummer"]).first()
        return _model_values(obj, names) if obj else None

    return current


OPPHOLD_FIELDS = {
    "identifikator": _fnr,
    "gyldig_fra": _date,
    "gyldig_til": _opt_date(),
    "arbeidsadgang": _bool,
    "tillatelsestype": _str,
}


def _opphold_current(v: dict) -> dict | None:
    obj = m.Oppholdstillatelse.objects.filter(
        person_id=v["identifikator"], gyldig_fra=v["gyldig_fra"]
    ).first()
    return _model_values(obj, ["gyldig_til", "arbeidsadgang", "tillatelsestype"]) if obj else None


def _fritak(v: Any) -> list[str]:
    from hmskort.eligibility.requirements import Requirement

    values = _str_list(v)
    unknown = [x for x in values if x not in Requirement.__members__.values()]
    if unknown or not values:
        raise _FieldError(f"må være krav-koder blant {', '.join(r.value for r in Requirement)}")
    return values


UNNTAK_FIELDS = {
    "organisasjonsnummer": _orgnr,
    "identifikator": _nullable(_fnr),
    "fritak": _fritak,
    "gyldig_fra": _date,
    "gyldig_til": _opt_date(),
    "begrunnelse": _str,
    "registrert_av": _str,
}


def _unntak_current(v: dict) -> dict | None:
    obj = m.Unntak.objects.filter(
        enhet_id=v["organisasjonsnummer"],
        person_id=v.get("identifikator"),
        gyldig_fra=v["gyldig_fra"],
    ).first()
    return (
        _model_values(obj, ["fritak", "gyldig_til", "begrunnelse", "registrert_av"])
        if obj
        else None
    )


def _godkjenning(model) -> RecordType:
    return RecordType(
        fields={
            "organisasjonsnummer": _orgnr,
            "status": _choice(m.GodkjenningStatus),
            "status_dato": _date,
        },
        always_required=("organisasjonsnummer",),
        required_on_create=("status",),
        current=_one_to_one_current(model, ["status", "status_dato"]),
        defaults=lambda v: {"status_dato": timezone.localdate()},
        apply=lambda kw: (
            s.renholdsgodkjenning_set(**kw)
            if model is m.Renholdsgodkjenning
            else s.bilpleiegodkjenning_set(**kw)
        ),
    )


RECORD_TYPES: dict[str, RecordType] = {
    "enhet": RecordType(
        fields=ENHET_FIELDS,
        always_required=("organisasjonsnummer",),
        required_on_create=("navn", "organisasjonsform", "registreringsdato"),
        current=_enhet_current,
        defaults=_enhet_defaults,
        apply=lambda kw: s.enhet_upsert(**kw),
    ),
    "rolle": RecordType(
        fields=ROLLE_FIELDS,
        always_required=("organisasjonsnummer", "rolletype", "identifikator"),
        required_on_create=(),
        current=_rolle_current,
        apply=lambda kw: s.rolle_upsert(**kw),
    ),
    "person": RecordType(
        fields=PERSON_FIELDS,
        always_required=("identifikator",),
        required_on_create=("fornavn", "etternavn", "kjoenn"),
        current=_person_current,
        defaults=_person_defaults,
        apply=lambda kw: s.person_upsert(**kw),
    ),
    "arbeidsforhold": RecordType(
        fields=AF_FIELDS,
        always_required=(),
        required_on_create=("arbeidsgiver", "arbeidstaker", "startdato"),
        current=_af_current,
        apply=lambda kw: s.arbeidsforhold_register(**kw),
    ),
    "oppdrag": RecordType(
        fields=OPPDRAG_FIELDS,
        always_required=("oppdragsgiver", "oppdragstaker", "startdato"),
        required_on_create=(),
        current=_oppdrag_current,
        apply=_oppdrag_apply,
    ),
    "mva": RecordType(
        fields={
            "organisasjonsnummer": _orgnr,
            "registrert_fra": _date,
            "registrert_til": _opt_date(),
        },
        always_required=("organisasjonsnummer",),
        required_on_create=("registrert_fra",),
        current=_open_period_current(m.MvaRegistrering, "registrert_fra", "registrert_til", []),
        apply=lambda kw: s.mva_register(**kw),
    ),
    "mva_egenerklaering": RecordType(
        fields={
            "organisasjonsnummer": _orgnr,
            "erklaert_dato": _date,
            "trukket_dato": _opt_date(),
            "erklaert_av": _str,
        },
        always_required=("organisasjonsnummer",),
        required_on_create=("erklaert_dato",),
        current=_open_period_current(
            m.MvaEgenerklaering, "erklaert_dato", "trukket_dato", ["erklaert_av"]
        ),
        apply=lambda kw: s.mva_egenerklaering_declare(**kw),
    ),
    "bemanningsforetak": RecordType(
        fields={
            "organisasjonsnummer": _orgnr,
            "registrert_fra": _date,
            "registrert_til": _opt_date(),
        },
        always_required=("organisasjonsnummer",),
        required_on_create=("registrert_fra",),
        current=_one_to_one_current(m.Bemanningsforetak, ["registrert_fra", "registrert_til"]),
        apply=lambda kw: s.bemanningsforetak_register(**kw),
    ),
    "renholdsgodkjenning": _godkjenning(m.Renholdsgodkjenning),
    "bilpleiegodkjenning": _godkjenning(m.Bilpleiegodkjenning),
    "verkstedgodkjenning": RecordType(
        fields={"organisasjonsnummer": _orgnr, "godkjent_fra": _date, "godkjent_til": _opt_date()},
        always_required=("organisasjonsnummer",),
        required_on_create=("godkjent_fra",),
        current=_one_to_one_current(m.Verkstedgodkjenning, ["godkjent_fra", "godkjent_til"]),
        apply=lambda kw: s.verkstedgodkjenning_set(**kw),
    ),
    "oppholdstillatelse": RecordType(
        fields=OPPHOLD_FIELDS,
        always_required=("identifikator", "gyldig_fra"),
        required_on_create=(),
        current=_opphold_current,
        apply=lambda kw: s.oppholdstillatelse_register(**kw),
    ),
    "unntak": RecordType(
        fields=UNNTAK_FIELDS,
        always_required=("organisasjonsnummer", "gyldig_fra"),
        required_on_create=("fritak", "begrunnelse"),
        current=_unntak_current,
        apply=lambda kw: s.unntak_register(**{"identifikator": None, **kw}),
    ),
}


# --- validation ---------------------------------------------------------------------------


def _validate_fields(
    raw: dict, fields: dict[str, Callable], required: tuple[str, ...], path: str, errors: list
) -> dict:
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "type" and path.count("[") == 1:
            continue
        parse = fields.get(name)
        if parse is None:
            errors.append(f"{path}.{name}: ukjent felt")
            continue
        try:
            values[name] = parse(value)
        except _FieldError as exc:
            errors.append(f"{path}.{name}: {exc}")
    for name in required:
        if name not in raw:
            errors.append(f"{path}.{name}: mangler")
    return values


def validate_document(document: Any) -> tuple[list[tuple[str, str, dict]], list[str]]:
    """Parse every record; returns ([(path, type, values)], errors)."""
    errors: list[str] = []
    parsed: list[tuple[str, str, dict]] = []
    if not isinstance(document, dict):
        return [], ["dokumentet må være et JSON-objekt"]
    unknown = set(document) - {"format", "records", "description"}
    errors.extend(f"{name}: ukjent felt" for name in sorted(unknown))
    if "format" in document and document["format"] != FORMAT:
        errors.append(f"format: må være «{FORMAT}»")
    records = document.get("records")
    if not isinstance(records, list):
        return [], [*errors, "records: mangler eller er ikke en liste"]
    for i, raw in enumerate(records):
        path = f"records[{i}]"
        if not isinstance(raw, dict):
            errors.append(f"{path}: må være et objekt")
            continue
        type_name = raw.get("type")
        spec = RECORD_TYPES.get(type_name) if isinstance(type_name, str) else None
        if spec is None:
            errors.append(
                f"{path}.type: ukjent posttype «{type_name}» "
                f"(gyldige: {', '.join(sorted(RECORD_TYPES))})"
            )
            continue
        values = _validate_fields(raw, spec.fields, spec.always_required, path, errors)
        if type_name == "oppdrag" and isinstance(values.get("arbeidstakere"), list):
            nested = []
            for j, item in enumerate(values["arbeidstakere"]):
                npath = f"{path}.arbeidstakere[{j}]"
                if not isinstance(item, dict):
                    errors.append(f"{npath}: må være et objekt")
                    continue
                nested.append(
                    _validate_fields(item, UTSENDT_FIELDS, ("arbeidstaker",), npath, errors)
                )
            values["arbeidstakere"] = nested
        _check_dates(values, path, errors)
        parsed.append((path, type_name, values))
    return parsed, errors


_PERIODS = [
    ("startdato", "sluttdato"),
    ("registrert_fra", "registrert_til"),
    ("gyldig_fra", "gyldig_til"),
    ("godkjent_fra", "godkjent_til"),
    ("erklaert_dato", "trukket_dato"),
]


def _check_dates(values: dict, path: str, errors: list[str]) -> None:
    for start, end in _PERIODS:
        a, b = values.get(start), values.get(end)
        if isinstance(a, dt.date) and isinstance(b, dt.date) and b < a:
            errors.append(f"{path}.{end}: er før {start}")


# --- application --------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _apply_record(type_name: str, values: dict) -> None:
    spec = RECORD_TYPES[type_name]
    current = spec.current(values)
    if current is None:
        missing = [name for name in spec.required_on_create if name not in values]
        if missing:
            raise _ApplyError(missing[0], "mangler (posten er ny)")
        kwargs = {**spec.defaults(values), **values}
    else:
        kwargs = {**current, **values}
    spec.apply(kwargs)


def apply_document(document: Any) -> ApplyResult:
    parsed, errors = validate_document(document)
    if errors:
        return ApplyResult(ok=False, errors=tuple(errors))
    counts: dict[str, int] = {}
    before = m.RegisterChange.objects.order_by("-sequence").values_list("sequence", flat=True)
    try:
        with transaction.atomic():
            start = before.first() or 0
            for path, type_name, values in parsed:
                try:
                    _apply_record(type_name, values)
                except _ApplyError as exc:
                    errors.append(f"{path}.{exc.field}: {exc.message}")
                    raise _Rollback from exc
                except ApplicationError as exc:
                    fields = exc.extra.get("fields") if exc.extra else None
                    if fields:
                        errors.extend(
                            f"{path}.{name}: {'; '.join(map(str, msgs))}"
                            for name, msgs in fields.items()
                        )
                    else:
                        errors.append(f"{path}: {exc.message}")
                    raise _Rollback from exc
                counts[type_name] = counts.get(type_name, 0) + 1
            changes = m.RegisterChange.objects.filter(sequence__gt=start).count()
    except _Rollback:
        return ApplyResult(ok=False, errors=tuple(errors))
    return ApplyResult(ok=True, applied=len(parsed), changes=changes, counts=counts)
