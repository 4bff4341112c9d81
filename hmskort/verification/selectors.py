"""Reads for the verification pages, one per audience (least data per audience).

- `public_card_lookup`: status and company only; the query never loads the
  holder's columns.
- `qr_card_lookup`: the same plus the holder's name (the QR code was on the card).
- `inspector_card_view`: everything an inspector needs: history with the
  inspector texts, the holder, the holder's other cards.
- `supplier_overview`: a company's registrations and approvals and its card
  counts per type (one aggregate query), no personal data.

Nothing here writes; the inspector audit rows are written by `services`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import get_language, gettext

from hmskort.cards.models import ActorType, Card, CardState, CardStatusHistory
from hmskort.cards.numbers import format_card_number, is_valid_card_number, normalize_card_number
from hmskort.cards.services.transitions import VALID_STATES
from hmskort.eligibility.facts import ApprovalStatus, CompanyFacts
from hmskort.eligibility.industries import INDUSTRIES, get_industry, is_staffing_agency
from hmskort.eligibility.reasons import inspector_text, public_text
from hmskort.registers import idnumbers
from hmskort.registers.adapters import get_ports
from hmskort.registers.facts import company_facts
from hmskort.registers.identifiers import mask_identifier
from hmskort.verification.status import StatusAnswer, card_status

#: The columns a public answer is built from: nothing about the holder.
PUBLIC_COLUMNS = (
    "card_number",
    "card_type",
    "state",
    "reason_codes",
    "employer_orgnr",
    "employer_name",
    "valid_until",
)


def industry_name(card_type: str) -> str:
    industry = get_industry(card_type)
    return industry.name() if industry else card_type


@dataclass(frozen=True)
class PublicCard:
    """A card as the public sees it: status and company, nothing personal."""

    card_number: str
    card_type: str
    employer_orgnr: str
    employer_name: str
    valid_until: dt.date | None
    status: StatusAnswer

    @property
    def display_number(self) -> str:
        return format_card_number(self.card_number)

    @property
    def industry_name(self) -> str:
        return industry_name(self.card_type)


@dataclass(frozen=True)
class QrCard(PublicCard):
    """A card as a QR scan shows it: the public answer plus the holder's name."""

    holder_name: str = ""
    temporary: bool = False


class LookupErrorCode:  # namespace for the stable error codes of a look-up
    EMPTY = "empty"
    FORMAT = "format"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class PublicLookup:
    number: str  # normalised input
    card: PublicCard | None = None
    error: str = ""  # LookupErrorCode code, "" when found


def normalize_lookup_number(raw: str) -> tuple[str, str]:
    """(normalised number, error code or "") without touching the database."""
    number = normalize_card_number(raw or "")
    if not number:
        return number, LookupErrorCode.EMPTY
    if not is_valid_card_number(number):
        return number, LookupErrorCode.FORMAT
    return number, ""


def _public_card(row: dict, *, today: dt.date) -> PublicCard:
    return PublicCard(
        card_number=row["card_number"],
        card_type=row["card_type"],
        employer_orgnr=row["employer_orgnr"],
        employer_name=row["employer_name"],
        valid_until=row["valid_until"],
        status=card_status(
            state=row["state"],
            reason_codes=row["reason_codes"],
            valid_until=row["valid_until"],
            today=today,
        ),
    )


def public_card_lookup(raw_number: str, *, today: dt.date) -> PublicLookup:
    """The public answer for a typed card number: one indexed query, or none
    at all for an empty or malformed number (wrong length or check digit)."""
    number, error = normalize_lookup_number(raw_number)
    if error:
        return PublicLookup(number=number, error=error)
    row = Card.objects.filter(card_number=number).values(*PUBLIC_COLUMNS).first()
    if row is None:
        return PublicLookup(number=number, error=LookupErrorCode.NOT_FOUND)
    return PublicLookup(number=number, card=_public_card(row, today=today))


def qr_card_lookup(number: str, *, today: dt.date, temporary: bool = False) -> QrCard | None:
    """The QR page's card (public answer + holder name), None if unknown."""
    row = (
        Card.objects.filter(card_number=number).values(*PUBLIC_COLUMNS, "holder_name").first()
        if is_valid_card_number(number)
        else None
    )
    if row is None:
        return None
    public = _public_card(row, today=today)
    return QrCard(
        **{f: getattr(public, f) for f in PublicCard.__dataclass_fields__},
        holder_name=row["holder_name"],
        temporary=temporary,
    )


# --- inspectors -----------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    from_state: str  # label ("" for the order)
    to_state: str  # label
    reasons: tuple[tuple[str, str, str], ...]  # (code, public text, inspector text)
    actor_type: str  # label
    actor: str
    note: str


