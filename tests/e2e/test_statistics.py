"""Issue 8 in a real browser: a caseworker opens the statistics and sees the charts."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmskort.cards.models import ActorType, Card, CardState
from hmskort.cards.numbers import new_card_number
from hmskort.cards.services.transitions import card_insert, card_transition
from hmskort.cards.tests.factories import CardFactory
from hmskort.registers.tests.factories import ArbeidsforholdFactory
from tests.e2e.helpers import admin_login, shot, staff_user

pytestmark = pytest.mark.e2e


def test_the_statistics_page_shows_charts_and_the_monthly_report(page, fast_passwords):
    staff_user("statistikk-e2e")
    for card_type in ("BA", "BA", "BA", "RH", "BP"):
        CardFactory(card_type=card_type, active=True)
    CardFactory(card_type="BA", invalid=True)
    # Orders this month: two effectuated, one rejected (the order charts read the history).
    for outcome in (CardState.IN_PRODUCTION, CardState.IN_PRODUCTION, CardState.REJECTED):
        employment = ArbeidsforholdFactory()
        card = card_insert(
            card=Card(
                card_number=new_card_number(),
                card_type="BA",
                employer_orgnr=employment.arbeidsgiver.organisasjonsnummer,
                employer_name=employment.arbeidsgiver.navn,
                holder_id=employment.arbeidstaker.identifikator,
                holder_name=employment.arbeidstaker.fulltnavn,
                state_changed_at=timezone.now(),
            ),
            actor_type=ActorType.USER,
            actor="bestiller",
        )
        reasons = ["EMPLOYMENT_NOT_REGISTERED"] if outcome == CardState.REJECTED else []
        card_transition(card=card, to_state=outcome, reason_codes=reasons, actor_type=ActorType.JOB)

    page.goto("/analyse/statistikk/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    admin_login(page, "statistikk-e2e")
    expect(page).to_have_url(re.compile(r"/analyse/statistikk/$"))

    charts = page.locator("main svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3, f"expected at least three charts, found {charts.count()}"
    for i in range(3):
        # Every chart is accessible: an image with its own title (and its figures in a table too).
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        assert chart.locator(":scope > title").count() == 1
    assert page.locator("main table").count() >= 3
    shot(page, "statistics")

    # The monthly report, fetched with the page's session (Chromium would open it in a viewer).
    form = page.locator("form", has=page.get_by_role("button", name="Månedsrapport (PDF)"))
    month = form.get_by_label("Måned").input_value()
    response = page.request.get(f"{form.get_attribute('action')}?month={month}")
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    pdf = response.body()
    assert pdf[:5] == b"%PDF-" and b"/Type /Page" in pdf
