"""Caseworkers' read-only outbox and portal messages; "retry now" goes through the service."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from hmskort.core.models import AuditEvent
from hmskort.notifications.models import OutboxMessage, OutboxStatus
from hmskort.notifications.services import message_notify, outbox_enqueue_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("saksbehandler", "s@example.org", "pw-123456")
    client.force_login(user)
    return client


def failed_message(key: str) -> OutboxMessage:
    message = outbox_enqueue_email(key=key, to=["kari@example.no"], subject=key, body="Hei")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED, attempts=10, last_error="SMTPServerDisconnected"
    )
    return message


def test_outbox_list_filters_by_status_and_is_audited(staff):
    failed_message("card:1:rejected")
    outbox_enqueue_email(key="card:2:rejected", to=["per@example.no"], subject="ventende", body="x")

    response = staff.get(
        reverse("admin:notifications_outboxmessage_changelist"), {"status": "failed"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "card:1:rejected" in body and "ventende" not in body
    assert AuditEvent.objects.filter(object_type="notifications.outboxmessage").exists()


def test_retry_now_makes_a_failed_message_due_again(staff):
    message = failed_message("card:3:rejected")

    response = staff.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "retry_now", "_selected_action": [str(message.pk)]},
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.PENDING, 0, "")


def test_messages_cannot_be_edited_added_or_deleted(staff):
    message = failed_message("card:4:rejected")
    change = reverse("admin:notifications_outboxmessage_change", args=[message.pk])
    response = staff.post(change, {"subject": "endret"})
    message.refresh_from_db()
    assert message.subject == "card:4:rejected"
    assert staff.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    assert staff.get(reverse("admin:notifications_portalmessage_add")).status_code == 403
    assert response.status_code in (403, 200)


def test_portal_messages_list(staff):
    message_notify(key="p1", orgnr="910000001", to_emails=[], subject="Kort ugyldig", body="Tekst")
    response = staff.get(reverse("admin:notifications_portalmessage_changelist"))
    assert response.status_code == 200
    assert "Kort ugyldig" in response.content.decode()
