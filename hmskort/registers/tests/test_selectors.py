"""Portal look-ups: a person's companies, a company's employees (Aa + OAR), paged."""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.registers.selectors import employees_of_company, roles_for_person
from hmskort.registers.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def test_roles_for_person_lists_companies_by_name_without_resigned_roles():
    person = f.PersonFactory()
    b = f.RolleFactory(person=person, enhet__navn="B AS", rolletype="DAGL").enhet
    a = f.RolleFactory(person=person, enhet__navn="A AS", rolletype="LEDE").enhet
    f.RolleFactory(person=person, enhet__navn="C AS", fratraadt=True)
    f.RolleFactory(enhet=a)  # someone else's role

    roles = roles_for_person(person.pk)

    assert [(r.organisasjonsnummer, r.rolletype) for r in roles] == [(a.pk, "LEDE"), (b.pk, "DAGL")]
    assert len(roles_for_person(person.pk, include_resigned=True)) == 3


def test_employees_of_company_from_aa_and_oar_paged_by_name(django_assert_max_num_queries):
    enhet = f.EnhetFactory(nuf=True)
    people = [f.PersonFactory(etternavn=name, fornavn="X") for name in ("Aas", "Berg", "Dahl")]
    f.ArbeidsforholdFactory(arbeidsgiver=enhet, arbeidstaker=people[0])
    f.ArbeidsforholdFactory(
        arbeidsgiver=enhet,
        arbeidstaker=people[0],
        startdato=TODAY - dt.timedelta(days=900),
        sluttdato=TODAY - dt.timedelta(days=400),
    )
    f.OppdragArbeidstakerFactory(oppdrag__oppdragstaker=enhet, arbeidstaker=people[1])
    f.ArbeidsforholdFactory(
        arbeidsgiver=enhet, arbeidstaker=people[2], sluttdato=TODAY - dt.timedelta(days=1)
    )
    f.ArbeidsforholdFactory(arbeidstaker=f.PersonFactory(etternavn="Andre"))  # other company

    with django_assert_max_num_queries(4):
        page = employees_of_company(enhet.pk, limit=2)
    assert page.total == 3
    assert [e.navn for e in page.items] == ["X Aas", "X Berg"]
    assert [p.source for p in page.items[0].perioder] == ["AA", "AA"]
    assert [p.source for p in page.items[1].perioder] == ["OAR"]

    rest = employees_of_company(enhet.pk, offset=2, limit=2)
    assert [e.navn for e in rest.items] == ["X Dahl"]

    current = employees_of_company(enhet.pk, not_ended_before=TODAY)
    assert [e.navn for e in current.items] == ["X Aas", "X Berg"]
