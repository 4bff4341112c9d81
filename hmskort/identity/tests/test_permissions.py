"""The permission matrix applied to every identity URL that names a company,
and login-only checks for the rest."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hmskort.identity.tests.matrix import PermissionMatrix, assert_matrix, company_world
from hmskort.registers.tests.factories import ArbeidsforholdFactory, PersonFactory


class TestDelegationsPage(PermissionMatrix):
    url_name = "identity:delegations"


class TestDelegationsPageOfAnUnderenhet(PermissionMatrix):
    url_name = "identity:delegations"
    world_underenhet = True


class TestDelegationGrant(PermissionMatrix):
    url_name = "identity:delegations"
    method = "post"
    allowed_status = 302
    expect = {"delegate": 403}

    def prepare(self, world):
        person = PersonFactory()
        ArbeidsforholdFactory(arbeidsgiver=world.company, arbeidstaker=person)
        world.pids["new_employee"] = person.identifikator

    def data(self, world):
        return {
            "delegate_pid": world.pids["new_employee"],
            "valid_from": world.today.isoformat(),
            "valid_to": world.today.isoformat(),
        }


class TestDelegationRevoke(PermissionMatrix):
    url_name = "identity:delegation_revoke"
    method = "post"
    allowed_status = 302
    expect = {"delegate": 403}

    def url(self, world):
        return reverse(
            self.url_name,
            kwargs={"orgnr": world.orgnr, "delegation_id": world.delegations["delegate"].pk},
        )


@pytest.mark.django_db
def test_assert_matrix_on_one_url():
    world = company_world()
    assert_matrix(reverse("identity:delegations", kwargs={"orgnr": world.orgnr}), world=world)


@pytest.mark.django_db
def test_unknown_company_is_404_even_for_a_role_holder():
    world = company_world()
    client = world.client_for("role_holder")
    for orgnr in ("999999999", "abc", world.other_company.organisasjonsnummer):
        assert (
            client.get(reverse("identity:delegations", kwargs={"orgnr": orgnr})).status_code == 404
        )


@pytest.mark.django_db
def test_user_without_pid_gets_404_not_an_error(django_user_model, client):
    world = company_world()
    staff = django_user_model.objects.create_user(username="staff", password="x")
    client.force_login(staff)
    url = reverse("identity:delegations", kwargs={"orgnr": world.orgnr})
    assert client.get(url).status_code == 404
    body = client.get(reverse("identity:choose_company")).content.decode()
    assert "Du har ingen virksomheter" in body


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["identity:choose_company"])
def test_login_required_pages_redirect_anonymous(client, name):
    r = client.get(reverse(name))
    assert r.status_code == 302 and r["Location"].startswith(reverse("identity:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["identity:login", "identity:logged_out", "identity:testid"])
def test_public_pages_open_to_anonymous(client, name):
    assert client.get(reverse(name)).status_code == 200
