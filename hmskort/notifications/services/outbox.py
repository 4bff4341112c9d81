"""The outbox: e-mails written in the caller's transaction, delivered by a worker.

- `outbox_enqueue_email` inserts one message inside the caller's transaction (a
  savepoint), so it commits or rolls back with the change that caused it; a
  second message with the same idempotency key is ignored.
- `outbox_enqueue_many` does the same set-based (the nightly jobs).
- `outbox_deliver` sends due messages through Django's e-mail backend. Each
  message is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` in its own short
  transaction, sent, and marked sent before the lock is released, so two
  deliverers never send the same message. A failure backs off exponentially
  (1 min * 2^(attempts-1), capped) and gives up after a maximum of attempts.

At-least-once is the strongest promise SMTP allows: a worker killed between the
SMTP server's "250 OK" and our commit sends that one message again on the next
run. Every message carries a Message-ID derived from its id, so a receiving
system can recognise the duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from hmskort.notifications.models import (
    OutboxAttachment,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)
from hmskort.notifications.renderers import render

logger = logging.getLogger(__name__)

#: Attempts before a message is marked failed (then only "retry now" sends it).
MAX_ATTEMPTS = 10
#: First retry after this long; doubled per attempt up to BACKOFF_CAP.
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=4)
#: Errors that say the mail server (not the message) is the problem: the run
#: stops there instead of failing every message in the batch the same way.
SERVER_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # refused, unreachable, timed out (smtplib.SMTPException is an OSError too)
)
MESSAGE_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)
SUBJECT_MAX = 255


@dataclass(frozen=True)
class Attachment:
    """A file for an e-mail: `content` bytes, a file `path`, or a named `renderer`
    (`renderers.RENDERERS`) run at delivery time with `render_args`."""

    filename: str
    content_type: str = "application/octet-stream"
    content: bytes | None = None
    path: str = ""
    renderer: str = ""
    render_args: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sources = [self.content is not None, bool(self.path), bool(self.renderer)]
        if sum(sources) != 1:
            raise ValueError("an attachment needs exactly one of content, path or renderer")


@dataclass(frozen=True)
class EmailDraft:
    key: str
    to: tuple[str, ...]
    subject: str
    body: str
    html: str = ""
    attachments: tuple[Attachment, ...] = ()


def _setting(name: str, default):
    return getattr(settings, name, default)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt (1-based)."""
    base = _setting("HMSKORT_OUTBOX_BACKOFF_BASE", BACKOFF_BASE)
    cap = _setting("HMSKORT_OUTBOX_BACKOFF_CAP", BACKOFF_CAP)
    return min(base * (2 ** max(attempts - 1, 0)), cap)


def normalize_recipients(to: str | Iterable[str]) -> tuple[str, ...]:
    """Addresses stripped, blanks and case-insensitive duplicates dropped, order kept."""
    if isinstance(to, str):
        to = [to]
    out: dict[str, str] = {}
    for address in to:
        address = (address or "").strip()
        if address and address.lower() not in out:
            out[address.lower()] = address
    return tuple(out.values())


def _clean_subject(subject: str) -> str:
    subject = " ".join(subject.split())  # no header injection, no folding surprises
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"


def _as_attachment(item: Attachment | tuple) -> Attachment:
    if isinstance(item, Attachment):
        return item
    filename, content, content_type = item  # Django's (filename, content, mimetype)
    if isinstance(content, str):
        content = content.encode()
    return Attachment(filename=filename, content=content, content_type=content_type)


def email_draft(
    *,
    key: str,
    to: str | Iterable[str],
    subject: str,
    body: str,
    html: str = "",
    attachments: Iterable[Attachment | tuple] = (),
) -> EmailDraft:
    recipients = normalize_recipients(to)
    if not recipients:
        raise ValueError(f"outbox message {key!r} has no recipients")
    if not key or len(key) > 255:
        raise ValueError("an outbox key is 1-255 characters")
    return EmailDraft(
        key=key,
        to=recipients,
        subject=_clean_subject(subject),
        body=body,
        html=html,
        attachments=tuple(_as_attachment(a) for a in attachments),
    )


def _message(draft: EmailDraft, *, now: dt.datetime) -> OutboxMessage:
    return OutboxMessage(
        id=uuid.uuid4(),
        kind=OutboxKind.EMAIL,
        key=draft.key,
        to=list(draft.to),
        subject=draft.subject,
        body=draft.body,
        html=draft.html,
        status=OutboxStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )


def _attachment_rows(message: OutboxMessage, draft: EmailDraft) -> list[OutboxAttachment]:
    return [
        OutboxAttachment(
            message=message,
            filename=a.filename,
            content_type=a.content_type,
            content=a.content,
            path=a.path,
            renderer=a.renderer,
            render_args=dict(a.render_args),
        )
        for a in draft.attachments
    ]


def outbox_enqueue_email(
    *,
    key: str,
    to: str | Iterable[str],
    subject: str,
    body: str,
    html: str = "",
    attachments: Iterable[Attachment | tuple] = (),
) -> OutboxMessage | None:
    """Write one e-mail to the outbox; None if a message with `key` already exists.

    Call it inside the transaction that makes the change the e-mail is about:
    the message commits with it or not at all. Runs in a savepoint, so a
    duplicate key leaves the caller's transaction usable.
    """
    draft = email_draft(
        key=key, to=to, subject=subject, body=body, html=html, attachments=attachments
    )
    message = _message(draft, now=timezone.now())
    try:
        with transaction.atomic():
            message.save(force_insert=True)
            OutboxAttachment.objects.bulk_create(_attachment_rows(message, draft))
    except IntegrityError:
        if OutboxMessage.objects.filter(key=key).exists():
            return None
        raise
    schedule_delivery_on_commit()
    return message


