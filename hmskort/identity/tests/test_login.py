"""The OpenID Connect login round trip: portal -> TestID -> portal, and logout."""

from __future__ import annotations

import jwt
import pytest
from django.urls import reverse

from hmskort.identity.models import PersonIdentity
from hmskort.identity.testid import COOKIE
from hmskort.registers.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _login(client, pid: str, *, next_url: str = ""):
    """Walk the flow as a browser would; returns the last response."""
    start = reverse("identity:oidc_authenticate") + (f"?next={next_url}" if next_url else "")
    r = client.get(start)
    assert r.status_code == 302 and r["Location"].startswith("/testid/authorize/?")
    assert "code_challenge=" in r["Location"] and "code_challenge_method=S256" in r["Location"]
    r = client.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith("/testid/?next=")
    testid_page = client.get(r["Location"])
    assert testid_page.status_code == 200
    next_param = testid_page.context["next"]
    r = client.post(reverse("identity:testid"), {"pid": pid, "next": next_param})
    assert r.status_code == 302, r.content
    r = client.get(r["Location"])  # authorize again, now logged in at TestID
    assert r.status_code == 302 and "/oidc/callback/?" in r["Location"], r.content[:500]
    return client.get(r["Location"])  # the callback: token exchange, login


def test_login_round_trip_puts_the_persons_pid_in_the_session(client, in_process_http):
    person = PersonFactory(fornavn="Kari", etternavn="Nordmann")

    r = _login(client, person.identifikator)

    assert r.status_code == 302
    assert r["Location"] == reverse("identity:choose_company")
    user = r.wsgi_request.user
    assert user.is_authenticated
    assert PersonIdentity.objects.get(user=user).pid == person.identifikator
    assert user.get_full_name() == "Kari Nordmann"
    # The ID token came from TestID, signed, with the pid and name claims.
    claims = jwt.decode(client.session["oidc_id_token"], options={"verify_signature": False})
    assert claims["pid"] == person.identifikator
    assert claims["name"] == "Kari Nordmann"
    # The token and key requests really went to the provider.
    paths = [path for _method, path, status in in_process_http.calls if status == 200]
    assert "/o/token/" in paths and "/o/.well-known/jwks.json" in paths
    # The chooser now greets the person.
    page = client.get(reverse("identity:choose_company"))
    assert "Kari Nordmann" in page.content.decode()


def test_login_returns_to_the_page_asked_for(client, in_process_http):
    person = PersonFactory()
    r = _login(client, person.identifikator, next_url="/virksomheter?x=1")
    assert r["Location"] == "/virksomheter?x=1"


def test_second_login_reuses_the_same_user(client, in_process_http):
    person = PersonFactory()
    _login(client, person.identifikator)
    first = client.session["_auth_user_id"]
    client.post(reverse("identity:logout"))
    client.cookies.pop(COOKIE, None)
    _login(client, person.identifikator)
    assert client.session["_auth_user_id"] == first
    assert PersonIdentity.objects.filter(pid=person.identifikator).count() == 1


def test_logout_ends_both_the_portal_and_the_testid_session(client, in_process_http):
    person = PersonFactory()
    _login(client, person.identifikator)
    assert client.cookies[COOKIE].value

    r = client.post(reverse("identity:logout"))
    # The portal's session is gone; the browser goes on to TestID's end-session endpoint.
    assert r.status_code == 302 and r["Location"].startswith("/testid/logout/?")
    assert "id_token_hint=" in r["Location"]
    assert "_auth_user_id" not in client.session
    r = client.get(r["Location"])
    assert r.status_code == 302
    assert r["Location"] == "http://testserver" + reverse("identity:logged_out")
    # The TestID login is gone too: a new login asks who you are again.
    assert not client.cookies[COOKIE].value
    page = client.get(r["Location"])
    assert "Du er logget ut" in page.content.decode()
    r = client.get(reverse("identity:oidc_authenticate"))
    r = client.get(r["Location"])
    assert r["Location"].startswith("/testid/?next=")
    # And the portal needs a login again.
    r = client.get(reverse("identity:choose_company"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("identity:login"))


def test_logout_needs_post(client, in_process_http):
    person = PersonFactory()
    _login(client, person.identifikator)
    r = client.get(reverse("identity:logout"))
    assert r.status_code == 200  # a confirmation page, still logged in
    assert "_auth_user_id" in client.session


def test_testid_rejects_an_invalid_number_and_keeps_what_was_typed(client):
    r = client.post(reverse("identity:testid"), {"pid": "12345678901"})
    assert r.status_code == 400
    body = r.content.decode()
    assert 'value="12345678901"' in body
    assert 'aria-invalid="true"' in body
    assert COOKIE not in r.cookies


def test_testid_lists_the_demo_personas(client):
    from hmskort.registers.population.personas import demo_personas

    body = client.get(reverse("identity:testid")).content.decode()
    for persona in demo_personas():
        assert persona.identifier in body


def test_a_tampered_code_exchange_does_not_log_in(client, in_process_http):
    person = PersonFactory()
    r = client.get(reverse("identity:oidc_authenticate"))
    r = client.get(r["Location"])
    next_param = client.get(r["Location"]).context["next"]
    r = client.post(reverse("identity:testid"), {"pid": person.identifikator, "next": next_param})
    r = client.get(r["Location"])
    callback = r["Location"].replace("code=", "code=x")
    r = client.get(callback)
    assert r.status_code == 302 and r["Location"] == "/logg-inn?feil=1"
    assert "_auth_user_id" not in client.session
    assert "Innloggingen ble avbrutt" in client.get(r["Location"]).content.decode()


def test_testid_is_off_when_disabled(client, settings):
    settings.HMSKORT_TESTID_ENABLED = False
    assert client.get(reverse("identity:testid")).status_code == 404
    assert client.get(reverse("identity:testid_authorize")).status_code == 404
