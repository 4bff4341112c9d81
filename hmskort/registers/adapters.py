"""Local implementations of the register ports, on our own simulated tables.

Set-based and lean, because the nightly re-check reads hundreds of thousands
of rows through them: each bulk method is one plain SQL query (`_select`)
whose rows become records straight from the tuples, never model instances.
On PostgreSQL the keys travel as one array parameter (`col = ANY(%s)`), so a
call is one query however many keys it gets; elsewhere (SQLite, with its
bound-variable limit) one query per chunk of at most `CHUNK` keys.
`get_ports()` is the one place where a real integration is swapped in.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Q

from hmskort.registers import models as m
from hmskort.registers.ports import (
    ArbeidsforholdRecord,
    ChangeRecord,
    EnhetRecord,
    GodkjenningRecord,
    OppholdstillatelseRecord,
    PeriodRecord,
    PersonRecord,
    RegisterPorts,
    RolleRecord,
    UnntakRecord,
    UtsendingRecord,
)

CHUNK = 900

K = TypeVar("K")
R = TypeVar("R")


def chunks(keys: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    """Distinct keys in sorted chunks of at most `size`."""
    unique = sorted({k for k in keys if k})
    for i in range(0, len(unique), size):
        yield unique[i : i + size]


def key_chunks(keys: Iterable[str]) -> Iterator[list[str]]:
    """Distinct keys, as one list on PostgreSQL (an array parameter has no size
    limit) and in chunks of `CHUNK` elsewhere."""
    if connection.vendor == "postgresql":
        unique = sorted({k for k in keys if k})
        if unique:
            yield unique
    else:
        yield from chunks(keys)


def _array_param(keys: list[str]) -> str | list[str]:
    """Keys as one PostgreSQL array literal when they are plain letters and digits
    (organisation numbers and person identifiers: no quoting per element), else
    as a list for the driver to quote."""
    joined = "".join(keys)
    if joined.isascii() and joined.isalnum():
        return "{" + ",".join(keys) + "}"
    return keys


def _select(
    columns: str,
    from_: str,
    column: str,
    keys: Iterable[str],
    *,
    order_by: str = "",
    probe: bool = True,
) -> list[tuple]:
    """Rows of `SELECT columns FROM from_` whose `column` is one of `keys`, in `order_by`.

    On PostgreSQL one query whatever the number of keys: the keys are one array
    parameter. With `probe` (the big registers) each key is looked up on its
    own (`unnest(...) CROSS JOIN LATERAL (... WHERE column = key OFFSET 0)`:
    index probes; a plain join or `= ANY(...)` tempts the planner into hashing
    the whole register table for a few thousand keys); without it (small
    registers) the keys are joined and the planner chooses. Elsewhere one query
    per chunk of `CHUNK` keys (`column IN (...)`). Rows are plain tuples (dates
    and booleans typed by the driver, JSON columns as text: see `_json`).
    """
    rows: list[tuple] = []
    postgres = connection.vendor == "postgresql"
    if postgres and not probe:
        sql = (
            f"SELECT {columns} FROM unnest(%s::text[]) AS _keys(key) "
            f"JOIN {from_} ON {column} = _keys.key"
        ) + (f" ORDER BY {order_by}" if order_by else "")
    elif postgres:
        cols = [c.strip() for c in columns.split(",")]
        orders = [o.strip() for o in order_by.split(",")] if order_by else []
        inner = ", ".join(
            [f"{c} AS _c{i}" for i, c in enumerate(cols)]
            + [f"{o} AS _o{i}" for i, o in enumerate(orders)]
        )
        sql = (
            f"SELECT {', '.join(f'_r._c{i}' for i in range(len(cols)))} "
            "FROM unnest(%s::text[]) AS _keys(key) CROSS JOIN LATERAL "
            f"(SELECT {inner} FROM {from_} WHERE {column} = _keys.key OFFSET 0) AS _r"
        )
        if orders:
            sql += " ORDER BY " + ", ".join(f"_r._o{i}" for i in range(len(orders)))
    with connection.cursor() as cursor:
        for chunk in key_chunks(keys):
            if postgres:
                cursor.execute(sql, [_array_param(chunk)])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                order = f" ORDER BY {order_by}" if order_by else ""
                cursor.execute(
                    f"SELECT {columns} FROM {from_} WHERE {column} IN ({marks}){order}", chunk
                )
            rows.extend(cursor.fetchall())
    return rows


def _json(value, default):
    """A JSON column read with a raw cursor: text on PostgreSQL (Django loads jsonb
    as text and decodes it in the field) and SQLite."""
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value


#: Decoded short JSON lists (citizenships, waived requirements) by their text:
#: people and exceptions share a handful of them.
_tuple_memo: dict[str, tuple] = {}


def _json_tuple(value) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, str):
        return tuple(json.loads(value) if isinstance(value, bytes) else value)
    found = _tuple_memo.get(value)
    if found is None:
        found = tuple(json.loads(value))
        if len(_tuple_memo) < 10_000:
            _tuple_memo[value] = found
    return found


def _t(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _group(rows: Iterable[R], key: Callable[[R], str]) -> dict[str, tuple[R, ...]]:
    grouped: dict[str, list[R]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return {k: tuple(v) for k, v in grouped.items()}


# --- record builders (shared with selectors and the Enhetsregisteret serializer) ----------


def enhet_record(e: m.Enhet) -> EnhetRecord:
    return EnhetRecord(
        organisasjonsnummer=e.organisasjonsnummer,
        navn=e.navn,
        organisasjonsform=e.organisasjonsform,
        registreringsdato=e.registreringsdato,
        overordnet_enhet=e.overordnet_enhet_id,
        naeringskoder=tuple(c for c in (e.naeringskode1, e.naeringskode2, e.naeringskode3) if c),
        antall_ansatte=e.antall_ansatte,
        stiftelsesdato=e.stiftelsesdato,
        registrert_i_foretaksregisteret=e.registrert_i_foretaksregisteret,
        slettedato=e.slettedato,
        konkurs=e.konkurs,
        konkursdato=e.konkursdato,
        under_avvikling=e.under_avvikling,
        under_tvangsavvikling=e.under_tvangsavvikling,
        forretningsadresse=dict(e.forretningsadresse or {}),
        postadresse=dict(e.postadresse or {}),
        hjemland=e.hjemland,
    )


def person_record(p: m.Person) -> PersonRecord:
    return PersonRecord(
        identifikator=p.identifikator,
        identifikatortype=p.identifikatortype,
        fornavn=p.fornavn,
        mellomnavn=p.mellomnavn,
        etternavn=p.etternavn,
        foedselsdato=p.foedselsdato,
        kjoenn=p.kjoenn,
        statsborgerskap=tuple(p.statsborgerskap or ()),
        status=p.status,
        status_dato=p.status_dato,
        identifikator_tildelt=p.identifikator_tildelt,
    )


def rolle_record(r: m.Rolle) -> RolleRecord:
    return RolleRecord(
        organisasjonsnummer=r.enhet_id,
        rolletype=r.rolletype,
        identifikator=r.person_id,
        fratraadt=r.fratraadt,
        registrert=r.registrert,
    )


def arbeidsforhold_record(a: m.Arbeidsforhold) -> ArbeidsforholdRecord:
    return ArbeidsforholdRecord(
        navarbeidsforhold_id=a.navarbeidsforhold_id,
        arbeidsgiver=a.arbeidsgiver_id,
        arbeidstaker=a.arbeidstaker_id,
        type=a.type,
        startdato=a.startdato,
        sluttdato=a.sluttdato,
    )


def change_record(c: m.RegisterChange) -> ChangeRecord:
    return ChangeRecord(
        sequence=c.sequence,
        register=c.register,
        entity=c.entity,
        entity_key=c.entity_key,
        change_type=c.change_type,
        orgnr=c.orgnr,
        fnr=c.fnr,
        changed_at=c.changed_at,
    )


# --- adapters ------------------------------------------------------------------------------
#
# Each bulk method reads the same columns, in the same order, as the record it
# builds; ORDER BY keeps the tuples of "many" answers in a stable order.


class LocalEnhetsregisteret:
    _ENHET = (
        "organisasjonsnummer, navn, organisasjonsform, registreringsdato, overordnet_enhet, "
        "naeringskode1, naeringskode2, naeringskode3, antall_ansatte, stiftelsesdato, "
        "registrert_i_foretaksregisteret, slettedato, konkurs, konkursdato, under_avvikling, "
        "under_tvangsavvikling, forretningsadresse, postadresse, hjemland"
    )

    def enheter(self, orgnrs: Iterable[str]) -> dict[str, EnhetRecord]:
        rows = _select(self._ENHET, _t(m.Enhet), "organisasjonsnummer", orgnrs)
        result: dict[str, EnhetRecord] = {}
        for (
            orgnr,
            navn,
            form,
            registrert,
            overordnet,
            n1,
            n2,
            n3,
            ansatte,
            stiftet,
            i_foretaksreg,
            slettet,
            konkurs,
            konkursdato,
            avvikling,
            tvangsavvikling,
            forretningsadresse,
            postadresse,
            hjemland,
        ) in rows:
            result[orgnr] = EnhetRecord(
                organisasjonsnummer=orgnr,
                navn=navn,
                organisasjonsform=form,
                registreringsdato=registrert,
                overordnet_enhet=overordnet,
                naeringskoder=tuple(c for c in (n1, n2, n3) if c),
                antall_ansatte=ansatte,
                stiftelsesdato=stiftet,
                registrert_i_foretaksregisteret=bool(i_foretaksreg),
                slettedato=slettet,
                konkurs=bool(konkurs),
                konkursdato=konkursdato,
                under_avvikling=bool(avvikling),
                under_tvangsavvikling=bool(tvangsavvikling),
                forretningsadresse=dict(_json(forretningsadresse, {})),
                postadresse=dict(_json(postadresse, {})),
                hjemland=hjemland,
            )
        return result

    _ROLLE = "enhet_id, rolletype, person_id, fratraadt, registrert"

    def roller_for_enheter(self, orgnrs: Iterable[str]) -> dict[str, tuple[RolleRecord, ...]]:
        rows = _select(
            self._ROLLE, _t(m.Rolle), "enhet_id", orgnrs, order_by="enhet_id, rolletype, id"
        )
        records = [RolleRecord(o, t, p, bool(f), r) for o, t, p, f, r in rows]
        return _group(records, lambda r: r.organisasjonsnummer)

    def roller_for_personer(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[RolleRecord, ...]]:
        rows = _select(
            self._ROLLE,
            _t(m.Rolle),
            "person_id",
            identifikatorer,
            order_by="person_id, enhet_id, id",
        )
        records = [RolleRecord(o, t, p, bool(f), r) for o, t, p, f, r in rows]
        return _group(records, lambda r: r.identifikator)


def _periods(
    model: type, orgnrs: Iterable[str], fra: str, til: str, *, probe: bool = False
) -> dict[str, tuple[PeriodRecord, ...]]:
    pk = model._meta.pk.column
    rows = _select(
        f"enhet_id, {fra}, {til}",
        _t(model),
        "enhet_id",
        orgnrs,
        order_by=f"enhet_id, {fra}, {pk}",
        probe=probe,
    )
    return _group((PeriodRecord(*row) for row in rows), lambda r: r.organisasjonsnummer)


class LocalMva:
    def registreringer(self, orgnrs: Iterable[str]) -> dict[str, tuple[PeriodRecord, ...]]:
        return _periods(m.MvaRegistrering, orgnrs, "registrert_fra", "registrert_til", probe=True)

    def egenerklaeringer(self, orgnrs: Iterable[str]) -> dict[str, tuple[PeriodRecord, ...]]:
        return _periods(m.MvaEgenerklaering, orgnrs, "erklaert_dato", "trukket_dato")


class LocalFolkeregisteret:
    _PERSON = (
        "identifikator, identifikatortype, fornavn, mellomnavn, etternavn, foedselsdato, "
        "kjoenn, statsborgerskap, status, status_dato, identifikator_tildelt"
    )

    def personer(self, identifikatorer: Iterable[str]) -> dict[str, PersonRecord]:
        rows = _select(self._PERSON, _t(m.Person), "identifikator", identifikatorer)
        result: dict[str, PersonRecord] = {}
        for ident, idtype, fornavn, mellomnavn, etternavn, foedt, kjoenn, borgerskap, *rest in rows:
            status, status_dato, tildelt = rest
            result[ident] = PersonRecord(
                ident,
                idtype,
                fornavn,
                mellomnavn,
                etternavn,
                foedt,
                kjoenn,
                _json_tuple(borgerskap),
                status,
                status_dato,
                tildelt,
            )
        return result


class LocalAareg:
    def arbeidsforhold_for_personer(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[ArbeidsforholdRecord, ...]]:
        rows = _select(
            "navarbeidsforhold_id, arbeidsgiver_id, arbeidstaker_id, type, startdato, sluttdato",
            _t(m.Arbeidsforhold),
            "arbeidstaker_id",
            identifikatorer,
            order_by="arbeidstaker_id, startdato, navarbeidsforhold_id",
        )
        return _group((ArbeidsforholdRecord(*row) for row in rows), lambda r: r.arbeidstaker)


class LocalOar:
    def utsendinger_for_personer(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[UtsendingRecord, ...]]:
        rows = _select(
            "oa.oppdrag_id, o.oppdragsgiver_id, o.oppdragstaker_id, oa.arbeidstaker_id, "
            "oa.startdato, oa.sluttdato",
            f"{_t(m.OppdragArbeidstaker)} oa JOIN {_t(m.Oppdrag)} o ON o.id = oa.oppdrag_id",
            "oa.arbeidstaker_id",
            identifikatorer,
            order_by="oa.arbeidstaker_id, oa.startdato, oa.id",
        )
        return _group((UtsendingRecord(*row) for row in rows), lambda r: r.arbeidstaker)


class LocalBemanning:
    def registreringer(self, orgnrs: Iterable[str]) -> dict[str, tuple[PeriodRecord, ...]]:
        return _periods(m.Bemanningsforetak, orgnrs, "registrert_fra", "registrert_til")


class LocalGodkjenning:
    def __init__(self, model: type[m.Renholdsgodkjenning] | type[m.Bilpleiegodkjenning]):
        self.model = model

    def godkjenninger(self, orgnrs: Iterable[str]) -> dict[str, GodkjenningRecord]:
        rows = _select(
            "enhet_id, status, status_dato", _t(self.model), "enhet_id", orgnrs, probe=False
        )
        return {row[0]: GodkjenningRecord(*row) for row in rows}


class LocalUdi:
    def oppholdstillatelser(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[OppholdstillatelseRecord, ...]]:
        rows = _select(
            "person_id, arbeidsadgang, gyldig_fra, gyldig_til, tillatelsestype",
            _t(m.Oppholdstillatelse),
            "person_id",
            identifikatorer,
            order_by="person_id, gyldig_fra, id",
        )
        return _group(
            (OppholdstillatelseRecord(p, bool(a), fra, til, t) for p, a, fra, til, t in rows),
            lambda r: r.identifikator,
        )


class LocalVegvesen:
    def verkstedgodkjenninger(self, orgnrs: Iterable[str]) -> dict[str, tuple[PeriodRecord, ...]]:
        return _periods(m.Verkstedgodkjenning, orgnrs, "godkjent_fra", "godkjent_til")


class LocalUnntak:
    def unntak_for_enheter(self, orgnrs: Iterable[str]) -> dict[str, tuple[UnntakRecord, ...]]:
        rows = _select(
            "id, enhet_id, person_id, fritak, gyldig_fra, gyldig_til",
            _t(m.Unntak),
            "enhet_id",
            orgnrs,
            order_by="enhet_id, gyldig_fra, id",
            probe=False,
        )
        records = (
            UnntakRecord(uid, orgnr, person, _json_tuple(fritak), fra, til)
            for uid, orgnr, person, fritak, fra, til in rows
        )
        return _group(records, lambda r: r.organisasjonsnummer)


class LocalChangeFeed:
    def changes_since(
        self,
        sequence: int,
        *,
        register: str | None = None,
        limit: int = 1000,
        also: Sequence[tuple[int, int]] = (),
    ) -> list[ChangeRecord]:
        """Changes above `sequence` (and, with `also`, those inside the inclusive
        (low, high) sequence ranges, e.g. gaps a reader is still waiting for),
        oldest first, at most `limit`."""
        where = Q(sequence__gt=sequence)
        for low, high in also:
            where |= Q(sequence__gte=low, sequence__lte=high)
        qs = m.RegisterChange.objects.filter(where)
        if register:
            qs = qs.filter(register=register)
        fields = [f.name for f in ChangeRecord.__dataclass_fields__.values()]
        rows = qs.order_by("sequence").values_list(*fields)[: max(0, limit)]
        return [ChangeRecord(*row) for row in rows]

    def latest_sequence(self) -> int:
        last = m.RegisterChange.objects.order_by("-sequence").values_list("sequence", flat=True)
        return last.first() or 0


def local_ports() -> RegisterPorts:
    return RegisterPorts(
        enhetsregisteret=LocalEnhetsregisteret(),
        mva=LocalMva(),
        folkeregisteret=LocalFolkeregisteret(),
        aareg=LocalAareg(),
        oar=LocalOar(),
        bemanning=LocalBemanning(),
        renhold=LocalGodkjenning(m.Renholdsgodkjenning),
        bilpleie=LocalGodkjenning(m.Bilpleiegodkjenning),
        udi=LocalUdi(),
        vegvesen=LocalVegvesen(),
        unntak=LocalUnntak(),
        changes=LocalChangeFeed(),
    )


def get_ports() -> RegisterPorts:
    """The configured register ports.

    Everything is local unless `HMSKORT_ENHETSREGISTERET_URL` is set: then
    Enhetsregisteret is read over HTTP in the open API's format (roles still
    come from the local register, as the open API does not serve them here).
    """
    ports = local_ports()
    base_url = getattr(settings, "HMSKORT_ENHETSREGISTERET_URL", "")
    if base_url:
        from dataclasses import replace

        from hmskort.registers.brreg_client import EnhetsregisterClient, HttpEnhetsregisterAdapter

        ports = replace(
            ports,
            enhetsregisteret=HttpEnhetsregisterAdapter(
                EnhetsregisterClient(base_url), roles_from=ports.enhetsregisteret
            ),
        )
    return ports
