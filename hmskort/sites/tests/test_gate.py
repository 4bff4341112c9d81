"""The gate: what a reader is told when a card is shown, and what is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hmskort.api.models import ApiLevel
from hmskort.api.services import api_client_create, api_token_issue
from hmskort.cards.models import BlockReason, CardState
from hmskort.cards.qr import LIVE_WINDOW_SECONDS, card_live_qr_token, card_qr_token
from hmskort.cards.services.lifecycle import card_block
from hmskort.checks import services as checks
from hmskort.checks.tests.helpers import employment_card
from hmskort.registers import services as registers
from hmskort.registers.tests.factories import EnhetFactory
from hmskort.sites.models import GateEvent
from hmskort.sites.services import chip_code_register, gate_reader_create, site_company_add
from hmskort.sites.tests.conftest import today

pytestmark = pytest.mark.django_db


def _events(site):
    return list(GateEvent.objects.filter(site=site).order_by("id"))


def test_valid_card_is_admitted_and_recorded(api, reader, worker_card):
    answer = reader.post(api, card_number=worker_card.card_number)
    assert answer["decision"] == "admit" and answer["reason"] == "ok"
    assert answer["card_number"] == worker_card.card_number
    [event] = _events(reader.site)
    assert event.admitted and event.card_id == worker_card.pk and event.direction == "in"


def test_second_entry_while_inside_is_refused(api, reader, worker_card):
    assert reader.post(api, card_number=worker_card.card_number)["admitted"]
    second = reader.post(api, card_number=worker_card.card_number)
    assert second["decision"] == "refuse" and second["reason"] == "already_inside"
    assert "allerede" in second["message"]
    # Once out, still refused within the anti-passback window (10 minutes) ...
    assert reader.post(api, direction="out", card_number=worker_card.card_number)["admitted"]
    again = reader.post(api, card_number=worker_card.card_number)
    assert again["reason"] == "passback_too_soon" and not again["admitted"]


def test_anti_passback_window_ends_after_n_minutes(api, reader, worker_card):
    from hmskort.sites.gate import Presented, gate_decide, reader_site

    site = reader_site(reader.client_pk)
    t0 = timezone.now() - dt.timedelta(minutes=30)
    number = Presented(card_number=worker_card.card_number)
    assert gate_decide(site=site, event_id="a", direction="in", presented=number, now=t0).admitted
    out = gate_decide(
        site=site, event_id="b", direction="out", presented=number, now=t0 + dt.timedelta(minutes=1)
    )
    assert out.admitted
    early = gate_decide(
        site=site, event_id="c", direction="in", presented=number, now=t0 + dt.timedelta(minutes=9)
    )
    assert (early.admitted, early.reason) == (False, "passback_too_soon")
    late = gate_decide(
        site=site,
        event_id="d",
        direction="in",
        presented=number,
        now=t0 + dt.timedelta(minutes=10, seconds=1),
    )
    assert (late.admitted, late.reason) == (True, "ok")


def test_retry_with_the_same_event_id_gets_the_same_answer_and_no_new_event(
    api, reader, worker_card
):
    first = reader.post(api, event_id="reader-1:0001", card_number=worker_card.card_number)
    retry = reader.post(api, event_id="reader-1:0001", card_number=worker_card.card_number)
    assert first["admitted"] and retry["admitted"]  # not "already inside"
    assert retry["replayed"] and not first["replayed"]
    assert retry["reason"] == first["reason"] and retry["at"] == first["at"]
    assert len(_events(reader.site)) == 1


def test_company_not_on_site_is_refused_until_added(api, reader):
    other = EnhetFactory()
    card = employment_card(enhet=other, active=True)
    answer = reader.post(api, card_number=card.card_number)
    assert answer["reason"] == "company_not_on_site" and not answer["admitted"]
    site_company_add(site=reader.site, orgnr=other.organisasjonsnummer, added_by="test")
    assert reader.post(api, card_number=card.card_number)["admitted"]


def test_wrong_card_type_is_refused(api, reader, contractor):
    card = employment_card(enhet=contractor, active=True, card_type="BP")
    answer = reader.post(api, card_number=card.card_number)
    assert (answer["admitted"], answer["reason"]) == (False, "wrong_card_type")


@pytest.mark.parametrize(
    ("trait", "reason"),
    [("invalid", "card_invalid"), ("expired", "card_expired"), ("blocked", "card_blocked")],
)
def test_card_status_refusals(api, reader, contractor, trait, reason):
    card = employment_card(enhet=contractor, **{trait: True})
    answer = reader.post(api, card_number=card.card_number)
    assert (answer["admitted"], answer["reason"]) == (False, reason)


def test_card_past_its_validity_date_is_refused_as_expired_before_the_nightly_job(
    api, reader, contractor
):
    card = employment_card(
        enhet=contractor, active=True, valid_until=today() - dt.timedelta(days=1)
    )
    assert reader.post(api, card_number=card.card_number)["reason"] == "card_expired"


def test_unknown_card_and_forged_tokens(api, reader):
    assert reader.post(api, card_number="0000000000")["reason"] == "card_unknown"
    assert reader.post(api, card_number="12")["reason"] == "card_unknown"
    assert reader.post(api, qr_token="not.a.token")["reason"] == "token_invalid"
    assert reader.post(api, live_token="eyJhbGciOi.x.y")["reason"] == "token_invalid"
    assert reader.post(api, chip_code="DEADBEEF")["reason"] == "card_unknown"
    assert not any(e.admitted for e in _events(reader.site))


def test_printed_qr_and_chip_code_admit(api, reader, worker_card):
    assert reader.post(api, qr_token=card_qr_token(worker_card))["admitted"]
    assert reader.post(api, direction="out", qr_token=card_qr_token(worker_card))["admitted"]
    chip_code_register(code="04:a1:b2:c3", card_number=worker_card.card_number, registered_by="t")
    with_chip = reader.post(api, chip_code="04A1B2C3")
    # Entered a moment ago: the anti-passback window applies whatever was scanned.
    assert with_chip["reason"] == "passback_too_soon"
    assert with_chip["card_number"] == worker_card.card_number


def test_live_qr_admits_within_its_window(api, reader, worker_card):
    answer = reader.post(api, live_token=card_live_qr_token(worker_card))
    assert answer["admitted"] and answer["card_number"] == worker_card.card_number
    [event] = _events(reader.site)
    assert event.method == "live_qr"


def test_copied_live_qr_older_than_its_window_is_refused(api, reader, worker_card):
    """A screenshot of the digital card's QR taken two windows ago no longer opens the gate."""
    taken = timezone.now() - dt.timedelta(seconds=3 * LIVE_WINDOW_SECONDS)
    copied = card_live_qr_token(worker_card, now=taken)
    answer = reader.post(api, live_token=copied)
    assert (answer["admitted"], answer["reason"]) == (False, "token_expired")
    assert "utløpt" in answer["message"]
    english = api.post(
        "/api/v1/gate/events",
        {"event_id": "en-1", "direction": "in", "live_token": copied},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **reader.headers,
    ).json()
    assert english["message"].startswith("The QR code has expired")
    assert not any(e.admitted for e in _events(reader.site))


