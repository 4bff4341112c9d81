"""Webhook URLs cannot point at internal addresses (SSRF): refused when a main
contractor registers one in the portal, and again before every delivery.

The other webhook tests post to a receiver on 127.0.0.1, which the default
(HMSKORT_WEBHOOK_ALLOW_PRIVATE true outside production) allows; these tests
switch it off. DNS is replaced by a table (`dns`), so nothing here depends on
the network."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket

import pytest
from django.urls import reverse

from hmskort.cards.models import BlockReason
from hmskort.cards.services.lifecycle import card_block
from hmskort.events import targets
from hmskort.events.models import DeliveryStatus, Subscriber, WebhookDelivery
from hmskort.events.services import (
    InvalidSubscriber,
    events_dispatch_all,
    subscriber_create,
    webhooks_deliver,
)
from hmskort.events.targets import WebhookUrlRefused, is_internal, webhook_url_check
from hmskort.events.tests.receiver import Receiver

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"
_real_getaddrinfo = socket.getaddrinfo


@pytest.fixture
def no_private(settings):
    settings.HMSKORT_WEBHOOK_ALLOW_PRIVATE = False
    settings.HMSKORT_WEBHOOK_BACKOFF_BASE = dt.timedelta(0)
    return settings


class FakeDns:
    """host -> list of addresses (or a callable giving them, per call); IP
    literals and unknown names fall through to the real resolver."""

    def __init__(self):
        self.names: dict[str, object] = {}
        self.calls: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        host = host.decode() if isinstance(host, bytes) else host
        entry = self.names.get(host)
        if entry is None:
            try:
                ipaddress.ip_address(host.split("%", 1)[0])
            except ValueError:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.calls.append(host)
        addresses = entry() if callable(entry) else entry
        out = []
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            out.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
        return out


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


# --- the address rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    ],
)
def test_internal_addresses(address):
    assert is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses(address):
    assert not is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379",
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:7f00:1]/hook",
        "http://10.1.2.3:8080/hook",
        "https://0.0.0.0/",
    ],
)
def test_internal_ip_urls_are_refused(no_private, dns, url):
    with pytest.raises(WebhookUrlRefused) as refused:
        webhook_url_check(url)
    assert refused.value.code == "webhook_url_internal"
    assert "intern adresse" in refused.value.message


def test_names_resolving_to_internal_addresses_are_refused(no_private, dns):
    dns.names["localhost"] = ["127.0.0.1", "::1"]
    dns.names["intern.leverandor.example"] = ["10.20.30.40"]
    dns.names["blandet.leverandor.example"] = [PUBLIC, "192.168.0.10"]  # one private is enough
    for host, address in (
        ("localhost", "127.0.0.1"),
        ("intern.leverandor.example", "10.20.30.40"),
        ("blandet.leverandor.example", "192.168.0.10"),
    ):
        with pytest.raises(WebhookUrlRefused) as refused:
            webhook_url_check(f"https://{host}/hook")
        assert refused.value.code == "webhook_url_internal"
        assert refused.value.address == address


def test_public_name_is_accepted_and_public_ip_literal_is_not(no_private, dns):
    dns.names["hooks.leverandor.example"] = [PUBLIC]
    webhook_url_check("https://hooks.leverandor.example/hms")
    with pytest.raises(WebhookUrlRefused) as refused:
        webhook_url_check(f"https://{PUBLIC}/hms")
    assert refused.value.code == "webhook_url_ip_literal"


def test_unresolvable_and_malformed_urls_are_refused(no_private, dns):
    with pytest.raises(WebhookUrlRefused) as refused:
        webhook_url_check("https://finnes-ikke.leverandor.example/hook")
    assert refused.value.code == targets.UNRESOLVED
    assert "Fant ikke vertsnavnet" in refused.value.message
    for url in ("ftp://hooks.leverandor.example/", "file:///etc/passwd", "https:///nohost", ""):
        with pytest.raises(WebhookUrlRefused):
            webhook_url_check(url)


def test_production_requires_https_and_refuses_private_by_default(settings, dns):
    settings.HMSKORT_ENVIRONMENT = "production"
    if hasattr(settings, "HMSKORT_WEBHOOK_ALLOW_PRIVATE"):
        del settings.HMSKORT_WEBHOOK_ALLOW_PRIVATE
    dns.names["hooks.leverandor.example"] = [PUBLIC]
    assert targets.private_targets_allowed() is False
    with pytest.raises(WebhookUrlRefused) as refused:
        webhook_url_check("http://hooks.leverandor.example/hms")
    assert refused.value.code == "webhook_url_scheme"
    with pytest.raises(WebhookUrlRefused):
        webhook_url_check("https://127.0.0.1/hms")
    webhook_url_check("https://hooks.leverandor.example/hms")


def test_outside_production_private_targets_are_allowed_by_default(settings):
    settings.HMSKORT_ENVIRONMENT = "development"
    if hasattr(settings, "HMSKORT_WEBHOOK_ALLOW_PRIVATE"):
        del settings.HMSKORT_WEBHOOK_ALLOW_PRIVATE
    assert targets.private_targets_allowed() is True
    webhook_url_check("http://127.0.0.1:8000/hooks")


def test_service_refuses_and_creates_nothing(no_private, dns):
    with pytest.raises(InvalidSubscriber) as refused:
        subscriber_create(name="x", url="http://127.0.0.1:6379", orgnrs=["912345678"])
    assert refused.value.code == "webhook_url_internal"
    assert refused.value.extra["fields"]["url"]
    assert not Subscriber.objects.exists()


# --- the portal form -----------------------------------------------------------------


def _subscribe(owner_client, site, url: str):
    return owner_client.post(
        reverse("sites:subscriber_create", kwargs={"orgnr": site.owner_orgnr, "site_id": site.pk}),
        {"name": "Adgangskontroll AS", "url": url},
    )


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("http://127.0.0.1:6379", "http://127.0.0.1:6379"),
        ("http://169.254.169.254/latest/meta-data/", "http://169.254.169.254/latest/meta-data/"),
        ("https://intern.leverandor.example/hook", "https://intern.leverandor.example/hook"),
    ],
)
def test_portal_form_refuses_internal_address_in_norwegian_and_keeps_what_was_typed(
    no_private, dns, owner_client, site, typed, shown
):
    dns.names["intern.leverandor.example"] = ["10.0.0.7"]
    response = _subscribe(owner_client, site, typed)
    assert response.status_code == 422
    html = response.content.decode()
    assert "er en intern adresse" in html
    assert "Webhooks kan bare sendes til offentlige adresser på internett" in html
    assert f'value="{shown}"' in html  # what was typed is kept
    assert 'value="Adgangskontroll AS"' in html
    assert 'aria-invalid="true"' in html
    assert not Subscriber.objects.exists()


def test_portal_form_accepts_a_public_receiver(no_private, dns, owner_client, site):
    dns.names["hooks.leverandor.example"] = [PUBLIC]
    response = _subscribe(owner_client, site, "https://hooks.leverandor.example/hms")
    assert response.status_code == 200
    assert Subscriber.objects.get().url == "https://hooks.leverandor.example/hms"


def test_admin_form_refuses_internal_address(no_private, dns):
    from hmskort.events.admin import SubscriberAdminForm

    form = SubscriberAdminForm(
        data={"name": "x", "url": "http://169.254.169.254/", "active": "on", "orgnrs": "[]"}
    )
    assert not form.is_valid()
    assert "intern adresse" in form.errors["url"][0]


# --- at delivery ---------------------------------------------------------------------


def _pending_delivery(worker_card) -> WebhookDelivery:
    card_block(card=worker_card, reason=BlockReason.LOST, actor="x")
    events_dispatch_all()
    return WebhookDelivery.objects.get()


def test_delivery_to_an_internal_address_is_refused_and_failed(
    settings, site, worker_card, receiver
):
    # Registered while private targets were allowed (as in a demo)...
    subscriber_create(name="Lokal", url=receiver.url, site_ids=[site.pk])
    delivery = _pending_delivery(worker_card)
    # ...and delivered where they are not.
    settings.HMSKORT_WEBHOOK_ALLOW_PRIVATE = False
    assert webhooks_deliver() == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED  # given up at once: never retried
    assert delivery.attempts == 1 and delivery.last_status_code is None
    assert "SSRF" in delivery.last_error and "127.0.0.1" in delivery.last_error
    assert receiver.attempts == []  # nothing was sent
    assert webhooks_deliver() == 0 and receiver.attempts == []


def test_name_repointed_to_an_internal_address_after_registration_is_refused(
    no_private, dns, site, worker_card, receiver
):
    dns.names["hooks.leverandor.example"] = [PUBLIC]
    subscriber_create(
        name="Leverandør",
        url=f"http://hooks.leverandor.example:{receiver.port}/hooks/hms",
        site_ids=[site.pk],
    )
    delivery = _pending_delivery(worker_card)
    dns.names["hooks.leverandor.example"] = ["127.0.0.1"]  # the DNS record was changed
    assert webhooks_deliver() == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "webhook_url_internal" in delivery.last_error
    assert receiver.attempts == []


def test_dns_rebinding_between_check_and_connect_is_refused(
    no_private, dns, site, worker_card, receiver
):
    """Public for the check, loopback for the connection: the address actually
    connected to is checked too, so nothing reaches the internal service."""
    dns.names["hooks.leverandor.example"] = [PUBLIC]
    subscriber_create(
        name="Leverandør",
        url=f"http://hooks.leverandor.example:{receiver.port}/hooks/hms",
        site_ids=[site.pk],
    )
    delivery = _pending_delivery(worker_card)
    answers = iter([[PUBLIC]])  # the delivery's own check gets the public answer...
    dns.names["hooks.leverandor.example"] = lambda: next(answers, ["127.0.0.1"])  # ...then loopback
    assert webhooks_deliver() == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING  # a connection failure: retried later
    assert "internal address 127.0.0.1" in delivery.last_error
    assert receiver.attempts == []


def test_guarded_delivery_still_delivers_to_a_public_address(
    no_private, dns, site, worker_card, receiver, monkeypatch
):
    """The guarded connection sends normally when the peer is public (the
    receiver stands in for a public host: 127.0.0.1 counts as public here)."""
    dns.names["hooks.leverandor.example"] = ["127.0.0.1"]
    real = targets.is_internal
    monkeypatch.setattr(
        targets, "is_internal", lambda ip: False if str(ip) == "127.0.0.1" else real(ip)
    )
    sub, secret = subscriber_create(
        name="Leverandør",
        url=f"http://hooks.leverandor.example:{receiver.port}/hooks/hms",
        site_ids=[site.pk],
    )
    receiver.secret = secret
    delivery = _pending_delivery(worker_card)
    assert webhooks_deliver() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(receiver.accepted) == 1 and receiver.bad_signatures == 0
