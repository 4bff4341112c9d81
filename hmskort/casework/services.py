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