@dataclass(frozen=True)
class InspectorCardView:
    card: Card
    status: StatusAnswer
    history: tuple[HistoryEntry, ...]
    holder_birth_date: dt.date | None
    other_cards: tuple[PublicCard, ...]
    # Photo and ID documents submitted with the order arrive with the uploads issue.
    documents: tuple = field(default_factory=tuple)
    # Industry declarations the orderer confirmed with the card's order
    # (e.g. VT: goods for payment within the weight limit).
    order_declarations: tuple[OrderDeclaration, ...] = field(default_factory=tuple)

    @property
    def display_number(self) -> str:
        return format_card_number(self.card.card_number)

    @property
    def industry_name(self) -> str:
        return industry_name(self.card.card_type)

    @property
    def holder_identifier_masked(self) -> str:
        return mask_identifier(self.card.holder_id)


@dataclass(frozen=True)
class OrderDeclaration:
    card_type: str
    text: str
    confirmed_at: str
    order_reference: str


def order_declarations(card: Card) -> tuple[OrderDeclaration, ...]:
    """What the orderer declared for this card's industry when ordering it
    (in the portal, or over API level 2)."""
    from hmskort.portal.models import OrderLine

    line = OrderLine.objects.filter(card=card).select_related("order").first()
    if line is not None:
        entry = line.order.declaration_for(card.card_type)
        reference = line.order.reference
    else:
        from hmskort.api.models import ApiCardOrder

        api_order = ApiCardOrder.objects.filter(card=card).first()
        entry = api_order.industry_declaration if api_order is not None else None
        reference = api_order.reference if api_order is not None else ""
    if not entry:
        return ()
    english = (get_language() or "").startswith("en")
    return (
        OrderDeclaration(
            card_type=card.card_type,
            text=(entry.get("text_en") if english else None) or entry.get("text", ""),
            confirmed_at=str(entry.get("confirmed_at", ""))[:10],
            order_reference=reference,
        ),
    )


def _labels(choices) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}


def card_history_entries(card: Card) -> tuple[HistoryEntry, ...]:
    states = _labels(CardState.choices)
    actors = _labels(ActorType.choices)
    rows = CardStatusHistory.objects.filter(card=card).order_by("id")
    return tuple(
        HistoryEntry(
            at=row.at,
            from_state=states.get(row.from_state, row.from_state),
            to_state=states.get(row.to_state, row.to_state),
            reasons=tuple(
                (str(c), public_text(str(c)), inspector_text(str(c)))
                for c in row.reason_codes or ()
            ),
            actor_type=actors.get(row.actor_type, row.actor_type),
            actor=row.actor,
            note=row.note,
        )
        for row in rows
    )


def holder_birth_date(holder_id: str) -> dt.date | None:
    """From Folkeregisteret; else what the number itself encodes; else None."""
    person = get_ports().folkeregisteret.personer([holder_id]).get(holder_id)
    if person is not None:
        return person.foedselsdato
    return idnumbers.birth_date(holder_id)


def inspector_card_view(number: str, *, today: dt.date) -> InspectorCardView | None:
    """Everything an inspector sees about a card; None if malformed or unknown."""
    number = normalize_card_number(number or "")
    if not is_valid_card_number(number):
        return None
    card = Card.objects.filter(card_number=number).first()
    if card is None:
        return None
    others = (
        Card.objects.filter(holder_id=card.holder_id)
        .exclude(pk=card.pk)
        .order_by("-created_at", "-id")
        .values(*PUBLIC_COLUMNS)
    )
    return InspectorCardView(
        card=card,
        status=card_status(
            state=card.state,
            reason_codes=card.reason_codes,
            valid_until=card.valid_until,
            today=today,
        ),
        history=card_history_entries(card),
        holder_birth_date=holder_birth_date(card.holder_id),
        other_cards=tuple(_public_card(row, today=today) for row in others),
        order_declarations=order_declarations(card),
    )


# --- supplier check -----------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """One line of the supplier check: a register and what it says."""

    label: str
    value: str
    # "success" (met), "danger" (not met), "warning" (unclear / pending), "neutral" (not relevant)
    tone: str


@dataclass(frozen=True)
class CardCounts:
    card_type: str
    active: int
    invalid: int
    expired: int

    @property
    def industry_name(self) -> str:
        return industry_name(self.card_type)


