"""The main contractor's and the inspector's pages: registering a site, the crew
list (matches the gate events, exports, audit log) and working hours."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from hmskort.core.models import AuditEvent
from hmskort.registers.tests.factories import EnhetFactory
from hmskort.sites import selectors
from hmskort.sites.gate import Presented, gate_decide, reader_site
from hmskort.sites.models import GateReader, Site, SiteCompany
from hmskort.sites.tests.conftest import today

pytestmark = pytest.mark.django_db


def _url(name: str, site: Site, **kw) -> str:
    return reverse(f"sites:{name}", kwargs={"orgnr": site.owner_orgnr, "site_id": site.pk, **kw})


def test_owner_registers_a_site(owner_client, contractor):
    orgnr = contractor.organisasjonsnummer
    start = today()
    response = owner_client.post(
        reverse("sites:site_create", kwargs={"orgnr": orgnr}),
        {
            "name": "Fjordbyen skole",
            "address": "Skolegata 1, 5003 Bergen",
            "builder_name": "Bergen kommune",
            "builder_orgnr": "",
            "starts_on": start.isoformat(),
            "ends_on": (start + dt.timedelta(days=200)).isoformat(),
            "required_industry": "BA",
            "anti_passback_minutes": "15",
        },
    )
    site = Site.objects.get(name="Fjordbyen skole")
    assert response.status_code == 302 and response.url == _url("site", site)
    assert site.owner_orgnr == orgnr and site.anti_passback_minutes == 15
    assert list(site.companies.values_list("orgnr", flat=True)) == [orgnr]
    page = owner_client.get(reverse("sites:sites", kwargs={"orgnr": orgnr}))
    assert "Fjordbyen skole" in page.content.decode()


def test_bad_site_form_keeps_what_was_typed(owner_client, contractor):
    response = owner_client.post(
        reverse("sites:site_create", kwargs={"orgnr": contractor.organisasjonsnummer}),
        {
            "name": "Kaia",
            "address": "Kaiveien 2",
            "builder_name": "Havn KF",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
            "required_industry": "BA",
            "anti_passback_minutes": "10",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Til-dato kan ikke være før fra-dato" in body
    assert 'value="Kaiveien 2"' in body
    assert not Site.objects.exists()


def test_add_company_verified_against_enhetsregisteret(owner_client, site):
    sub = EnhetFactory(navn="Underentreprenør Rør AS")
    ok = owner_client.post(_url("company_add", site), {"orgnr": sub.organisasjonsnummer})
    assert ok.status_code == 302
    assert SiteCompany.objects.filter(site=site, orgnr=sub.organisasjonsnummer).exists()
    bad = owner_client.post(_url("company_add", site), {"orgnr": "123456789"})
    assert bad.status_code == 422 and "gyldig organisasjonsnummer" in bad.content.decode()
    unknown = owner_client.post(_url("company_add", site), {"orgnr": "999999999"})
    assert unknown.status_code == 422 and "Enhetsregisteret" in unknown.content.decode()


def test_reader_credentials_shown_once(owner_client, site):
    response = owner_client.post(_url("reader_create", site), {"name": "Hovedport"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    reader = GateReader.objects.get(site=site)
    body = response.content.decode()
    assert reader.api_client.application.client_id in body
    assert "vises bare denne ene gangen" in body
    detail = owner_client.get(_url("site", site)).content.decode()
    assert "Hovedport" in detail
    # The secret is stored hashed only, never shown again.
    secret = body.split('data-testid="secret">', 1)[1].split("<", 1)[0]
    assert secret and secret not in detail


def test_another_company_cannot_see_the_site(client, site):
    from hmskort.identity.tests.factories import portal_user
    from hmskort.registers import models as rm
    from hmskort.registers.tests.factories import PersonFactory, RolleFactory

    other = EnhetFactory()
    person = PersonFactory()
    RolleFactory(enhet=other, person=person, rolletype=rm.RolleType.DAGL)
    client.force_login(portal_user(person.identifikator, name=person.fulltnavn))
    url = reverse("sites:crew", kwargs={"orgnr": other.organisasjonsnummer, "site_id": site.pk})
    assert client.get(url).status_code == 404


def _pass(site_reader, card, direction: str, at: dt.datetime, event_id: str):
    return gate_decide(
        site=site_reader,
        event_id=event_id,
        direction=direction,
        presented=Presented(card_number=card.card_number),
        now=at,
    )


def _morning(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today(), dt.time(hour, minute)))


def test_crew_list_matches_the_gate_events(owner_client, reader, worker_card, contractor):
    from hmskort.checks.tests.helpers import employment_card

    other_card = employment_card(enhet=contractor, active=True)
    refused_company = EnhetFactory()
    outsider = employment_card(enhet=refused_company, active=True)
    rs = reader_site(reader.client_pk)
    assert _pass(rs, worker_card, "in", _morning(7), "1").admitted
    assert _pass(rs, other_card, "in", _morning(7, 5), "2").admitted
    assert not _pass(rs, outsider, "in", _morning(7, 6), "3").admitted  # not on the list
    assert _pass(rs, worker_card, "out", _morning(11), "4").admitted
    assert _pass(rs, worker_card, "in", _morning(11, 30), "5").admitted
    assert _pass(rs, worker_card, "out", _morning(15, 30), "6").admitted

    lines = selectors.crew_list(reader.site, today())
    assert sorted(line.card_number for line in lines) == sorted(
        [worker_card.card_number, other_card.card_number]
    )
    mine = next(line for line in lines if line.card_number == worker_card.card_number)
    assert mine.ins == [_morning(7), _morning(11, 30)] and mine.outs == [
        _morning(11),
        _morning(15, 30),
    ]
    assert mine.name == worker_card.holder_name and mine.birth_date is not None

    page = owner_client.get(_url("crew", reader.site), {"dag": today().isoformat()})
    body = page.content.decode()
    assert page.status_code == 200
    assert worker_card.holder_name in body and outsider.holder_name not in body
    assert "07:00" in body and "15:30" in body and mine.birth_date.strftime("%d.%m.%Y") in body

    export = owner_client.get(_url("crew_csv", reader.site), {"dag": today().isoformat()})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Navn", "Fødselsdato", "HMS-kortnummer"]
    row = next(r for r in rows[1:] if r[2] == worker_card.card_number)
    assert row[5] == "07:00 11:30" and row[6] == "11:00 15:30"
    assert len(rows) == 3

    pdf = owner_client.get(_url("crew_pdf", reader.site), {"dag": today().isoformat()})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # Every look at the list is logged, one row per person shown.
    logged = AuditEvent.objects.filter(
        object_type="sites.site", object_id=str(reader.site.pk), action__startswith="crew"
    )
    assert set(logged.values_list("action", flat=True)) == {"crew_list_view", "crew_list_export"}
    assert set(logged.values_list("subject_id", flat=True)) == {
        worker_card.holder_id,
        other_card.holder_id,
    }


def test_there_is_no_way_to_edit_times(owner_client, reader, worker_card):
    """No URL of the site pages accepts a change to a gate event."""
    from hmskort.sites import urls

    names = {p.name for p in urls.urlpatterns}
    assert not any("edit" in n or "endre" in n or "event" in n for n in names)


def test_working_hours_pairs_and_unmatched(owner_client, reader, worker_card):
    rs = reader_site(reader.client_pk)
    _pass(rs, worker_card, "out", _morning(6), "0")  # exit without entry
    _pass(rs, worker_card, "in", _morning(7), "1")
    _pass(rs, worker_card, "out", _morning(11), "2")
    _pass(rs, worker_card, "in", _morning(11, 30), "3")  # never leaves
    [worker] = selectors.working_hours(reader.site, today(), today())
    assert [(s.entered, s.left) for s in worker.stints] == [
        (None, _morning(6)),
        (_morning(7), _morning(11)),
        (_morning(11, 30), None),
    ]
    assert worker.total == dt.timedelta(hours=4) and worker.unmatched == 2
    page = owner_client.get(_url("hours", reader.site))
    body = page.content.decode()
    assert page.status_code == 200 and "4,0" in body and "mangler" in body
    assert AuditEvent.objects.filter(
        action="working_hours_view", subject_id=worker_card.holder_id
    ).exists()


@pytest.fixture
def inspector(client):
    user = User.objects.create_user("inspektor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Arbeidstilsynet"))
    client.force_login(user)
    return client


def test_inspector_sees_sites_crew_and_hours(inspector, reader, worker_card):
    rs = reader_site(reader.client_pk)
    _pass(rs, worker_card, "in", _morning(7), "1")
    _pass(rs, worker_card, "out", _morning(15), "2")
    listing = inspector.get(reverse("sites:inspector_sites"), {"q": reader.site.owner_orgnr})
    assert reader.site.name in listing.content.decode()
    crew = inspector.get(reverse("sites:inspector_crew", kwargs={"site_id": reader.site.pk}))
    assert worker_card.card_number in crew.content.decode()
    hours = inspector.get(reverse("sites:inspector_hours", kwargs={"site_id": reader.site.pk}))
    assert "8,0" in hours.content.decode()
    logged = AuditEvent.objects.filter(actor_type="inspector", subject_id=worker_card.holder_id)
    assert set(logged.values_list("action", flat=True)) == {"crew_list_view", "working_hours_view"}


def test_non_inspector_staff_is_refused(client, site):
    user = User.objects.create_user("saksbehandler", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("sites:inspector_sites")).status_code == 403
