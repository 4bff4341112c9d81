"""What inspectors do: look cards up (audit-logged with the purpose), confiscate
invalid cards, and remove an invalid employment from a card (the employer is
told through the notifications outbox, in the same transaction).

Keyword-only, typed; each service owns its transaction. Card states change only
through the cards app's services (`card_confiscate`, `card_transition`).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hmskort.cards.models import ActorType, Card, CardState
from hmskort.cards.services.lifecycle import card_confiscate
from hmskort.cards.services.transitions import VALID_STATES, card_transition
from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError
from hmskort.core.models import AuditEvent
from hmskort.eligibility.industries import get_industry
from hmskort.eligibility.reasons import ReasonCode, get_reason
from hmskort.notifications.services.messages import company_contact_emails, message_notify
from hmskort.verification.permissions import inspector_agencies

#: States from which an inspector may remove the employment (the card then becomes invalid).
EMPLOYMENT_REMOVABLE_STATES = frozenset(VALID_STATES | {CardState.INVALID})

CARD_OBJECT_TYPE = "cards.card"


class PurposeRequired(ApplicationError):
    code = "purpose_required"
    http_status = 400


class NoteRequired(ApplicationError):
    code = "note_required"
    http_status = 400


class CardAlreadyConfiscated(ApplicationError):
    code = "card_already_confiscated"
    http_status = 409


class EmploymentNotRemovable(ApplicationError):
    code = "employment_not_removable"
    http_status = 409


def _clean_purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        raise PurposeRequired(
            "Oppgi formålet med oppslaget (tilsynsnummer eller saksnummer). "
            "(State the purpose of the look-up.)"
        )
    return purpose[:255]


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise NoteRequired("Oppgi en begrunnelse. (State the reason.)")
    return note


def _agency(inspector: AbstractBaseUser) -> str:
    return ", ".join(inspector_agencies(inspector))


def inspector_lookup_record(
    *,
    inspector: AbstractBaseUser,
    card: Card,
    purpose: str,
    via: str = "card_number",
    identifier_revealed: bool = False,
) -> AuditEvent:
    """Audit one inspector look-up of a card: who, when, which card and holder, why."""
    return audit_record(
        actor_type=ActorType.INSPECTOR,
        actor=inspector.get_username(),
        action="inspector_lookup",
        object_type=CARD_OBJECT_TYPE,
        object_id=card.card_number,
        subject_id=card.holder_id,
        purpose=_clean_purpose(purpose),
        detail={
            "agency": _agency(inspector),
            "via": via,
            "identifier_revealed": identifier_revealed,
        },
    )


def inspector_card_confiscate(
    *, card: Card, inspector: AbstractBaseUser, note: str, purpose: str
) -> Card:
    """Confiscate (inndra) a card that is invalid, expired or blocked.

    Raises `CardNotConfiscable` for a valid card and `IllegalTransition` for a
    card that was never issued or is already returned."""
    note = _clean_note(note)
    purpose = _clean_purpose(purpose)
    with transaction.atomic():
        if Card.objects.filter(pk=card.pk, state=CardState.CONFISCATED).exists():
            raise CardAlreadyConfiscated(
                "Kortet er allerede inndratt. (The card is already confiscated.)",
                extra={"card_number": card.card_number},
            )
        updated = card_confiscate(
            card=card, note=note, actor_type=ActorType.INSPECTOR, actor=inspector.get_username()
        )
        audit_record(
            actor_type=ActorType.INSPECTOR,
            actor=inspector.get_username(),
            action="inspector_confiscate",
            object_type=CARD_OBJECT_TYPE,
            object_id=card.card_number,
            subject_id=card.holder_id,
            purpose=purpose,
            detail={"agency": _agency(inspector), "note": note},
        )
    return updated


def _employment_removed_message(card: Card) -> tuple[str, str]:
    reason = get_reason(ReasonCode.EMPLOYMENT_REMOVED_BY_INSPECTOR)
    industry = get_industry(card.card_type)
    type_nb = industry.name("nb") if industry else card.card_type
    type_en = industry.name("en") if industry else card.card_type
    subject = (
        f"HMS-kort: arbeidsforhold fjernet av tilsynsmyndigheten / Employment removed by the "
        f"inspection authority – {card.employer_name}"
    )
    body = (
        "Hei,\n\n"
        f"Under et tilsyn har tilsynsmyndigheten fjernet arbeidsforholdet fra HMS-kortet til "
        f"{card.holder_name} ({type_nb}) hos {card.employer_name} (organisasjonsnummer "
        f"{card.employer_orgnr}), kortnummer {card.card_number}. Kortet er ugyldig fra nå.\n\n"
        f"Status: {reason.public('nb')}\n"
        f"Hva dere må gjøre: {reason.action('nb')}\n\n"
        "Du finner også denne meldingen i HMS-kortportalen.\n\n"
        "Vennlig hilsen\nHMS-kort – Arbeidstilsynet\n\n\n"
        "-- English version below --\n\n"
        "Hello,\n\n"
        f"During an inspection, the inspection authority removed the employment from the HMS "
        f"card of {card.holder_name} ({type_en}) with {card.employer_name} (organisation "
        f"number {card.employer_orgnr}), card number {card.card_number}. The card is invalid "
        "from now on.\n\n"
        f"Status: {reason.public('en')}\n"
        f"What to do: {reason.action('en')}\n\n"
        "You will also find this message in the HMS card portal.\n\n"
        "Kind regards\nHMS-kort – the Norwegian Labour Inspection Authority\n"
    )
    return subject, body


def inspector_employment_remove(
    *, card: Card, inspector: AbstractBaseUser, note: str, purpose: str
) -> Card:
    """Remove an invalid (not genuine or ended) employment from a card: the card
    becomes invalid with EMPLOYMENT_REMOVED_BY_INSPECTOR, and the employer gets a
    portal message and an e-mail (contact person and orderer) in the same
    transaction."""
    note = _clean_note(note)
    purpose = _clean_purpose(purpose)
    actor = inspector.get_username()
    with transaction.atomic():
        locked = Card.objects.select_for_update().get(pk=card.pk)
        removed = [str(ReasonCode.EMPLOYMENT_REMOVED_BY_INSPECTOR)]
        if locked.state not in EMPLOYMENT_REMOVABLE_STATES:
            raise EmploymentNotRemovable(
                "Arbeidsforholdet kan bare fjernes fra et utstedt kort som er gyldig eller "
                "ugyldig. (The employment can only be removed from an issued card that is valid "
                "or invalid.)",
                extra={"card_number": locked.card_number, "state": locked.state},
            )
        if locked.state == CardState.INVALID and removed[0] in (locked.reason_codes or []):
            raise EmploymentNotRemovable(
                "Arbeidsforholdet er allerede fjernet fra kortet. "
                "(The employment has already been removed from the card.)",
                extra={"card_number": locked.card_number, "state": locked.state},
            )
        updated = card_transition(
            card=locked,
            to_state=CardState.INVALID,
            reason_codes=removed,
            actor_type=ActorType.INSPECTOR,
            actor=actor,
            note=note,
        )
        history_id = updated.history.order_by("-id").values_list("id", flat=True).first()
        subject, body = _employment_removed_message(updated)
        recipients = [
            e
            for e in (
                company_contact_emails([updated.employer_orgnr]).get(updated.employer_orgnr, ""),
                updated.orderer_email,
            )
            if e
        ]
        message_notify(
            key=f"inspector-employment-removed:{updated.card_number}:{history_id}",
            orgnr=updated.employer_orgnr,
            to_emails=list(dict.fromkeys(recipients)),
            subject=subject,
            body=body,
        )
        audit_record(
            actor_type=ActorType.INSPECTOR,
            actor=actor,
            action="inspector_employment_remove",
            object_type=CARD_OBJECT_TYPE,
            object_id=updated.card_number,
            subject_id=updated.holder_id,
            purpose=purpose,
            detail={"agency": _agency(inspector), "note": note},
        )
    card.state, card.reason_codes = updated.state, updated.reason_codes
    return updated
