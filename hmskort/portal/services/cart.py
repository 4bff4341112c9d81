"""The company's cart: the order rules apply the moment a card is added."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from hmskort.cards.models import Card
from hmskort.cards.services.lifecycle import CardOrderRefused
from hmskort.core.errors import ApplicationError, NotFound
from hmskort.eligibility.industries import get_industry
from hmskort.eligibility.verdict import Outcome, Verdict
from hmskort.portal import selectors
from hmskort.portal.models import CartItem, DeliveryAddress


class CartError(ApplicationError):
    code = "cart_error"
    http_status = 422


@dataclass(frozen=True)
class CartAddResult:
    item: CartItem
    verdict: Verdict
    created: bool


def _default_card_type(orgnr: str, person_id: str) -> str:
    last = (
        Card.objects.filter(employer_orgnr=orgnr, holder_id=person_id)
        .order_by("-id")
        .values_list("card_type", flat=True)
        .first()
    )
    if last:
        return last
    return selectors.card_types_for_company(orgnr)[0][0]


def _lost_card_blocked(orgnr: str, person_id: str) -> bool:
    return Card.objects.filter(
        employer_orgnr=orgnr, holder_id=person_id, state="blocked", replaced_by__isnull=True
    ).exists()


def cart_add(
    *,
    orgnr: str,
    person_id: str,
    holder_name: str,
    added_by: str,
    today: dt.date,
    card_type: str | None = None,
) -> CartAddResult:
    """Put "Bestill nytt kort" for one person in the company's cart.

    The order rules are evaluated at once (dry run, ORDER purpose): a refusal
    raises `CardOrderRefused` with the reason codes and nothing is added. A
    pending verdict (e.g. awaiting the cleaning approval) is added and shown.
    """
    card_type = card_type or _default_card_type(orgnr, person_id)
    if get_industry(card_type) is None:
        raise CartError("Ukjent korttype (unknown card type).", code="unknown_card_type")
    existing = CartItem.objects.filter(orgnr=orgnr, person_id=person_id).first()
    if existing is not None:
        verdict = selectors.order_dry_run(
            orgnr=orgnr,
            requests=[(person_id, existing.card_type, existing.replaces_lost_card)],
            today=today,
        )[(person_id, existing.card_type)]
        return CartAddResult(item=existing, verdict=verdict, created=False)
    lost = _lost_card_blocked(orgnr, person_id)
    verdict = selectors.order_dry_run(
        orgnr=orgnr, requests=[(person_id, card_type, lost)], today=today
    )[(person_id, card_type)]
    if verdict.outcome is Outcome.FAIL:
        codes = selectors.failing_codes(verdict)
        raise CardOrderRefused(
            "Kortet kan ikke bestilles: " + ", ".join(codes),
            reason_codes=codes,
            findings=verdict.findings,
        )
    default_address = selectors.delivery_addresses(orgnr).first()
    try:
        with transaction.atomic():
            item = CartItem.objects.create(
                orgnr=orgnr,
                person_id=person_id,
                holder_name=holder_name,
                card_type=card_type,
                replaces_lost_card=lost,
                delivery_address=default_address,
                added_by=added_by,
            )
    except IntegrityError:  # added concurrently
        item = CartItem.objects.get(orgnr=orgnr, person_id=person_id)
        return CartAddResult(item=item, verdict=verdict, created=False)
    return CartAddResult(item=item, verdict=verdict, created=True)


def cart_item_update(
    *,
    orgnr: str,
    item_id: int,
    card_type: str,
    declaration: bool,
    card_holders: int,
    delivery_address_id: int | None,
    replaces_lost_card: bool,
) -> CartItem:
    """Change one cart line; the rules are shown again on the cart page."""
    if get_industry(card_type) is None:
        raise CartError("Ukjent korttype (unknown card type).", code="unknown_card_type")
    if not 0 <= card_holders <= 10:
        raise CartError("Antall kortholdere må være 0–10.", code="card_holders")
    with transaction.atomic():
        item = CartItem.objects.select_for_update().filter(orgnr=orgnr, pk=item_id).first()
        if item is None:
            raise NotFound("Finnes ikke i handlekurven.", code="cart_item_not_found")
        address = None
        if delivery_address_id is not None:
            address = DeliveryAddress.objects.filter(
                orgnr=orgnr, pk=delivery_address_id, active=True
            ).first()
            if address is None:
                raise CartError("Ukjent leveringsadresse.", code="unknown_address")
        item.card_type = card_type
        item.declaration = declaration
        item.card_holders = card_holders
        item.delivery_address = address
        item.replaces_lost_card = replaces_lost_card
        item.save()
    return item


def cart_remove(*, orgnr: str, item_id: int) -> None:
    CartItem.objects.filter(orgnr=orgnr, pk=item_id).delete()


def cart_justifications_save(*, orgnr: str, justifications: dict[int, str]) -> int:
    """Keep the justifications typed at checkout on the cart lines (before the
    order is tried, so a refused checkout loses nothing). Returns lines saved."""
    saved = 0
    with transaction.atomic():
        for item_id, text in justifications.items():
            saved += CartItem.objects.filter(orgnr=orgnr, pk=item_id).update(
                nace_justification=(text or "").strip()[:4000]
            )
    return saved
