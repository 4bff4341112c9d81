"""Placing orders, paying for them through the (simulated) provider, and confirming them.

An order is confirmed (its cards ordered with `card_order` and the
confirmation e-mailed) in one transaction: at once for invoice and monthly
invoice, and when the payment is approved for card and Vipps. A declined or
abandoned payment leaves the order unpaid and intact; it can be paid again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hmskort.billing import services as billing_services
from hmskort.cards.models import ActorType
from hmskort.cards.services.lifecycle import CardOrderRefused, card_order
from hmskort.core.errors import ApplicationError, Conflict, NotFound
from hmskort.eligibility.industries import get_industry
from hmskort.eligibility.reasons import ReasonCode
from hmskort.eligibility.verdict import Outcome
from hmskort.intelligence import justification as nace_justification
from hmskort.notifications.services import message_notify
from hmskort.portal import prices, selectors
from hmskort.portal.models import (
    ONLINE_METHODS,
    CartItem,
    InvoiceChannel,
    Order,
    OrderLine,
    OrderLineStatus,
    OrderStatus,
    PaymentAttempt,
    PaymentMethod,
    PaymentStatus,
)
from hmskort.portal.services.company import company_settings_get

MONTHLY_INVOICE_DAYS = 30
INVOICE_DAYS = 14


class CheckoutError(ApplicationError):
    """The cart cannot be ordered as it is; `extra["problems"]` lists why per line."""

    code = "checkout_error"
    http_status = 422


@dataclass(frozen=True)
class LineProblem:
    item_id: int
    holder_name: str
    # declaration_missing, address_missing, refused, nace_justification_missing,
    # industry_declaration_missing (reason_codes then holds the card type)
    code: str
    reason_codes: tuple[str, ...] = ()


def _reference() -> str:
    return "HMS-" + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))


def industries_needing_declaration(items: list[CartItem]) -> list[str]:
    """Card types in the cart whose industry asks the orderer for a declaration
    per order (e.g. VT: goods for payment within the weight limit)."""
    codes: list[str] = []
    for item in items:
        industry = get_industry(item.card_type)
        if industry and industry.needs_order_declaration and industry.code not in codes:
            codes.append(industry.code)
    return codes


def items_needing_justification(*, orgnr: str, items: list[CartItem], today: dt.date) -> set[int]:
    """Cart items whose card type does not fit the company's NACE codes (the
    rules say NACE_JUSTIFICATION_MISSING): they need a written justification."""
    return _review(orgnr=orgnr, items=items, today=today, declarations=None)[1]


def _review(
    *, orgnr: str, items: list[CartItem], today: dt.date, declarations
) -> tuple[list[LineProblem], set[int]]:
    problems: list[LineProblem] = []
    needs_justification: set[int] = set()
    verdicts = selectors.order_dry_run(
        orgnr=orgnr,
        requests=[(i.person_id, i.card_type, i.replaces_lost_card) for i in items],
        today=today,
    )
    for item in items:
        if not item.declaration:
            problems.append(LineProblem(item.pk, item.holder_name, "declaration_missing"))
        if item.delivery_address_id is None:
            problems.append(LineProblem(item.pk, item.holder_name, "address_missing"))
        verdict = verdicts[(item.person_id, item.card_type)]
        if verdict.outcome is Outcome.FAIL:
            problems.append(
                LineProblem(
                    item.pk, item.holder_name, "refused", tuple(selectors.failing_codes(verdict))
                )
            )
        if ReasonCode.NACE_JUSTIFICATION_MISSING in selectors.pending_codes(verdict):
            needs_justification.add(item.pk)
            if not item.nace_justification.strip():
                problems.append(
                    LineProblem(item.pk, item.holder_name, "nace_justification_missing")
                )
        industry = get_industry(item.card_type)
        if (
            declarations is not None
            and industry is not None
            and industry.needs_order_declaration
            and industry.code not in declarations
        ):
            problems.append(
                LineProblem(
                    item.pk, item.holder_name, "industry_declaration_missing", (industry.code,)
                )
            )
    return problems, needs_justification


def checkout_problems(
    *, orgnr: str, items: list[CartItem], today: dt.date, declarations=None
) -> list[LineProblem]:
    """Why the cart cannot be ordered now (empty: it can). `declarations`: the
    card types whose industry declaration the orderer confirmed (None: not asked)."""
    return _review(orgnr=orgnr, items=items, today=today, declarations=declarations)[0]


def order_place(
    *,
    orgnr: str,
    company_name: str,
    orderer_pid: str,
    orderer_email: str,
    payment_method: str,
    today: dt.date,
    declarations=(),
    justifications=None,
) -> list[Order]:
    """Turn the company's cart into orders: one order per delivery address.

    `declarations`: card types whose industry declaration the orderer confirmed
    for this order (e.g. "VT"); `justifications`: {cart item id: text} for card
    types outside the company's NACE codes (saved on the cart lines first, so
    nothing typed is lost when the checkout is refused).

    Raises CheckoutError (nothing else written) when the cart is empty, a line
    lacks the self-declaration, an address, its industry declaration or a
    needed justification, the rules refuse a line, or EHF is chosen for a single
    invoice. Invoice orders are confirmed at once; card and Vipps orders wait
    for payment. A line with a justification opens a case in the caseworker
    queue and its card waits there (NACE_JUSTIFICATION_PENDING)."""
    if justifications:
        from hmskort.portal.services.cart import cart_justifications_save

        cart_justifications_save(orgnr=orgnr, justifications=justifications)
    declared = {str(code).strip().upper() for code in declarations}
    method = PaymentMethod(payment_method)
    settings_ = company_settings_get(orgnr)
    channel = ""
    if method in (PaymentMethod.INVOICE, PaymentMethod.MONTHLY_INVOICE):
        channel = settings_.invoice_channel
        if channel == InvoiceChannel.EHF and method == PaymentMethod.INVOICE:
            raise CheckoutError(
                "EHF kan bare brukes med månedlig samlefaktura. Velg månedlig faktura, "
                "eller endre fakturakanal under Innstillinger.",
                code="ehf_requires_monthly_invoice",
            )
    with transaction.atomic():
        items = list(
            CartItem.objects.select_for_update(of=("self",))
            .filter(orgnr=orgnr)
            .select_related("delivery_address")
            .order_by("id")
        )
        if not items:
            raise CheckoutError("Handlekurven er tom.", code="cart_empty")
        problems, needs_justification = _review(
            orgnr=orgnr, items=items, today=today, declarations=declared
        )
        if problems:
            raise CheckoutError(
                "Bestillingen kan ikke sendes før feilene er rettet.",
                code="cart_has_problems",
                extra={"problems": problems},
            )
        by_address: dict[int, list[CartItem]] = defaultdict(list)
        for item in items:
            by_address[item.delivery_address_id].append(item)
        orders = []
        for lines in by_address.values():
            address = lines[0].delivery_address
            amounts = []
            for item in lines:
                amounts.append(prices.card_price(item.card_type))
                amounts.append(prices.card_holder_price() * item.card_holders)
            total = prices.totals(amounts)
            order = Order.objects.create(
                orgnr=orgnr,
                company_name=company_name,
                reference=_reference(),
                status=OrderStatus.AWAITING_PAYMENT,
                payment_method=method,
                payment_status=PaymentStatus.UNPAID,
                invoice_channel=channel,
                delivery_address=address,
                delivery_text=address.one_line,
                orderer_pid=orderer_pid,
                orderer_email=orderer_email,
                total_excl_vat=total.excl_vat,
                vat=total.vat,
                total_incl_vat=total.incl_vat,
                industry_declarations=_declarations(lines, orderer_pid),
            )
            OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        person_id=item.person_id,
                        holder_name=item.holder_name,
                        card_type=item.card_type,
                        replaces_lost_card=item.replaces_lost_card,
                        declaration=item.declaration,
                        card_holders=item.card_holders,
                        card_price=prices.card_price(item.card_type),
                        card_holder_price=prices.card_holder_price(),
                        status=OrderLineStatus.WAITING,
                        nace_justification=item.nace_justification.strip()
                        if item.pk in needs_justification
                        else "",
                    )
                    for item in lines
                ]
            )
            if method not in ONLINE_METHODS:
                order = _confirm(order=order, today=today)
            orders.append(order)
        CartItem.objects.filter(pk__in=[i.pk for i in items]).delete()
    return orders


def _declarations(items: list[CartItem], orderer_pid: str) -> dict:
    """The industry declarations confirmed for these lines, with the text as shown."""
    now = timezone.now().isoformat()
    result = {}
    for code in industries_needing_declaration(items):
        industry = get_industry(code)
        result[code] = {
            "text": industry.order_declaration("nb"),
            "text_en": industry.order_declaration("en"),
            "confirmed_by": orderer_pid,
            "confirmed_at": now,
        }
    return result


def _open_justification(order: Order, line: OrderLine) -> None:
    from hmskort.registers.facts import company_facts

    facts = company_facts([order.orgnr]).get(order.orgnr)
    nace_justification.justification_open(
        orgnr=order.orgnr,
        person_id=line.person_id,
        holder_name=line.holder_name,
        card_type=line.card_type,
        justification=line.nace_justification,
        order_line_id=line.pk,
        order_reference=order.reference,
        nace_codes=facts.nace_codes if facts else (),
        opened_by=order.orderer_pid,
    )


def _confirm(*, order: Order, today: dt.date) -> Order:
    """Order the cards and send the confirmation (caller holds the transaction)."""
    for line in order.lines.order_by("id"):
        if line.nace_justification:
            _open_justification(order, line)
        try:
            result = card_order(
                employer_orgnr=order.orgnr,
                holder_id=line.person_id,
                card_type=line.card_type,
                ordered_by=order.orderer_pid,
                today=today,
                actor_type=ActorType.USER,
                replaces_lost_card=line.replaces_lost_card,
                orderer_email=order.orderer_email,
            )
        except CardOrderRefused as exc:  # the registers changed since the cart
            line.status = OrderLineStatus.REFUSED
            line.reason_codes = exc.reason_codes
            if line.nace_justification:
                nace_justification.justification_withdraw(order_line_id=line.pk)
        else:
            line.status = OrderLineStatus.ORDERED
            line.card = result.card
            if line.nace_justification:
                nace_justification.justification_attach_card(
                    order_line_id=line.pk, card_id=result.card.pk
                )
        line.save(update_fields=["status", "reason_codes", "card"])
    order.status = OrderStatus.PLACED
    order.placed_at = timezone.now()
    if order.payment_method == PaymentMethod.INVOICE:
        order.payment_status = PaymentStatus.INVOICED
        order.invoice_due = today + dt.timedelta(days=INVOICE_DAYS)
    elif order.payment_method == PaymentMethod.MONTHLY_INVOICE:
        order.payment_status = PaymentStatus.MONTHLY
        order.invoice_due = today + dt.timedelta(days=MONTHLY_INVOICE_DAYS)
    else:
        order.payment_status = PaymentStatus.PAID
    order.save(update_fields=["status", "placed_at", "payment_status", "invoice_due"])
    billing_services.order_confirmed(order=order, today=today)  # the invoice, if by invoice
    _send_confirmation(order)
    return order


def _send_confirmation(order: Order) -> None:
    lines = list(order.lines.order_by("holder_name", "id"))
    rows = []
    for line in lines:
        if line.status == OrderLineStatus.ORDERED:
            rows.append(f"- {line.holder_name}: {line.card_type}, kort {line.card.card_number}")
        else:
            rows.append(f"- {line.holder_name}: {line.card_type}, IKKE bestilt")
        if line.card_holders:
            rows.append(f"  + {line.card_holders} kortholder(e)")
    body = (
        f"Takk for bestillingen {order.reference} for {order.company_name} "
        f"({order.orgnr}).\n\n" + "\n".join(rows) + f"\n\nLeveringsadresse: {order.delivery_text}\n"
        f"Betaling: {order.get_payment_method_display()}\n"
        f"Sum eks. mva: {order.total_excl_vat} kr\nMva 25 %: {order.vat} kr\n"
        f"Totalt: {order.total_incl_vat} kr\n\n"
        "Du kan følge bestillingen under «Mine ordre» i HMS-kortportalen.\n\n"
        f"Thank you for your order {order.reference}. Follow it under "
        "'My orders' in the HMS card portal."
    )
    message_notify(
        key=f"portal-order-confirmation-{order.pk}",
        orgnr=order.orgnr,
        to_emails=order.orderer_email,
        subject=f"Ordrebekreftelse {order.reference} (order confirmation)",
        body=body,
        recipient=order.orderer_pid,
    )


# --- payment through the simulated provider ------------------------------------------------


def payment_start(*, orgnr: str, order_id: int) -> PaymentAttempt:
    """Start a payment for an unpaid card/Vipps order (again after a failed try)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(orgnr=orgnr, pk=order_id).first()
        if order is None:
            raise NotFound("Ordren finnes ikke.", code="order_not_found")
        if order.payment_method not in ONLINE_METHODS:
            raise Conflict("Ordren betales med faktura.", code="order_not_online")
        if order.payment_status != PaymentStatus.UNPAID:
            raise Conflict("Ordren er allerede betalt.", code="order_paid")
        return PaymentAttempt.objects.create(
            order=order, method=order.payment_method, amount=order.total_incl_vat
        )


