"""Delegation (fullmakt): grant and revoke, through the services and the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hmskort.core.models import AuditEvent
from hmskort.identity import services
from hmskort.identity.access import company_access
from hmskort.identity.models import Delegation
from hmskort.identity.tests.matrix import company_world
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    OppdragArbeidstakerFactory,
    OppdragFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def world():
    return company_world()


@pytest.fixture
def employee(world):
    person = PersonFactory(fornavn="Eva", etternavn="Ansatt")
    ArbeidsforholdFactory(arbeidsgiver=world.company, arbeidstaker=person)
    return person


def grant(world, pid, *, start=None, end=None, by=None):
    return services.delegation_grant(
        orgnr=world.orgnr,
        delegate_pid=pid,
        valid_from=start or world.today,
        valid_to=end or world.today + 30 * DAY,
        granted_by_pid=by or world.pids["role_holder"],
        today=world.today,
    )


def test_grant_gives_access_at_once_and_is_audited(world, employee):
    pid = employee.identifikator
    assert company_access(pid, world.orgnr, today=world.today) is None

    d = grant(world, pid, end=world.today + 10 * DAY)

    assert d.delegate_name == "Eva Ansatt"
    access = company_access(pid, world.orgnr, today=world.today)
    assert access.basis == "delegation" and access.valid_to == world.today + 10 * DAY
    event = AuditEvent.objects.get(action="grant", object_id=str(d.pk))
    assert event.actor == world.pids["role_holder"] and event.subject_id == pid
    assert event.detail["orgnr"] == world.orgnr


def test_revoke_ends_access_at_once_and_is_audited(world):
    pid = world.pids["delegate"]
    d = world.delegations["delegate"]
    assert company_access(pid, world.orgnr, today=world.today) is not None

    services.delegation_revoke(
        orgnr=world.orgnr,
        delegation_id=d.pk,
        revoked_by_pid=world.pids["role_holder"],
        today=world.today,
    )

    assert company_access(pid, world.orgnr, today=world.today) is None
    d.refresh_from_db()
    assert d.revoked_at is not None and d.revoked_by_pid == world.pids["role_holder"]
    assert AuditEvent.objects.filter(action="revoke", object_id=str(d.pk), subject_id=pid).exists()


def test_posted_worker_in_oar_can_get_a_delegation():
    world = company_world()
    oppdrag = OppdragFactory(oppdragstaker=world.company)
    worker = OppdragArbeidstakerFactory(oppdrag=oppdrag).arbeidstaker
    assert grant(world, worker.identifikator).delegate_pid == worker.identifikator


def test_employee_of_an_underenhet_can_get_a_delegation_for_the_hovedenhet(world):
    branch = EnhetFactory(underenhet=True, overordnet_enhet=world.company)
    person = PersonFactory()
    ArbeidsforholdFactory(arbeidsgiver=branch, arbeidstaker=person)
    assert grant(world, person.identifikator).orgnr == world.orgnr


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("not_employed", "not_employed"),
        ("ended_employment", "not_employed"),
        ("other_company_employee", "not_employed"),
        ("unknown_person", "person_not_found"),
        ("bad_number", "invalid_identifier"),
        ("self", "invalid_identifier"),
        ("starts_yesterday", "invalid_period"),
        ("already_delegated", "delegation_exists"),
    ],
)
def test_grant_refusals(world, employee, setup, code):
    pid, start = employee.identifikator, world.today
    if setup == "not_employed":
        pid = PersonFactory().identifikator
    elif setup == "ended_employment":
        person = PersonFactory()
        ArbeidsforholdFactory(
            arbeidsgiver=world.company, arbeidstaker=person, sluttdato=world.today - DAY
        )
        pid = person.identifikator
    elif setup == "other_company_employee":
        person = PersonFactory()
        ArbeidsforholdFactory(arbeidsgiver=world.other_company, arbeidstaker=person)
        pid = person.identifikator
    elif setup == "unknown_person":
        pid = PersonFactory.build().identifikator
    elif setup == "bad_number":
        pid = "12345678901"
    elif setup == "self":
        pid = world.pids["role_holder"]
    elif setup == "starts_yesterday":
        start = world.today - DAY
    elif setup == "already_delegated":
        grant(world, pid)
    before = Delegation.objects.count()
    with pytest.raises(services.ApplicationError) as exc:
        grant(world, pid, start=start)
    assert exc.value.code == code
    assert Delegation.objects.count() == before


@pytest.mark.parametrize("actor", ["delegate", "other_company_user"])
def test_only_a_role_holder_may_grant_or_revoke(world, employee, actor):
    with pytest.raises(services.NotRoleHolder):
        grant(world, employee.identifikator, by=world.pids[actor])
    with pytest.raises(services.NotRoleHolder):
        services.delegation_revoke(
            orgnr=world.orgnr,
            delegation_id=world.delegations["delegate"].pk,
            revoked_by_pid=world.pids[actor],
            today=world.today,
        )
    assert not AuditEvent.objects.filter(action__in=["grant", "revoke"]).exists()


def test_a_delegate_who_is_also_a_role_holder_may_delegate(world, employee):
    from hmskort.registers.tests.factories import RolleFactory

    RolleFactory(enhet=world.company, person_id=world.pids["delegate"], rolletype="NEST")
    assert grant(world, employee.identifikator, by=world.pids["delegate"]).pk


# --- the page ------------------------------------------------------------------------------


def page_url(world):
    return reverse("identity:delegations", kwargs={"orgnr": world.orgnr})


def test_page_lists_who_has_access_and_until_when(world):
    client = world.client_for("role_holder")
    body = client.get(page_url(world)).content.decode()
    current = world.delegations["delegate"]
    future = world.delegations["delegate_before"]
    assert current.delegate_name in body and f"{current.valid_to:%d.%m.%Y}" in body
    assert future.delegate_name in body and "Ikke startet" in body
    assert world.delegations["delegate_after"].delegate_name not in body
    assert world.delegations["revoked_delegate"].delegate_name not in body
    assert "Gi fullmakt" in body and "Trekk tilbake" in body


def test_page_grants_through_the_form(world, employee):
    client = world.client_for("role_holder")
    end = world.today + 14 * DAY
    r = client.post(
        page_url(world),
        {
            "delegate_pid": employee.identifikator,
            "valid_from": world.today.isoformat(),
            "valid_to": end.isoformat(),
        },
        follow=True,
    )
    body = r.content.decode()
    assert "Eva Ansatt har fått fullmakt" in body
    assert Delegation.objects.filter(delegate_pid=employee.identifikator).exists()


def test_page_refusal_keeps_what_was_typed_with_an_error_summary(world):
    client = world.client_for("role_holder")
    stranger = PersonFactory()
    end = world.today + 3 * DAY
    r = client.post(
        page_url(world),
        {
            "delegate_pid": stranger.identifikator,
            "valid_from": world.today.isoformat(),
            "valid_to": end.isoformat(),
        },
    )
    body = r.content.decode()
    assert r.status_code == 400
    assert 'data-testid="error-summary"' in body
    assert "ikke registrert som ansatt" in body
    assert f'value="{stranger.identifikator}"' in body
    assert f'value="{end.isoformat()}"' in body
    assert 'href="#id_delegate_pid"' in body and 'aria-invalid="true"' in body


def test_page_rejects_end_before_start(world, employee):
    client = world.client_for("role_holder")
    r = client.post(
        page_url(world),
        {
            "delegate_pid": employee.identifikator,
            "valid_from": (world.today + 5 * DAY).isoformat(),
            "valid_to": world.today.isoformat(),
        },
    )
    assert r.status_code == 400
    assert "Sluttdatoen kan ikke være før startdatoen" in r.content.decode()


def test_page_revoke_takes_the_delegate_out_at_once(world):
    d = world.delegations["delegate"]
    delegate_client = world.client_for("delegate")
    assert delegate_client.get(page_url(world)).status_code == 200

    r = world.client_for("role_holder").post(
        reverse("identity:delegation_revoke", kwargs={"orgnr": world.orgnr, "delegation_id": d.pk}),
        follow=True,
    )

    assert "er trukket tilbake" in r.content.decode()
    # The delegate's very next request is refused.
    assert delegate_client.get(page_url(world)).status_code == 404
    assert (
        delegate_client.get(reverse("identity:choose_company")).content.decode().count(world.orgnr)
        == 0
    )


def test_delegate_sees_the_list_but_no_form(world):
    body = world.client_for("delegate").get(page_url(world)).content.decode()
    assert "Bare personer med rolle i Enhetsregisteret kan gi fullmakt" in body
    assert "Trekk tilbake" not in body and 'name="delegate_pid"' not in body


def test_revoking_another_companys_delegation_changes_nothing(world):
    other = company_world()
    d = other.delegations["delegate"]
    world.client_for("role_holder").post(
        reverse("identity:delegation_revoke", kwargs={"orgnr": world.orgnr, "delegation_id": d.pk})
    )
    d.refresh_from_db()
    assert d.revoked_at is None


def test_revoke_is_post_only(world):
    d = world.delegations["delegate"]
    r = world.client_for("role_holder").get(
        reverse("identity:delegation_revoke", kwargs={"orgnr": world.orgnr, "delegation_id": d.pk})
    )
    assert r.status_code == 405
    d.refresh_from_db()
    assert d.revoked_at is None
