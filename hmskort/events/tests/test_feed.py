"""GET /api/v1/events: paging with after=, and each client sees only its cards' events."""

from __future__ import annotations

import pytest
from django.test import Client

from hmskort.api.models import ApiLevel
from hmskort.api.services import api_client_create, api_token_issue
from hmskort.cards.models import BlockReason
from hmskort.cards.services.lifecycle import card_block
from hmskort.checks.tests.helpers import employment_card
from hmskort.events.models import CardEvent
from hmskort.events.services import events_dispatch_all, subscriber_create
from hmskort.registers.tests.factories import EnhetFactory

pytestmark = pytest.mark.django_db


def _token(level: str, orgnr: str = "") -> str:
    issued = api_client_create(
        level=level, organisation_name="Klient AS", orgnr=orgnr, approved_by="x"
    )
    return api_token_issue(client=issued.client)


def _feed(api: Client, token: str, **params) -> dict:
    response = api.get("/api/v1/events", params, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def two_companies(contractor):
    """Three blocked cards of the contractor (on the site) and two of an outsider."""
    outsider = EnhetFactory()
    mine = [employment_card(enhet=contractor, active=True) for _ in range(3)]
    theirs = [employment_card(enhet=outsider, active=True) for _ in range(2)]
    for card in mine + theirs:
        card_block(card=card, reason=BlockReason.LOST, actor="x")
    events_dispatch_all()
    return mine, theirs, outsider


def test_level2_client_sees_only_its_company(api, two_companies):
    mine, theirs, outsider = two_companies
    feed = _feed(api, _token(ApiLevel.LEVEL2, outsider.organisasjonsnummer))
    assert [i["card_number"] for i in feed["items"]] == [c.card_number for c in theirs]
    assert all(i["status"] == "blocked" and not i["valid"] for i in feed["items"])


@pytest.fixture
def site_vendor(site) -> str:
    """A level-1 client (an access-control vendor) subscribed to the site: its token."""
    issued = api_client_create(level=ApiLevel.LEVEL1, organisation_name="Vendor", approved_by="x")
    subscriber_create(
        name="Vendor",
        url="https://vendor.example/hook",
        site_ids=[site.pk],
        api_client=issued.client,
    )
    return api_token_issue(client=issued.client)


def test_site_subscriber_sees_the_site_companies_and_pages(api, site_vendor, two_companies):
    mine, _, _ = two_companies
    first = _feed(api, site_vendor, after=0, limit=2)
    assert [i["card_number"] for i in first["items"]] == [c.card_number for c in mine[:2]]
    assert first["has_more"] is True
    second = _feed(api, site_vendor, after=first["next_after"], limit=2)
    assert [i["card_number"] for i in second["items"]] == [mine[2].card_number]
    assert second["has_more"] is False
    empty = _feed(api, site_vendor, after=second["next_after"])
    assert empty == {"items": [], "next_after": second["next_after"], "has_more": False}


def test_gate_reader_cannot_read_the_feed(api, reader, two_companies):
    """A reader's token has only the gate scope: it posts gate events and nothing else."""
    response = api.get("/api/v1/events", **reader.headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_plain_level1_client_sees_nothing_but_a_subscriber_sees_its_scope(api, two_companies):
    mine, theirs, outsider = two_companies
    issued = api_client_create(level=ApiLevel.LEVEL1, organisation_name="Vendor", approved_by="x")
    token = api_token_issue(client=issued.client)
    assert _feed(api, token)["items"] == []
    subscriber_create(
        name="Vendor",
        url="https://vendor.example/hook",
        orgnrs=[outsider.organisasjonsnummer],
        api_client=issued.client,
    )
    assert [i["card_number"] for i in _feed(api, token)["items"]] == [c.card_number for c in theirs]


def test_events_appear_in_the_feed_only_once_dispatched_in_commit_order(
    api, site_vendor, worker_card, contractor
):
    card_block(card=worker_card, reason=BlockReason.LOST, actor="x")
    assert _feed(api, site_vendor)["items"] == []  # written, not yet dispatched
    events_dispatch_all()
    [item] = _feed(api, site_vendor)["items"]
    later = employment_card(enhet=contractor, active=True)
    card_block(card=later, reason=BlockReason.LOST, actor="x")
    events_dispatch_all()
    feed = _feed(api, site_vendor, after=item["seq"])
    assert [i["card_number"] for i in feed["items"]] == [later.card_number]
    seqs = list(CardEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free


def test_feed_rejects_bad_paging(api, site_vendor):
    response = api.get("/api/v1/events", {"limit": 0}, HTTP_AUTHORIZATION=f"Bearer {site_vendor}")
    assert response.status_code == 422
    assert api.get("/api/v1/events").status_code == 401
