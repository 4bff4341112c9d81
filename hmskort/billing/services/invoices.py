"""Issuing invoices and credit notes.

- Payment method "invoice": one invoice per order, issued in the transaction
  that confirms the order (`order_confirmed`, called by the portal).
- "Monthly invoice": `invoices_monthly_run` collects each company's confirmed,
  not yet invoiced monthly-invoice orders up to the end of a month into one
  invoice (run on the 1st by Celery beat; `billing.invoices_monthly`).
- A card that was invoiced and then rejected or cancelled before production
  gets a credit note (`credit_note_for_card`, on the card's state change and
  in a nightly sweep).

Every document has a unique `key`, so issuing is idempotent: a second call for
the same order, company-month or card returns the existing document. Numbers
come from a locked counter in the same transaction (gapless).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hmskort.billing import conf
from hmskort.billing.models import (
    CARD_HOLDER,
    Invoice,
    InvoicedOrder,
    InvoiceKind,
    InvoiceLine,
)
from hmskort.billing.pricing import CENT, STANDARD_VAT_RATE, prices_on, vat_of
from hmskort.billing.services.buyer import buyer_snapshot
from hmskort.billing.services.dispatch import dispatch_create
from hmskort.billing.services.numbering import invoice_number_next, kid_for
from hmskort.cards.models import Card, CardState, CardStatusHistory
from hmskort.portal.models import (
    CompanySettings,
    InvoiceChannel,
    Order,
    OrderLineStatus,
    OrderStatus,
    PaymentMethod,
)

logger = logging.getLogger(__name__)

#: Cards that never reached production: what was invoiced for them is credited.
CREDITED_STATES = (CardState.REJECTED, CardState.CANCELLED)


@dataclass(frozen=True)
class LineDraft:
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    order_id: int | None = None
    order_reference: str = ""
    order_line_id: int | None = None
    card_id: int | None = None

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT)


def _totals(lines: list[LineDraft]) -> tuple[Decimal, Decimal]:
    """(net, VAT): VAT per rate on the rate's net sum, as the EHF breakdown says."""
    by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_rate[line.vat_rate] += line.amount
    net = sum(by_rate.values(), Decimal("0"))
    vat = sum((vat_of(amount, rate) for rate, amount in by_rate.items()), Decimal("0"))
    return net, vat


def _order_day(order: Order) -> dt.date:
    return timezone.localdate(order.placed_at) if order.placed_at else timezone.localdate()


def _order_lines(order: Order) -> list[LineDraft]:
    """What an order is invoiced for: every card actually ordered (not refused,
    not already rejected or cancelled), and its card holders, at the prices frozen
    on the order line; the VAT rate of the price list on the order day."""
    prices = prices_on(_order_day(order))

    def rate(code: str) -> Decimal:
        info = prices.get(code)
        return info.vat_rate if info is not None else STANDARD_VAT_RATE

    drafts: list[LineDraft] = []
    lines = order.lines.select_related("card").order_by("holder_name", "id")
    for line in lines:
        if line.status != OrderLineStatus.ORDERED:
            continue
        if line.card is not None and line.card.state in CREDITED_STATES:
            continue
        common = {
            "order_id": order.pk,
            "order_reference": order.reference,
            "order_line_id": line.pk,
            "card_id": line.card_id,
        }
        drafts.append(
            LineDraft(
                code=line.card_type,
                description=f"HMS-kort {line.card_type}: {line.holder_name} ({order.reference})",
                quantity=Decimal(1),
                unit_price=line.card_price,
                vat_rate=rate(line.card_type),
                **common,
            )
        )
        if line.card_holders:
            drafts.append(
                LineDraft(
                    code=CARD_HOLDER,
                    description=f"Kortholder til {line.holder_name} ({order.reference})",
                    quantity=Decimal(line.card_holders),
                    unit_price=line.card_holder_price,
                    vat_rate=rate(CARD_HOLDER),
                    **common,
                )
            )
    return drafts


