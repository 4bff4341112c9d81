"""The API's request and response shapes (published in the OpenAPI documents).

Request bodies forbid unknown fields (a typo is an error, not silently ignored).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from hmskort.eligibility.industries import INDUSTRIES


def _industry_codes() -> str:
    """The card types as the industry data lists them (BA, RH, BP, VT ...)."""
    return ", ".join(f"{code} ({industry.name_en})" for code, industry in INDUSTRIES.items())


def _declaration_industries() -> str:
    """The card types whose industry asks for a declaration per order, with its text."""
    return (
        "; ".join(
            f'{code}: "{industry.order_declaration_en}"'
            for code, industry in INDUSTRIES.items()
            if industry.needs_order_declaration
        )
        or "none today"
    )


PublicStatusLiteral = Literal[
    "valid",
    "invalid",
    "expired",
    "blocked",
    "pending",
    "rejected",
    "cancelled",
    "returned",
    "confiscated",
]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


# --- errors -----------------------------------------------------------------------


class ReasonOut(Schema):
    code: str = Field(description="Stable reason code from the reason catalogue")
    text: str = Field(description="The public text, in bokmål or (Accept-Language: en) English")


class ErrorDetail(Schema):
    code: str = Field(description="Stable error code; branch on this")
    message: str
    fields: dict[str, str] | None = Field(
        default=None, description="Invalid inputs by field name (validation errors)"
    )
    reasons: list[ReasonOut] | None = Field(
        default=None, description="Reason codes and texts (refused orders)"
    )
    retry_after: int | None = Field(
        default=None,
        description="Seconds to wait before asking again (429 only; also the Retry-After header)",
    )


class ErrorOut(Schema):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(statuses, ErrorOut)


# --- level 1 -----------------------------------------------------------------------


class EmployerOut(Schema):
    orgnr: str
    name: str


class CardStatusOut(Schema):
    """A card's status with no personal data."""

    card_number: str
    status: PublicStatusLiteral
    valid: bool = Field(description="True when the card may be used (status 'valid')")
    status_text: str
    reasons: list[ReasonOut] = Field(description="Why the card is not valid (empty when valid)")
    card_type: str = Field(
        description=f"Industry code: {_industry_codes()}",
        json_schema_extra={"examples": list(INDUSTRIES)},
    )
    industry: str = Field(description="Industry name")
    employer: EmployerOut
    valid_until: dt.date | None


CHECK_ID_FIELD = Field(
    description="This check's id: its signed receipt is GET /api/v1/receipts/{check_id} "
    "(and /kvittering/{check_id})"
)


class CheckedCardStatusOut(CardStatusOut):
    """A level-1 status answer: the status plus the id of the recorded check."""

    check_id: str = CHECK_ID_FIELD


class HolderOut(Schema):
    name: str
    birth_date: dt.date | None


class QrCardOut(CardStatusOut):
    """The card's status plus what the physical card shows about its holder."""

    holder: HolderOut
    check_id: str = CHECK_ID_FIELD


class QrIn(StrictIn):
    token: Annotated[str, Field(min_length=1, max_length=4096)] = Field(
        description="The signed token from the card's QR code (the last path segment of its URL)"
    )


class PingOut(Schema):
    ok: bool


# --- level 2 -----------------------------------------------------------------------


class CardHolderOut(Schema):
    person_id: str = Field(description="Fødselsnummer or D-nummer")
    name: str


class CardOut(CardStatusOut):
    """A card of the client's own company, with its holder."""

    state: str = Field(description="The card's internal lifecycle state")
    holder: CardHolderOut
    issue_date: dt.date | None
    state_changed_at: dt.datetime
    block_reason: Literal["lost", "stolen", ""]
    created_at: dt.datetime


class CardPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[CardOut]


class EmploymentPeriodOut(Schema):
    source: Literal["AA", "OAR"] = Field(description="Aa-registeret or OAR (posted workers)")
    start_date: dt.date
    end_date: dt.date | None


class EmployeeOut(Schema):
    person_id: str
    id_type: str = Field(description="FNR (fødselsnummer) or DNR (D-nummer)")
    name: str
    birth_date: dt.date
    employments: list[EmploymentPeriodOut]
    cards: list[CardOut]


class EmployeePage(Schema):
    total: int
    offset: int
    limit: int
    items: list[EmployeeOut]


class CompanyOut(Schema):
    orgnr: str
    name: str


PersonId = Annotated[str, Field(pattern=r"^[0-9]{11}$", description="Fødselsnummer or D-nummer")]


class OrderIn(StrictIn):
    holder_id: PersonId
    card_type: Annotated[
        str,
        Field(
            min_length=2,
            max_length=4,
            pattern=r"^[A-Z]{2,4}$",
            description=f"Industry code: {_industry_codes()}",
            json_schema_extra={"examples": list(INDUSTRIES)},
        ),
    ]
    employment_contract_declared: Literal[True] = Field(
        description="The employer declares that the worker has a written employment contract "
        "(arbeidsmiljøloven § 14-6). Must be true."
    )
    lawful_pay_declared: Literal[True] = Field(
        description="The employer declares that the worker is paid lawfully. Must be true."
    )
    replaces_lost_card: bool = Field(
        default=False, description="The order replaces a card reported lost or stolen"
    )
    orderer_email: Annotated[
        str, Field(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ] = Field(default="", description="Where messages about this card go")
    industry_declaration_confirmed: bool = Field(
        default=False,
        description="The orderer confirms the card type's industry order declaration "
        "(stored with the order and shown to inspectors). Required (true) for card types "
        f"whose industry has one, else refused with `industry_declaration_required`: "
        f"{_declaration_industries()}. Ignored for other card types.",
    )
    nace_justification: Annotated[str, Field(max_length=2000)] = Field(
        default="",
        description="Why the company needs this card type although none of its NACE codes "
        "(Enhetsregisteret) fits it. Required when they do not fit (else refused with "
        "`nace_justification_required`): the order is then accepted, its card waits "
        "pending (NACE_JUSTIFICATION_PENDING) while a caseworker reviews the "
        "justification, and continues or is rejected by the decision. Ignored when the "
        "card type fits.",
    )


class IndustryDeclarationOut(Schema):
    card_type: str
    text: str = Field(description="The declaration as confirmed (bokmål)")
    text_en: str = Field(description="The declaration in English")
    confirmed_by: str = Field(description="The API client that confirmed it")
    confirmed_at: dt.datetime


class OrderOut(Schema):
    order_id: int
    created_at: dt.datetime
    employment_contract_declared: bool
    lawful_pay_declared: bool
    industry_declaration: IndustryDeclarationOut | None = Field(
        default=None,
        description="The industry's order declaration confirmed with the order (null: none "
        "was needed)",
    )
    nace_justification: str = Field(
        default="",
        description="The justification for a card type outside the company's NACE codes "
        "(empty: none was needed)",
    )
    card: CardOut


class OrderPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[OrderOut]


class BlockIn(StrictIn):
    reason: Literal["lost", "stolen"]
    note: Annotated[str, Field(max_length=500)] = ""
