"""Photo / ID uploads, self-upload links and the caseworker's review."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation

from hmskort.cards.models import ActorType
from hmskort.cards.selectors import pending_cards_for_pair
from hmskort.cards.services.lifecycle import cards_evaluate_pending_for_pair
from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.casework.services import case_close, case_decide, case_open
from hmskort.core.errors import ApplicationError, NotFound
from hmskort.eligibility.reasons import ReasonCode, action_text
from hmskort.notifications.services import message_notify, outbox_enqueue_email
from hmskort.portal.models import (
    DocumentType,
    RejectionReason,
    UploadLink,
    UploadSet,
    UploadStatus,
)
from hmskort.portal.uploads import storage
from hmskort.portal.uploads.validation import ValidatedImage

LINK_VALID_DAYS = 5
#: `Case.object_type` of a photo/ID review case (object_id = the UploadSet's pk).
UPLOAD_CASE_OBJECT = "portal.uploadset"


class UploadLinkInvalid(ApplicationError):
    """The self-upload link is unknown, used or expired."""

    code = "upload_link_invalid"
    http_status = 410


def upload_set_create(
    *,
    orgnr: str,
    person_id: str,
    holder_name: str,
    photo: ValidatedImage,
    id_document: ValidatedImage,
    document_type: str,
    uploaded_by: str,
    notify_email: str = "",
    auto_findings: dict | None = None,
    today: dt.date | None = None,
) -> UploadSet:
    """Store a photo and an ID document (both, always: a rejection needs both again)
    and put them in the caseworkers' review queue (a DOCUMENT_REVIEW case).

    The newest set of a person decides (`uploads.documents`): an earlier set
    still waiting for review leaves the queue, and the person's pending orders
    are decided again at once (now "under review" instead of missing/rejected).
    `auto_findings` are the automatic photo/ID checks' results (shown to the
    caseworker)."""
    if document_type not in DocumentType.values:
        raise ApplicationError("Ukjent dokumenttype (unknown document type).", code="document_type")
    photo_path = storage.store(photo.data, orgnr=orgnr, extension=photo.extension)
    id_path = storage.store(id_document.data, orgnr=orgnr, extension=id_document.extension)
    try:
        with transaction.atomic():
            upload = UploadSet(
                orgnr=orgnr,
                person_id=person_id,
                holder_name=holder_name,
                photo_path=photo_path,
                photo_content_type=photo.content_type,
                id_document_path=id_path,
                id_document_content_type=id_document.content_type,
                document_type=document_type,
                status=UploadStatus.PENDING_REVIEW,
                auto_findings=auto_findings or {},
                uploaded_by=uploaded_by,
                notify_email=notify_email,
            )
            upload.full_clean()
            upload.save()
            upload_review_case_open(upload=upload)
            cards_evaluate_pending_for_pair(
                employer_orgnr=orgnr,
                holder_id=person_id,
                today=today or timezone.localdate(),
                actor_type=ActorType.SYSTEM,
                actor="upload",
            )
    except Exception:
        storage.remove(photo_path)
        storage.remove(id_path)
        raise
    return upload


def upload_review_case_open(*, upload: UploadSet) -> Case:
    """Put an upload set in the review queue (idempotent); older sets of the same
    person still waiting leave the queue (the newest set decides)."""
    older = UploadSet.objects.filter(
        orgnr=upload.orgnr, person_id=upload.person_id, status=UploadStatus.PENDING_REVIEW
    ).exclude(pk=upload.pk)
    for old_pk in older.values_list("pk", flat=True):
        case_close(kind=CaseKind.DOCUMENT_REVIEW, object_type=UPLOAD_CASE_OBJECT, object_id=old_pk)
    return case_open(
        kind=CaseKind.DOCUMENT_REVIEW,
        title=f"{upload.holder_name or upload.person_id} ({upload.orgnr})",
        object_type=UPLOAD_CASE_OBJECT,
        object_id=upload.pk,
        orgnr=upload.orgnr,
        subject_id=upload.person_id,
        details={"document_type": upload.document_type},
        opened_by=upload.uploaded_by,
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedLink:
    link: UploadLink
    token: str  # shown once (in the link); only its hash is stored


def upload_link_create(
    *,
    orgnr: str,
    person_id: str,
    holder_name: str,
    created_by: str,
    notify_email: str = "",
    send_to: str = "",
    url_for_token=None,
    now: dt.datetime | None = None,
) -> CreatedLink:
    """A self-upload link for one employee, valid 5 days. With `send_to` the link
    is e-mailed to the employee (through the outbox, in this transaction)."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = UploadLink.objects.create(
            orgnr=orgnr,
            person_id=person_id,
            holder_name=holder_name,
            token_hash=_hash(token),
            created_by=created_by,
            notify_email=notify_email,
            created_at=now,
            expires_at=now + dt.timedelta(days=LINK_VALID_DAYS),
        )
        if send_to and url_for_token is not None:
            url = url_for_token(token)
            outbox_enqueue_email(
                key=f"portal-upload-link-{link.pk}",
                to=send_to,
                subject="Last opp bilde og ID til HMS-kortet ditt",
                body=(
                    f"Hei {holder_name},\n\n"
                    "arbeidsgiveren din ber deg laste opp et bilde og en kopi av ID "
                    "til HMS-kortet ditt. Bruk lenken under innen "
                    f"{timezone.localtime(link.expires_at):%d.%m.%Y}:\n\n{url}\n\n"
                    "Your employer asks you to upload a photo and a copy of your ID "
                    "for your HMS card. The link is valid for 5 days."
                ),
            )
    return CreatedLink(link=link, token=token)


