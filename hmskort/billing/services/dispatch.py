"""Sending invoices by the company's channel.

- E-mail: the PDF goes into the notifications outbox in the issuing
  transaction (delivered by the outbox worker, with retries).
- Post: the letter waits in the print queue (`PostLetter` in the Django admin,
  where staff download the PDFs and mark them printed).
- EHF: the UBL document is stored with the dispatch in the issuing transaction
  and handed to the Peppol access point after the commit (`ehf_send_pending`,
  also run by beat, so a failed hand-over is retried).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from hmskort.billing.ehf.ubl import invoice_ubl
from hmskort.billing.models import DispatchStatus, Invoice, InvoiceDispatch, InvoiceStatus
from hmskort.billing.pdf import invoice_pdf, kr
from hmskort.billing.peppol import (
    CREDIT_NOTE_DOCUMENT_TYPE,
    INVOICE_DOCUMENT_TYPE,
    AccessPointError,
    get_access_point,
    participant_id,
)
from hmskort.notifications.services.outbox import outbox_enqueue_email
from hmskort.portal.models import InvoiceChannel

logger = logging.getLogger(__name__)

#: Hand-overs to the access point before a dispatch is marked failed.
EHF_MAX_ATTEMPTS = 10


def _email_body(invoice: Invoice) -> str:
    what = "kreditnota" if invoice.is_credit_note else "faktura"
    lines = [
        f"Vedlagt er {what} {invoice.number} fra {invoice.seller['name']} for HMS-kort "
        f"til {invoice.buyer['name']} ({invoice.orgnr}).",
        "",
        f"Beløp inkl. mva: {kr(invoice.total_incl_vat)} kr",
    ]
    if not invoice.is_credit_note:
        lines += [
            f"Forfallsdato: {invoice.due_date:%d.%m.%Y}",
            f"Kontonummer: {invoice.seller['bank_account']}",
            f"KID: {invoice.kid}",
        ]
    lines += [
        "",
        "Fakturaene finnes også under «Fakturaer» i HMS-kortportalen.",
        "",
        f"Attached is {'credit note' if invoice.is_credit_note else 'invoice'} "
        f"{invoice.number} for HMS cards. You also find it under 'Invoices' in the portal.",
    ]
    return "\n".join(lines)


def dispatch_create(*, invoice: Invoice) -> InvoiceDispatch:
    """Start sending a just-issued invoice (caller holds the issuing transaction)."""
    channel = invoice.channel
    if channel == InvoiceChannel.EMAIL:
        what = "Kreditnota" if invoice.is_credit_note else "Faktura"
        outbox_enqueue_email(
            key=f"billing-invoice-{invoice.number}",
            to=invoice.email,
            subject=f"{what} {invoice.number} – HMS-kort ({invoice.buyer['name']})",
            body=_email_body(invoice),
            attachments=[
                (f"{what.lower()}-{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")
            ],
        )
        invoice.status = InvoiceStatus.SENT
        invoice.save(update_fields=["status"])
        return InvoiceDispatch.objects.create(
            invoice=invoice,
            channel=channel,
            status=DispatchStatus.SENT,
            recipient=invoice.email,
            sent_at=timezone.now(),
        )
    if channel == InvoiceChannel.EHF:
        dispatch = InvoiceDispatch.objects.create(
            invoice=invoice,
            channel=channel,
            status=DispatchStatus.PENDING,
            recipient=participant_id(invoice.orgnr),
            document=invoice_ubl(invoice).decode("utf-8"),
        )
        transaction.on_commit(_send_ehf_after_commit)
        return dispatch
    return InvoiceDispatch.objects.create(
        invoice=invoice,
        channel=InvoiceChannel.POST,
        status=DispatchStatus.QUEUED,
        recipient=", ".join(
            [invoice.buyer["name"], *invoice.buyer.get("address_lines", [])]
            + [f"{invoice.buyer.get('postcode', '')} {invoice.buyer.get('city', '')}".strip()]
        )[:255],
    )


def _send_ehf_after_commit() -> None:
    from hmskort.billing.tasks import ehf_send_pending_task

    try:
        ehf_send_pending_task.delay()
    except Exception:  # the broker is down: the beat entry sends it later
        logger.exception("could not queue the EHF hand-over")


def ehf_send_pending(*, limit: int = 100) -> int:
    """Hand pending EHF documents to the access point; returns how many were sent.
    Each dispatch is claimed with SKIP LOCKED in its own transaction, so two
    runs never send the same document twice."""
    access_point = get_access_point()
    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            dispatch = (
                InvoiceDispatch.objects.select_for_update(skip_locked=True)
                .select_related("invoice")
                .filter(channel=InvoiceChannel.EHF, status=DispatchStatus.PENDING)
                .order_by("created_at", "id")
                .first()
            )
            if dispatch is None:
                break
            invoice = dispatch.invoice
            dispatch.attempts += 1
            try:
                dispatch.message_id = access_point.send(
                    document=dispatch.document.encode("utf-8"),
                    sender=participant_id(invoice.seller["orgnr"]),
                    receiver=dispatch.recipient,
                    document_type=(
                        CREDIT_NOTE_DOCUMENT_TYPE
                        if invoice.is_credit_note
                        else INVOICE_DOCUMENT_TYPE
                    ),
                )
            except AccessPointError as exc:
                dispatch.error = str(exc)
                if dispatch.attempts >= EHF_MAX_ATTEMPTS:
                    dispatch.status = DispatchStatus.FAILED
                dispatch.save(update_fields=["attempts", "error", "status"])
                if dispatch.status != DispatchStatus.FAILED:
                    break  # the access point is the problem: stop, beat retries
                continue
            dispatch.status = DispatchStatus.SENT
            dispatch.sent_at = timezone.now()
            dispatch.error = ""
            dispatch.save(update_fields=["attempts", "message_id", "status", "sent_at", "error"])
            Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.ISSUED).update(
                status=InvoiceStatus.SENT
            )
            sent += 1
    return sent


def post_letters_mark_printed(*, dispatch_ids: Iterable[int]) -> int:
    """Staff printed and posted these letters."""
    with transaction.atomic():
        dispatches = list(
            InvoiceDispatch.objects.select_for_update().filter(
                pk__in=list(dispatch_ids),
                channel=InvoiceChannel.POST,
                status=DispatchStatus.QUEUED,
            )
        )
        now = timezone.now()
        for dispatch in dispatches:
            dispatch.status = DispatchStatus.PRINTED
            dispatch.sent_at = now
            dispatch.save(update_fields=["status", "sent_at"])
        Invoice.objects.filter(
            pk__in=[d.invoice_id for d in dispatches], status=InvoiceStatus.ISSUED
        ).update(status=InvoiceStatus.SENT)
    return len(dispatches)
