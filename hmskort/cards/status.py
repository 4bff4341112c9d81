"""What a card's status says, to the public, API clients and inspectors alike.

One pure decision (no database; the caller passes `today`) shared by the
status page, the QR page, the API and the inspector tools, so they can never
disagree. A card still marked valid whose validity date has passed (the
nightly job has not run yet) answers "expired" at once, as the card itself says.
"""

from __future__ import annotations

import datetime as dt

from hmskort.cards.models import CardState
from hmskort.eligibility.reasons import ReasonCode

S = CardState


class PublicStatus:
    VALID = "valid"
    INVALID = "invalid"
    EXPIRED = "expired"
    BLOCKED = "blocked"
    PENDING = "pending"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    RETURNED = "returned"
    CONFISCATED = "confiscated"


PUBLIC_STATUSES: tuple[str, ...] = (
    PublicStatus.VALID,
    PublicStatus.INVALID,
    PublicStatus.EXPIRED,
    PublicStatus.BLOCKED,
    PublicStatus.PENDING,
    PublicStatus.REJECTED,
    PublicStatus.CANCELLED,
    PublicStatus.RETURNED,
    PublicStatus.CONFISCATED,
)

_STATUS_BY_STATE: dict[str, str] = {
    S.ACTIVE: PublicStatus.VALID,
    S.IN_PRODUCTION: PublicStatus.VALID,
    S.INVALID: PublicStatus.INVALID,
    S.EXPIRED: PublicStatus.EXPIRED,
    S.BLOCKED: PublicStatus.BLOCKED,
    S.PENDING: PublicStatus.PENDING,
    S.REJECTED: PublicStatus.REJECTED,
    S.CANCELLED: PublicStatus.CANCELLED,
    S.RETURNED: PublicStatus.RETURNED,
    S.CONFISCATED: PublicStatus.CONFISCATED,
}

STATUS_TEXT: dict[str, tuple[str, str]] = {
    PublicStatus.VALID: ("Gyldig", "Valid"),
    PublicStatus.INVALID: ("Ugyldig", "Invalid"),
    PublicStatus.EXPIRED: ("Ugyldig – utløpt", "Invalid – expired"),
    PublicStatus.BLOCKED: ("Sperret", "Blocked"),
    PublicStatus.PENDING: ("Bestilt – ikke utstedt", "Ordered – not issued"),
    PublicStatus.REJECTED: ("Avslått – ikke utstedt", "Rejected – not issued"),
    PublicStatus.CANCELLED: ("Kansellert – ikke utstedt", "Cancelled – not issued"),
    PublicStatus.RETURNED: ("Levert tilbake", "Returned"),
    PublicStatus.CONFISCATED: ("Inndratt", "Confiscated"),
}


def status_text(status: str, language: str) -> str:
    nb, en = STATUS_TEXT[status]
    return en if language == "en" else nb


#: The reason a state implies when a card carries none.
_DEFAULT_REASON: dict[str, str] = {
    PublicStatus.EXPIRED: ReasonCode.CARD_EXPIRED,
    PublicStatus.BLOCKED: ReasonCode.CARD_BLOCKED,
    PublicStatus.RETURNED: ReasonCode.CARD_RETURNED,
    PublicStatus.CONFISCATED: ReasonCode.CARD_CONFISCATED,
}
#: Not issued: why an order waits or was refused is the orderer's business, not the public's.
NOT_ISSUED = frozenset({PublicStatus.PENDING, PublicStatus.REJECTED, PublicStatus.CANCELLED})


def public_status(
    *,
    state: str,
    reason_codes: list[str] | tuple[str, ...],
    valid_until: dt.date | None,
    today: dt.date,
    order_reasons: bool = False,
) -> tuple[str, tuple[str, ...]]:
    """The status of a card and the reasons shown with it.

    A card still marked valid whose validity date has passed (the nightly job
    has not run yet) answers "expired" at once, as the card itself says.
    Reasons of a card never issued (pending, rejected, cancelled) are shown
    only with `order_reasons` (the company's own client)."""
    status = _STATUS_BY_STATE.get(state, PublicStatus.INVALID)
    reasons = tuple(str(c) for c in reason_codes or ())
    if status == PublicStatus.VALID:
        if valid_until is not None and valid_until < today:
            return PublicStatus.EXPIRED, (str(ReasonCode.CARD_EXPIRED),)
        return status, ()
    if status in NOT_ISSUED and not order_reasons:
        return status, ()
    if not reasons and status in _DEFAULT_REASON:
        reasons = (str(_DEFAULT_REASON[status]),)
    return status, reasons
