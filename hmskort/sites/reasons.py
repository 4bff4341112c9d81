"""Why a gate admitted or refused: stable codes (readers branch on them) and texts nb/en."""

from __future__ import annotations

from hmskort.cards.status import PublicStatus


class GateReason:
    OK = "ok"
    EXIT_WITHOUT_ENTRY = "exit_without_entry"  # admitted: never lock anyone in
    CARD_UNKNOWN = "card_unknown"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    CARD_INVALID = "card_invalid"
    CARD_EXPIRED = "card_expired"
    CARD_BLOCKED = "card_blocked"
    CARD_NOT_ISSUED = "card_not_issued"
    CARD_RETURNED = "card_returned"
    CARD_CONFISCATED = "card_confiscated"
    WRONG_CARD_TYPE = "wrong_card_type"
    COMPANY_NOT_ON_SITE = "company_not_on_site"
    SITE_CLOSED = "site_closed"
    ALREADY_INSIDE = "already_inside"
    PASSBACK_TOO_SOON = "passback_too_soon"


R = GateReason

TEXTS: dict[str, tuple[str, str]] = {
    R.OK: ("Godkjent", "Admitted"),
    R.EXIT_WITHOUT_ENTRY: (
        "Utpassering registrert, men kortet var ikke registrert inn",
        "Exit recorded, but the card had not been checked in",
    ),
    R.CARD_UNKNOWN: ("Ukjent kort", "Unknown card"),
    R.TOKEN_INVALID: ("Ugyldig eller forfalsket QR-kode", "Invalid or forged QR code"),
    R.TOKEN_EXPIRED: (
        "QR-koden er utløpt (en kopi eller et skjermbilde?)",
        "The QR code has expired (a copy or a screenshot?)",
    ),
    R.CARD_INVALID: ("Kortet er ugyldig", "The card is invalid"),
    R.CARD_EXPIRED: ("Kortet er utløpt", "The card has expired"),
    R.CARD_BLOCKED: ("Kortet er sperret", "The card is blocked"),
    R.CARD_NOT_ISSUED: ("Kortet er ikke utstedt", "The card has not been issued"),
    R.CARD_RETURNED: ("Kortet er levert tilbake", "The card has been returned"),
    R.CARD_CONFISCATED: ("Kortet er inndratt", "The card has been confiscated"),
    R.WRONG_CARD_TYPE: (
        "Feil type HMS-kort for denne byggeplassen",
        "Wrong type of HMS card for this site",
    ),
    R.COMPANY_NOT_ON_SITE: (
        "Arbeidsgiveren er ikke registrert på byggeplassen",
        "The employer is not registered on this site",
    ),
    R.SITE_CLOSED: (
        "Byggeplassen er ikke i drift denne dagen",
        "The site is not in operation on this day",
    ),
    R.ALREADY_INSIDE: (
        "Kortet er allerede registrert inne på byggeplassen",
        "The card is already checked in on the site",
    ),
    R.PASSBACK_TOO_SOON: (
        "Kortet ble brukt til inngang for kort tid siden",
        "The card was used to enter a short while ago",
    ),
}

#: Refusal reason for a card whose public status is not valid.
STATUS_REASON: dict[str, str] = {
    PublicStatus.INVALID: R.CARD_INVALID,
    PublicStatus.EXPIRED: R.CARD_EXPIRED,
    PublicStatus.BLOCKED: R.CARD_BLOCKED,
    PublicStatus.PENDING: R.CARD_NOT_ISSUED,
    PublicStatus.REJECTED: R.CARD_NOT_ISSUED,
    PublicStatus.CANCELLED: R.CARD_NOT_ISSUED,
    PublicStatus.RETURNED: R.CARD_RETURNED,
    PublicStatus.CONFISCATED: R.CARD_CONFISCATED,
}

ALL_REASONS: tuple[str, ...] = tuple(TEXTS)


def reason_text(code: str, language: str) -> str:
    nb, en = TEXTS.get(code, (code, code))
    return en if language == "en" else nb
