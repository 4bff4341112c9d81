"""Opening and deciding caseworker cases (see models.Case)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError

from .models import Case, CaseKind, CaseStatus
from .signals import case_decided


class CaseAlreadyDecided(ApplicationError):
    code = "case_already_decided"
    http_status = 409


def case_open(
    *,
    kind: CaseKind | str,
    title: str,
    object_type: str,
    object_id: str | int,
    orgnr: str = "",
    subject_id: str = "",
    card_id: int | None = None,
    details: dict | None = None,
    opened_by: str = "",
) -> Case:
    """Open a case, or return the open one for the same kind and object (idempotent)."""
    key = {"kind": str(kind), "object_type": object_type, "object_id": str(object_id)}
    existing = Case.objects.filter(status=CaseStatus.OPEN, **key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Case.objects.create(
                **key,
                title=title[:255],
                orgnr=orgnr,
                subject_id=subject_id,
                card_id=card_id,
                details=details or {},
                opened_by=opened_by,
            )
    except IntegrityError:  # a concurrent open of the same case won
        return Case.objects.get(status=CaseStatus.OPEN, **key)


def case_decide(
    *,
    case: Case,
    approved: bool,
    decided_by: str,
    reason: str = "",
    note: str = "",
) -> Case:
    """Approve or reject an open case; the owner app hears it via `case_decided`."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.OPEN:
            raise CaseAlreadyDecided(
                "Saken er allerede avgjort. (The case is already decided.)",
                extra={"case": locked.pk, "status": locked.status},
            )
        locked.status = CaseStatus.APPROVED if approved else CaseStatus.REJECTED
        locked.decided_by = decided_by
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.decision_note = note
        locked.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_reason",
                "decision_note",
            ]
        )
        audit_record(
            actor_type="staff",
            actor=decided_by,
            action="approve" if approved else "reject",
            object_type="casework.case",
            object_id=str(locked.pk),
            subject_id=locked.subject_id,
            detail={"kind": locked.kind, "reason": reason},
        )
        transaction.on_commit(
            lambda: case_decided.send(sender=Case, case=locked, approved=approved)
        )
    return locked


def case_close(*, kind: CaseKind | str, object_type: str, object_id: str | int) -> int:
    """Close the open case for this object without a decision (no longer needed)."""
    return Case.objects.filter(
        status=CaseStatus.OPEN,
        kind=str(kind),
        object_type=object_type,
        object_id=str(object_id),
    ).update(status=CaseStatus.CLOSED, decided_at=timezone.now())


# --- photo / ID review ------------------------------------------------------------------------


def document_review_decide(
    *, case: Case, approved: bool, decided_by: str, reason: str = "", note: str = ""
) -> Case:
    """Approve or reject the photo/ID set behind a DOCUMENT_REVIEW case. The
    portal's review service updates the set, decides this case, lets the
    person's pending orders continue (or stay pending) and tells the orderer."""
    from hmskort.portal.models import UploadSet
    from hmskort.portal.uploads.services import upload_set_review

    if case.kind != CaseKind.DOCUMENT_REVIEW:
        raise ApplicationError("Feil sakstype (wrong kind of case).", code="case_kind")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.OPEN:
            raise CaseAlreadyDecided(
                "Saken er allerede avgjort. (The case is already decided.)",
                extra={"case": locked.pk, "status": locked.status},
            )
        upload = UploadSet.objects.filter(pk=locked.object_id).first()
        if upload is None:
            raise ApplicationError("Opplastingen finnes ikke.", code="upload_not_found")
        upload_set_review(
            upload=upload, approve=approved, reviewed_by=decided_by, reason=reason, note=note
        )
    return Case.objects.get(pk=case.pk)


# --- orders stuck on the registers -------------------------------------------------------------

#: `Case.object_type` of a stuck order (object_id = the card's pk).
STUCK_ORDER_OBJECT = "cards.card"
#: Reason codes that are about the photo / ID, not the registers.
DOCUMENT_CODES = frozenset({"DOCUMENTS_MISSING", "DOCUMENTS_UNDER_REVIEW", "DOCUMENTS_REJECTED"})


def stuck_order_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "HMSKORT_STUCK_ORDER_DAYS", 5))