def upload_link_resolve(token: str, *, now: dt.datetime | None = None) -> UploadLink:
    """The link behind `token` if it can still be used; raises UploadLinkInvalid."""
    now = now or timezone.now()
    link = UploadLink.objects.filter(token_hash=_hash(token or "")).first()
    if link is None:
        raise UploadLinkInvalid("Ukjent lenke (unknown link).", code="upload_link_unknown")
    if link.used_at is not None:
        raise UploadLinkInvalid("Lenken er brukt (link used).", code="upload_link_used")
    if link.expires_at <= now:
        raise UploadLinkInvalid("Lenken er utløpt (link expired).", code="upload_link_expired")
    return link


def upload_link_use(
    *,
    token: str,
    photo: ValidatedImage,
    id_document: ValidatedImage,
    document_type: str,
    now: dt.datetime | None = None,
    auto_findings: dict | None = None,
) -> UploadSet:
    """The employee uploads through the link: the set is stored and the link is used up."""
    now = now or timezone.now()
    with transaction.atomic():
        link = upload_link_resolve(token, now=now)
        link = UploadLink.objects.select_for_update().get(pk=link.pk)
        if link.used_at is not None:
            raise UploadLinkInvalid("Lenken er brukt (link used).", code="upload_link_used")
        upload = upload_set_create(
            orgnr=link.orgnr,
            person_id=link.person_id,
            holder_name=link.holder_name,
            photo=photo,
            id_document=id_document,
            document_type=document_type,
            uploaded_by="selvopplasting",
            notify_email=link.notify_email,
            auto_findings=auto_findings,
        )
        link.used_at = now
        link.save(update_fields=["used_at"])
    return upload


def upload_set_review(
    *,
    upload: UploadSet,
    approve: bool,
    reviewed_by: str,
    reason: str = "",
    note: str = "",
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> UploadSet:
    """A caseworker approves or rejects (with a reason from the list) a photo/ID set.

    In one transaction: the set's status, its review case decided
    (`casework.services.case_decide`, audit-logged), and the person's pending
    orders decided again at once — approved, an order whose registers pass goes
    to production; rejected, it stays pending with DOCUMENTS_REJECTED. A
    rejection is told to the orderer by e-mail and portal message, with the
    reason, the caseworker's note and what to do (upload both again)."""
    now = now or timezone.now()
    if not approve and reason not in RejectionReason.values:
        raise ApplicationError(
            "Velg en begrunnelse for avslaget (choose a reason).", code="reason_required"
        )
    with transaction.atomic():
        locked = UploadSet.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None:
            raise NotFound("Opplastingen finnes ikke.", code="upload_not_found")
        if locked.status != UploadStatus.PENDING_REVIEW:
            raise ApplicationError(
                "Opplastingen er allerede behandlet (already reviewed).", code="already_reviewed"
            )
        locked.status = UploadStatus.APPROVED if approve else UploadStatus.REJECTED
        locked.reason = "" if approve else reason
        locked.reviewed_at = now
        locked.reviewed_by = reviewed_by
        locked.save(update_fields=["status", "reason", "reviewed_at", "reviewed_by"])
        case = Case.objects.filter(
            kind=CaseKind.DOCUMENT_REVIEW,
            object_type=UPLOAD_CASE_OBJECT,
            object_id=str(locked.pk),
            status=CaseStatus.OPEN,
        ).first() or upload_review_case_open(upload=locked)
        case_decide(
            case=case, approved=approve, decided_by=reviewed_by, reason=locked.reason, note=note
        )
        orderers = list(pending_cards_for_pair(locked.orgnr, locked.person_id))
        cards_evaluate_pending_for_pair(
            employer_orgnr=locked.orgnr,
            holder_id=locked.person_id,
            today=today or timezone.localdate(),
            actor_type=ActorType.STAFF,
            actor=reviewed_by,
        )
        if not approve:
            _notify_rejection(locked, note=note, orderers=orderers)
    return locked


def _label(reason: str, language: str) -> str:
    with translation.override(language):
        return str(RejectionReason(reason).label)


def _notify_rejection(upload: UploadSet, *, note: str, orderers) -> None:
    """Tell the orderer(s) why, and what to do, by e-mail and in the portal."""
    emails = {upload.notify_email} | {c.orderer_email for c in orderers}
    emails.discard("")
    pids = [c.ordered_by for c in orderers if c.ordered_by]
    recipient = pids[0] if pids else ""
    if not recipient and upload.uploaded_by != "selvopplasting":
        recipient = upload.uploaded_by
    name = upload.holder_name or upload.person_id
    note_nb = f"\nMerknad fra saksbehandler: {note}\n" if note else ""
    note_en = f"\nThe caseworker's note: {note}\n" if note else ""
    code = ReasonCode.DOCUMENTS_REJECTED
    message_notify(
        key=f"portal-upload-rejected-{upload.pk}",
        orgnr=upload.orgnr,
        to_emails=sorted(emails),
        subject=f"Bilde og ID for {name} er avvist (photo and ID rejected)",
        body=(
            f"Bildet og ID-dokumentet for {name} ble avvist.\n"
            f"Årsak: {_label(upload.reason, 'nb')}.\n{note_nb}\n"
            f"Dette må du gjøre: {action_text(code, 'nb')}\n"
            "Last opp i HMS-kortportalen (under Ansatte), eller send den ansatte en ny lenke "
            "for selvopplasting.\n\n"
            f"The photo and ID document for {name} were rejected.\n"
            f"Reason: {_label(upload.reason, 'en')}.\n{note_en}\n"
            f"What to do: {action_text(code, 'en')}\n"
        ),
        recipient=recipient,
    )
