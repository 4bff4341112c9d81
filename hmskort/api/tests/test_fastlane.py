"""The fast lane (hmskort.api.fastlane, in front of Django in config/wsgi.py) answers
`GET /api/v1/ping` and `GET /api/v1/cards/{n}` exactly as the Django path does.

Each test calls the same WSGI environ twice: once through `FastLane` (with a spy
behind it, to prove the fast lane answered and Django was not asked) and once
straight through Django's WSGI handler, and compares status, headers and body.
Only the check id (a new UUID per look-up) differs between the two answers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import time
import uuid
from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from oauth2_provider.models import AccessToken

from hmskort.api import fastlane
from hmskort.api.auth import forget_token
from hmskort.api.fastlane import FastLane
from hmskort.api.models import ApiLevel
from hmskort.api.oauth_settings import SCOPE_GATE
from hmskort.api.services import api_token_issue
from hmskort.api.tests.conftest import _company, _user
from hmskort.api.tests.test_schemathesis import CHECKS, SETTINGS
from hmskort.cards.models import Card
from hmskort.cards.numbers import is_valid_card_number, new_card_number
from hmskort.cards.tests.factories import CardFactory
from hmskort.checks.tests.helpers import employment_card
from hmskort.receipts import abuse, recorder
from hmskort.receipts.models import AbuseSignal, CardCheck
from hmskort.receipts.services import checks_flush
from hmskort.registers.models import Enhet
from hmskort.registers.tests.factories import EnhetFactory
from hmskort.sites.gate import reader_cache_clear
from hmskort.sites.models import GateEvent, Site
from hmskort.sites.services import gate_reader_create, site_create

pytestmark = pytest.mark.django_db

DJANGO = get_wsgi_application()
#: Where `environ` keeps a request body; `call` gives each call a fresh stream of it.
BODY = "hmskort.test.body"


class Spy:
    """Django's WSGI app, counting the requests the fast lane passed on."""

    def __init__(self):
        self.calls: list[str] = []

    def __call__(self, environ, start_response):
        self.calls.append(environ["PATH_INFO"])
        return DJANGO(environ, start_response)


