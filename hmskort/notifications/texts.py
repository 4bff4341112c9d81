"""The texts of the messages: Norwegian bokmål first, the English version beneath.

Pure functions from plain values to (subject, body); no database, no clock.
Reason texts come from the eligibility reason catalogue (public text + what to do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from hmskort.eligibility.industries import get_industry
from hmskort.eligibility.reasons import ReasonCode, get_reason

SIGNATURE_NB = "Vennlig hilsen\nHMS-kort – Arbeidstilsynet"
SIGNATURE_EN = "Kind regards\nHMS-kort – the Norwegian Labour Inspection Authority"
PORTAL_NB = "Du finner også denne meldingen i HMS-kortportalen."
PORTAL_EN = "You will also find this message in the HMS card portal."
ENGLISH_DIVIDER = "-- English version below --"


@dataclass(frozen=True)
class CardLine:
    """What a message says about one card (no fødselsnummer, ever)."""

    card_number: str
    card_type: str
    holder_name: str
    employer_name: str
    employer_orgnr: str
    valid_until: dt.date | None = None
    reason_codes: tuple[str, ...] = ()


def date_nb(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "–"


def date_en(day: dt.date | None) -> str:
    return day.isoformat() if day else "–"


def industry_name(card_type: str, language: str) -> str:
    industry = get_industry(card_type)
    return industry.name(language) if industry else card_type


def _join(nb: str, en: str) -> str:
    return f"{nb.rstrip()}\n\n{PORTAL_NB}\n\n{SIGNATURE_NB}\n\n\n{ENGLISH_DIVIDER}\n\n{en.rstrip()}\n\n{PORTAL_EN}\n\n{SIGNATURE_EN}\n"


def _reasons(codes: Sequence[str], language: str) -> str:
    """One block per reason: the public text and what to do."""
    label = "What to do" if language == "en" else "Hva du må gjøre"
    blocks = []
    for code in codes:
        reason = get_reason(code)
        blocks.append(f"- {reason.public(language)}\n  {label}: {reason.action(language)}")
    return "\n".join(blocks)


def _about(card: CardLine, language: str) -> str:
    if language == "en":
        return (
            f"HMS card for {card.holder_name} ({industry_name(card.card_type, 'en')}) "
            f"with {card.employer_name} (organisation number {card.employer_orgnr}), "
            f"card number {card.card_number}"
        )
    return (
        f"HMS-kort til {card.holder_name} ({industry_name(card.card_type, 'nb')}) "
        f"hos {card.employer_name} (organisasjonsnummer {card.employer_orgnr}), "
        f"kortnummer {card.card_number}"
    )


def order_rejected(card: CardLine) -> tuple[str, str]:
    subject = f"HMS-kort: bestillingen er avslått / Order rejected – {card.holder_name}"
    nb = (
        "Hei,\n\n"
        f"Bestillingen av {_about(card, 'nb')} er avslått.\n\n"
        f"Årsak:\n{_reasons(card.reason_codes, 'nb')}\n"
    )
    en = (
        "Hello,\n\n"
        f"The order for an {_about(card, 'en')} has been rejected.\n\n"
        f"Reason:\n{_reasons(card.reason_codes, 'en')}\n"
    )
    return subject, _join(nb, en)


def order_cancelled(card: CardLine) -> tuple[str, str]:
    subject = f"HMS-kort: bestillingen er kansellert / Order cancelled – {card.holder_name}"
    codes = [c for c in card.reason_codes if c != ReasonCode.ORDER_CANCELLED_TIMEOUT]
    timeout = get_reason(ReasonCode.ORDER_CANCELLED_TIMEOUT)
    nb = (
        "Hei,\n\n"
        f"Bestillingen av {_about(card, 'nb')} var ikke godkjent etter 20 dager og er "
        "derfor kansellert automatisk.\n\n"
    )
    en = (
        "Hello,\n\n"
        f"The order for an {_about(card, 'en')} was not approved within 20 days and has "
        "therefore been cancelled automatically.\n\n"
    )
    if codes:
        nb += f"Dette var ikke på plass:\n{_reasons(codes, 'nb')}\n\n"
        en += f"This was not in place:\n{_reasons(codes, 'en')}\n\n"
    nb += f"{timeout.action('nb')}\n"
    en += f"{timeout.action('en')}\n"
    return subject, _join(nb, en)


def order_effectuated(card: CardLine, *, temporary_card_attached: bool) -> tuple[str, str]:
    subject = f"HMS-kort: kvittering for bestilling / Order receipt – {card.holder_name}"
    nb = (
        "Hei,\n\n"
        f"Alle kravene er oppfylt. {_about(card, 'nb')} er sendt til produksjon.\n\n"
        f"Kortet er gyldig til og med {date_nb(card.valid_until)}. Det sendes innen fire "
        "virkedager og kommer normalt fram i løpet av en uke.\n"
    )
    en = (
        "Hello,\n\n"
        f"All requirements are met. The {_about(card, 'en')} has been sent to production.\n\n"
        f"The card is valid until {date_en(card.valid_until)}. It is shipped within four "
        "business days and normally arrives within a week.\n"
    )
    if temporary_card_attached:
        nb += (
            "\nVedlagt er et midlertidig HMS-kort (PDF). Det kan brukes til det fysiske kortet "
            "kommer fram. QR-koden på det midlertidige kortet er gyldig i 60 dager.\n"
        )
        en += (
            "\nA temporary HMS card (PDF) is attached. It can be used until the physical card "
            "arrives. The QR code on the temporary card is valid for 60 days.\n"
        )
    return subject, _join(nb, en)


def cards_invalid(employer_name: str, orgnr: str, cards: Sequence[CardLine]) -> tuple[str, str]:
    count = len(cards)
    if count == 1:
        subject = (
            f"HMS-kort: et kort er blitt ugyldig / A card has become invalid – {employer_name}"
        )
    else:
        subject = (
            f"HMS-kort: {count} kort er blitt ugyldige / {count} cards have become invalid – "
            f"{employer_name}"
        )
    nb_lines, en_lines = [], []
    for card in cards:
        nb_reasons = "; ".join(get_reason(c).public("nb") for c in card.reason_codes)
        en_reasons = "; ".join(get_reason(c).public("en") for c in card.reason_codes)
        nb_lines.append(
            f"- {card.card_number} {card.holder_name} ({card.card_type}): {nb_reasons or 'Ugyldig'}"
        )
        en_lines.append(
            f"- {card.card_number} {card.holder_name} ({card.card_type}): {en_reasons or 'Invalid'}"
        )
    codes = list(dict.fromkeys(c for card in cards for c in card.reason_codes))
    nb_actions = "\n".join(f"- {get_reason(c).action('nb')}" for c in codes)
    en_actions = "\n".join(f"- {get_reason(c).action('en')}" for c in codes)
    nb = (
        "Hei,\n\n"
        f"Etter kontroll mot registrene er disse HMS-kortene hos {employer_name} "
        f"(organisasjonsnummer {orgnr}) ugyldige fra i dag. Et ugyldig kort kan ikke brukes "
        "på byggeplass eller arbeidssted.\n\n"
        + "\n".join(nb_lines)
        + "\n\n"
        + (f"Hva dere må gjøre:\n{nb_actions}\n\n" if nb_actions else "")
        + "Kortet blir gyldig igjen av seg selv dersom kravene blir oppfylt igjen mens det "
        "fortsatt er innenfor gyldighetsperioden.\n"
    )
    en = (
        "Hello,\n\n"
        f"After a check against the registers, these HMS cards with {employer_name} "
        f"(organisation number {orgnr}) are invalid from today. An invalid card cannot be "
        "used on a construction site or workplace.\n\n"
        + "\n".join(en_lines)
        + "\n\n"
        + (f"What to do:\n{en_actions}\n\n" if en_actions else "")
        + "A card becomes valid again by itself if the requirements are met again while it "
        "is still within its validity period.\n"
    )
    return subject, _join(nb, en)


def cards_expiring(
    employer_name: str, orgnr: str, days: int, cards: Sequence[CardLine]
) -> tuple[str, str]:
    count = len(cards)
    if count == 1:
        subject = (
            f"HMS-kort: et kort utløper innen {days} dager / A card expires within {days} days"
            f" – {employer_name}"
        )
    else:
        subject = (
            f"HMS-kort: {count} kort utløper innen {days} dager / {count} cards expire within "
            f"{days} days – {employer_name}"
        )
    ordered = sorted(cards, key=lambda c: (c.valid_until or dt.date.max, c.holder_name))
    nb_lines = "\n".join(
        f"- {c.card_number} {c.holder_name} ({c.card_type}), gyldig til og med "
        f"{date_nb(c.valid_until)}"
        for c in ordered
    )
    en_lines = "\n".join(
        f"- {c.card_number} {c.holder_name} ({c.card_type}), valid until {date_en(c.valid_until)}"
        for c in ordered
    )
    nb = (
        "Hei,\n\n"
        f"Disse HMS-kortene hos {employer_name} (organisasjonsnummer {orgnr}) utløper innen "
        f"{days} dager:\n\n{nb_lines}\n\n"
        "Nytt kort kan bestilles tidligst én måned før det gamle kortet utløper. Et utløpt "
        "kort er ugyldig og kan ikke brukes.\n"
    )
    en = (
        "Hello,\n\n"
        f"These HMS cards with {employer_name} (organisation number {orgnr}) expire within "
        f"{days} days:\n\n{en_lines}\n\n"
        "A new card can be ordered no earlier than one month before the old card expires. An "
        "expired card is invalid and cannot be used.\n"
    )
    return subject, _join(nb, en)
