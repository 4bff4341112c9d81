"""Inspectors find a worker by fødselsnummer / D-nummer: all employers and cards."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from hmskort.core.models import AuditEvent
from hmskort.registers.tests.factories import OppdragArbeidstakerFactory


@pytest.fixture
def inspector_client(client, db):
    user = User.objects.create_user("inspektor.hansen", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Arbeidstilsynet")[0])
    client.force_login(user)
    return client


def test_an_inspector_sees_all_employers_and_cards_and_the_search_is_logged(
    inspector_client, worker, other
):
    response = inspector_client.post(
        "/tilsyn/person/", {"fnr": worker.pid, "formal": "Tilsyn 2026/42"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    result = html.split('data-testid="person-result"', 1)[1]
    assert worker.person.fulltnavn in result
    for card in worker.cards:
        assert card.card_number in result
        assert card.employer_name in result
        # A link to the card page carries the purpose on.
        assert f"/tilsyn/kort/{card.card_number}?formal=Tilsyn%202026/42" in result
    assert "Gyldig" in result
    assert other.cards[0].card_number not in html
    event = AuditEvent.objects.get(action="inspector_person_search")
    assert event.subject_id == worker.pid
    assert event.actor == "inspektor.hansen" and event.actor_type == "inspector"
    assert event.purpose == "Tilsyn 2026/42"
    assert event.detail == {"agency": "Arbeidstilsynet", "found": True}
    assert worker.pid not in event.object_id  # masked
    assert response["Cache-Control"] == "no-store, private"


def test_a_posted_worker_shows_the_foreign_employer_from_oar(inspector_client):
    posted = OppdragArbeidstakerFactory()
    response = inspector_client.post(
        "/tilsyn/person/", {"fnr": posted.arbeidstaker.identifikator, "formal": "T-1"}
    )
    employers = response.content.decode().split('data-testid="employers"', 1)[1]
    assert "OAR" in employers
    assert posted.oppdrag.oppdragstaker.navn in employers


def test_the_purpose_is_required_and_nothing_is_shown_without_it(inspector_client, worker):
    response = inspector_client.post("/tilsyn/person/", {"fnr": worker.pid, "formal": " "})
    assert response.status_code == 422
    assert worker.person.fulltnavn not in response.content.decode()
    assert not AuditEvent.objects.filter(action="inspector_person_search").exists()


def test_a_malformed_number_gets_a_clear_error(inspector_client, db):
    response = inspector_client.post("/tilsyn/person/", {"fnr": "12345678901", "formal": "T-1"})
    assert response.status_code == 422
    assert "ikke et gyldig fødselsnummer" in response.content.decode()


def test_an_unknown_person_is_logged_as_not_found(inspector_client, db):
    import datetime as dt

    from hmskort.registers.identifiers import valid_fnr

    pid = valid_fnr(dt.date(1985, 5, 17), 123)
    response = inspector_client.post("/tilsyn/person/", {"fnr": pid, "formal": "T-2"})
    assert "Fant ingen person" in response.content.decode()
    assert AuditEvent.objects.get(action="inspector_person_search").detail["found"] is False


def test_non_inspectors_are_refused(client, worker):
    assert client.get("/tilsyn/person/").status_code == 302  # anonymous: log in
    client.force_login(worker.user)  # a worker, not an inspector
    assert client.post("/tilsyn/person/", {"fnr": worker.pid, "formal": "x"}).status_code == 403
    staff = User.objects.create_user("saksbehandler", is_staff=True)
    client.force_login(staff)
    assert client.get("/tilsyn/person/").status_code == 403
    assert not AuditEvent.objects.filter(action="inspector_person_search").exists()


def test_the_search_shows_in_the_workers_own_data(inspector_client, worker, client):
    inspector_client.post("/tilsyn/person/", {"fnr": worker.pid, "formal": "Tilsyn 2026/42"})
    inspector_client.logout()
    client.force_login(worker.user)
    lookups = client.get("/mine-data/").content.decode().split('data-testid="lookups"', 1)[1]
    assert "Søkte etter deg på fødselsnummer" in lookups
    assert "Arbeidstilsynet" in lookups
    assert "inspektor.hansen" not in lookups


def test_the_inspector_sees_the_photo_and_each_look_is_logged(inspector_client, worker):
    from hmskort.wallet.tests.factories import PHOTO_BYTES, upload_for

    upload = upload_for(worker.cards[1])
    html = inspector_client.post(
        "/tilsyn/person/", {"fnr": worker.pid, "formal": "Tilsyn 2026/42"}
    ).content.decode()
    url = f"/tilsyn/person/bilde/{upload.pk}?formal=Tilsyn%202026/42"
    assert url in html
    response = inspector_client.get(url)
    assert b"".join(response.streaming_content) == PHOTO_BYTES
    event = AuditEvent.objects.get(object_type="portal.uploadset.photo")
    assert event.subject_id == worker.pid and event.purpose == "Tilsyn 2026/42"
    # Without a purpose: nothing.
    assert inspector_client.get(f"/tilsyn/person/bilde/{upload.pk}").status_code == 404
    inspector_client.logout()
    inspector_client.force_login(worker.user)
    assert inspector_client.get(url).status_code == 403
