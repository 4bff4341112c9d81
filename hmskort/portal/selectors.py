"""Reads for the employer portal. Nothing here writes.

Every list is built with a fixed number of queries per page, however many
people the company has: card statuses, uploads and cart flags for the page's
people are fetched in one query each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from hmskort.cards.models import Card, CardState
from hmskort.cards.selectors import order_facts_for_pairs
from hmskort.cards.services.transitions import VALID_STATES
from hmskort.cards.status import public_status, status_text
from hmskort.eligibility import reasons
from hmskort.eligibility.industries import INDUSTRIES
from hmskort.eligibility.rules import evaluate, renewal_opens_on
from hmskort.eligibility.verdict import Outcome, Purpose, Verdict
from hmskort.portal.models import (
    AddedEmployee,
    CartItem,
    DeliveryAddress,
    Order,
    UploadSet,
    UploadStatus,
)
from hmskort.portal.refs import person_ref
from hmskort.registers import models as rm
from hmskort.registers.facts import company_facts

S = CardState

# Which of a person's cards the portal shows: the most telling one, newest first within a rank.
_RANK = {
    **{s: 0 for s in VALID_STATES},
    S.PENDING: 1,
    S.INVALID: 2,
    S.BLOCKED: 3,
    S.REJECTED: 4,
    S.EXPIRED: 5,
}


@dataclass(frozen=True)
class ReasonText:
    code: str
    text: str
    action: str


def reason_texts(codes: Iterable[str], language: str | None = None) -> tuple[ReasonText, ...]:
    language = language or get_language()
    return tuple(
        ReasonText(c, reasons.public_text(c, language), reasons.action_text(c, language))
        for c in codes
    )


@dataclass(frozen=True)
class CardSummary:
    card_id: int
    card_number: str
    card_type: str
    state: str
    status: str
    status_text: str
    reasons: tuple[ReasonText, ...]
    valid_until: dt.date | None


def card_summary(card: Card, *, today: dt.date) -> CardSummary:
    status, codes = public_status(
        state=card.state,
        reason_codes=card.reason_codes,
        valid_until=card.valid_until,
        today=today,
        order_reasons=True,
    )
    return CardSummary(
        card_id=card.pk,
        card_number=card.card_number,
        card_type=card.card_type,
        state=card.state,
        status=status,
        status_text=status_text(status, get_language() or "nb"),
        reasons=reason_texts(codes),
        valid_until=card.valid_until,
    )


def current_cards(
    orgnr: str, person_ids: Sequence[str], *, today: dt.date
) -> dict[str, CardSummary]:
    """The card to show for each person (one query for the whole page)."""
    best: dict[str, Card] = {}
    if not person_ids:
        return {}
    for card in Card.objects.filter(employer_orgnr=orgnr, holder_id__in=list(person_ids)).order_by(
        "-created_at", "-id"
    ):
        held = best.get(card.holder_id)
        if held is None or _RANK.get(card.state, 9) < _RANK.get(held.state, 9):
            best[card.holder_id] = card
    return {pid: card_summary(card, today=today) for pid, card in best.items()}


def current_uploads(orgnr: str, person_ids: Sequence[str]) -> dict[str, UploadSet]:
    """The newest photo/ID upload for each person (one query)."""
    result: dict[str, UploadSet] = {}
    if not person_ids:
        return result
    for upload in UploadSet.objects.filter(orgnr=orgnr, person_id__in=list(person_ids)).order_by(
        "created_at", "id"
    ):
        result[upload.person_id] = upload
    return result


def cart_person_ids(orgnr: str) -> set[str]:
    return set(CartItem.objects.filter(orgnr=orgnr).values_list("person_id", flat=True))


@dataclass(frozen=True)
class EmployeeRow:
    person_id: str
    ref: str
    name: str
    birth_date: dt.date | None
    sources: tuple[str, ...]  # "AA", "OAR", "ADDED"
    start: dt.date | None
    end: dt.date | None
    card: CardSummary | None
    upload: UploadSet | None
    in_cart: bool


@dataclass(frozen=True)
class EmployeesPage:
    total: int
    offset: int
    limit: int
    rows: tuple[EmployeeRow, ...]
    added: tuple[EmployeeRow, ...]

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total

    @property
    def previous_offset(self) -> int:
        return max(0, self.offset - self.limit)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    @property
    def first_number(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return min(self.offset + self.limit, self.total)


def _search_filter(query: str) -> Q:
    query = query.strip()
    digits = query.replace(" ", "")
    if digits.isdigit():
        return Q(identifikator__startswith=digits)
    q = Q()
    for word in query.split():
        q &= (
            Q(fornavn__icontains=word)
            | Q(mellomnavn__icontains=word)
            | Q(etternavn__icontains=word)
        )
    return q


def own_employer_roles_q(orgnr: str, *, prefix: str = "roller__") -> Q:
    """Roles that make a person their own employer in `orgnr` (by its organisation form)."""
    from hmskort.eligibility.rules import OWNER_ROLES

    form = (
        rm.Enhet.objects.filter(organisasjonsnummer=orgnr)
        .values_list("organisasjonsform", flat=True)
        .first()
    )
    roles = sorted(OWNER_ROLES.get((form or "").upper(), ()))
    return Q(**{f"{prefix}rolletype__in": roles}) if roles else Q(pk__in=[])


def employees_page(
    orgnr: str, *, today: dt.date, query: str = "", offset: int = 0, limit: int = 50
) -> EmployeesPage:
    """The company's employees (Aa-registeret and OAR, not ended before today
    minus 30 days) with card status, search by name or number, paged; plus the
    persons the company added itself. A fixed number of queries per page.

    Mirrors `registers.selectors.employees_of_company` with a search filter.
    """
    since = today - dt.timedelta(days=30)
    aa = Q(arbeidsforhold__arbeidsgiver_id=orgnr) & (
        Q(arbeidsforhold__sluttdato__isnull=True) | Q(arbeidsforhold__sluttdato__gte=since)
    )
    oar = Q(oppdrag__oppdrag__oppdragstaker_id=orgnr) & (
        Q(oppdrag__sluttdato__isnull=True) | Q(oppdrag__sluttdato__gte=since)
    )
    # Own employer: the owner of an ENK / partners of an ANS or DA (Enhetsregisteret).
    owner = Q(roller__enhet_id=orgnr, roller__fratraadt=False) & own_employer_roles_q(orgnr)
    ids_qs = (
        rm.Person.objects.filter(aa | oar | owner)
        .values_list("identifikator", flat=True)
        .distinct()
    )
    people_qs = rm.Person.objects.filter(identifikator__in=ids_qs.order_by())
    if query.strip():
        people_qs = people_qs.filter(_search_filter(query))
    total = people_qs.count()
    page = list(
        people_qs.order_by("etternavn", "fornavn", "identifikator").values(
            "identifikator", "fornavn", "mellomnavn", "etternavn", "foedselsdato"
        )[offset : offset + limit]
    )
    ids = [p["identifikator"] for p in page]
    periods: dict[str, list[tuple[str, dt.date, dt.date | None]]] = {i: [] for i in ids}
    for fnr, start, end in rm.Arbeidsforhold.objects.filter(
        arbeidsgiver_id=orgnr, arbeidstaker_id__in=ids
    ).values_list("arbeidstaker_id", "startdato", "sluttdato"):
        periods[fnr].append(("AA", start, end))
    for fnr, start, end in rm.OppdragArbeidstaker.objects.filter(
        oppdrag__oppdragstaker_id=orgnr, arbeidstaker_id__in=ids
    ).values_list("arbeidstaker_id", "startdato", "sluttdato"):
        periods[fnr].append(("OAR", start, end))
    owners = set(
        rm.Rolle.objects.filter(enhet_id=orgnr, person_id__in=ids, fratraadt=False)
        .filter(own_employer_roles_q(orgnr, prefix=""))
        .values_list("person_id", flat=True)
    )

    added_qs = AddedEmployee.objects.filter(orgnr=orgnr).exclude(person_id__in=ids)
    if query.strip():
        digits = query.replace(" ", "")
        added_qs = added_qs.filter(
            Q(person_id__startswith=digits)
            if digits.isdigit()
            else Q(name__icontains=query.strip())
        )
    added = list(added_qs[:200])
    all_ids = ids + [a.person_id for a in added]
    cards = current_cards(orgnr, all_ids, today=today)
    uploads = current_uploads(orgnr, all_ids)
    in_cart = cart_person_ids(orgnr)

    rows = []
    for p in page:
        pid = p["identifikator"]
        mine = sorted(periods[pid], key=lambda x: x[1])
        latest = mine[-1] if mine else None
        name = " ".join(x for x in (p["fornavn"], p["mellomnavn"], p["etternavn"]) if x)
        rows.append(
            EmployeeRow(
                person_id=pid,
                ref=person_ref(orgnr, pid),
                name=name,
                birth_date=p["foedselsdato"],
                sources=tuple(
                    sorted({x[0] for x in mine} | ({"ROLE"} if pid in owners else set()))
                ),
                start=latest[1] if latest else None,
                end=latest[2] if latest else None,
                card=cards.get(pid),
                upload=uploads.get(pid),
                in_cart=pid in in_cart,
            )
        )
    added_rows = tuple(
        EmployeeRow(
            person_id=a.person_id,
            ref=person_ref(orgnr, a.person_id),
            name=a.name,
            birth_date=None,
            sources=("ADDED",),
            start=None,
            end=None,
            card=cards.get(a.person_id),
            upload=uploads.get(a.person_id),
            in_cart=a.person_id in in_cart,
        )
        for a in added
    )
    return EmployeesPage(
        total=total, offset=offset, limit=limit, rows=tuple(rows), added=added_rows
    )


def person_name(orgnr: str, person_id: str) -> str | None:
    """The person's name if they are this company's employee, added person or card holder
    (None otherwise: the portal shows nobody else)."""
    added = AddedEmployee.objects.filter(orgnr=orgnr, person_id=person_id).first()
    if added:
        return added.name
    employed = (
        rm.Arbeidsforhold.objects.filter(arbeidsgiver_id=orgnr, arbeidstaker_id=person_id).exists()
        or rm.OppdragArbeidstaker.objects.filter(
            oppdrag__oppdragstaker_id=orgnr, arbeidstaker_id=person_id
        ).exists()
    )
    employed = (
        employed
        or rm.Rolle.objects.filter(
            own_employer_roles_q(orgnr, prefix=""),
            enhet_id=orgnr,
            person_id=person_id,
            fratraadt=False,
        ).exists()
    )
    if employed:
        person = rm.Person.objects.filter(identifikator=person_id).first()
        return person.fulltnavn if person else ""
    card = Card.objects.filter(employer_orgnr=orgnr, holder_id=person_id).order_by("-id").first()
    return card.holder_name if card else None


# --- eligibility dry run ---------------------------------------------------------------


def order_dry_run(
    *, orgnr: str, requests: Iterable[tuple[str, str, bool]], today: dt.date
) -> dict[tuple[str, str], Verdict]:
    """What the order rules would say now, without ordering: for each
    (person_id, card_type, replaces_lost_card) the verdict, keyed by
    (person_id, card_type). The same facts and rule as `card_order` (ORDER
    purpose); a fixed number of queries however many requests."""
    wanted = list(requests)
    facts = order_facts_for_pairs({(orgnr, pid) for pid, _, _ in wanted})
    result: dict[tuple[str, str], Verdict] = {}
    for pid, card_type, lost in wanted:
        result[(pid, card_type)] = evaluate(
            facts[(orgnr, pid)],
            card_type=card_type,
            today=today,
            purpose=Purpose.ORDER,
            replaces_lost_card=lost,
        )
    return result


def failing_codes(verdict: Verdict) -> list[str]:
    return [str(f.code) for f in verdict.findings if f.outcome is Outcome.FAIL] or list(
        verdict.reason_codes
    )


def pending_codes(verdict: Verdict) -> list[str]:
    return [str(f.code) for f in verdict.findings if f.outcome is Outcome.PENDING]


def card_types_for_company(orgnr: str) -> list[tuple[str, str]]:
    """(code, name) of the card types to offer: those whose NACE codes fit the
    company first (the default is the first); every industry is offered."""
    facts = company_facts([orgnr]).get(orgnr)
    nace = facts.nace_codes if facts else ()
    language = get_language()
    fitting = [i for i in INDUSTRIES.values() if i.nace_fits(nace)]
    rest = [i for i in INDUSTRIES.values() if i not in fitting]
    return [(i.code, i.name(language)) for i in fitting + rest]


def company_is_vat_registered(orgnr: str, *, today: dt.date) -> tuple[bool, bool]:
    """(registered in Merverdiavgiftsregisteret today, has a self-declaration today)."""
    facts = company_facts([orgnr]).get(orgnr)
    if facts is None:
        return False, False
    return (
        any(p.contains(today) for p in facts.vat_registrations),
        any(p.contains(today) for p in facts.vat_self_declarations),
    )


# --- cart, orders, addresses, cards ----------------------------------------------------------


def cart_items(orgnr: str) -> QuerySet[CartItem]:
    return CartItem.objects.filter(orgnr=orgnr).select_related("delivery_address")


def delivery_addresses(orgnr: str, *, active_only: bool = True) -> QuerySet[DeliveryAddress]:
    qs = DeliveryAddress.objects.filter(orgnr=orgnr)
    return qs.filter(active=True) if active_only else qs


def orders_for_company(orgnr: str) -> QuerySet[Order]:
    return Order.objects.filter(orgnr=orgnr).order_by("-created_at", "-id")


def order_get(orgnr: str, order_id: int) -> Order | None:
    return Order.objects.filter(orgnr=orgnr, pk=order_id).first()


@dataclass(frozen=True)
class OrderLineView:
    line_id: int
    holder_name: str
    card_type: str
    line_status: str
    refused: tuple[ReasonText, ...]
    card: CardSummary | None
    shipped: bool
    upload_status: str  # "", or an UploadStatus value
    upload_reason: str


def order_lines_view(order: Order, *, today: dt.date) -> list[OrderLineView]:
    """Each line with its card's state and reasons, and the photo/ID state (three queries)."""
    lines = list(order.lines.select_related("card"))
    uploads = current_uploads(order.orgnr, [line.person_id for line in lines])
    result = []
    for line in lines:
        upload = uploads.get(line.person_id)
        result.append(
            OrderLineView(
                line_id=line.pk,
                holder_name=line.holder_name,
                card_type=line.card_type,
                line_status=line.status,
                refused=reason_texts(line.reason_codes),
                card=card_summary(line.card, today=today) if line.card else None,
                shipped=bool(line.card and line.card.shipped_at),
                upload_status=upload.status if upload else "",
                upload_reason=upload.get_reason_display() if upload and upload.reason else "",
            )
        )
    return result


