import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from hmskort.core.models import AuditEvent

RISK = "intelligence:risk_list"
STAFF_PAGES = [
    "intelligence:index",
    "intelligence:statistics",
    "intelligence:monthly_report",
    "intelligence:followup",
    "intelligence:vat_export",
]


@pytest.mark.parametrize("name", [RISK, "intelligence:risk_list_csv", *STAFF_PAGES])
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", [RISK, "intelligence:risk_list_csv", *STAFF_PAGES])
def test_non_staff_is_refused(client, plain_user, name):
    client.force_login(plain_user)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", [RISK, "intelligence:risk_list_csv"])
def test_staff_who_is_not_an_inspector_cannot_see_the_risk_list(client, staff_user, name):
    client.force_login(staff_user)
    assert client.get(reverse(name)).status_code == 403


def test_inspector_sees_the_ranked_explained_list_and_it_is_audited(client, inspector, planted):
    client.force_login(inspector)
    response = client.get(reverse(RISK), {"pattern": "nace_mismatch"})
    assert response.status_code == 200
    html = response.content.decode()
    assert planted["nace_mismatch"].organisasjonsnummer in html
    assert "En renholdsvirksomhet kan bare få RH-kort." in html
    assert planted["no_cards"].organisasjonsnummer not in html
    event = AuditEvent.objects.get(action="view", object_type="intelligence.risk_list")
    assert event.actor == "inspektor" and event.purpose
    assert event.detail["pattern"] == "nace_mismatch"


def test_risk_list_csv_export(client, inspector, planted):
    client.force_login(inspector)
    response = client.get(reverse("intelligence:risk_list_csv"), {"county": "03"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    orgnrs = [r["organisasjonsnummer"] for r in rows]
    assert planted["no_cards"].organisasjonsnummer in orgnrs
    assert planted["nace_mismatch"].organisasjonsnummer not in orgnrs  # Bergen, filtered out
    assert [int(r["rang"]) for r in rows] == list(range(1, len(rows) + 1))
    scores = [int(r["poengsum"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(r["forklaring"] for r in rows)
    assert AuditEvent.objects.filter(action="export", object_type="intelligence.risk_list").exists()


def test_statistics_page_renders_accessible_charts(client, staff_user, planted):
    client.force_login(staff_user)
    response = client.get(reverse("intelligence:statistics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") >= 3
    assert html.count("<title id=") >= 3 and html.count("<desc id=") >= 3
    assert html.count('class="ds-table intelligence-table chart-table"') >= 3
    assert "Andel foretak med minst ett HMS-kort" in html
    assert AuditEvent.objects.filter(object_type="intelligence.statistics").exists()


def test_checks_chart_says_no_data_yet_without_check_records(client, staff_user, db):
    client.force_login(staff_user)
    html = client.get(reverse("intelligence:statistics")).content.decode()
    assert "Statuskontroller per dag etter kanal" in html
    assert "Ingen data ennå." in html


def test_monthly_report_is_a_pdf_with_pages(client, staff_user, planted):
    client.force_login(staff_user)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.get(reverse("intelligence:monthly_report"), {"month": month})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.content.count(b"/Type /Page\n") + response.content.count(b"/Type /Page ") >= 1
    assert AuditEvent.objects.get(object_type="intelligence.monthly_report").object_id == month


def test_followup_page_lists_cleaning_companies(client, staff_user, db):
    from .test_followup import cleaning_companies

    ready, waiting = cleaning_companies()
    client.force_login(staff_user)
    html = client.get(reverse("intelligence:followup")).content.decode()
    ready_table = html.split('id="cleaning-ready"')[1].split("</table>")[0]
    waiting_table = html.split('id="cleaning-waiting"')[1].split("</table>")[0]
    assert ready.organisasjonsnummer in ready_table
    assert waiting.organisasjonsnummer in waiting_table


def test_vat_export_csv(client, staff_user, db):
    from hmskort.registers.tests.factories import MvaEgenerklaeringFactory

    today = timezone.localdate()
    declared = MvaEgenerklaeringFactory(erklaert_dato=today.replace(day=1))
    client.force_login(staff_user)
    response = client.get(reverse("intelligence:vat_export"), {"month": today.strftime("%Y-%m")})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r["organisasjonsnummer"], r["status"]) for r in rows] == [(declared.enhet_id, "ny")]
    event = AuditEvent.objects.get(object_type="intelligence.vat_self_declarations")
    assert event.detail == {"rows": 1}
    assert dt.date.fromisoformat(rows[0]["erklaert_dato"]) == today.replace(day=1)