@dataclass(frozen=True)
class SupplierOverview:
    orgnr: str
    company: CompanyFacts | None
    registrations: tuple[Registration, ...]
    card_counts: tuple[CardCounts, ...]

    @property
    def totals(self) -> CardCounts:
        return CardCounts(
            card_type="",
            active=sum(c.active for c in self.card_counts),
            invalid=sum(c.invalid for c in self.card_counts),
            expired=sum(c.expired for c in self.card_counts),
        )


def _in_any(periods, today: dt.date) -> bool:
    return any(p.contains(today) for p in periods)


def _approval(status: ApprovalStatus | None) -> tuple[str, str]:
    if status is None:
        return gettext("Ikke registrert"), "neutral"
    return {
        ApprovalStatus.APPROVED: (gettext("Godkjent"), "success"),
        ApprovalStatus.APPLIED_MAY_ORDER: (gettext("Søkt – kan bestille kort"), "warning"),
        ApprovalStatus.APPLIED: (gettext("Søkt – venter på svar"), "warning"),
        ApprovalStatus.REJECTED: (gettext("Avslått"), "danger"),
        ApprovalStatus.REVOKED: (gettext("Tilbakekalt"), "danger"),
    }[ApprovalStatus(status)]


def company_registrations(company: CompanyFacts, *, today: dt.date) -> tuple[Registration, ...]:
    """The company's standing in each register, in words."""
    if company.deleted_on is not None and company.deleted_on <= today:
        er = (gettext("Slettet"), "danger")
    elif company.bankrupt:
        er = (gettext("Konkurs"), "danger")
    elif company.forced_liquidation:
        er = (gettext("Under tvangsavvikling"), "danger")
    elif company.under_liquidation:
        er = (gettext("Under avvikling"), "danger")
    else:
        er = (gettext("Aktiv"), "success")

    if _in_any(company.vat_registrations, today):
        vat = (gettext("Registrert"), "success")
    elif _in_any(company.vat_self_declarations, today):
        vat = (
            gettext("Ikke registrert – egenerklæring om at virksomheten ikke er pliktig"),
            "success",
        )
    else:
        vat = (gettext("Ikke registrert"), "warning")

    if _in_any(company.staffing_registrations, today):
        staffing = (gettext("Registrert"), "success")
    elif is_staffing_agency(company.nace_codes):
        staffing = (gettext("Ikke registrert – påkrevd for bemanningsforetak"), "danger")
    else:
        staffing = (gettext("Ikke registrert – ikke bemanningsforetak"), "neutral")

    rows = [
        Registration(gettext("Enhetsregisteret"), *er),
        Registration(gettext("Merverdiavgiftsregisteret"), *vat),
        Registration(gettext("Bemanningsforetaksregisteret"), *staffing),
        Registration(gettext("Renholdsregisteret"), *_approval(company.cleaning_approval)),
        Registration(
            gettext("Godkjenning for bilpleie, hjulskift og hjullagring"),
            *_approval(company.carcare_approval),
        ),
    ]
    if _in_any(company.workshop_approvals, today):
        rows.append(
            Registration(
                gettext("Godkjent verksted (Statens vegvesen)"), gettext("Godkjent"), "success"
            )
        )
    return tuple(rows)


def card_counts_for_company(orgnr: str, *, today: dt.date) -> tuple[CardCounts, ...]:
    """Active, invalid and expired cards per card type, in one aggregate query.

    A card still marked valid whose validity date has passed counts as expired,
    as the status pages answer it."""
    valid = list(VALID_STATES)
    past = Q(valid_until__lt=today)
    rows = (
        Card.objects.filter(employer_orgnr=orgnr)
        .values("card_type")
        .annotate(
            active=Count("id", filter=Q(state__in=valid) & ~past),
            invalid=Count("id", filter=Q(state=CardState.INVALID)),
            expired=Count("id", filter=Q(state=CardState.EXPIRED) | (Q(state__in=valid) & past)),
        )
        .order_by("card_type")
    )
    order = {code: i for i, code in enumerate(INDUSTRIES)}
    counts = [
        CardCounts(r["card_type"], r["active"], r["invalid"], r["expired"])
        for r in rows
        if r["active"] or r["invalid"] or r["expired"]
    ]
    return tuple(sorted(counts, key=lambda c: (order.get(c.card_type, len(order)), c.card_type)))


def supplier_overview(orgnr: str, *, today: dt.date) -> SupplierOverview:
    """`orgnr` must be a valid organisation number (the form checks it)."""
    company = company_facts([orgnr]).get(orgnr)
    return SupplierOverview(
        orgnr=orgnr,
        company=company,
        registrations=company_registrations(company, today=today) if company else (),
        card_counts=card_counts_for_company(orgnr, today=today),
    )