@pytest.fixture
def in_process(monkeypatch):
    """Run WSGI requests inside the test's transaction, as Django's test client does:
    neither path may close the connection between requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(fastlane, "close_old_connections", lambda: None)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def lane(in_process) -> tuple[FastLane, Spy]:
    spy = Spy()
    return FastLane(spy), spy


def environ(
    path: str,
    *,
    method: str = "GET",
    token: str | None = None,
    body: bytes | None = None,
    **headers,
) -> dict:
    env = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if token is not None:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if body is not None:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
        env[BODY] = body
    env.update(headers)
    return env


def call(app, env: dict) -> tuple[int, dict[str, str], bytes]:
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers

    result = app(dict(env, **{"wsgi.input": io.BytesIO(env.get(BODY, b""))}), start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status = int(captured["status"].split(" ", 1)[0])
    return status, dict(captured["headers"]), body


def both(lane, env: dict):
    """(fast lane answer, Django answer); asserts the fast lane answered itself."""
    app, spy = lane
    before = len(spy.calls)
    fast = call(app, env)
    assert len(spy.calls) == before, "the fast lane passed the request on to Django"
    return fast, call(DJANGO, env)


def without_check_id(body: bytes) -> tuple[dict, str]:
    data = json.loads(body)
    check_id = data.pop("check_id", "")
    return data, check_id


def assert_same(fast, slow, *, check_id: bool = False) -> dict:
    (fs, fh, fb), (ss, sh, sb) = fast, slow
    assert fs == ss
    assert fh == sh
    if check_id:
        fdata, fid = without_check_id(fb)
        sdata, sid = without_check_id(sb)
        assert fdata == sdata
        assert uuid.UUID(fid) and uuid.UUID(sid) and fid != sid
        # Byte for byte, apart from the id: same keys, order, separators and escapes.
        assert fb.replace(fid.encode(), sid.encode()) == sb
        return fdata
    assert fb == sb
    return json.loads(fb)


def unknown_valid_number() -> str:
    import random

    rng = random.Random(7)
    while True:
        number = new_card_number(rng)
        if not CardFactory._meta.model.objects.filter(card_number=number).exists():
            return number


def invalid_number() -> str:
    for candidate in range(1234567890, 1234567900):
        if not is_valid_card_number(str(candidate)):
            return str(candidate)
    raise AssertionError("no invalid number found")


# --- answers ------------------------------------------------------------------


def test_ping_is_answered_by_the_fast_lane_as_by_django(lane, level1):
    fast, slow = both(lane, environ("/api/v1/ping", token=level1.token))
    assert assert_same(fast, slow) == {"ok": True}
    assert fast[0] == 200


@pytest.mark.parametrize("language", [None, "en-GB,en;q=0.8", "nb", "de"])
def test_valid_card_status_is_the_same_on_both_paths(lane, level1, company_a, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    env = environ(f"/api/v1/cards/{company_a.card.card_number}", token=level1.token, **headers)
    fast, slow = both(lane, env)
    body = assert_same(fast, slow, check_id=True)
    assert fast[0] == 200 and body["status"] == "valid"
    assert fast[1]["Content-Language"] == ("en" if language and language.startswith("en") else "nb")


def test_invalid_card_with_reasons_in_english(lane, level1):
    card = CardFactory(invalid=True)
    env = environ(
        f"/api/v1/cards/{card.card_number}", token=level1.token, HTTP_ACCEPT_LANGUAGE="en"
    )
    fast, slow = both(lane, env)
    body = assert_same(fast, slow, check_id=True)
    assert body["status"] == "invalid" and body["status_text"] == "Invalid"
    assert [r["code"] for r in body["reasons"]] == ["EMPLOYMENT_NOT_REGISTERED"]


def test_card_number_with_spaces(lane, level1, company_a):
    n = company_a.card.card_number
    # PATH_INFO is what the server decoded from /api/v1/cards/1234%20...
    fast, slow = both(lane, environ(f"/api/v1/cards/{n[:4]} {n[4:8]} {n[8:]}", token=level1.token))
    assert assert_same(fast, slow, check_id=True)["card_number"] == n


def test_unknown_card_is_404_card_not_found(lane, level1):
    fast, slow = both(lane, environ(f"/api/v1/cards/{unknown_valid_number()}", token=level1.token))
    body = assert_same(fast, slow)
    assert fast[0] == 404 and body["error"]["code"] == "card_not_found"


@pytest.mark.parametrize("raw", ["invalid", "12345", "abc", "0000000000"])
def test_invalid_card_number_is_422(lane, level1, raw):
    number = invalid_number() if raw == "invalid" else raw
    fast, slow = both(lane, environ(f"/api/v1/cards/{number}", token=level1.token))
    body = assert_same(fast, slow)
    assert fast[0] == 422 and body["error"]["code"] == "invalid_card_number"
    assert body["error"]["fields"] == {"card_number": "Ugyldig kortnummer (invalid card number)."}


@pytest.mark.parametrize("path", ["/api/v1/ping", "/api/v1/cards/{n}"])
@pytest.mark.parametrize(
    "authorization", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-token", "bearer x y"]
)
def test_missing_or_bad_token_is_401(lane, company_a, path, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    env = environ(path.replace("{n}", company_a.card.card_number), **headers)
    fast, slow = both(lane, env)
    body = assert_same(fast, slow)
    assert fast[0] == 401
    assert fast[1]["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    expected = "not_authenticated" if authorization in (None, "", "Basic dXNlcjpwYXNz") else None
    assert body["error"]["code"] == (expected or "invalid_access_token")


@pytest.mark.parametrize("path", ["/api/v1/ping", "/api/v1/cards/{n}"])
def test_level2_token_is_403_insufficient_scope(lane, level2_a, company_a, path):
    env = environ(path.replace("{n}", company_a.card.card_number), token=level2_a.token)
    fast, slow = both(lane, env)
    body = assert_same(fast, slow)
    assert fast[0] == 403 and body["error"]["code"] == "insufficient_scope"
    assert fast[1]["WWW-Authenticate"] == 'Bearer error="insufficient_scope"'


def test_expired_token_is_401_access_token_expired(lane, level1):
    AccessToken.objects.update(expires="2000-01-01T00:00:00Z")
    fast, slow = both(lane, environ("/api/v1/ping", token=level1.token))
    body = assert_same(fast, slow)
    assert fast[0] == 401 and body["error"]["code"] == "access_token_expired"


def test_blocked_source_is_429_lookup_throttled_with_retry_after(lane, level1, company_a):
    # Flagged 599.5 s ago, blocked for an hour: 3000.5 s left, so both answers (a
    # few milliseconds apart) say 3000 s, in the header and in the body.
    AbuseSignal.objects.create(
        kind="enumeration",
        source_key=f"api:{level1.client.pk}",
        count=21,
        window_seconds=600,
        created_at=timezone.now() - dt.timedelta(seconds=599.5),
    )
    abuse.blocks_forget()
    fast, slow = both(
        lane, environ(f"/api/v1/cards/{company_a.card.card_number}", token=level1.token)
    )
    body = assert_same(fast, slow)
    assert fast[0] == 429 and body["error"]["code"] == "lookup_throttled"
    assert body["error"]["retry_after"] == 3000
    assert dict(fast[1])["Retry-After"] == "3000"


# --- recording ------------------------------------------------------------------


def test_the_check_is_recorded_as_on_the_django_path(lane, level1, company_a):
    env = environ(f"/api/v1/cards/{company_a.card.card_number}", token=level1.token)
    fast, slow = both(lane, env)
    fast_record = recorder.spool_find(json.loads(fast[2])["check_id"])
    slow_record = recorder.spool_find(json.loads(slow[2])["check_id"])
    assert fast_record is not None and slow_record is not None
    for record in (fast_record, slow_record):
        del record["id"], record["at"]
    assert fast_record == slow_record
    assert fast_record["ch"] == "api" and fast_record["api"] == level1.client.pk


def test_unknown_numbers_count_towards_enumeration_on_the_fast_lane(lane, level1, settings):
    settings.HMSKORT_ABUSE_NOT_FOUND_PER_SOURCE = (2, 600)
    app, _spy = lane
    statuses = [
        call(app, environ(f"/api/v1/cards/{unknown_valid_number()}", token=level1.token))[0]
        for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


# --- tokens ---------------------------------------------------------------------------


def test_revoked_token_works_at_most_the_documented_window(lane, level1, monkeypatch):
    app, _spy = lane
    assert call(app, environ("/api/v1/ping", token=level1.token))[0] == 200
    AccessToken.objects.all().delete()
    forget_token(level1.token)  # what revoking does in this process
    # Within the fast lane's window the process still knows the token ...
    assert call(app, environ("/api/v1/ping", token=level1.token))[0] == 200
    # ... and after it, the token is looked up again and refused.
    later = time.time() + fastlane.TOKEN_SECONDS + 1
    monkeypatch.setattr(fastlane.time, "time", lambda: later)
    status, _headers, body = call(app, environ("/api/v1/ping", token=level1.token))
    assert status == 401 and json.loads(body)["error"]["code"] == "invalid_access_token"


def test_cached_token_is_refused_once_it_expires(lane, level1, monkeypatch):
    app, _spy = lane
    assert call(app, environ("/api/v1/ping", token=level1.token))[0] == 200
    expires = AccessToken.objects.get().expires.timestamp()
    monkeypatch.setattr(fastlane.time, "time", lambda: expires + 1)
    monkeypatch.setattr("hmskort.api.auth.time.time", lambda: expires + 1)
    status, _headers, body = call(app, environ("/api/v1/ping", token=level1.token))
    assert status == 401 and json.loads(body)["error"]["code"] == "access_token_expired"


# --- what goes to Django -------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        environ("/api/v1/ping", method="POST"),
        environ("/api/v1/ping", method="HEAD"),
        environ("/api/v1/ping/"),
        environ("/api/v1/cards/"),
        environ("/api/v1/cards/123/extra"),
        environ("/api/v1/cards/" + "1" * 33),
        environ("/api/v1/cards/12345678\u00e90"),
        environ("/api/v1/openapi.json"),
        environ("/api/v2/ping"),
        environ("/healthz"),
        environ("/api/v1/ping", HTTP_HOST="evil.example"),
    ],
    ids=[
        "post",
        "head",
        "slash",
        "no-number",
        "extra-segment",
        "too-long",
        "non-ascii",
        "openapi",
        "v2",
        "healthz",
        "bad-host",
    ],
)
def test_everything_else_goes_to_django_unchanged(lane, env):
    app, spy = lane
    fast = call(app, env)
    assert spy.calls == [env["PATH_INFO"]]
    assert fast[0] == call(DJANGO, env)[0]


def test_a_disallowed_host_gets_djangos_400(lane, level1):
    app, spy = lane
    status, _headers, _body = call(
        app, environ("/api/v1/ping", token=level1.token, HTTP_HOST="x.example")
    )
    assert status == 400 and spy.calls == ["/api/v1/ping"]


def test_too_long_card_segment_gets_ninjas_validation_error(lane, level1):
    app, spy = lane
    status, _headers, body = call(app, environ("/api/v1/cards/" + "1" * 33, token=level1.token))
    assert status == 422 and json.loads(body)["error"]["code"] == "validation_error"
    assert spy.calls


def test_config_wsgi_puts_the_fast_lane_in_front_of_django():
    from config import wsgi

    assert isinstance(wsgi.application, FastLane)
    assert wsgi.application.ping_path == "/api/v1/ping"
    assert wsgi.application.cards_prefix == "/api/v1/cards/"


def test_unexpected_error_is_500_internal_error(lane, level1, company_a, monkeypatch):
    app, _spy = lane

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "_status", broken)
    status, _headers, body = call(
        app, environ(f"/api/v1/cards/{company_a.card.card_number}", token=level1.token)
    )
    assert status == 500 and json.loads(body)["error"]["code"] == "internal_error"
    assert "boom" not in body.decode()


# --- gate events (POST /api/v1/gate/events) ----------------------------------------------

GATE = "/api/v1/gate/events"


@dataclass
class Gate:
    site: Site
    token: str
    client_pk: int
    card: Card  # an active BA card of the main contractor, on the site
    contractor: Enhet


@pytest.fixture
def gate(db) -> Gate:
    """A site (anti-passback off, so one card can go in, out and in again at once)
    with a gate reader and a worker's card."""
    reader_cache_clear()
    contractor = EnhetFactory(navn="Hovedentreprenør Bygg AS")
    today = timezone.localdate()
    site = site_create(
        owner_orgnr=contractor.organisasjonsnummer,
        owner_name=contractor.navn,
        name="Bjørvika kvartal 9",
        address="Dronning Eufemias gate 1, 0191 Oslo",
        builder_name="Byggherre Eiendom AS",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=300),
        required_industry="BA",
        anti_passback_minutes=0,
        created_by="test",
    )
    creds = gate_reader_create(site=site, name="Port A", created_by="test")
    token = api_token_issue(client=creds.reader.api_client, scope=SCOPE_GATE)
    card = employment_card(enhet=contractor, active=True)
    yield Gate(site, token, creds.reader.api_client_id, card, contractor)
    reader_cache_clear()