def stuck_orders_sync(*, today, older_than_days: int | None = None) -> tuple[int, int]:
    """Open a STUCK_ORDER case for each order pending on register reasons (not
    only on its photo/ID) for more than `older_than_days` days (default
    `HMSKORT_STUCK_ORDER_DAYS`, 5), and close the open ones whose order is no
    longer pending or no longer waits for the registers. Idempotent; a
    decided case is opened again if the order is still stuck at the next run
    after a decision. Returns (opened, closed)."""
    import datetime as dt

    from hmskort.cards.models import Card, CardState

    days = stuck_order_days() if older_than_days is None else older_than_days
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
    stuck: dict[int, Card] = {}
    for card in (
        Card.objects.filter(state=CardState.PENDING, created_at__lt=cutoff)
        .only(
            "pk",
            "card_number",
            "employer_orgnr",
            "employer_name",
            "holder_id",
            "holder_name",
            "card_type",
            "reason_codes",
            "created_at",
        )
        .iterator(chunk_size=2000)
    ):
        register_codes = [c for c in card.reason_codes or () if c not in DOCUMENT_CODES]
        if register_codes:
            stuck[card.pk] = card
    open_ids = set(
        Case.objects.filter(
            status=CaseStatus.OPEN, kind=CaseKind.STUCK_ORDER, object_type=STUCK_ORDER_OBJECT
        ).values_list("object_id", flat=True)
    )
    opened = 0
    for pk, card in stuck.items():
        if str(pk) in open_ids:
            continue
        # Not again on the day a caseworker decided it (the decision may need a run).
        if Case.objects.filter(
            kind=CaseKind.STUCK_ORDER,
            object_type=STUCK_ORDER_OBJECT,
            object_id=str(pk),
            decided_at__date__gte=today,
        ).exists():
            continue
        case_open(
            kind=CaseKind.STUCK_ORDER,
            title=f"{card.holder_name or card.holder_id} – {card.employer_name or card.employer_orgnr}",
            object_type=STUCK_ORDER_OBJECT,
            object_id=pk,
            orgnr=card.employer_orgnr,
            subject_id=card.holder_id,
            card_id=pk,
            details={
                "card_number": card.card_number,
                "card_type": card.card_type,
                "reason_codes": list(card.reason_codes or ()),
                "ordered": timezone.localdate(card.created_at).isoformat(),
            },
            opened_by="system",
        )
        opened += 1
    closed = 0
    for object_id in open_ids - {str(pk) for pk in stuck}:
        closed += case_close(
            kind=CaseKind.STUCK_ORDER, object_type=STUCK_ORDER_OBJECT, object_id=object_id
        )
    return opened, closed


def _stuck_card(case: Case):
    from hmskort.cards.models import Card, CardState

    if case.kind != CaseKind.STUCK_ORDER:
        raise ApplicationError("Feil sakstype (wrong kind of case).", code="case_kind")
    card = Card.objects.select_for_update().filter(pk=case.card_id).first()
    if card is None or card.state != CardState.PENDING:
        raise ApplicationError(
            "Bestillingen venter ikke lenger (the order is no longer pending).",
            code="order_not_pending",
        )
    return card


def stuck_order_add_exception(
    *,
    case: Case,
    requirements: list[str],
    valid_to,
    justification: str,
    decided_by: str,
    today,
):
    """Register an exception (Arbeidstilsynet's exception register) for the
    order's person in its company, waiving `requirements` from today to
    `valid_to` (None: open-ended), decide the order again at once and close
    the case as approved. Returns the card afterwards."""
    from hmskort.cards.models import ActorType
    from hmskort.cards.services.lifecycle import card_evaluate_pending
    from hmskort.eligibility.requirements import Requirement
    from hmskort.registers.services import unntak_register

    wanted = sorted(set(requirements))
    if not wanted or any(
        r not in Requirement.__members__ or r == Requirement.DOCUMENTS for r in wanted
    ):
        raise ApplicationError(
            "Velg hvilke krav unntaket gjelder (choose the requirements).", code="requirements"
        )
    if valid_to is not None and valid_to < today:
        raise ApplicationError(
            "Sluttdatoen kan ikke være før i dag (the end date is in the past).", code="valid_to"
        )
    with transaction.atomic():
        card = _stuck_card(case)
        unntak = unntak_register(
            organisasjonsnummer=card.employer_orgnr,
            identifikator=card.holder_id,
            fritak=wanted,
            gyldig_fra=today,
            gyldig_til=valid_to,
            begrunnelse=justification,
            registrert_av=decided_by,
        )
        card = card_evaluate_pending(
            card=card, today=today, actor_type=ActorType.STAFF, actor=decided_by
        )
        case_decide(
            case=case,
            approved=True,
            decided_by=decided_by,
            reason="exception",
            note=f"Unntak {unntak.pk}: {', '.join(wanted)}. {justification}".strip(),
        )
    return card


def stuck_order_cancel(*, case: Case, reason_text: str, decided_by: str):
    """Cancel the stuck order with a reason that reaches the orderer (e-mail and
    portal message), and close the case as rejected. Returns the card."""
    from hmskort.cards.models import ActorType
    from hmskort.cards.services.lifecycle import card_cancel
    from hmskort.notifications.services import message_notify

    reason_text = (reason_text or "").strip()
    if not reason_text:
        raise ApplicationError(
            "Skriv en begrunnelse til bestilleren (write a reason for the orderer).",
            code="reason_required",
        )
    with transaction.atomic():
        card = _stuck_card(case)
        card = card_cancel(
            card=card, actor_type=ActorType.STAFF, actor=decided_by, note=reason_text
        )
        name = card.holder_name or card.holder_id
        message_notify(
            key=f"casework-order-cancelled-{case.pk}",
            orgnr=card.employer_orgnr,
            to_emails=card.orderer_email,
            subject=f"Bestillingen av HMS-kort for {name} er kansellert (order cancelled)",
            body=(
                f"Saksbehandler har kansellert bestillingen av HMS-kort {card.card_number} "
                f"for {name}.\n\nBegrunnelse: {reason_text}\n\n"
                "Når forholdene er i orden, kan du bestille kortet på nytt i HMS-kortportalen.\n\n"
                f"A caseworker cancelled the order of HMS card {card.card_number} for {name}.\n"
                f"Reason: {reason_text}\n"
                "When things are in order, you can order the card again in the HMS card portal."
            ),
            recipient=card.ordered_by,
        )
        case_decide(
            case=case, approved=False, decided_by=decided_by, reason="cancelled", note=reason_text
        )
    return card
