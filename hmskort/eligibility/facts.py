"""The inputs of the eligibility rules: plain, immutable register facts.

These are the contract between the registers (which build them, in bulk) and
the rules (which read them). They hold raw dates and states, never derived
answers such as "is active today": the rules decide that from `today`.
Nothing here knows about Django models, the database or the clock.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Period:
    """A closed-open-ended period: `start` inclusive, `end` inclusive, None = open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class ApprovalStatus(enum.StrEnum):
    """State of a company in an approval register (Renholdsregisteret, bilpleie)."""

    APPROVED = "godkjent"
    APPLIED_MAY_ORDER = "soekt_kan_bestille"
    APPLIED = "soekt"
    REJECTED = "avslaatt"
    REVOKED = "tilbakekalt"


@dataclass(frozen=True)
class CompanyFacts:
    orgnr: str
    name: str
    organisation_form: str  # AS, ENK, NUF, ANS, DA, ...
    registered_on: dt.date  # registreringsdatoEnhetsregisteret
    deleted_on: dt.date | None = None
    bankrupt: bool = False
    under_liquidation: bool = False
    forced_liquidation: bool = False
    nace_codes: tuple[str, ...] = ()  # e.g. ("43.221", "81.210")
    vat_registrations: tuple[Period, ...] = ()
    vat_self_declarations: tuple[Period, ...] = ()
    staffing_registrations: tuple[Period, ...] = ()  # Bemanningsforetaksregisteret
    cleaning_approval: ApprovalStatus | None = None  # Renholdsregisteret
    carcare_approval: ApprovalStatus | None = None  # bilpleie approval register
    workshop_approvals: tuple[Period, ...] = ()  # Statens vegvesen
    parent_orgnr: str | None = None  # set for an underenhet


class IdType(enum.StrEnum):
    FNR = "FNR"
    DNR = "DNR"


class PersonStatus(enum.StrEnum):
    RESIDENT = "bosatt"
    TEMPORARY = "midlertidig"  # active D-number
    INACTIVE = "inaktiv"  # D-number set inactive
    EMIGRATED = "utflyttet"
    DEAD = "doed"
    CEASED = "opphoert"


@dataclass(frozen=True)
class PermitFacts:
    """A UDI residence permit."""

    work_access: bool
    valid: Period


@dataclass(frozen=True)
class PersonFacts:
    identifier: str
    id_type: IdType
    name: str
    birth_date: dt.date
    status: PersonStatus
    citizenships: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    permits: tuple[PermitFacts, ...] = ()
    # When Folkeregisteret set the status (e.g. the day a D-number turned inactive).
    status_since: dt.date | None = None


class EmploymentSource(enum.StrEnum):
    AAREG = "AA"
    OAR = "OAR"


@dataclass(frozen=True)
class EmploymentFacts:
    """An employment (Aa-registeret) or a posting on an assignment (OAR)
    between this person and this employer."""

    source: EmploymentSource
    period: Period


@dataclass(frozen=True)
class ExceptionFacts:
    """An entry in Arbeidstilsynet's exception register: the requirement codes
    (see `requirements.Requirement`) it waives, and for how long."""

    waives: frozenset[str]
    valid: Period


class ExistingCardKind(enum.StrEnum):
    """How an existing card for the same employment counts for a new order."""

    VALID = "valid"  # in production, active
    PENDING = "pending"  # ordered, not yet decided
    INVALID = "invalid"  # invalid but not blocked/returned: can be re-activated
    BLOCKED = "blocked"  # blocked as lost or stolen
    ENDED = "ended"  # expired, returned, confiscated, rejected, cancelled


@dataclass(frozen=True)
class ExistingCard:
    card_number: str
    card_type: str
    kind: ExistingCardKind
    valid_until: dt.date | None


class DocumentsState(enum.StrEnum):
    """Where the photo and ID document for an order stand (set by the upload review)."""

    MISSING = "missing"  # nothing uploaded yet (or only one of the two)
    UNDER_REVIEW = "under_review"  # uploaded, not yet approved
    APPROVED = "approved"
    REJECTED = "rejected"  # both must be uploaded again


class JustificationState(enum.StrEnum):
    """A written justification for ordering a card type outside the company's
    NACE codes, as the caseworker queue has it."""

    SUBMITTED = "submitted"  # written at order time, waiting for a caseworker
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class NaceJustification:
    """The latest justification for this (employer, person) pair and card type."""

    card_type: str
    state: JustificationState


@dataclass(frozen=True)
class Facts:
    """Everything the rules may know about one (employer, person) pair."""

    company: CompanyFacts | None  # None: not found in Enhetsregisteret
    person: PersonFacts | None  # None: not found in Folkeregisteret
    employments: tuple[EmploymentFacts, ...] = ()
    exceptions: tuple[ExceptionFacts, ...] = ()
    # Other cards for the same employer and person (never the card being re-checked).
    existing_cards: tuple[ExistingCard, ...] = field(default=())
    # Roles the person holds in the company (INNH, DTPR, ...), for own-employer cards.
    roles: tuple[str, ...] = ()
    # Roles the person held in the company but has resigned (fratrådt): an
    # own-employer card whose role ended becomes invalid (OWNER_ROLE_MISSING).
    ended_roles: tuple[str, ...] = ()
    # Justifications for card types outside the company's NACE codes (ORDER
    # only); at most one per card type (the latest). None of a card type: none
    # written.
    nace_justifications: tuple[NaceJustification, ...] = ()
    # Photo and ID for the order (ORDER only). None: not tracked by the caller,
    # which makes no finding (a re-check never looks at documents).
    documents: DocumentsState | None = None