def outbox_enqueue_many(drafts: Sequence[EmailDraft]) -> None:
    """Write many e-mails set-based (a fixed number of queries); duplicates by key
    are ignored. Call it inside the transaction that causes them."""
    if not drafts:
        return
    now = timezone.now()
    messages = [_message(d, now=now) for d in drafts]
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
    with_files = [(m, d) for m, d in zip(messages, drafts, strict=True) if d.attachments]
    if with_files:
        ids = [m.id for m, _ in with_files]
        inserted: set[uuid.UUID] = set()
        for start in range(0, len(ids), 500):
            inserted |= set(
                OutboxMessage.objects.filter(id__in=ids[start : start + 500]).values_list(
                    "id", flat=True
                )
            )
        rows = [row for m, d in with_files if m.id in inserted for row in _attachment_rows(m, d)]
        OutboxAttachment.objects.bulk_create(rows, batch_size=500)
    schedule_delivery_on_commit()


def deliver_on_commit_enabled() -> bool:
    """In-process mode (Celery eager) also delivers right after each commit."""
    return bool(
        _setting("HMSKORT_OUTBOX_DELIVER_ON_COMMIT", _setting("CELERY_TASK_ALWAYS_EAGER", False))
    )


def _deliver_after_commit() -> None:
    try:
        outbox_deliver()
    except Exception:  # never break the request that committed; the beat retries
        logger.exception("outbox delivery after commit failed")


def schedule_delivery_on_commit() -> None:
    if not deliver_on_commit_enabled():
        return
    connection = transaction.get_connection()
    pending = getattr(connection, "run_on_commit", [])
    if any(entry[1] is _deliver_after_commit for entry in pending):
        return  # once per transaction is enough: one run delivers everything due
    transaction.on_commit(_deliver_after_commit)


def _sender_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "hmskort.local"


def _attachment_content(attachment: OutboxAttachment) -> bytes:
    if attachment.content is not None:
        return bytes(attachment.content)
    if attachment.path:
        return Path(attachment.path).read_bytes()
    return render(attachment.renderer, attachment.render_args)


def build_email(message: OutboxMessage, *, connection=None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        headers={
            "Message-ID": f"<{message.id}@{_sender_domain()}>",
            "X-HMSKort-Message-Key": message.key,
        },
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, _attachment_content(attachment), attachment.content_type)
    return email


def _due(now: dt.datetime):
    return OutboxMessage.objects.filter(
        kind=OutboxKind.EMAIL, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "created_at")


def _record_failure(message: OutboxMessage, error: BaseException, *, now: dt.datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    max_attempts = _setting("HMSKORT_OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS)
    if message.attempts >= max_attempts:
        message.status = OutboxStatus.FAILED
        logger.error("outbox message %s failed for good: %s", message.key, message.last_error)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        logger.warning(
            "outbox message %s attempt %s failed, retry at %s: %s",
            message.key,
            message.attempts,
            message.next_attempt_at,
            message.last_error,
        )
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def outbox_deliver(*, batch: int = 100, now: dt.datetime | None = None) -> int:
    """Send up to `batch` due e-mails; return how many were sent.

    Each message is claimed, sent and marked in one short transaction, holding
    its row lock (SKIP LOCKED on PostgreSQL; SQLite serialises writers), so
    concurrent deliverers never send a message twice. A mail-server error backs
    the message off and ends the run (the server is down for all of them); an
    error about the message alone backs it off and the run goes on.
    """
    now = now or timezone.now()
    sent = 0
    connection = None
    try:
        for _ in range(batch):
            with transaction.atomic():
                message = _due(now).select_for_update(skip_locked=True).first()
                if message is None:
                    break
                try:
                    email = build_email(message)
                except Exception as exc:  # e.g. an attachment that cannot be rendered
                    _record_failure(message, exc, now=now)
                    continue
                try:
                    if connection is None:
                        connection = get_connection()
                        connection.open()
                    email.connection = connection
                    if connection.send_messages([email]) != 1:
                        raise smtplib.SMTPException("the e-mail backend sent nothing")
                except MESSAGE_ERRORS as exc:
                    _record_failure(message, exc, now=now)
                    continue
                except SERVER_ERRORS as exc:
                    _record_failure(message, exc, now=now)
                    _close(connection)
                    connection = None
                    break
                message.status = OutboxStatus.SENT
                message.attempts += 1
                message.sent_at = now
                message.last_error = ""
                message.save(update_fields=["status", "attempts", "sent_at", "last_error"])
                sent += 1
    finally:
        _close(connection)
    return sent


def _close(connection) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except Exception:  # closing a broken SMTP connection may raise; nothing to do
        logger.debug("closing the e-mail connection failed", exc_info=True)


def outbox_retry_now(
    *, message_ids: Iterable[uuid.UUID | str], now: dt.datetime | None = None
) -> int:
    """Make unsent messages due now (a failed one gets a fresh set of attempts);
    return how many. Sent messages are left alone."""
    now = now or timezone.now()
    ids = list(message_ids)
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(id__in=ids, status=OutboxStatus.PENDING).update(
            next_attempt_at=now
        )
        failed = OutboxMessage.objects.filter(id__in=ids, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, last_error=""
        )
        schedule_delivery_on_commit()
    return pending + failed