def gate_env(token: str | None, event_id: str, direction: str = "in", **scan) -> dict:
    body = json.dumps({"event_id": event_id, "direction": direction, **scan}).encode()
    return environ(GATE, method="POST", token=token, body=body)


def gate_raw(token: str | None, body: bytes, **headers) -> dict:
    return environ(GATE, method="POST", token=token, body=body, **headers)


def fast_only(lane, env: dict):
    app, spy = lane
    before = len(spy.calls)
    answer = call(app, env)
    assert len(spy.calls) == before, "the fast lane passed the request on to Django"
    return answer


def assert_same_decision(fast, slow) -> tuple[dict, dict]:
    """Two decisions of the same kind, one per path: the same status, headers and bytes,
    apart from what must differ (event id, time, check id), each swapped in place."""
    (fs, fh, fb), (ss, sh, sb) = fast, slow
    assert fs == ss == 200
    assert fh == sh
    fdata, sdata = json.loads(fb), json.loads(sb)
    assert list(fdata) == list(sdata)
    swapped = fb
    for key in ("event_id", "at", "check_id"):
        if fdata[key] != sdata[key]:
            old, new = json.dumps(fdata[key]).encode(), json.dumps(sdata[key]).encode()
            assert swapped.count(old) == 1
            swapped = swapped.replace(old, new)
    assert swapped == sb
    return fdata, sdata


