"""Inspector tools: who may use them, what they see, the audit trail, and the actions."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from hmskort.cards.models import ActorType, Card, CardState
from hmskort.cards.numbers import check_digit
from hmskort.cards.qr import card_qr_token, card_qr_url
from hmskort.cards.services.transitions import card_insert, card_transition
from hmskort.cards.tests.factories import CardFactory
from hmskort.core.models import AuditEvent
from hmskort.eligibility.reasons import inspector_text
from hmskort.notifications.models import OutboxMessage, PortalMessage
from hmskort.notifications.services.messages import company_contact_set
from hmskort.registers.identifiers import mask_identifier
from hmskort.verification.permissions import INSPECTOR_GROUPS

pytestmark = pytest.mark.django_db

SEARCH = reverse("verification:inspector_search")
PURPOSE = "Tilsyn 2025/4711"


def _card_url(number, purpose=PURPOSE, **extra):
    url = reverse("verification:inspector_card", kwargs={"number": number})
    return f"{url}?{urlencode({'formal': purpose, **extra})}" if purpose else url


def _search(client, query, purpose=PURPOSE):
    return client.get(SEARCH, {"sok": query, "formal": purpose})


def _history_card(employment):
    """A card with a real history: ordered, effectuated, shipped, invalid."""
    card = card_insert(
        card=Card(
            card_number=CardFactory.build().card_number,
            card_type="BA",
            employer_orgnr=employment.arbeidsgiver.organisasjonsnummer,
            employer_name=employment.arbeidsgiver.navn,
            holder_id=employment.arbeidstaker.identifikator,
            holder_name=employment.arbeidstaker.fulltnavn,
            state_changed_at=timezone.now(),
            orderer_email="bestiller@firma.example",
        ),
        actor_type=ActorType.USER,
        actor="bestiller",
    )
    card_transition(card=card, to_state=CardState.IN_PRODUCTION, actor_type=ActorType.JOB)
    card_transition(card=card, to_state=CardState.ACTIVE, actor_type=ActorType.SYSTEM)
    card_transition(
        card=card,
        to_state=CardState.INVALID,
        reason_codes=["EMPLOYMENT_NOT_REGISTERED"],
        actor_type=ActorType.JOB,
        actor="nightly-1",
    )
    return card


# --- who may look -----------------------------------------------------------------


def _urls(number):
    return [SEARCH, _card_url(number)]


def test_anonymous_users_are_sent_to_log_in(client, make_card):
    card = make_card(active=True)
    for url in _urls(card.card_number):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    post = client.post(reverse("verification:inspector_confiscate", args=[card.card_number]))
    assert post.status_code == 302 and "/admin/login/" in post["Location"]


@pytest.mark.parametrize(
    "staff, groups",
    [
        (True, []),  # a caseworker without an inspection authority
        (False, ["Arbeidstilsynet"]),  # in the group but not staff
        (True, ["Produksjon"]),  # another group
    ],
)
def test_users_who_are_not_inspectors_are_refused(client, make_card, staff, groups):
    user = User.objects.create_user("someone", is_staff=staff)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    client.force_login(user)
    card = make_card(invalid=True)
    for url in _urls(card.card_number):
        assert client.get(url).status_code == 403
    post = client.post(
        reverse("verification:inspector_confiscate", args=[card.card_number]),
        {"inndra-begrunnelse": "x", "inndra-formal": PURPOSE},
    )
    assert post.status_code == 403
    assert CardState(Card.objects.get(pk=card.pk).state) is CardState.INVALID
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("group", INSPECTOR_GROUPS)
def test_every_inspection_authority_may_look(client, make_card, group):
    user = User.objects.create_user(f"insp-{group}", is_staff=True)
    user.groups.add(Group.objects.get(name=group))  # created by the data migration
    client.force_login(user)
    card = make_card(active=True)
    for url in _urls(card.card_number):
        assert client.get(url).status_code == 200
    assert AuditEvent.objects.get().detail["agency"] == group


# --- what an inspector sees, and the audit trail ---------------------------------------


def test_a_look_up_shows_history_reasons_holder_and_is_audited(
    inspector_client, inspector, employment
):
    card = _history_card(employment)
    response = _search(inspector_client, card.card_number)
    html = response.content.decode()
    assert response.status_code == 200
    # The timeline, with the inspector text of each reason.
    assert html.count("<tr>") >= 5  # header + four history rows
    for label in ("Bestilt – venter", "Gyldig – i produksjon", "Gyldig", "Ugyldig"):
        assert label in html
    assert inspector_text("EMPLOYMENT_NOT_REGISTERED", "nb") in html
    assert "nightly-1" in html
    # The holder: name and birth date; the identifier masked until asked for.
    assert card.holder_name in html
    assert "17.05.1984" in html
    assert mask_identifier(card.holder_id) in html and card.holder_id not in html
    assert "Ingen dokumenter" in html

    event = AuditEvent.objects.get()
    assert (event.actor_type, event.actor, event.action) == (
        "inspector",
        inspector.username,
        "inspector_lookup",
    )
    assert (event.object_id, event.subject_id, event.purpose) == (
        card.card_number,
        card.holder_id,
        PURPOSE,
    )
    assert event.detail["via"] == "card_number"


def test_revealing_the_identifier_is_audited_as_such(inspector_client, make_card):
    card = make_card(active=True)
    html = inspector_client.get(_card_url(card.card_number, vis="fnr")).content.decode()
    assert card.holder_id in html
    assert AuditEvent.objects.get().detail["identifier_revealed"] is True


def test_the_purpose_is_required(inspector_client, make_card):
    card = make_card(active=True)
    response = _search(inspector_client, card.card_number, purpose="  ")
    assert response.status_code == 200
    html = response.content.decode()
    assert card.holder_name not in html and 'aria-invalid="true"' in html
    response = inspector_client.get(_card_url(card.card_number, purpose=""))
    assert card.holder_name not in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_look_up_by_qr_code_or_its_url(inspector_client, make_card):
    card = make_card(invalid=True)
    for query in (card_qr_token(card), card_qr_url(card)):
        html = _search(inspector_client, query).content.decode()
        assert card.holder_name in html
    assert [e.detail["via"] for e in AuditEvent.objects.order_by("id")] == ["qr", "qr"]


def test_an_expired_but_genuine_qr_code_still_finds_the_card(inspector_client, make_card):
    card = make_card(in_production=True)
    token = card_qr_token(card, valid_days=60, now=timezone.now() - dt.timedelta(days=90))
    html = _search(inspector_client, token).content.decode()
    assert card.holder_name in html
    assert AuditEvent.objects.get().detail["via"] == "qr_expired"


def test_a_forged_qr_code_is_refused_and_not_logged_as_a_look_up(inspector_client, make_card):
    card = make_card(active=True)
    token = card_qr_token(card)
    # Change a character in the middle of the signature: the last characters of
    # base64url may carry only padding bits, so changing those can be a no-op.
    mid = len(token) - 20
    forged = token[:mid] + ("B" if token[mid] != "B" else "C") + token[mid + 1 :]
    html = _search(inspector_client, forged).content.decode()
    assert "QR-koden er ikke gyldig (forfalsket eller skadet)" in html
    assert card.holder_name not in html
    assert not AuditEvent.objects.exists()


def test_unknown_and_malformed_numbers(inspector_client):
    unknown = "10000000" + "0" + check_digit("100000000")
    assert "Fant ikke kortet" in _search(inspector_client, unknown).content.decode()
    html = _search(inspector_client, "12345").content.decode()
    assert "Dette er ikke et gyldig kortnummer" in html
    assert not AuditEvent.objects.exists()


def test_the_holders_other_cards_are_listed(inspector_client, make_card):
    card = make_card(active=True)
    other = CardFactory(
        active=True, holder_id=card.holder_id, employer_name="ANNEN ARBEIDSGIVER AS"
    )
    html = _search(inspector_client, card.card_number).content.decode()
    assert "ANNEN ARBEIDSGIVER AS" in html and other.card_number[:4] in html


# --- confiscation -------------------------------------------------------------------


def _confiscate(client, card, note="Kortet var ugyldig ved kontroll", purpose=PURPOSE):
    return client.post(
        reverse("verification:inspector_confiscate", args=[card.card_number]),
        {"inndra-begrunnelse": note, "inndra-formal": purpose},
        follow=True,
    )


@pytest.mark.parametrize("traits", [{"invalid": True}, {"expired": True}, {"blocked": True}])
def test_an_invalid_expired_or_blocked_card_can_be_confiscated(
    inspector_client, inspector, make_card, traits
):
    card = make_card(**traits)
    html = _confiscate(inspector_client, card).content.decode()
    assert "Kortet er inndratt." in html
    card.refresh_from_db()
    assert card.state == CardState.CONFISCATED and card.reason_codes == ["CARD_CONFISCATED"]
    row = card.history.get()
    assert (row.actor_type, row.actor, row.note) == (
        "inspector",
        inspector.username,
        "Kortet var ugyldig ved kontroll",
    )
    assert AuditEvent.objects.filter(action="inspector_confiscate", purpose=PURPOSE).count() == 1
    # Confiscating again says so and changes nothing.
    html = _confiscate(inspector_client, card).content.decode()
    assert "Kortet er allerede inndratt." in html
    assert card.history.count() == 1


@pytest.mark.parametrize(
    "traits, message",
    [
        ({"active": True}, "Kortet er gyldig og kan ikke inndras."),
        ({"in_production": True}, "Kortet er gyldig og kan ikke inndras."),
        ({}, "Kortet kan ikke inndras i denne statusen."),  # a pending order
        ({"returned": True}, "Kortet kan ikke inndras i denne statusen."),
    ],
)
def test_other_cards_cannot_be_confiscated(inspector_client, make_card, traits, message):
    card = make_card(**traits)
    before = card.state
    html = _confiscate(inspector_client, card).content.decode()
    assert message in html
    card.refresh_from_db()
    assert card.state == before
    assert not AuditEvent.objects.filter(action="inspector_confiscate").exists()


def test_confiscation_needs_a_reason(inspector_client, make_card):
    card = make_card(invalid=True)
    html = _confiscate(inspector_client, card, note="").content.decode()
    assert "Oppgi både begrunnelse og formål." in html
    card.refresh_from_db()
    assert card.state == CardState.INVALID


# --- removing an invalid employment ---------------------------------------------------


def _remove(client, card, note="Arbeidsforholdet er ikke reelt"):
    return client.post(
        reverse("verification:inspector_remove_employment", args=[card.card_number]),
        {"fjern-begrunnelse": note, "fjern-formal": PURPOSE},
        follow=True,
    )


def test_removing_the_employment_invalidates_the_card_and_tells_the_employer(
    inspector_client, inspector, make_card
):
    card = make_card(active=True, orderer_email="bestiller@firma.example")
    company_contact_set(orgnr=card.employer_orgnr, email="kontakt@firma.example")
    html = _remove(inspector_client, card).content.decode()
    assert "arbeidsgiveren er varslet" in html

    card.refresh_from_db()
    assert card.state == CardState.INVALID
    assert card.reason_codes == ["EMPLOYMENT_REMOVED_BY_INSPECTOR"]
    row = card.history.get()
    assert (row.actor_type, row.actor, row.note) == (
        "inspector",
        inspector.username,
        "Arbeidsforholdet er ikke reelt",
    )
    portal = PortalMessage.objects.get(orgnr=card.employer_orgnr)
    assert card.card_number in portal.body and "fjernet" in portal.subject
    email = OutboxMessage.objects.get()
    assert set(email.to) == {"kontakt@firma.example", "bestiller@firma.example"}
    assert AuditEvent.objects.filter(
        action="inspector_employment_remove", purpose=PURPOSE, subject_id=card.holder_id
    ).exists()
    # The public now sees the reason.
    public = inspector_client.get(reverse("verification:status"), {"kortnummer": card.card_number})
    assert "Ugyldig – arbeidsforholdet er fjernet av tilsynsmyndigheten" in public.content.decode()


def test_removing_twice_or_from_an_ended_card_is_refused(inspector_client, make_card):
    card = make_card(active=True)
    _remove(inspector_client, card)
    html = _remove(inspector_client, card).content.decode()
    assert "bare én gang" in html
    assert card.history.count() == 1 and PortalMessage.objects.count() == 1

    expired = CardFactory(expired=True)
    html = _remove(inspector_client, expired).content.decode()
    assert "Arbeidsforholdet kan bare fjernes" in html
    expired.refresh_from_db()
    assert expired.state == CardState.EXPIRED


def test_the_inspector_page_is_in_english_on_request(inspector_client, make_card):
    card = make_card(invalid=True)
    html = inspector_client.get(
        _card_url(card.card_number), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Status history" in html
    assert inspector_text("EMPLOYMENT_NOT_REGISTERED", "en") in html
