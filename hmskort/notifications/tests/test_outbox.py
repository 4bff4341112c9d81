"""The outbox delivered through a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from hmskort.notifications.models import OutboxMessage, OutboxStatus, PortalMessage
from hmskort.notifications.services import (
    Attachment,
    message_notify,
    outbox_deliver,
    outbox_enqueue_email,
    outbox_retry_now,
)
from hmskort.notifications.services.outbox import backoff

pytestmark = pytest.mark.django_db


def enqueue(key="test:1", **kwargs):
    defaults = {
        "to": ["ola.nordmann@example.no"],
        "subject": "HMS-kort: bestillingen er avslått / Order rejected",
        "body": "Bestillingen av HMS-kort er avslått. Årsak: ærlig talt, søknaden mangler.",
    }
    return outbox_enqueue_email(key=key, **{**defaults, **kwargs})


def test_a_message_arrives_with_subject_recipient_text_and_attachment(smtp_server):
    pdf = b"%PDF-1.4 midlertidig kort"
    message = enqueue(
        attachments=[
            Attachment(filename="kvittering.pdf", content_type="application/pdf", content=pdf)
        ]
    )

    assert outbox_deliver() == 1

    [received] = smtp_server.received
    assert received.rcpt_tos == ["ola.nordmann@example.no"]
    assert received.subject == "HMS-kort: bestillingen er avslått / Order rejected"
    assert "Årsak: ærlig talt, søknaden mangler." in received.text
    assert received.attachments == [("kvittering.pdf", "application/pdf", pdf)]
    assert received.message["Message-ID"] == f"<{message.id}@hmskort.example>"
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None


def test_an_attachment_from_a_file_path_is_read_at_delivery(smtp_server, tmp_path):
    path = tmp_path / "liste.bin"
    path.write_bytes(bytes(range(256)))
    enqueue(
        attachments=[
            Attachment(
                filename="liste.bin", content_type="application/octet-stream", path=str(path)
            )
        ]
    )

    outbox_deliver()

    [received] = smtp_server.received
    assert received.attachments == [("liste.bin", "application/octet-stream", bytes(range(256)))]


def test_delivery_retries_with_backoff_while_the_server_is_down_then_sends_once(smtp_down):
    message = enqueue()
    t0 = timezone.now()

    assert outbox_deliver(now=t0) == 0  # nothing listens: connection refused
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.next_attempt_at == t0 + dt.timedelta(minutes=1)
    assert "ConnectionRefused" in message.last_error

    smtp_down.start()
    # Not due yet: the server is up, but the message waits for its backoff.
    assert outbox_deliver(now=t0 + dt.timedelta(seconds=30)) == 0
    assert smtp_down.received == []

    assert outbox_deliver(now=t0 + dt.timedelta(minutes=1)) == 1
    assert outbox_deliver(now=t0 + dt.timedelta(hours=5)) == 0
    assert len(smtp_down.received) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 2, "")


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(30) == dt.timedelta(hours=4)


def test_after_the_last_attempt_a_message_fails_and_retry_now_sends_it(smtp_down, settings):
    settings.HMSKORT_OUTBOX_MAX_ATTEMPTS = 3
    message = enqueue()
    when = timezone.now()
    for _ in range(5):
        outbox_deliver(now=when)
        when += dt.timedelta(hours=5)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)

    smtp_down.start()
    assert outbox_deliver(now=when) == 0  # failed for good: the worker leaves it

    assert outbox_retry_now(message_ids=[message.id], now=when) == 1
    assert outbox_deliver(now=when) == 1
    assert len(smtp_down.received) == 1


def test_a_server_outage_ends_the_run_without_burning_every_message(smtp_down):
    for n in range(5):
        enqueue(key=f"test:{n}")
    outbox_deliver()
    attempts = sorted(OutboxMessage.objects.values_list("attempts", flat=True))
    assert attempts == [0, 0, 0, 0, 1]


def test_a_message_the_server_refuses_does_not_stop_the_others(smtp_server):
    class Refusing(type(smtp_server.recorder)):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("finnes.ikke"):
                return "550 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    smtp_server.stop()
    smtp_server.recorder = Refusing()
    smtp_server.start()
    enqueue(key="bad", to=["finnes.ikke@example.no"])
    enqueue(key="good", to=["kari@example.no"])

    assert outbox_deliver() == 1

    assert [r.rcpt_tos for r in smtp_server.received] == [["kari@example.no"]]
    bad = OutboxMessage.objects.get(key="bad")
    assert (bad.status, bad.attempts) == (OutboxStatus.PENDING, 1)
    assert "550" in bad.last_error


def test_the_same_key_twice_gives_one_message():
    assert enqueue(key="card:7:rejected") is not None
    assert enqueue(key="card:7:rejected", subject="another") is None
    assert OutboxMessage.objects.filter(key="card:7:rejected").count() == 1


def test_a_duplicate_key_leaves_the_callers_transaction_usable():
    with transaction.atomic():
        enqueue(key="dup")
        assert enqueue(key="dup") is None
        enqueue(key="after-dup")  # would raise if the transaction were broken
    assert OutboxMessage.objects.count() == 2


def test_a_rolled_back_transaction_leaves_no_message():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(key="rolled-back")
        message_notify(
            key="rolled-back-too",
            orgnr="910000001",
            to_emails=["kari@example.no"],
            subject="Emne",
            body="Tekst",
        )
        raise RuntimeError("the card change failed")
    assert not OutboxMessage.objects.exists()
    assert not PortalMessage.objects.exists()


def test_message_notify_writes_the_portal_message_and_the_email_once():
    for _ in range(2):
        message_notify(
            key="k1",
            orgnr="910000001",
            to_emails=["kari@example.no", "KARI@example.no", ""],
            subject="Melding",
            body="Tekst på norsk",
            recipient="kari",
        )
    portal = PortalMessage.objects.get()
    assert (portal.orgnr, portal.recipient, portal.body) == ("910000001", "kari", "Tekst på norsk")
    assert OutboxMessage.objects.get().to == ["kari@example.no"]


def test_message_notify_without_an_address_still_posts_in_the_portal():
    result = message_notify(key="k2", orgnr="910000001", to_emails=[], subject="S", body="B")
    assert result.email is None
    assert result.portal_message is not None
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_in_process_mode_delivers_right_after_commit(smtp_server, settings):
    settings.HMSKORT_OUTBOX_DELIVER_ON_COMMIT = True
    with transaction.atomic():
        enqueue(key="now")
        enqueue(key="now-2")
        assert smtp_server.received == []  # not before the commit
    assert sorted(r.message["X-HMSKort-Message-Key"] for r in smtp_server.received) == [
        "now",
        "now-2",
    ]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(key="never")
        raise RuntimeError
    assert len(smtp_server.received) == 2


def test_an_attachment_that_cannot_be_rendered_delays_only_its_message(smtp_server):
    enqueue(
        key="broken",
        attachments=[
            Attachment(
                filename="kort.pdf",
                content_type="application/pdf",
                renderer="temporary_card_pdf",
                render_args={"card_id": 0},
            )
        ],
    )
    enqueue(key="fine")

    assert outbox_deliver() == 1

    assert [r.message["X-HMSKort-Message-Key"] for r in smtp_server.received] == ["fine"]
    broken = OutboxMessage.objects.get(key="broken")
    assert (broken.status, broken.attempts) == (OutboxStatus.PENDING, 1)
    assert broken.last_error


def test_the_beat_task_drains_the_outbox(smtp_server):
    from hmskort.notifications.schedule import BEAT_SCHEDULE
    from hmskort.notifications.tasks import outbox_deliver_task

    for n in range(3):
        enqueue(key=f"beat:{n}")

    assert outbox_deliver_task.delay(batch=2).get() == 3
    assert len(smtp_server.received) == 3
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} == {
        outbox_deliver_task.name,
        "notifications.reminders_send_expiry",
        "notifications.reminders_send_dnumber",
    }
