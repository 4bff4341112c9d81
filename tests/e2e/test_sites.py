"""Issue 7 in a real browser: a main contractor registers a construction site,
adds a subcontractor and a gate reader, and sees the crew list built from the
gate's events (which nobody can edit)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmskort.cards.tests.factories import card_for_employment
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RolleFactory,
)
from tests.e2e.helpers import log_in_with_testid, shot

pytestmark = pytest.mark.e2e


def test_register_a_site_and_see_the_crew_list(page, portal_settings):
    contractor = EnhetFactory(navn="HOVEDENTREPRENØR BYGG AS")
    subcontractor = EnhetFactory(navn="RØRLEGGER UNDER AS")
    owner = PersonFactory(fornavn="Siri", etternavn="Sjef")
    RolleFactory(enhet=contractor, person=owner, rolletype=rm.RolleType.DAGL)
    worker = ArbeidsforholdFactory(
        arbeidsgiver=subcontractor, arbeidstaker=PersonFactory(fornavn="Rolf", etternavn="Rør")
    )
    card = card_for_employment(worker, active=True)
    orgnr = contractor.organisasjonsnummer

    log_in_with_testid(page, owner.identifikator)
    page.goto(f"/portal/v/{orgnr}/byggeplasser")
    expect(page.get_by_role("heading", name="Byggeplasser")).to_be_visible()
    page.get_by_role("link", name="Registrer byggeplass").click()
    today = timezone.localdate()
    page.get_by_label("Navn på byggeplassen").fill("Kvartal 7 Bjørvika")
    page.get_by_label("Adresse").fill("Dronning Eufemias gate 7, 0191 Oslo")
    page.get_by_label("Byggherre", exact=True).fill("Bjørvika Eiendom AS")
    page.get_by_label("Fra dato").fill(today.isoformat())
    page.get_by_label("Til dato").fill((today + dt.timedelta(days=180)).isoformat())
    page.get_by_label("Sperretid etter inngang (minutter)").fill("5")
    page.get_by_role("button", name="Registrer", exact=True).click()
    expect(page.get_by_role("heading", name="Kvartal 7 Bjørvika")).to_be_visible()

    # The subcontractor, verified against Enhetsregisteret.
    page.get_by_label("Organisasjonsnummer").fill(subcontractor.organisasjonsnummer)
    page.get_by_role("button", name="Legg til virksomhet").click()
    expect(page.get_by_role("cell", name="RØRLEGGER UNDER AS", exact=True)).to_be_visible()

    # A gate reader: its secret is shown once.
    page.get_by_label("Navn på portleseren").fill("Hovedport")
    page.get_by_role("button", name="Opprett portleser").click()
    expect(page.get_by_text("Hemmeligheten vises bare denne ene gangen.")).to_be_visible()
    expect(page.get_by_test_id("secret")).not_to_be_empty()
    page.get_by_role("link", name="Tilbake til byggeplassen").click()

    # Rolf checks in and out at the gate (the reader's decisions are the record).
    from hmskort.sites.gate import Presented, gate_decide, reader_site
    from hmskort.sites.models import GateReader

    reader = GateReader.objects.get(name="Hovedport")
    site = reader_site(reader.api_client_id)
    at = timezone.make_aware(dt.datetime.combine(today, dt.time(7, 15)))
    for i, (direction, when) in enumerate([("in", at), ("out", at + dt.timedelta(hours=8))]):
        decision = gate_decide(
            site=site,
            event_id=f"e2e-{i}",
            direction=direction,
            presented=Presented(card_number=card.card_number),
            now=when,
        )
        assert decision.admitted

    page.get_by_role("link", name="Oversiktsliste").click()
    crew = page.get_by_test_id("crew-list")
    expect(crew).to_contain_text("Rolf Rør")
    expect(crew).to_contain_text(card.card_number)
    expect(crew).to_contain_text("RØRLEGGER UNDER AS")
    expect(crew).to_contain_text("07:15")
    expect(crew).to_contain_text("15:15")
    expect(page.get_by_role("link", name="Last ned PDF")).to_be_visible()
    shot(page, "sites-crew-list")