@pytest.mark.parametrize("language", [None, "en-GB,en;q=0.8", "nb", "de"])
def test_gate_admit_is_the_same_on_both_paths(lane, gate, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    number = gate.card.card_number
    fast = fast_only(lane, dict(gate_env(gate.token, "fast-1", card_number=number), **headers))
    out = fast_only(lane, gate_env(gate.token, "fast-2", "out", card_number=number))
    assert json.loads(out[2])["reason"] == "ok"
    slow = call(DJANGO, dict(gate_env(gate.token, "slow-1", card_number=number), **headers))
    fdata, sdata = assert_same_decision(fast, slow)
    assert fdata["decision"] == "admit" and fdata["reason"] == "ok" and not fdata["replayed"]
    assert fdata["card_number"] == number
    assert fdata["check_id"] and sdata["check_id"] and fdata["check_id"] != sdata["check_id"]
    english = language and language.startswith("en")
    assert fdata["message"] == ("Admitted" if english else "Godkjent")
    assert fast[1]["Content-Language"] == ("en" if english else "nb")
    # The time is as ninja writes it: ISO 8601, milliseconds, "Z" for UTC.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", fdata["at"])
    assert GateEvent.objects.filter(site=gate.site, admitted=True).count() == 3


def test_gate_already_inside_is_the_same_on_both_paths(lane, gate):
    number = gate.card.card_number
    fast_only(lane, gate_env(gate.token, "fast-1", card_number=number))
    fast = fast_only(lane, gate_env(gate.token, "fast-2", card_number=number))
    slow = call(DJANGO, gate_env(gate.token, "slow-2", card_number=number))
    fdata, _ = assert_same_decision(fast, slow)
    assert (fdata["admitted"], fdata["reason"]) == (False, "already_inside")


@pytest.mark.parametrize("kind", ["blocked", "not_on_site", "unknown", "forged_qr", "malformed"])
def test_gate_refusals_are_the_same_on_both_paths(lane, gate, kind):
    if kind == "blocked":
        scan = {"card_number": employment_card(enhet=gate.contractor, blocked=True).card_number}
    elif kind == "not_on_site":
        scan = {"card_number": employment_card(enhet=EnhetFactory(), active=True).card_number}
    elif kind == "unknown":
        scan = {"card_number": unknown_valid_number()}
    elif kind == "forged_qr":
        scan = {"qr_token": "not.a.token"}
    else:
        scan = {"card_number": invalid_number()}
    fast = fast_only(lane, gate_env(gate.token, "fast-1", **scan))
    slow = call(DJANGO, gate_env(gate.token, "slow-1", **scan))
    fdata, sdata = assert_same_decision(fast, slow)
    expected = {
        "blocked": "card_blocked",
        "not_on_site": "company_not_on_site",
        "unknown": "card_unknown",
        "forged_qr": "token_invalid",
        "malformed": "card_unknown",
    }[kind]
    assert (fdata["admitted"], fdata["reason"]) == (False, expected)
    # A card number was looked up (a check is recorded) unless none could be read.
    looked_up = kind not in ("forged_qr", "malformed")
    assert bool(fdata["check_id"]) is looked_up and bool(sdata["check_id"]) is looked_up


def test_gate_replayed_event_id_is_the_same_on_both_paths(lane, gate):
    number = gate.card.card_number
    first = fast_only(lane, gate_env(gate.token, "reader-1:0001", card_number=number))
    fast, slow = both(lane, gate_env(gate.token, "reader-1:0001", card_number=number))
    body = assert_same(fast, slow)
    assert body["replayed"] and body["check_id"] is None
    original = json.loads(first[2])
    assert body["at"] == original["at"] and body["reason"] == original["reason"] == "ok"
    assert GateEvent.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"event_id": "x", "direction": "in"}',
        b'{"event_id": "x", "direction": "in", "card_number": "1", "chip_code": "AB"}',
        b'{"event_id": "bad id!", "direction": "in", "card_number": "1"}',
        b'{"event_id": "x", "direction": "sideways", "card_number": "1"}',
        b'{"event_id": "", "card_number": ""}',
        b'{"event_id": "x", "direction": "in", "card_number": 1234567890}',
        b"{}",
        b"[]",
        b'"x"',
        b"null",
    ],
    ids=[
        "no-identifier",
        "two-identifiers",
        "event-id-pattern",
        "direction",
        "empty-values",
        "number-not-string",
        "empty-object",
        "list",
        "string",
        "null",
    ],
)
def test_gate_validation_errors_are_the_same_on_both_paths(lane, gate, body):
    fast, slow = both(lane, gate_raw(gate.token, body))
    answer = assert_same(fast, slow)
    assert fast[0] == 422 and answer["error"]["code"] == "validation_error"
    assert not GateEvent.objects.exists()


