from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.contrib.auth.models import User

from hmskort.cards.numbers import check_digit
from hmskort.core.signing import verify_token
from hmskort.receipts.models import AbuseSignal, CardCheck, CrewReport
from hmskort.receipts.services import RECEIPT_TYP, checks_flush

pytestmark = pytest.mark.django_db


def _unknown_numbers(n: int) -> list[str]:
    out = []
    i = 0
    while len(out) < n:
        i += 1
        payload = f"9{i:08d}"
        number = payload + check_digit(payload)
        out.append(number)
    return out


def test_an_api_client_enumerating_numbers_is_flagged_and_refused(client, level1, settings):
    settings.HMSKORT_ABUSE_NOT_FOUND_PER_SOURCE = (5, 600)
    statuses = [
        client.get(f"/api/v1/cards/{n}", **level1.headers).status_code for n in _unknown_numbers(8)
    ]
    assert statuses[:6] == [404] * 6  # the 6th crosses the threshold and is answered
    assert statuses[6:] == [429, 429]
    signal = AbuseSignal.objects.get()
    assert signal.kind == "enumeration" and signal.api_client_id == level1.client.pk
    refused = client.get(f"/api/v1/cards/{_unknown_numbers(1)[0]}", **level1.headers)
    assert refused.json()["error"]["code"] == "lookup_throttled"