def _recipient(orgnr: str, channel: str, fallback_email: str) -> tuple[str, str]:
    """(channel, e-mail): the company's invoice e-mail, else the fallback; with no
    e-mail at all an e-mail invoice goes by post instead."""
    settings_ = CompanySettings.objects.filter(orgnr=orgnr).first()
    email = (settings_.invoice_email if settings_ else "") or fallback_email
    if channel == InvoiceChannel.EMAIL and not email:
        channel = InvoiceChannel.POST
    return channel, email


def _issue(
    *,
    key: str,
    kind: str,
    orgnr: str,
    company_name: str,
    lines: list[LineDraft],
    issue_date: dt.date,
    due_date: dt.date,
    channel: str,
    email: str,
    buyer_reference: str,
    period: tuple[dt.date, dt.date] | None = None,
    credited_invoice: Invoice | None = None,
    order_ids: tuple[int, ...] = (),
) -> tuple[Invoice, bool]:
    """Issue one document (or return the one with `key`); (invoice, created)."""
    with transaction.atomic():
        existing = Invoice.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
        number = invoice_number_next()
        # The counter lock serialises issuers: one that issued `key` meanwhile
        # has committed, and this read sees it.
        existing = Invoice.objects.filter(key=key).first()
        if existing is not None:
            transaction.set_rollback(True)  # give the number back
            return existing, False
        net, vat = _totals(lines)
        invoice = Invoice.objects.create(
            kind=kind,
            number=number,
            key=key,
            kid=kid_for(number),
            orgnr=orgnr,
            buyer=buyer_snapshot(orgnr=orgnr, fallback_name=company_name, today=issue_date),
            seller=conf.seller().as_dict(),
            issue_date=issue_date,
            due_date=due_date,
            period_start=period[0] if period else None,
            period_end=period[1] if period else None,
            total_excl_vat=net,
            vat=vat,
            total_incl_vat=net + vat,
            channel=channel,
            email=email,
            buyer_reference=buyer_reference[:100],
            credited_invoice=credited_invoice,
        )
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=invoice,
                    position=i,
                    code=line.code,
                    description=line.description[:255],
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    vat_rate=line.vat_rate,
                    amount=line.amount,
                    order_id=line.order_id,
                    order_reference=line.order_reference,
                    order_line_id=line.order_line_id,
                    card_id=line.card_id,
                )
                for i, line in enumerate(lines, start=1)
            ]
        )
        InvoicedOrder.objects.bulk_create(
            [InvoicedOrder(order_id=order_id, invoice=invoice) for order_id in order_ids]
        )
        dispatch_create(invoice=invoice)
    return invoice, True


# --- one invoice per order -----------------------------------------------------------------


def invoice_for_order(*, order: Order, today: dt.date) -> Invoice | None:
    """The invoice of a confirmed order paid by invoice (idempotent); None when
    nothing on the order was ordered (every line refused)."""
    if order.payment_method != PaymentMethod.INVOICE or order.status != OrderStatus.PLACED:
        return None
    existing = Invoice.objects.filter(key=f"order:{order.pk}").first()
    if existing is not None:
        return existing
    lines = _order_lines(order)
    if not lines:
        return None
    channel, email = _recipient(
        order.orgnr, order.invoice_channel or InvoiceChannel.EMAIL, order.orderer_email
    )
    invoice, _ = _issue(
        key=f"order:{order.pk}",
        kind=InvoiceKind.INVOICE,
        orgnr=order.orgnr,
        company_name=order.company_name,
        lines=lines,
        issue_date=today,
        due_date=today + dt.timedelta(days=conf.invoice_days()),
        channel=channel,
        email=email,
        buyer_reference=order.reference,
        order_ids=(order.pk,),
    )
    return invoice


def order_confirmed(*, order: Order, today: dt.date) -> None:
    """The portal's hook, inside the transaction that confirms an order."""
    if order.payment_method == PaymentMethod.INVOICE:
        invoice_for_order(order=order, today=today)