def test_blocked_card_is_refused_at_the_next_gate_event(api, reader, worker_card):
    assert reader.post(api, card_number=worker_card.card_number)["admitted"]
    assert reader.post(api, direction="out", card_number=worker_card.card_number)["admitted"]
    card_block(card=worker_card, reason=BlockReason.STOLEN, actor="employer", note="stjålet")
    answer = reader.post(api, card_number=worker_card.card_number)
    assert (answer["admitted"], answer["reason"]) == (False, "card_blocked")


def test_card_invalidated_by_the_nightly_recheck_is_refused_at_the_next_gate_event(
    api, reader, worker_card
):
    assert reader.post(api, card_number=worker_card.card_number)["admitted"]
    registers.arbeidsforhold_end(
        arbeidsgiver=worker_card.employer_orgnr,
        arbeidstaker=worker_card.holder_id,
        sluttdato=today() - dt.timedelta(days=1),
    )
    run = checks.recheck_full(today=today())
    assert run.cards_changed >= 1
    worker_card.refresh_from_db()
    assert worker_card.state == CardState.INVALID
    # Leaving is never refused; the next entry is.
    assert reader.post(api, direction="out", card_number=worker_card.card_number)["admitted"]
    answer = reader.post(api, card_number=worker_card.card_number)
    assert (answer["admitted"], answer["reason"]) == (False, "card_invalid")


