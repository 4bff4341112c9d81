"""The supplier check: registrations, approvals and card counts, no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hmskort.cards.tests.factories import CardFactory
from hmskort.registers.models import GodkjenningStatus
from hmskort.registers.tests.factories import (
    BemanningsforetakFactory,
    BilpleiegodkjenningFactory,
    EnhetFactory,
    MvaEgenerklaeringFactory,
    RenholdsgodkjenningFactory,
)
from hmskort.verification.selectors import card_counts_for_company
from hmskort.verification.tests.conftest import personal_data

pytestmark = pytest.mark.django_db

URL = reverse("verification:supplier")


def _html(client, orgnr, **headers) -> str:
    return client.get(URL, {"orgnr": orgnr}, **headers).content.decode()


def _row(html: str, card_type: str) -> str:
    start = html.index(f'data-card-type="{card_type}"')
    return html[start : html.index("</tr>", start)]


def test_registrations_and_card_counts_per_type_without_personal_data(client, make_card):
    card = make_card(active=True)
    orgnr = card.employer_orgnr
    CardFactory.create_batch(2, active=True, employer_orgnr=orgnr)
    CardFactory(invalid=True, employer_orgnr=orgnr)
    CardFactory(expired=True, employer_orgnr=orgnr)
    CardFactory(
        active=True, employer_orgnr=orgnr, valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    CardFactory(active=True, employer_orgnr=orgnr, card_type="RH")
    CardFactory(employer_orgnr=orgnr)  # a pending order: not a card anyone carries
    CardFactory(blocked=True, employer_orgnr=orgnr)
    CardFactory(active=True)  # another company's

    html = _html(client, orgnr)
    assert "Enhetsregisteret" in html and "Aktiv" in html
    assert "Merverdiavgiftsregisteret" in html and "Registrert" in html
    assert "Ikke registrert – ikke bemanningsforetak" in html
    ba = _row(html, "BA")
    assert "Bygg og anlegg" in ba
    assert [c.split("<")[0] for c in ba.split('class="num">')[1:]] == ["3", "1", "2"]
    assert [c.split("<")[0] for c in _row(html, "RH").split('class="num">')[1:]] == ["1", "0", "0"]
    for secret in personal_data(card):
        assert secret not in html


def test_the_counts_are_one_aggregate_query(make_card, django_assert_num_queries):
    card = make_card(active=True)
    for card_type in ("BA", "RH", "BP"):
        CardFactory.create_batch(
            3, active=True, card_type=card_type, employer_orgnr=card.employer_orgnr
        )
    with django_assert_num_queries(1):
        counts = card_counts_for_company(card.employer_orgnr, today=timezone.localdate())
    assert [(c.card_type, c.active) for c in counts] == [("BA", 4), ("RH", 3), ("BP", 3)]


ER, MVA, STAFF = "Enhetsregisteret", "Merverdiavgiftsregisteret", "Bemanningsforetaksregisteret"
CLEAN, CAR = "Renholdsregisteret", "Godkjenning for bilpleie"


def _registration(html: str, label: str) -> str:
    start = html.index(f'<th scope="row">{label}')
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(
    "make, label, expected",
    [
        (lambda: EnhetFactory(), ER, "Aktiv"),
        (lambda: EnhetFactory(konkurs_aapnet=True), ER, "Konkurs"),
        (lambda: EnhetFactory(slettet=True), ER, "Slettet"),
        (lambda: EnhetFactory(), MVA, ">Registrert<"),
        (lambda: MvaEgenerklaeringFactory().enhet, MVA, "egenerklæring"),
        (lambda: EnhetFactory(mva=None), MVA, ">Ikke registrert<"),
        (lambda: BemanningsforetakFactory().enhet, STAFF, ">Registrert<"),
        (
            lambda: EnhetFactory(naeringskode1="78.200"),
            STAFF,
            "Ikke registrert – påkrevd for bemanningsforetak",
        ),
        (lambda: EnhetFactory(), CLEAN, ">Ikke registrert<"),
        (lambda: RenholdsgodkjenningFactory().enhet, CLEAN, ">Godkjent<"),
        (
            lambda: RenholdsgodkjenningFactory(status=GodkjenningStatus.SOEKT_KAN_BESTILLE).enhet,
            CLEAN,
            "Søkt – kan bestille kort",
        ),
        (lambda: BilpleiegodkjenningFactory().enhet, CAR, ">Godkjent<"),
        (
            lambda: BilpleiegodkjenningFactory(status=GodkjenningStatus.AVSLAATT).enhet,
            CAR,
            ">Avslått<",
        ),
    ],
)
def test_each_register_state_is_shown(client, make, label, expected):
    enhet = make()
    html = _html(client, enhet.organisasjonsnummer)
    assert enhet.navn in html
    assert expected in _registration(html, label)


@pytest.mark.parametrize("orgnr", ["12345678", "123456789", "abc", "9747606731"])
def test_malformed_organisation_numbers_get_a_clear_message(
    client, orgnr, django_assert_num_queries
):
    with django_assert_num_queries(0):
        html = _html(client, orgnr)
    assert "Dette er ikke et gyldig organisasjonsnummer" in html


def test_an_unknown_company(client):
    html = _html(client, "974760673")
    assert "Fant ikke virksomheten" in html


def test_the_supplier_page_in_english(client):
    enhet = EnhetFactory()
    html = _html(client, enhet.organisasjonsnummer, HTTP_ACCEPT_LANGUAGE="en")
    assert "Registrations and approvals" in html and "Active" in html
