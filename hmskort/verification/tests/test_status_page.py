"""The public status page: every status and reason in words, company facts, and
nothing personal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hmskort.cards.numbers import check_digit, format_card_number, new_card_number
from hmskort.cards.tests.factories import CardFactory
from hmskort.eligibility.reasons import REASONS, public_text
from hmskort.verification.tests.conftest import personal_data

pytestmark = pytest.mark.django_db

URL = reverse("verification:status")


def _get(client, number, **headers):
    return client.get(URL, {"kortnummer": number}, **headers)


def _html(response) -> str:
    return response.content.decode()


def test_the_empty_page_shows_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="kortnummer"' in _html(response)
    assert "Sjekk et HMS-kort" in _html(response)


@pytest.mark.parametrize(
    "traits, headline",
    [
        ({"active": True}, "Gyldig"),
        ({"in_production": True}, "Gyldig"),
        ({"expired": True}, "Ugyldig – utløpt"),
        (
            {"invalid": True},
            "Ugyldig – arbeidsforholdet er ikke registrert i Aa-registeret eller OAR",
        ),
        ({"blocked": True}, "Ugyldig – sperret"),
        ({"confiscated": True}, "Ugyldig – inndratt"),
        ({"returned": True}, "Ugyldig – levert tilbake"),
    ],
)
def test_status_company_and_validity_without_personal_data(client, make_card, traits, headline):
    card = make_card(**traits)
    response = _get(client, format_card_number(card.card_number))  # as printed, with spaces
    html = _html(response)
    assert response.status_code == 200
    assert headline in html
    assert card.employer_name in html and card.employer_orgnr in html
    assert "Bygg og anlegg" in html
    assert card.valid_until.strftime("%Y") in html
    for secret in personal_data(card):
        assert secret not in html, secret


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_of_an_invalid_card_is_shown_in_plain_words(client, code):
    card = CardFactory(invalid=True, reason_codes=[code])
    html = _html(_get(client, card.card_number))
    assert public_text(code, "nb") in html


def test_several_reasons_are_all_listed(client):
    codes = ["EMPLOYMENT_NOT_REGISTERED", "VAT_UNCLEAR"]
    card = CardFactory(invalid=True, reason_codes=codes)
    html = _html(_get(client, card.card_number))
    assert ">Ugyldig<" in html
    for code in codes:
        assert public_text(code, "nb") in html


def test_a_valid_card_past_its_date_is_answered_as_expired_before_the_nightly_job(client):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    card = CardFactory(active=True, valid_until=yesterday)
    html = _html(_get(client, card.card_number))
    assert "Ugyldig – utløpt" in html
    assert 'data-status="invalid"' in html


@pytest.mark.parametrize("traits", [{}, {"rejected": True}, {"cancelled": True}])
def test_orders_that_were_never_issued_say_so_and_nothing_more(client, make_card, traits):
    card = make_card(**traits)
    html = _html(_get(client, card.card_number))
    assert "Ikke utstedt" in html
    assert card.employer_name not in html and card.employer_orgnr not in html
    for secret in personal_data(card):
        assert secret not in html


@pytest.mark.parametrize("number", ["123", "12345678901", "abcdefghij", "0000000000"])
def test_malformed_numbers_get_a_clear_message_without_a_query(
    client, number, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = _get(client, number)
    assert response.status_code == 200
    assert "Dette er ikke et gyldig kortnummer" in _html(response)


def test_a_typo_caught_by_the_check_digit_needs_no_query(client, django_assert_num_queries):
    card = CardFactory(active=True)
    wrong = card.card_number[:-1] + str((int(card.card_number[-1]) + 1) % 10)
    with django_assert_num_queries(0):
        html = _html(_get(client, wrong))
    assert "Dette er ikke et gyldig kortnummer" in html


def test_an_unknown_well_formed_number_is_not_found_in_one_query(client, django_assert_num_queries):
    payload = new_card_number()[:9]
    number = payload + check_digit(payload)
    _get(client, new_card_number())  # the process reads the abuse blocks (once a second)
    with django_assert_num_queries(1):
        html = _html(_get(client, number))
    assert "Fant ikke kortet" in html


def test_htmx_requests_get_only_the_fragment(client, make_card):
    card = make_card(active=True)
    response = _get(client, card.card_number, HTTP_HX_REQUEST="true")
    html = _html(response)
    assert "Gyldig" in html and card.employer_name in html
    assert "<html" not in html and 'id="lookup"' in html
    for secret in personal_data(card):
        assert secret not in html


def test_the_page_is_in_english_when_the_browser_asks_for_it(client, make_card):
    card = make_card(expired=True)
    html = _html(_get(client, card.card_number, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Invalid – expired" in html
    assert "Check an HMS card" in html
    assert "Building and construction" in html
    assert "Organisation number" in html
    assert "Ugyldig – utløpt" not in html
