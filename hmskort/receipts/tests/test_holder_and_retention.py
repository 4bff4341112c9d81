from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from hmskort.identity.models import PersonIdentity
from hmskort.receipts.models import CardCheck
from hmskort.receipts.services import checks_flush, checks_prune

pytestmark = pytest.mark.django_db


def _holder_client(client, company):
    user = User.objects.create_user("holder")
    PersonIdentity.objects.create(user=user, pid=company.person_id)
    client.force_login(user)
    return client


def test_the_holder_sees_an_api_clients_check_and_no_inspectors_name(
    client, level1, company, inspector
):
    number = company.card.card_number
    client.get(f"/api/v1/cards/{number}", **level1.headers)
    client.get("/status", {"kortnummer": number})
    client.get("/status", {"kortnummer": number})
    client.force_login(inspector)
    page = client.get(f"/tilsyn/kort/{number}", {"formal": "Kontroll på byggeplass"})
    assert re.search(r'href="/kvittering/[0-9a-f-]{36}"', page.content.decode())
    client.logout()
    checks_flush()
    assert CardCheck.objects.filter(channel="inspector", agency="Arbeidstilsynet").exists()

    html = _holder_client(client, company).get("/mine-oppslag").content.decode()
    assert "Hovedentreprenør Kontroll AS" in html  # the API client's organisation
    assert "tilsynsmyndighet" in html
    assert "inspektor.olsen" not in html and "Arbeidstilsynet" not in html
    per_day = html.split('data-testid="per-day"', 1)[1]
    assert re.search(r"<td>Offentlig oppslag på kortnummer</td><td>2</td>", per_day)


def test_the_log_needs_a_login(client):
    response = client.get("/mine-oppslag")
    assert response.status_code == 302


def test_another_persons_checks_are_not_in_my_log(client, level1, company):
    from hmskort.api.tests.conftest import _company

    other = _company("Brynjulvhild", "Tveitaksrud")
    client.get(f"/api/v1/cards/{other.card.card_number}", **level1.headers)
    checks_flush()
    html = _holder_client(client, company).get("/mine-oppslag").content.decode()
    assert other.card.card_number not in html
    assert "Hovedentreprenør Kontroll AS" not in html


def _check(days_ago: float, number="1000000001") -> CardCheck:
    import uuid

    return CardCheck.objects.create(
        check_id=uuid.uuid4(),
        checked_at=timezone.now() - dt.timedelta(days=days_ago),
        channel="public",
        card_number=number,
        status="valid",
    )


def test_the_retention_job_deletes_only_records_older_than_the_period(settings):
    settings.HMSKORT_CHECK_RETENTION_DAYS = 365
    old = [_check(366), _check(400)]
    kept = [_check(364), _check(0)]
    assert checks_prune() == 2
    remaining = set(CardCheck.objects.values_list("pk", flat=True))
    assert remaining == {c.pk for c in kept}
    assert not remaining & {c.pk for c in old}
    settings.HMSKORT_CHECK_RETENTION_DAYS = 30
    _check(31)
    call_command("receipts_prune")
    assert set(CardCheck.objects.values_list("pk", flat=True)) == {kept[1].pk}
