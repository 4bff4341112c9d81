"""Words for what a check answered (receipt page, PDF, CSV), nb and en side by side."""

from __future__ import annotations

from django.utils.translation import get_language

from hmskort.cards.status import STATUS_TEXT
from hmskort.eligibility.reasons import public_text

#: Answers beyond the public statuses: the web pages' status kinds and the misses.
EXTRA_STATUS_TEXT: dict[str, tuple[str, str]] = {
    "not_issued": ("Ikke utstedt", "Not issued"),
    "not_found": ("Fant ikke kortet", "No card with this number"),
    "malformed": ("Ugyldig kortnummer", "Not a valid card number"),
}

CHANNEL_TEXT: dict[str, tuple[str, str]] = {
    "public": ("Offentlig oppslag på kortnummer", "Public look-up by card number"),
    "qr": ("QR-skanning", "QR scan"),
    "api": ("API (statusoppslag)", "API (status look-up)"),
    "api_qr": ("API (QR-kode)", "API (QR code)"),
    "inspector": ("Tilsynsmyndighet", "Inspection authority"),
    "gate": ("Adgangskontroll", "Access control"),
    "crew": ("Mannskapskontroll", "Crew check"),
}


def _language(language: str | None) -> str:
    return "en" if (language or get_language() or "nb").startswith("en") else "nb"


def status_label(status: str, reasons=(), *, language: str | None = None) -> str:
    """The headline of an answer, as the pages word it."""
    lang = _language(language)
    if status == "invalid" and len(reasons or ()) == 1:
        return public_text(reasons[0], lang)
    nb, en = STATUS_TEXT.get(status) or EXTRA_STATUS_TEXT.get(status) or (status, status)
    return en if lang == "en" else nb


def reason_texts(reasons, *, language: str | None = None) -> list[str]:
    lang = _language(language)
    return [public_text(str(code), lang) for code in reasons or ()]


def channel_label(channel: str, *, language: str | None = None) -> str:
    nb, en = CHANNEL_TEXT.get(channel, (channel, channel))
    return en if _language(language) == "en" else nb
