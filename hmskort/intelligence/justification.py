"""NACE consistency at order time: justifications in the caseworker queue.

An order for a card type that does not fit the company's NACE codes needs a
written justification (the portal asks for it at checkout). The order line
opens a case of kind NACE_JUSTIFICATION in the shared queue
(`justification_open`); the card waits PENDING (NACE_JUSTIFICATION_PENDING,
the rules read the case through `registers.facts`). When a caseworker decides
(`casework.signals.case_decided`), `on_case_decided` decides the pending order
again: approved -> it continues (to production once nothing else is pending),
rejected -> the order is rejected with NACE_JUSTIFICATION_REJECTED.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from hmskort.cards.models import ActorType, Card, CardState
from hmskort.cards.services.lifecycle import card_evaluate_pending
from hmskort.casework.models import Case, CaseKind
from hmskort.casework.services import case_close, case_open
from hmskort.eligibility.industries import get_industry, nace_fits_card_type

logger = logging.getLogger(__name__)

OBJECT_TYPE = "portal.orderline"
#: `Case.object_type` of a justification sent with an API level-2 order
#: (object_id = the `api.ApiCardOrder` pk).
API_ORDER_OBJECT_TYPE = "api.apicardorder"


def justification_needed(nace_codes, card_type: str) -> bool:
    """Whether an order of `card_type` by a company with `nace_codes` needs one
    (the same test as the rule: no NACE codes -> nothing to compare)."""
    codes = [c for c in nace_codes if c]
    return bool(codes) and not nace_fits_card_type(codes, card_type)


def justification_open(
    *,
    orgnr: str,
    person_id: str,
    holder_name: str,
    card_type: str,
    justification: str,
    order_line_id: int | None = None,
    order_reference: str,
    nace_codes=(),
    opened_by: str = "",
    object_type: str = OBJECT_TYPE,
    object_id: str | int | None = None,
) -> Case:
    """Open (idempotently) the caseworker case for one order line's justification.

    The case is about the portal's order line `order_line_id` unless
    `object_type`/`object_id` name another order (the API's)."""
    industry = get_industry(card_type)
    name = industry.name("nb") if industry else card_type
    return case_open(
        kind=CaseKind.NACE_JUSTIFICATION,
        title=f"{card_type} ({name}) for {holder_name}, {orgnr}",
        object_type=object_type,
        object_id=order_line_id if object_id is None else object_id,
        orgnr=orgnr,
        subject_id=person_id,
        details={
            "card_type": card_type,
            "justification": justification,
            "order_reference": order_reference,
            "nace_codes": list(nace_codes),
        },
        opened_by=opened_by,
    )


def justification_attach_card(*, order_line_id: int, card_id: int) -> None:
    Case.objects.filter(
        kind=CaseKind.NACE_JUSTIFICATION, object_type=OBJECT_TYPE, object_id=str(order_line_id)
    ).update(card_id=card_id)


def justification_attach_order(
    *, case: Case, object_id: str | int, card_id: int, order_reference: str = ""
) -> None:
    """Point a case opened before its order existed (the API opens it first, so
    the rules see the justification when the card is ordered) at the order and
    its card. Call in the transaction that opened it."""
    details = dict(case.details or {})
    if order_reference:
        details["order_reference"] = order_reference
    Case.objects.filter(pk=case.pk).update(
        object_id=str(object_id), card_id=card_id, details=details
    )


def justification_withdraw(*, order_line_id: int) -> None:
    """The order line was not ordered after all: the case is no longer needed."""
    case_close(kind=CaseKind.NACE_JUSTIFICATION, object_type=OBJECT_TYPE, object_id=order_line_id)


def on_case_decided(sender, case: Case, approved: bool, **kwargs) -> None:
    """Let the order continue (approved) or reject it (rejected)."""
    if case.kind != CaseKind.NACE_JUSTIFICATION:
        return
    card_type = str((case.details or {}).get("card_type", "")).upper()
    cards = Card.objects.filter(
        employer_orgnr=case.orgnr, holder_id=case.subject_id, state=CardState.PENDING
    )
    if case.card_id:
        cards = cards.filter(pk=case.card_id)
    elif card_type:
        cards = cards.filter(card_type=card_type)
    today = timezone.localdate()
    with transaction.atomic():
        for card in cards.order_by("id"):
            card_evaluate_pending(
                card=card, today=today, actor_type=ActorType.STAFF, actor=case.decided_by
            )
    logger.info(
        "NACE justification case %s %s: pending orders decided again",
        case.pk,
        "approved" if approved else "rejected",
    )
