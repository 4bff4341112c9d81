"""Employees page: register employees with card status, search, paging, adding by number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hmskort.cards.tests.factories import card_for_employment
from hmskort.portal.models import AddedEmployee
from hmskort.portal.services.employees import (
    InvalidPersonIdentifier,
    PersonNotFound,
    employee_add,
    surname_matches,
)
from hmskort.portal.tests.conftest import url
from hmskort.registers.identifiers import valid_fnr
from hmskort.registers.tests.factories import ArbeidsforholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_list_shows_employees_with_card_status_and_reason(owner_client, company):
    ok = ArbeidsforholdFactory(arbeidsgiver=company)
    card_for_employment(ok, active=True)
    bad = ArbeidsforholdFactory(arbeidsgiver=company)
    card_for_employment(bad, invalid=True)
    response = owner_client.get(url("employees", company))
    html = response.content.decode()
    assert ok.arbeidstaker.fulltnavn in html
    assert bad.arbeidstaker.fulltnavn in html
    assert "Gyldig" in html
    assert "Ugyldig" in html
    assert "Aa-registeret" in html  # the reason text for EMPLOYMENT_NOT_REGISTERED
    # No fødselsnummer appears in links.
    assert ok.arbeidstaker.identifikator not in html


def test_other_companys_employees_are_not_listed(owner_client, company):
    other = ArbeidsforholdFactory()
    response = owner_client.get(url("employees", company))
    assert other.arbeidstaker.fulltnavn not in response.content.decode()


def test_search_by_name_and_by_number(owner_client, company):
    a = ArbeidsforholdFactory(
        arbeidsgiver=company, arbeidstaker__etternavn="Zakariassen"
    ).arbeidstaker
    b = ArbeidsforholdFactory(arbeidsgiver=company, arbeidstaker__etternavn="Olsen").arbeidstaker
    html = owner_client.get(url("employees", company), {"q": "zakari"}).content.decode()
    assert a.fulltnavn in html and b.fulltnavn not in html
    html = owner_client.get(url("employees", company), {"q": b.identifikator}).content.decode()
    assert b.fulltnavn in html and a.fulltnavn not in html


def _query_count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_employees(owner_client, company):
    for _ in range(3):
        card_for_employment(ArbeidsforholdFactory(arbeidsgiver=company), active=True)
    few = _query_count(owner_client, url("employees", company))
    for _ in range(40):
        card_for_employment(ArbeidsforholdFactory(arbeidsgiver=company), active=True)
    many = _query_count(owner_client, url("employees", company))
    assert many == few


def test_paging(owner_client, company):
    for _ in range(55):
        ArbeidsforholdFactory(arbeidsgiver=company)
    html = owner_client.get(url("employees", company)).content.decode()
    assert "55 ansatte" in html and "Neste side" in html
    html = owner_client.get(url("employees", company), {"fra": 50}).content.decode()
    assert "viser 51–55" in html and "Forrige side" in html


def test_add_employee_takes_name_from_folkeregisteret(owner_client, company, owner):
    person = PersonFactory(fornavn="Kari", etternavn="Nordmann")
    response = owner_client.post(
        url("employee_add", company), {"person_id": person.identifikator, "surname": "nordmann"}
    )
    assert response.status_code == 302
    added = AddedEmployee.objects.get(orgnr=company.organisasjonsnummer)
    assert added.name == "Kari Nordmann"
    assert added.added_by == owner.identifikator
    html = owner_client.get(response.url).content.decode()
    assert "Kari Nordmann" in html and "Lagt til manuelt" in html


def test_add_employee_invalid_checksum_keeps_what_was_typed(owner_client, company):
    typed = "01019012346"  # wrong check digits
    response = owner_client.post(
        url("employee_add", company), {"person_id": typed, "surname": "Hansen"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "ikke et gyldig fødselsnummer" in html
    assert f'value="{typed}"' in html
    assert "ds-error-summary" in html
    assert not AddedEmployee.objects.exists()


def test_add_unknown_person_gets_a_clear_error(owner_client, company):
    unknown = valid_fnr(dt.date(1985, 5, 17), 123)
    response = owner_client.post(
        url("employee_add", company), {"person_id": unknown, "surname": "Hansen"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "fant ingen person" in html.lower()
    assert f'value="{unknown}"' in html and 'value="Hansen"' in html


def test_a_wrong_surname_reveals_nothing_and_adds_no_one(owner_client, company):
    """The number alone never shows a name: a real person with the wrong surname
    gets exactly the answer an unknown number gets."""
    person = PersonFactory(fornavn="Kari", etternavn="Nordmann")
    unknown = valid_fnr(dt.date(1985, 5, 17), 123)
    pages = [
        owner_client.post(url("employee_add", company), {"person_id": n, "surname": "Hansen"})
        for n in (person.identifikator, unknown)
    ]
    assert [p.status_code for p in pages] == [422, 422]
    first, second = (re.sub(r"[A-Za-z0-9]{64}", "", p.content.decode()) for p in pages)
    assert "Kari" not in first and "Nordmann" not in first
    assert first.replace(person.identifikator, unknown) == second  # (CSRF tokens aside)
    assert not AddedEmployee.objects.exists()


def test_every_attempt_is_audit_logged_and_shown_to_the_person(owner_client, company, owner):
    from hmskort.core.models import AuditEvent
    from hmskort.wallet.selectors import lookups_of

    person = PersonFactory(etternavn="Nordmann")
    for surname in ("Hansen", "Nordmann"):
        owner_client.post(
            url("employee_add", company),
            {"person_id": person.identifikator, "surname": surname},
        )
    events = AuditEvent.objects.filter(action="employee_add", subject_id=person.identifikator)
    assert [e.detail["matched"] for e in events.order_by("id")] == [False, True]
    assert {e.actor for e in events} == {owner.identifikator}
    seen = lookups_of(person.identifikator)
    assert len(seen) == 2 and all(company.navn in entry.who for entry in seen)


def _unknown_numbers(count: int) -> list[str]:
    numbers = []
    for individual in range(100, 500):
        try:
            numbers.append(valid_fnr(dt.date(1985, 5, 17), individual))
        except ValueError:  # no valid check digits for this one
            continue
        if len(numbers) == count:
            return numbers
    raise AssertionError("not enough valid numbers")


def test_too_many_misses_lock_the_user_out_for_the_hour(owner_client, company, settings):
    settings.HMSKORT_EMPLOYEE_ADD_MISSES = (3, 3600)
    person = PersonFactory(etternavn="Nordmann")
    statuses = [
        owner_client.post(
            url("employee_add", company),
            {"person_id": number, "surname": "Hansen"},
        ).status_code
        for number in _unknown_numbers(3)
    ]
    assert statuses == [422, 422, 422]
    # Now even the right surname is refused, without asking Folkeregisteret.
    refused = owner_client.post(
        url("employee_add", company), {"person_id": person.identifikator, "surname": "Nordmann"}
    )
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3601
    html = refused.content.decode()
    assert "For mange forsøk" in html and f'value="{person.identifikator}"' in html
    assert not AddedEmployee.objects.exists()


@pytest.mark.parametrize(
    ("typed", "registered", "matches"),
    [
        ("nordmann", "Nordmann", True),
        ("  Hansen   Berg ", "Hansen-Berg", True),
        ("Berg", "Hansen Berg", True),
        ("Søreide", "SØREIDE", True),
        ("Soreide", "Søreide", False),
        ("Nord", "Nordmann", False),
        ("", "Nordmann", False),
    ],
)
def test_surname_matching(typed, registered, matches):
    assert surname_matches(typed, registered) is matches


def test_employee_add_service_errors(company):
    with pytest.raises(InvalidPersonIdentifier):
        employee_add(
            orgnr=company.organisasjonsnummer, person_id="123", surname="Hansen", added_by="x"
        )
    with pytest.raises(PersonNotFound):
        employee_add(
            orgnr=company.organisasjonsnummer,
            person_id=valid_fnr(dt.date(1985, 5, 17), 123),
            surname="Hansen",
            added_by="x",
        )


def test_adding_twice_keeps_one_entry(company):
    person = PersonFactory()
    first = employee_add(
        orgnr=company.organisasjonsnummer,
        person_id=person.identifikator,
        surname=person.etternavn,
        added_by="x",
    )
    again = employee_add(
        orgnr=company.organisasjonsnummer,
        person_id=person.identifikator,
        surname=person.etternavn,
        added_by="x",
    )
    assert first.pk == again.pk


def test_english_pages(owner_client, company, employee):
    from django.utils import translation

    with translation.override("en"):
        response = owner_client.get(url("employees", company), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Order new card" in html and "Employees" in html


def test_the_add_form_in_english_asks_for_the_surname(owner_client, company):
    from django.utils import translation

    with translation.override("en"):
        response = owner_client.get(url("employee_add", company), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Surname" in html and "The person can see that you added them." in html
