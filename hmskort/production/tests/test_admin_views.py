import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from hmskort.core.models import AuditEvent
from hmskort.production.models import ProductionBatch
from hmskort.production.services import production_batch_create
from hmskort.production.tests.conftest import make_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch():
    make_card(in_production=True)
    return production_batch_create()


def test_staff_downloads_the_batch_file_and_it_is_audited(admin_client, batch):
    response = admin_client.get(reverse("production:batch_file", args=[batch.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(b"".join(response.streaming_content))
    assert document["batch_id"] == batch.pk
    event = AuditEvent.objects.get(action="download")
    assert (event.object_type, event.object_id, event.actor) == (
        "production.productionbatch",
        str(batch.pk),
        "admin",
    )


def test_staff_downloads_a_card_face(admin_client, batch):
    item = batch.items.select_related("card").get()
    url = reverse("production:card_face", args=[batch.pk, item.card.card_number])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.get(action="download").subject_id == item.card.holder_id


def test_others_cannot_download(client, batch):
    url = reverse("production:batch_file", args=[batch.pk])
    assert client.get(url).status_code == 302  # to the staff login
    user = get_user_model().objects.create_user("arbeidsgiver", password="x" * 12)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action="download").exists()


def test_admin_lists_batches_and_flags_overdue_ones(admin_client, batch):
    ProductionBatch.objects.filter(pk=batch.pk).update(due_date=dt.date(2020, 1, 6))
    on_time = make_card(in_production=True) and production_batch_create()
    changelist = reverse("admin:production_productionbatch_changelist")

    overdue = admin_client.get(changelist, {"overdue": "yes"})
    in_time = admin_client.get(changelist, {"overdue": "no"})

    assert list(overdue.context["cl"].result_list) == [batch]
    assert list(in_time.context["cl"].result_list) == [on_time]
    page = admin_client.get(reverse("admin:production_productionbatch_change", args=[batch.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("production:batch_file", args=[batch.pk]) in html
    card_number = batch.items.get().card.card_number
    assert reverse("production:card_face", args=[batch.pk, card_number]) in html
    assert "icon-yes" in html  # the overdue flag


def test_admin_cannot_change_batches(admin_client, batch):
    add = admin_client.get(reverse("admin:production_productionbatch_add"))
    assert add.status_code == 403
