"""Writes of the worker's pages: correction requests and their outcome, and the
audit row of an inspector's person search."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.casework.services import case_open
from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError
from hmskort.core.models import AuditEvent
from hmskort.notifications.services import outbox_enqueue_email
from hmskort.registers.identifiers import mask_identifier
from hmskort.wallet.models import (
    CorrectionRequest,
    CorrectionStatus,
    CorrectionTopic,
    WorkerNotice,
)

CORRECTION_OBJECT_TYPE = "wallet.correctionrequest"
PERSON_OBJECT_TYPE = "registers.person"


class PurposeRequired(ApplicationError):
    code = "purpose_required"
    http_status = 400


def correction_request_create(
    *,
    pid: str,
    topic: str,
    what_is_wrong: str,
    correction: str,
    email: str = "",
    language: str = "",
    request_key: uuid.UUID | str | None = None,
) -> CorrectionRequest:
    """Record the worker's request and open a correction case in the caseworkers' queue.

    Idempotent by `request_key` (the form's key): sending the same form twice
    makes one request and one case."""
    if not pid:
        raise ApplicationError("Ingen person. (No person.)", code="no_person")
    if topic not in CorrectionTopic.values:
        raise ApplicationError("Ukjent tema. (Unknown topic.)", code="topic")
    what_is_wrong, correction = what_is_wrong.strip(), correction.strip()
    if not what_is_wrong or not correction:
        raise ApplicationError(
            "Skriv hva som er feil og hva som er riktig. (Say what is wrong and what is right.)",
            code="text_required",
        )
    key = uuid.UUID(str(request_key)) if request_key else uuid.uuid4()
    existing = CorrectionRequest.objects.filter(request_key=key).first()
    if existing is not None:
        if existing.pid != pid:
            raise ApplicationError("Ugyldig skjema. (Invalid form.)", code="request_key")
        return existing
    try:
        with transaction.atomic():
            request = CorrectionRequest.objects.create(
                request_key=key,
                pid=pid,
                topic=topic,
                what_is_wrong=what_is_wrong[:500],
                correction=correction[:4000],
                email=email.strip(),
                language=language[:8],
            )
            case = case_open(
                kind=CaseKind.CORRECTION,
                title=f"Krav om retting: {request.get_topic_display()} ({mask_identifier(pid)})",
                object_type=CORRECTION_OBJECT_TYPE,
                object_id=request.pk,
                subject_id=pid,
                details={
                    "topic": topic,
                    "what_is_wrong": request.what_is_wrong,
                    "correction": request.correction,
                    "email": request.email,
                    "language": request.language,
                },
                opened_by=pid,
            )
            request.case_id = case.pk
            request.save(update_fields=["case_id"])
    except IntegrityError:  # the same form sent twice at once: the other one won
        existing = CorrectionRequest.objects.get(request_key=key)
        if existing.pid != pid:
            raise ApplicationError("Ugyldig skjema. (Invalid form.)", code="request_key") from None
        return existing
    return request


def _decision_text(request: CorrectionRequest, *, approved: bool, note: str) -> tuple[str, str]:
    with translation.override(request.language or "nb"):
        subject = (
            gettext("Kravet ditt om retting er tatt til følge")
            if approved
            else gettext("Kravet ditt om retting er avslått")
        )
        lines = [
            gettext("Du ba om retting av opplysninger i HMS-kortregisteret (%(topic)s).")
            % {"topic": request.get_topic_display()},
            gettext("Opplysningene er rettet.")
            if approved
            else gettext("Arbeidstilsynet har vurdert kravet og avslått det."),
        ]
        if note:
            lines.append(gettext("Begrunnelse: %(note)s") % {"note": note})
        lines.append(gettext("Du ser kravet og svaret under «Mine data» på HMS-kort."))
    return subject, "\n\n".join(lines)


def correction_decided(*, case: Case, approved: bool) -> CorrectionRequest | None:
    """Mirror a decided correction case on the request and tell the worker (once)."""
    if case.kind != CaseKind.CORRECTION or case.object_type != CORRECTION_OBJECT_TYPE:
        return None
    with transaction.atomic():
        request = CorrectionRequest.objects.select_for_update().filter(pk=case.object_id).first()
        if request is None:
            return None
        request.status = {
            CaseStatus.APPROVED: CorrectionStatus.APPROVED,
            CaseStatus.REJECTED: CorrectionStatus.REJECTED,
        }.get(case.status, CorrectionStatus.CLOSED)
        request.decided_at = case.decided_at or timezone.now()
        request.decision_note = case.decision_note or ""
        request.save(update_fields=["status", "decided_at", "decision_note"])
        subject, body = _decision_text(request, approved=approved, note=request.decision_note)
        key = f"wallet:correction:{request.pk}:decided"
        try:
            with transaction.atomic():
                WorkerNotice.objects.create(key=key, pid=request.pid, subject=subject, body=body)
        except IntegrityError:
            return request  # told before
        if request.email:
            outbox_enqueue_email(key=key, to=request.email, subject=subject, body=body)
    return request


def notices_mark_read(*, pid: str) -> int:
    return WorkerNotice.objects.filter(pid=pid, read_at__isnull=True).update(read_at=timezone.now())


def inspector_person_search_record(
    *, inspector, pid: str, purpose: str, agencies: list[str], found: bool
) -> AuditEvent:
    """Audit one inspector search for a person: who, when, whom, why."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise PurposeRequired(
            "Oppgi formålet med søket (tilsynsnummer eller saksnummer). "
            "(State the purpose of the search.)"
        )
    return audit_record(
        actor_type="inspector",
        actor=inspector.get_username(),
        action="inspector_person_search",
        object_type=PERSON_OBJECT_TYPE,
        object_id=mask_identifier(pid),
        subject_id=pid,
        purpose=purpose[:255],
        detail={"agency": ", ".join(agencies), "found": found},
    )


def inspector_photo_view_record(
    *, inspector, upload, purpose: str, agencies: list[str]
) -> AuditEvent:
    """Audit an inspector's look at a person's photo."""
    return audit_record(
        actor_type="inspector",
        actor=inspector.get_username(),
        action="view",
        object_type="portal.uploadset.photo",
        object_id=str(upload.pk),
        subject_id=upload.person_id,
        purpose=purpose[:255],
        detail={"agency": ", ".join(agencies)},
    )
