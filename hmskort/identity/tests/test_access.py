"""Who may act for which company: companies_for_person, company_access and the chooser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hmskort.identity.access import companies_for_person, company_access
from hmskort.identity.tests.factories import DelegationFactory, portal_user
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import EnhetFactory, PersonFactory, RolleFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 10)
DAY = dt.timedelta(days=1)


def orgnrs(accesses):
    return [a.orgnr for a in accesses]


def test_role_in_hovedenhet_gives_its_underenheter_as_separate_companies():
    person = PersonFactory()
    main = EnhetFactory(navn="FJELL AS")
    subs = [
        EnhetFactory(underenhet=True, overordnet_enhet=main, navn=f"FJELL AS AVD {city}")
        for city in ("BERGEN", "OSLO")
    ]
    EnhetFactory(underenhet=True, overordnet_enhet=main, slettet=True)  # deleted: not listed
    RolleFactory(enhet=main, person=person, rolletype=rm.RolleType.LEDE)
    RolleFactory(enhet=main, person=person, rolletype=rm.RolleType.DAGL)

    result = companies_for_person(person.identifikator, today=TODAY)

    assert orgnrs(result) == [main.organisasjonsnummer] + [s.organisasjonsnummer for s in subs]
    head, *branches = result
    assert head.basis == "role" and not head.is_underenhet and head.parent_orgnr is None
    assert head.role_codes == ("DAGL", "LEDE")
    assert head.role_names == ("Daglig leder", "Styrets leder")
    for b in branches:
        assert b.is_underenhet and b.parent_orgnr == main.organisasjonsnummer
        assert b.basis == "role" and b.role_codes == ("DAGL", "LEDE")


def test_role_in_an_underenhet_does_not_give_the_hovedenhet():
    person = PersonFactory()
    sub = EnhetFactory(underenhet=True)
    RolleFactory(enhet=sub, person=person, rolletype=rm.RolleType.KONT)
    assert orgnrs(companies_for_person(person.identifikator, today=TODAY)) == [
        sub.organisasjonsnummer
    ]
    assert company_access(person.identifikator, sub.overordnet_enhet_id, today=TODAY) is None


def test_resigned_roles_and_deleted_companies_give_nothing():
    person = PersonFactory()
    RolleFactory(person=person, fratraadt=True)
    deleted = EnhetFactory(slettet=True)
    RolleFactory(enhet=deleted, person=person)
    assert companies_for_person(person.identifikator, today=TODAY) == []
    assert company_access(person.identifikator, deleted.organisasjonsnummer, today=TODAY) is None


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "listed"),
    [
        (TODAY, TODAY, True),  # a one-day delegation, today
        (TODAY - 10 * DAY, TODAY, True),  # ends today
        (TODAY, TODAY + 10 * DAY, True),  # starts today
        (TODAY + DAY, TODAY + 10 * DAY, False),  # starts tomorrow
        (TODAY - 10 * DAY, TODAY - DAY, False),  # ended yesterday
    ],
)
def test_delegation_counts_only_within_its_dates(valid_from, valid_to, listed):
    company = EnhetFactory()
    delegate = PersonFactory()
    DelegationFactory(
        orgnr=company.organisasjonsnummer,
        delegate_pid=delegate.identifikator,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    result = companies_for_person(delegate.identifikator, today=TODAY)
    access = company_access(delegate.identifikator, company.organisasjonsnummer, today=TODAY)
    if listed:
        assert orgnrs(result) == [company.organisasjonsnummer]
        assert result[0].basis == "delegation" and result[0].role_codes == ()
        assert result[0].valid_to == valid_to
        assert access == result[0]
    else:
        assert result == [] and access is None


def test_revoked_delegation_gives_nothing():
    company = EnhetFactory()
    delegate = PersonFactory()
    DelegationFactory(
        orgnr=company.organisasjonsnummer,
        delegate_pid=delegate.identifikator,
        valid_from=TODAY - DAY,
        valid_to=TODAY + DAY,
        revoked_at=timezone.now(),
    )
    assert companies_for_person(delegate.identifikator, today=TODAY) == []


def test_delegation_for_a_hovedenhet_does_not_cover_its_underenheter():
    main = EnhetFactory()
    EnhetFactory(underenhet=True, overordnet_enhet=main)
    delegate = PersonFactory()
    DelegationFactory(
        orgnr=main.organisasjonsnummer,
        delegate_pid=delegate.identifikator,
        valid_from=TODAY,
        valid_to=TODAY,
    )
    assert orgnrs(companies_for_person(delegate.identifikator, today=TODAY)) == [
        main.organisasjonsnummer
    ]


def test_role_wins_over_delegation_for_the_same_company():
    company = EnhetFactory()
    person = PersonFactory()
    RolleFactory(enhet=company, person=person)
    DelegationFactory(
        orgnr=company.organisasjonsnummer,
        delegate_pid=person.identifikator,
        valid_from=TODAY,
        valid_to=TODAY,
    )
    (access,) = companies_for_person(person.identifikator, today=TODAY)
    assert access.basis == "role" and access.valid_to is None
    assert company_access(person.identifikator, company.organisasjonsnummer, today=TODAY) == access


def test_company_access_and_the_list_agree_for_every_company():
    person = PersonFactory()
    main = EnhetFactory()
    EnhetFactory(underenhet=True, overordnet_enhet=main)
    RolleFactory(enhet=main, person=person)
    other = EnhetFactory()
    DelegationFactory(
        orgnr=other.organisasjonsnummer,
        delegate_pid=person.identifikator,
        valid_from=TODAY,
        valid_to=TODAY + DAY,
    )
    listed = companies_for_person(person.identifikator, today=TODAY)
    assert len(listed) == 3
    for access in listed:
        assert company_access(person.identifikator, access.orgnr, today=TODAY) == access


@pytest.mark.parametrize("orgnr", ["", "abc", "12345678", "1234567890", "999999999"])
def test_company_access_for_nonsense_or_unknown_orgnr_is_none(orgnr):
    person = PersonFactory()
    assert company_access(person.identifikator, orgnr, today=TODAY) is None


# --- the chooser page ------------------------------------------------------------------------


def test_chooser_lists_exactly_the_persons_companies(client):
    person = PersonFactory()
    main = EnhetFactory(navn="ALFA BYGG AS")
    sub = EnhetFactory(underenhet=True, overordnet_enhet=main, navn="ALFA BYGG AS AVD NORD")
    RolleFactory(enhet=main, person=person, rolletype=rm.RolleType.DAGL)
    delegated = EnhetFactory(navn="BETA RENHOLD AS")
    today = timezone.localdate()
    DelegationFactory(
        orgnr=delegated.organisasjonsnummer,
        delegate_pid=person.identifikator,
        valid_from=today,
        valid_to=today + 5 * DAY,
    )
    unrelated = EnhetFactory(navn="GAMMA AS")
    client.force_login(portal_user(person.identifikator))

    body = client.get(reverse("identity:choose_company")).content.decode()

    for company in (main, sub, delegated):
        assert f'data-orgnr="{company.organisasjonsnummer}"' in body
    assert unrelated.organisasjonsnummer not in body and "GAMMA AS" not in body
    assert "Daglig leder" in body
    assert "Underenhet" in body and "Hovedenhet" in body
    assert f"Fullmakt til og med {(today + 5 * DAY):%d.%m.%Y}" in body


def test_choosing_a_company_remembers_it_and_goes_to_the_company(client):
    person = PersonFactory()
    company = EnhetFactory()
    RolleFactory(enhet=company, person=person)
    client.force_login(portal_user(person.identifikator))

    r = client.post(reverse("identity:choose_company"), {"orgnr": company.organisasjonsnummer})

    assert r.status_code == 302
    assert company.organisasjonsnummer in r["Location"]
    assert client.session["hmskort_company_orgnr"] == company.organisasjonsnummer


def test_choosing_a_company_without_access_is_refused(client):
    person = PersonFactory()
    company = EnhetFactory()
    client.force_login(portal_user(person.identifikator))
    r = client.post(
        reverse("identity:choose_company"), {"orgnr": company.organisasjonsnummer}, follow=True
    )
    assert "hmskort_company_orgnr" not in client.session
    assert "Du har ikke tilgang" in r.content.decode()


def test_person_without_roles_sees_no_companies_page(client):
    person = PersonFactory()
    client.force_login(portal_user(person.identifikator))
    r = client.get(reverse("identity:choose_company"))
    body = r.content.decode()
    assert r.status_code == 200
    assert "Du har ingen virksomheter" in body
    assert "Slik får du tilgang" in body


def test_chooser_needs_login(client):
    r = client.get(reverse("identity:choose_company"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("identity:login"))


def test_header_shows_name_profile_menu_and_language_switch(client):
    person = PersonFactory(fornavn="Ola", etternavn="Hansen")
    RolleFactory(person=person)
    client.force_login(portal_user(person.identifikator, name="Ola Hansen"))
    body = client.get(reverse("identity:choose_company")).content.decode()
    assert "Ola Hansen" in body
    assert "Bytt virksomhet" in body
    assert 'action="/logg-ut"' in body
    assert 'name="language" value="en"' in body


def test_chooser_in_english(client):
    person = PersonFactory()
    client.force_login(portal_user(person.identifikator))
    r = client.get(reverse("identity:choose_company"), HTTP_ACCEPT_LANGUAGE="en")
    assert "You have no companies" in r.content.decode()