def test_exit_without_entry_is_let_out_and_flagged(api, reader, worker_card):
    answer = reader.post(api, direction="out", card_number=worker_card.card_number)
    assert (answer["admitted"], answer["reason"]) == (True, "exit_without_entry")


def test_site_closed_outside_its_period(api, reader, worker_card):
    site = reader.site
    site.starts_on = today() + dt.timedelta(days=1)
    site.ends_on = today() + dt.timedelta(days=2)
    site.save()
    from hmskort.sites.gate import reader_cache_clear

    reader_cache_clear()
    assert reader.post(api, card_number=worker_card.card_number)["reason"] == "site_closed"


def test_a_client_that_is_not_a_reader_gets_404(api, worker_card):
    issued = api_client_create(
        level=ApiLevel.LEVEL1, organisation_name="Ikke leser AS", approved_by="x"
    )
    token = api_token_issue(client=issued.client)
    response = api.post(
        "/api/v1/gate/events",
        {"event_id": "x", "direction": "in", "card_number": worker_card.card_number},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "reader_not_found"


def test_a_deactivated_reader_stops_working(api, reader, site, worker_card):
    from hmskort.sites.models import GateReader
    from hmskort.sites.services import gate_reader_deactivate

    gate_reader_deactivate(reader=GateReader.objects.get(site=site), actor="owner")
    from django.core.cache import cache

    cache.clear()  # the token cache (10 s in production)
    response = api.post(
        "/api/v1/gate/events",
        {"event_id": "x", "direction": "in", "card_number": worker_card.card_number},
        content_type="application/json",
        **reader.headers,
    )
    assert response.status_code == 401


def test_body_needs_exactly_one_identifier(api, reader, worker_card):
    response = api.post(
        "/api/v1/gate/events",
        {"event_id": "x", "direction": "in"},
        content_type="application/json",
        **reader.headers,
    )
    assert response.status_code == 422
    both = api.post(
        "/api/v1/gate/events",
        {
            "event_id": "x",
            "direction": "in",
            "card_number": worker_card.card_number,
            "chip_code": "AB12",
        },
        content_type="application/json",
        **reader.headers,
    )
    assert both.status_code == 422


def test_two_readers_on_one_site_share_presence(api, reader, site, worker_card):
    creds = gate_reader_create(site=site, name="Port B", created_by="test")
    token_b = api_token_issue(client=creds.reader.api_client)
    assert reader.post(api, card_number=worker_card.card_number)["admitted"]
    answer = api.post(
        "/api/v1/gate/events",
        {"event_id": "b-1", "direction": "in", "card_number": worker_card.card_number},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_b}",
    ).json()
    assert answer["reason"] == "already_inside"


def test_gate_events_cannot_be_edited(api, reader, worker_card):
    reader.post(api, card_number=worker_card.card_number)
    event = GateEvent.objects.get()
    event.at = timezone.now() - dt.timedelta(hours=3)
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        GateEvent.objects.update(at=timezone.now())
    with pytest.raises(ValueError):
        GateEvent.objects.all().delete()


def test_decision_query_count_is_small(api, reader, worker_card, django_assert_max_num_queries):
    reader.post(api, card_number="0000000000")  # warm the token and reader caches
    with django_assert_max_num_queries(8):
        assert reader.post(api, card_number=worker_card.card_number)["admitted"]