def company_card(orgnr: str, card_id: int) -> Card | None:
    return Card.objects.filter(employer_orgnr=orgnr, pk=card_id).first()


def company_cards(orgnr: str, *, query: str = "", states: Sequence[str] = ()) -> QuerySet[Card]:
    qs = Card.objects.filter(employer_orgnr=orgnr)
    if states:
        qs = qs.filter(state__in=list(states))
    query = query.strip()
    if query:
        digits = query.replace(" ", "")
        qs = qs.filter(
            Q(card_number__startswith=digits) | Q(holder_id__startswith=digits)
            if digits.isdigit()
            else Q(holder_name__icontains=query)
        )
    return qs.order_by("holder_name", "-id")


def expiring_cards(orgnr: str, *, today: dt.date, days: int = 60) -> QuerySet[Card]:
    """Valid cards whose validity ends within `days` days, soonest first."""
    return Card.objects.filter(
        employer_orgnr=orgnr,
        state__in=list(VALID_STATES),
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=days),
    ).order_by("valid_until", "holder_name")


def reorder_open(card: Card, *, today: dt.date) -> bool:
    """A renewal may be ordered in the card's last month of validity."""
    return card.valid_until is not None and renewal_opens_on(card.valid_until) <= today


def upload_status_for(orgnr: str, person_id: str) -> UploadSet | None:
    return current_uploads(orgnr, [person_id]).get(person_id)


def uploads_pending_or_approved(upload: UploadSet | None) -> bool:
    return upload is not None and upload.status in (
        UploadStatus.PENDING_REVIEW,
        UploadStatus.APPROVED,
    )