@pytest.mark.parametrize("body", [b'{"event_id": ', b"nul", b"\xff\xfe{", b"{'a': 1}"])
def test_gate_body_that_is_not_json_is_400_on_both_paths(lane, gate, body):
    fast, slow = both(lane, gate_raw(gate.token, body))
    answer = assert_same(fast, slow)
    assert fast[0] == 400 and answer["error"]["code"] == "malformed_request"


@pytest.mark.parametrize("client", ["level1", "level2"])
def test_gate_with_a_token_that_is_no_readers_is_404_on_both_paths(
    lane, gate, level1, level2_a, client
):
    token = (level1 if client == "level1" else level2_a).token
    fast, slow = both(lane, gate_env(token, "x-1", card_number=gate.card.card_number))
    answer = assert_same(fast, slow)
    assert fast[0] == 404 and answer["error"]["code"] == "reader_not_found"
    assert not GateEvent.objects.exists()


@pytest.mark.parametrize(
    "authorization", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-token"]
)
def test_gate_without_a_valid_token_is_401_on_both_paths(lane, gate, authorization):
    env = gate_env(None, "x-1", card_number=gate.card.card_number)
    if authorization is not None:
        env["HTTP_AUTHORIZATION"] = authorization
    fast, slow = both(lane, env)
    assert_same(fast, slow)
    assert fast[0] == 401 and fast[1]["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert not GateEvent.objects.exists()


def test_gate_with_an_expired_token_is_401_on_both_paths(lane, gate):
    AccessToken.objects.update(expires="2000-01-01T00:00:00Z")
    fast, slow = both(lane, gate_env(gate.token, "x-1", card_number=gate.card.card_number))
    body = assert_same(fast, slow)
    assert fast[0] == 401 and body["error"]["code"] == "access_token_expired"


def test_gate_with_a_deactivated_reader_is_401_on_both_paths(lane, gate):
    from hmskort.sites.models import GateReader
    from hmskort.sites.services import gate_reader_deactivate

    gate_reader_deactivate(reader=GateReader.objects.get(site=gate.site), actor="owner")
    forget_token(gate.token)  # the shared token cache (10 s in production)
    fast, slow = both(lane, gate_env(gate.token, "x-1", card_number=gate.card.card_number))
    body = assert_same(fast, slow)
    assert fast[0] == 401 and body["error"]["code"] == "invalid_access_token"


def test_a_token_cached_for_one_endpoint_is_not_thereby_good_for_another(lane, gate, level1):
    """The fast lane keeps validated tokens per kind of authentication: a level-1
    token that opened ping does not open the gate, nor a reader's token ping."""
    app, _spy = lane
    assert call(app, environ("/api/v1/ping", token=level1.token))[0] == 200
    status, _h, body = call(app, gate_env(level1.token, "x-1", card_number=gate.card.card_number))
    assert status == 404 and json.loads(body)["error"]["code"] == "reader_not_found"
    status, _h, _b = call(app, gate_env(gate.token, "x-2", card_number=gate.card.card_number))
    assert status == 200
    status, _h, body = call(app, environ("/api/v1/ping", token=gate.token))
    assert status == 403 and json.loads(body)["error"]["code"] == "insufficient_scope"


def test_the_gate_check_is_recorded_as_on_the_django_path(lane, gate):
    number = gate.card.card_number
    fast = fast_only(lane, gate_env(gate.token, "fast-1", card_number=number))
    fast_only(lane, gate_env(gate.token, "fast-2", "out", card_number=number))
    slow = call(DJANGO, gate_env(gate.token, "slow-1", card_number=number))
    checks_flush()
    ids = [json.loads(answer[2])["check_id"] for answer in (fast, slow)]
    rows = [CardCheck.objects.filter(pk=check_id).values().get() for check_id in ids]
    for row in rows:
        del row["check_id"], row["checked_at"]
    assert rows[0] == rows[1]
    assert rows[0]["channel"] == "gate" and rows[0]["site_name"] == gate.site.name
    assert rows[0]["api_client_id"] == gate.client_pk and rows[0]["status"] == "valid"
    assert (
        rows[0]["card_number"] == number
        and rows[0]["employer_orgnr"] == gate.contractor.organisasjonsnummer
    )


def test_csrf_is_not_needed_on_the_django_path(lane, gate):
    """The API is bearer-token only: the Django path (CsrfViewMiddleware included)
    answers a POST without any CSRF cookie or token."""
    status, _h, body = call(DJANGO, gate_env(gate.token, "x-1", card_number=gate.card.card_number))
    assert status == 200 and json.loads(body)["admitted"]


@pytest.mark.parametrize(
    "change",
    ["text-plain", "no-content-type", "form", "no-length", "empty", "too-long", "chunked"],
)
def test_unusual_gate_requests_go_to_django_unchanged(lane, gate, change):
    env = gate_env(gate.token, "x-1", card_number=gate.card.card_number)
    if change == "text-plain":
        env["CONTENT_TYPE"] = "text/plain"
    elif change == "no-content-type":
        del env["CONTENT_TYPE"]
    elif change == "form":
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    elif change == "no-length":
        del env["CONTENT_LENGTH"]
    elif change == "empty":
        env[BODY], env["CONTENT_LENGTH"] = b"", "0"
    elif change == "too-long":
        padding = " " * (fastlane.MAX_GATE_BODY + 1 - len(env[BODY]))
        env[BODY] = env[BODY][:-1] + padding.encode() + b"}"
        env["CONTENT_LENGTH"] = str(len(env[BODY]))
    else:
        env["HTTP_TRANSFER_ENCODING"] = "chunked"
    app, spy = lane
    status, _headers, _body = call(app, env)
    assert spy.calls == [GATE]
    # (Django again with the same event id: a replay where the first was recorded.)
    assert status == call(DJANGO, env)[0]


def test_config_wsgi_serves_the_gate_in_the_fast_lane():
    from config import wsgi

    assert wsgi.application.gate_path == GATE


def test_unexpected_gate_error_is_500_internal_error(lane, gate, monkeypatch):
    app, _spy = lane

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "_gate", broken)
    status, _headers, body = call(app, gate_env(gate.token, "x", card_number=gate.card.card_number))
    assert status == 500 and json.loads(body)["error"]["code"] == "internal_error"
    assert "boom" not in body.decode()


# --- the published OpenAPI document, through the fast lane -------------------------------

FAST_SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", FastLane(DJANGO)).include(
    method="GET", path_regex=r"^/api/v1/(ping|cards/\{card_number\})$"
)


@pytest.fixture
def fast_level1_headers(in_process):
    _company("Schema", "Hurtigfilesen")
    return {"Authorization": f"Bearer {_user(ApiLevel.LEVEL1).token}"}


@FAST_SCHEMA.parametrize()
@SETTINGS
def test_fast_lane_conforms_to_the_openapi_document(case, fast_level1_headers):
    response = case.call(headers=fast_level1_headers)
    case.validate_response(response, checks=CHECKS)
    assert response.status_code not in (401, 403), response.text