def payment_provider_decide(*, payment_id, decision: str) -> PaymentAttempt:
    """The provider's side (the simulator pages): the payer approves, declines or
    abandons. Only the first decision counts."""
    if decision not in (
        PaymentAttempt.Status.APPROVED,
        PaymentAttempt.Status.DECLINED,
        PaymentAttempt.Status.ABANDONED,
    ):
        raise ApplicationError("Ukjent valg.", code="payment_decision")
    with transaction.atomic():
        payment = PaymentAttempt.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            raise NotFound("Betalingen finnes ikke.", code="payment_not_found")
        if payment.provider_status == PaymentAttempt.Status.INITIATED:
            payment.provider_status = decision
            payment.save(update_fields=["provider_status"])
    return payment


def payment_callback(*, payment_id, today: dt.date) -> PaymentAttempt:
    """The provider's callback: apply what the provider says (idempotent: a
    repeated callback changes nothing). An approved payment confirms the order."""
    with transaction.atomic():
        payment = PaymentAttempt.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            raise NotFound("Betalingen finnes ikke.", code="payment_not_found")
        if payment.applied_at is not None or payment.provider_status == "initiated":
            return payment
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        if (
            payment.provider_status == PaymentAttempt.Status.APPROVED
            and order.payment_status == PaymentStatus.UNPAID
        ):
            _confirm(order=order, today=today)
        payment.applied_at = timezone.now()
        payment.save(update_fields=["applied_at"])
    return payment