# --- the monthly invoice -------------------------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def invoices_monthly_run(*, month: dt.date, today: dt.date) -> list[Invoice]:
    """One invoice per company for its monthly-invoice orders confirmed up to the
    end of `month` and not yet invoiced (so an order missed by an earlier run is
    taken by the next one). Idempotent per (company, month): a re-run returns
    the same invoices and issues nothing new. Each company is its own
    transaction, so a crash mid-run leaves finished companies finished."""
    first, last = month_bounds(month)
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    invoiced = InvoicedOrder.objects.values("order_id")
    orders = (
        Order.objects.filter(
            payment_method=PaymentMethod.MONTHLY_INVOICE,
            status=OrderStatus.PLACED,
            placed_at__lt=end,
        )
        .exclude(pk__in=invoiced)
        .order_by("orgnr", "placed_at", "id")
    )
    by_company: dict[str, list[Order]] = defaultdict(list)
    for order in orders:
        by_company[order.orgnr].append(order)
    of_month = Invoice.objects.filter(key__startswith="monthly:", period_start=first)
    done = set(of_month.values_list("key", flat=True))
    for orgnr, company_orders in by_company.items():
        key = f"monthly:{orgnr}:{first:%Y-%m}"
        if key in done:
            continue
        lines = [line for order in company_orders for line in _order_lines(order)]
        if not lines:
            continue
        settings_ = CompanySettings.objects.filter(orgnr=orgnr).first()
        channel = settings_.invoice_channel if settings_ else InvoiceChannel.EMAIL
        channel, email = _recipient(orgnr, channel, company_orders[-1].orderer_email)
        _issue(
            key=key,
            kind=InvoiceKind.INVOICE,
            orgnr=orgnr,
            company_name=company_orders[-1].company_name,
            lines=lines,
            issue_date=today,
            due_date=today + dt.timedelta(days=conf.monthly_invoice_days()),
            channel=channel,
            email=email,
            buyer_reference=f"Samlefaktura {first:%m.%Y}",
            period=(first, last),
            order_ids=tuple(o.pk for o in company_orders),
        )
    return list(of_month.order_by("number"))


# --- credit notes --------------------------------------------------------------------------


def credit_note_for_card(*, card_id: int, today: dt.date) -> Invoice | None:
    """A credit note for what was invoiced for a card that was rejected or
    cancelled before production (idempotent); None if there is nothing to credit."""
    card = Card.objects.filter(pk=card_id).only("pk", "state").first()
    if card is None or card.state not in CREDITED_STATES:
        return None
    produced = CardStatusHistory.objects.filter(
        card_id=card_id, to_state__in=[CardState.IN_PRODUCTION, CardState.ACTIVE]
    ).exists()
    if produced:
        return None
    invoiced = list(
        InvoiceLine.objects.filter(card_id=card_id, invoice__kind=InvoiceKind.INVOICE)
        .select_related("invoice")
        .order_by("position")
    )
    if not invoiced:
        return None
    original = invoiced[0].invoice
    lines = [
        LineDraft(
            code=line.code,
            description=f"Kreditert: {line.description}",
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            order_id=line.order_id,
            order_reference=line.order_reference,
            order_line_id=line.order_line_id,
            card_id=card_id,
        )
        for line in invoiced
        if line.invoice_id == original.pk
    ]
    credit, _ = _issue(
        key=f"credit:card:{card_id}",
        kind=InvoiceKind.CREDIT_NOTE,
        orgnr=original.orgnr,
        company_name=original.buyer.get("name", ""),
        lines=lines,
        issue_date=today,
        due_date=today,
        channel=original.channel,
        email=original.email,
        buyer_reference=original.buyer_reference,
        credited_invoice=original,
    )
    return credit


def credit_notes_sweep(*, today: dt.date) -> list[Invoice]:
    """Credit notes for every invoiced card that was rejected or cancelled and has
    none yet (catches what the state-change listener missed)."""
    card_ids = (
        InvoiceLine.objects.filter(invoice__kind=InvoiceKind.INVOICE, card_id__isnull=False)
        .exclude(card_id__in=_credited_card_ids())
        .values_list("card_id", flat=True)
        .distinct()
    )
    candidates = Card.objects.filter(pk__in=list(card_ids), state__in=CREDITED_STATES)
    notes = []
    for card_id in candidates.values_list("pk", flat=True):
        note = credit_note_for_card(card_id=card_id, today=today)
        if note is not None:
            notes.append(note)
    return notes


def _credited_card_ids():
    return InvoiceLine.objects.filter(
        invoice__kind=InvoiceKind.CREDIT_NOTE, card_id__isnull=False
    ).values("card_id")
