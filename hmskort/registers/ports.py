"""Ports: one small interface per national register, and the records they answer with.

Every method is bulk-first: it takes many keys and returns a dict keyed by
them (keys with nothing registered are absent, or map to an empty tuple for
"many" look-ups). Records are plain frozen dataclasses, never model
instances, so a real integration can replace an adapter without touching
the callers. `get_ports()` (in `adapters.py`) returns the configured set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

# --- records -----------------------------------------------------------------------


@dataclass(frozen=True)
class EnhetRecord:
    """A hovedenhet or underenhet in Enhetsregisteret."""

    organisasjonsnummer: str
    navn: str
    organisasjonsform: str
    registreringsdato: dt.date
    overordnet_enhet: str | None = None
    naeringskoder: tuple[str, ...] = ()  # naeringskode1..3, in order, blanks left out
    antall_ansatte: int = 0
    stiftelsesdato: dt.date | None = None
    registrert_i_foretaksregisteret: bool = False
    slettedato: dt.date | None = None
    konkurs: bool = False
    konkursdato: dt.date | None = None
    under_avvikling: bool = False
    under_tvangsavvikling: bool = False
    forretningsadresse: dict = field(default_factory=dict, compare=False, hash=False)
    postadresse: dict = field(default_factory=dict, compare=False, hash=False)
    hjemland: str = ""
    # Only known when the record comes from the open API (registrertIMvaregisteret).
    registrert_i_mvaregisteret: bool | None = None


@dataclass(frozen=True)
class RolleRecord:
    organisasjonsnummer: str
    rolletype: str  # DAGL, LEDE, INNH, KONT, DTPR, ...
    identifikator: str
    fratraadt: bool = False
    registrert: dt.date | None = None


@dataclass(frozen=True)
class PeriodRecord:
    """A registration with a period: MVA, Bemanningsforetaksregisteret, workshop approval."""

    organisasjonsnummer: str
    fra: dt.date
    til: dt.date | None = None


@dataclass(frozen=True)
class GodkjenningRecord:
    """A company's state in Renholdsregisteret or the car-care approval register."""

    organisasjonsnummer: str
    status: str  # GodkjenningStatus value
    status_dato: dt.date


@dataclass(frozen=True)
class PersonRecord:
    identifikator: str
    identifikatortype: str  # FNR / DNR
    fornavn: str
    mellomnavn: str
    etternavn: str
    foedselsdato: dt.date
    kjoenn: str  # "mann" / "kvinne", from the register
    statsborgerskap: tuple[str, ...]
    status: str  # Personstatus value
    status_dato: dt.date | None = None
    identifikator_tildelt: dt.date | None = None

    @property
    def fulltnavn(self) -> str:
        return " ".join(p for p in (self.fornavn, self.mellomnavn, self.etternavn) if p)


@dataclass(frozen=True)
class ArbeidsforholdRecord:
    navarbeidsforhold_id: int
    arbeidsgiver: str
    arbeidstaker: str
    type: str
    startdato: dt.date
    sluttdato: dt.date | None = None


@dataclass(frozen=True)
class UtsendingRecord:
    """A posted worker on an OAR assignment; the period is the worker's own on it."""

    oppdrag_id: int
    oppdragsgiver: str
    oppdragstaker: str  # the foreign employer
    arbeidstaker: str
    startdato: dt.date
    sluttdato: dt.date | None = None


@dataclass(frozen=True)
class OppholdstillatelseRecord:
    identifikator: str
    arbeidsadgang: bool
    gyldig_fra: dt.date
    gyldig_til: dt.date | None = None
    tillatelsestype: str = ""


@dataclass(frozen=True)
class UnntakRecord:
    id: int
    organisasjonsnummer: str
    identifikator: str | None  # None: applies to everyone in the company
    fritak: tuple[str, ...]
    gyldig_fra: dt.date
    gyldig_til: dt.date | None = None


@dataclass(frozen=True)
class ChangeRecord:
    sequence: int
    register: str
    entity: str
    entity_key: str
    change_type: str  # Ny / Endring / Sletting
    orgnr: str
    fnr: str
    changed_at: dt.datetime


# --- ports -----------------------------------------------------------------------------


@runtime_checkable
class EnhetsregisteretPort(Protocol):
    def enheter(self, orgnrs: Iterable[str]) -> dict[str, EnhetRecord]: ...

    def roller_for_enheter(self, orgnrs: Iterable[str]) -> dict[str, tuple[RolleRecord, ...]]: ...

    def roller_for_personer(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[RolleRecord, ...]]: ...


@runtime_checkable
class MvaPort(Protocol):
    """Merverdiavgiftsregisteret plus our own register of VAT self-declarations."""

    def registreringer(self, orgnrs: Iterable[str]) -> dict[str, tuple[PeriodRecord, ...]]: ...

    def egenerklaeringer(self, orgnrs: Iterable[str]) -> dict[str, tuple[PeriodRecord, ...]]: ...


@runtime_checkable
class FolkeregisteretPort(Protocol):
    def personer(self, identifikatorer: Iterable[str]) -> dict[str, PersonRecord]: ...


@runtime_checkable
class AaregPort(Protocol):
    def arbeidsforhold_for_personer(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[ArbeidsforholdRecord, ...]]: ...


@runtime_checkable
class OarPort(Protocol):
    def utsendinger_for_personer(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[UtsendingRecord, ...]]: ...


@runtime_checkable
class BemanningPort(Protocol):
    def registreringer(self, orgnrs: Iterable[str]) -> dict[str, tuple[PeriodRecord, ...]]: ...


@runtime_checkable
class GodkjenningPort(Protocol):
    """Renholdsregisteret and the car-care approval register share this shape."""

    def godkjenninger(self, orgnrs: Iterable[str]) -> dict[str, GodkjenningRecord]: ...


@runtime_checkable
class UdiPort(Protocol):
    def oppholdstillatelser(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[OppholdstillatelseRecord, ...]]: ...


@runtime_checkable
class VegvesenPort(Protocol):
    def verkstedgodkjenninger(
        self, orgnrs: Iterable[str]
    ) -> dict[str, tuple[PeriodRecord, ...]]: ...


@runtime_checkable
class UnntakPort(Protocol):
    def unntak_for_enheter(self, orgnrs: Iterable[str]) -> dict[str, tuple[UnntakRecord, ...]]:
        """Every entry for these companies: company-wide ones and per-person ones."""
        ...


@runtime_checkable
class ChangeFeedPort(Protocol):
    def changes_since(
        self, sequence: int, *, register: str | None = None, limit: int = 1000
    ) -> list[ChangeRecord]: ...

    def latest_sequence(self) -> int: ...


@dataclass(frozen=True)
class RegisterPorts:
    """The configured set of ports (see `adapters.get_ports`)."""

    enhetsregisteret: EnhetsregisteretPort
    mva: MvaPort
    folkeregisteret: FolkeregisteretPort
    aareg: AaregPort
    oar: OarPort
    bemanning: BemanningPort
    renhold: GodkjenningPort
    bilpleie: GodkjenningPort
    udi: UdiPort
    vegvesen: VegvesenPort
    unntak: UnntakPort
    changes: ChangeFeedPort
