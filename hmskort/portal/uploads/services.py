"""Photo / ID uploads, self-upload links and the caseworker's review."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hmskort.core.errors import ApplicationError, NotFound
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
) -> UploadSet:
    """Store a photo and an ID document (both, always: a rejection needs both again)
    and put them in the review queue. An earlier set still waiting for review is replaced."""
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
                uploaded_by=uploaded_by,
                notify_email=notify_email,
            )
            upload.full_clean()
            upload.save()
    except Exception:
        storage.remove(photo_path)
        storage.remove(id_path)
        raise
    return upload


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
    now: dt.datetime | None = None,
) -> UploadSet:
    """A caseworker approves or rejects (with a reason from the list) a photo/ID set.

    A rejection is told to the orderer (e-mail and portal message, in this
    transaction); both photo and ID must then be uploaded again."""
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
        if not approve:
            label = RejectionReason(reason).label
            message_notify(
                key=f"portal-upload-rejected-{locked.pk}",
                orgnr=locked.orgnr,
                to_emails=locked.notify_email,
                subject=f"Bilde og ID for {locked.holder_name} er avvist",
                body=(
                    f"Bildet og ID-dokumentet for {locked.holder_name} ble avvist: {label}.\n\n"
                    "Last opp både nytt bilde og ny kopi av ID i HMS-kortportalen "
                    "(under Ansatte), eller send den ansatte en ny lenke for opplasting.\n\n"
                    "The photo and ID document were rejected. Upload both a new photo "
                    "and a new copy of the ID in the HMS card portal."
                ),
                recipient=locked.uploaded_by if locked.uploaded_by != "selvopplasting" else "",
            )
    return locked