def test_a_card_looked_up_from_many_sources_is_flagged_and_limited(client, company, settings):
    settings.HMSKORT_ABUSE_SOURCES_PER_CARD = (4, 600)
    settings.HMSKORT_ABUSE_HOT_CARD_LIMIT = (2, 60)
    number = company.card.card_number
    for i in range(4):
        page = client.get("/status", {"kortnummer": number}, REMOTE_ADDR=f"10.0.0.{i}")
        assert page.status_code == 200
    assert not AbuseSignal.objects.exists()
    checks_flush()
    signal = AbuseSignal.objects.get()
    assert signal.kind == "many_sources" and signal.card_number == number and signal.count == 4
    codes = [
        client.get("/status", {"kortnummer": number}, REMOTE_ADDR=f"10.0.1.{i}").status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
    checks_flush()
    assert AbuseSignal.objects.count() == 1  # flagged once per window


def test_one_source_looking_up_one_card_often_is_not_flagged(client, company, settings):
    settings.HMSKORT_ABUSE_SOURCES_PER_CARD = (4, 600)
    for _ in range(6):
        client.get("/status", {"kortnummer": company.card.card_number})
    checks_flush()
    assert not AbuseSignal.objects.exists()


def test_a_crew_report_over_the_api(client, level1, company):
    unknown = _unknown_numbers(2)
    numbers = [company.card.card_number, *unknown, "12345", company.card.card_number]
    response = client.post(
        "/api/v1/crew-reports",
        {"card_numbers": numbers},
        content_type="application/json",
        **level1.headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [line["status"] for line in body["lines"]] == [
        "valid",
        "not_found",
        "not_found",
        "malformed",
    ]  # duplicates dropped
    report_claims = verify_token(body["token"], typ=RECEIPT_TYP)
    assert report_claims["kind"] == "crew" and report_claims["lines"] == 4
    assert report_claims["counts"] == {"malformed": 1, "not_found": 2, "valid": 1}
    for line in body["lines"]:  # each line verifiable on its own
        claims = verify_token(line["token"], typ=RECEIPT_TYP)
        assert claims["jti"] == line["check_id"] and claims["report_id"] == body["check_id"]
        assert claims["status"] == line["status"]
    # The CSV: one row per card, per-line tokens, and the signed digest of the lines.
    text = client.get(f"/kvittering/{body['check_id']}/mannskap.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    digest = hashlib.sha256(
        "\n".join(
            f"{r['check_id']},{r['card_number']},{r['status']},{r['reasons']}" for r in rows
        ).encode()
    ).hexdigest()
    assert digest == report_claims["lines_sha256"]
    assert verify_token(rows[0]["receipt_token"], typ=RECEIPT_TYP)["card_number"] == numbers[0]
    pdf = client.get(f"/kvittering/{body['check_id']}/kvittering.pdf")
    assert pdf.content.startswith(b"%PDF")
    # A line's check id opens its own receipt.
    assert client.get(f"/kvittering/{body['lines'][0]['check_id']}").status_code == 200


def test_a_crew_report_reads_all_cards_in_one_query(level1, company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hmskort.api.auth import principal_for_token
    from hmskort.cards.models import Card
    from hmskort.receipts.services import crew_report_create

    numbers = [company.card.card_number, *_unknown_numbers(3000)]
    principal = principal_for_token(level1.token)
    with CaptureQueriesContext(connection) as queries:
        report = crew_report_create(numbers=numbers, api_client=principal)
    table = Card._meta.db_table
    card_reads = [q for q in queries if f'FROM "{table}"' in q["sql"]]
    assert len(card_reads) == 1
    assert report.line_count == 3001
    assert CardCheck.objects.filter(report=report).count() == 3001
    assert report.counts == {"valid": 1, "not_found": 3000}


def test_a_crew_list_over_5000_is_refused(client, level1):
    response = client.post(
        "/api/v1/crew-reports",
        {"card_numbers": [str(1000000000 + i) for i in range(5001)]},
        content_type="application/json",
        **level1.headers,
    )
    assert response.status_code == 422
    assert not CrewReport.objects.exists()


def test_the_crew_page_takes_a_pasted_list_and_needs_a_login(client, company):
    assert client.get("/kvittering/mannskap").status_code == 302
    client.force_login(User.objects.create_user("anleggsleder"))
    pasted = f"kortnummer;navn\n{company.card.card_number};Ola\n"
    response = client.post("/kvittering/mannskap", {"kortnumre": pasted})
    assert response.status_code == 302
    report = CrewReport.objects.get()
    assert response["Location"] == f"/kvittering/{report.report_id}"
    html = client.get(response["Location"]).content.decode()
    assert "Mannskapsrapport" in html or "mannskapskontroll" in html.lower()
    assert report.line_count == 1 and report.counts == {"valid": 1}


def test_a_block_flagged_elsewhere_holds_within_a_second_and_resolving_lifts_it(
    client, level1, company, settings
):
    """Each web process keeps the active blocks in memory and reads them again every
    HMSKORT_ABUSE_STATE_SECONDS: a block flagged by another process (the drainer,
    another worker) takes effect within that interval, and a caseworker resolving
    the signal lifts it."""
    import time

    from django.utils import timezone

    settings.HMSKORT_ABUSE_STATE_SECONDS = 0.2
    url = f"/api/v1/cards/{company.card.card_number}"
    assert client.get(url, **level1.headers).status_code == 200
    signal = AbuseSignal.objects.create(  # as another process would
        kind="enumeration",
        source_key=f"api:{level1.client.pk}",
        count=21,
        window_seconds=600,
        created_at=timezone.now(),
    )
    time.sleep(0.25)
    refused = client.get(url, **level1.headers)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "lookup_throttled"
    # How long to back off: the rest of the hour-long block, as header and in the body.
    wait = int(refused["Retry-After"])
    assert 3590 <= wait <= 3600 and refused.json()["error"]["retry_after"] == wait
    signal.resolved_at = timezone.now()
    signal.save()
    time.sleep(0.25)
    assert client.get(url, **level1.headers).status_code == 200


def test_many_sources_are_counted_across_drains_and_a_repeated_pair_costs_no_query(
    client, company, settings, django_assert_num_queries
):
    from hmskort.receipts import abuse

    settings.HMSKORT_ABUSE_SOURCES_PER_CARD = (4, 600)
    number = company.card.card_number

    def look_up(source: int, times: int = 1):
        for _ in range(times):
            page = client.get("/status", {"kortnummer": number}, REMOTE_ADDR=f"10.9.0.{source}")
            assert page.status_code == 200

    look_up(0, 3)
    look_up(1, 2)
    checks_flush()
    look_up(0, 2)
    look_up(1)
    checks_flush()
    # Only (card, source) pairs not seen within the window send the card to be counted.
    assert abuse.cards_with_new_sources({(number.encode(), b"ip:x")}) == [number]
    assert abuse.cards_with_new_sources({(number.encode(), b"ip:x")}) == []
    assert not AbuseSignal.objects.exists()
    look_up(2)
    look_up(0)
    checks_flush()
    assert not AbuseSignal.objects.exists()  # ip:x was never in the database: 3 sources
    look_up(3)
    checks_flush()
    signal = AbuseSignal.objects.get()
    assert signal.kind == "many_sources" and signal.count == 4
