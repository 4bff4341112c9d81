"""The permission matrix: who may reach a company's URL (NetBox-style shared tests).

Every company URL is tried by seven actors, each in its own test case:

    role_holder          DAGL in the company                                -> allowed
    delegate             delegation valid yesterday .. +30 days             -> allowed
    delegate_before      delegation that starts tomorrow                    -> 404
    delegate_after       delegation that ended yesterday                    -> 404
    revoked_delegate     delegation within its dates but revoked            -> 404
    other_company_user   role holder in another company                     -> 404
    anonymous            not logged in                                      -> redirect to login

Declare a class (pytest collects it when its name starts with Test):

    from hmskort.identity.tests.matrix import PermissionMatrix

    class TestEmployeesPermissions(PermissionMatrix):
        url_name = "portal:employees"              # reversed with orgnr=world.orgnr

    class TestOrderPostPermissions(PermissionMatrix):
        url_name = "portal:cart_add"
        method = "post"
        allowed_status = 302                        # what an allowed actor gets
        expect = {"delegate": 403}                  # per-actor overrides

        def url(self, world):                       # or build the URL yourself
            return reverse(self.url_name, kwargs={"orgnr": world.orgnr, "ref": ...})

        def data(self, world):                      # POST body
            return {...}

        def prepare(self, world):                   # create what the URL needs
            ...

Or call `assert_matrix(client, url, world=..., ...)` for one URL in a plain test
(it tries every actor in turn in the same test).

The company is a hovedenhet by default; `world_underenhet = True` makes the URL's
company an underenhet whose parent the role holder has the role in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hmskort.identity.models import Delegation
from hmskort.identity.tests.factories import portal_user
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RolleFactory,
)

ACTORS = (
    "role_holder",
    "delegate",
    "delegate_before",
    "delegate_after",
    "revoked_delegate",
    "other_company_user",
    "anonymous",
)
LOGIN = "login"  # expected outcome: a redirect to the login page

DEFAULT_EXPECT = {
    "role_holder": None,  # None: the class's allowed_status
    "delegate": None,
    "delegate_before": 404,
    "delegate_after": 404,
    "revoked_delegate": 404,
    "other_company_user": 404,
    "anonymous": LOGIN,
}


@dataclass
class CompanyWorld:
    """A company with one actor of each kind (see the module docstring)."""

    company: rm.Enhet
    other_company: rm.Enhet
    today: dt.date
    pids: dict[str, str] = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)

    @property
    def orgnr(self) -> str:
        return self.company.organisasjonsnummer

    @property
    def role_holder(self):
        return self.users["role_holder"]

    @property
    def delegate(self):
        return self.users["delegate"]

    def client_for(self, actor: str) -> Client:
        client = Client()
        if actor != "anonymous":
            client.force_login(self.users[actor])
        return client


def _employee(company: rm.Enhet, *, fornavn: str) -> rm.Person:
    person = PersonFactory(fornavn=fornavn)
    ArbeidsforholdFactory(arbeidsgiver=company, arbeidstaker=person)
    return person


def company_world(*, underenhet: bool = False, today: dt.date | None = None) -> CompanyWorld:
    """Build the company, its actors and their delegations (in the test database)."""
    today = today or timezone.localdate()
    day = dt.timedelta(days=1)
    hovedenhet = EnhetFactory()
    company = (
        EnhetFactory(underenhet=True, overordnet_enhet=hovedenhet) if underenhet else hovedenhet
    )
    other = EnhetFactory()
    world = CompanyWorld(company=company, other_company=other, today=today)

    leader = PersonFactory(fornavn="Rolle")
    RolleFactory(enhet=hovedenhet, person=leader, rolletype=rm.RolleType.DAGL)
    world.pids["role_holder"] = leader.identifikator
    outsider = PersonFactory(fornavn="Annen")
    RolleFactory(enhet=other, person=outsider, rolletype=rm.RolleType.DAGL)
    world.pids["other_company_user"] = outsider.identifikator

    periods = {
        "delegate": (today - day, today + 30 * day, False),
        "delegate_before": (today + day, today + 30 * day, False),
        "delegate_after": (today - 30 * day, today - day, False),
        "revoked_delegate": (today - day, today + 30 * day, True),
    }
    for actor, (start, end, revoked) in periods.items():
        person = _employee(company, fornavn=actor.replace("_", " ").title())
        world.pids[actor] = person.identifikator
        world.delegations[actor] = Delegation.objects.create(
            orgnr=company.organisasjonsnummer,
            delegate_pid=person.identifikator,
            delegate_name=person.fulltnavn,
            granted_by_pid=leader.identifikator,
            valid_from=start,
            valid_to=end,
            revoked_at=timezone.now() if revoked else None,
            revoked_by_pid=leader.identifikator if revoked else "",
        )
    for actor, pid in world.pids.items():
        world.users[actor] = portal_user(pid)
    return world


def _check(response, expected, *, actor: str, url: str) -> None:
    where = f"{actor} on {url}"
    if expected == LOGIN:
        assert response.status_code == 302, (
            f"{where}: {response.status_code}, wanted login redirect"
        )
        login = reverse("identity:login")
        assert response["Location"].startswith(login), f"{where}: went to {response['Location']}"
        return
    assert response.status_code == expected, f"{where}: {response.status_code}, wanted {expected}"


def assert_matrix(
    url: str,
    *,
    world: CompanyWorld,
    method: str = "get",
    data=None,
    allowed_status: int = 200,
    expect: dict | None = None,
    actors=ACTORS,
) -> None:
    """Try `url` as every actor (in this one test) and check each outcome.

    Beware that a POST by one actor may change what the next one sees; use the
    PermissionMatrix class (one test per actor) for state-changing requests.
    """
    outcomes = {**DEFAULT_EXPECT, **(expect or {})}
    for actor in actors:
        wanted = outcomes[actor] if outcomes[actor] is not None else allowed_status
        response = getattr(world.client_for(actor), method)(url, data=data or {})
        _check(response, wanted, actor=actor, url=url)


class PermissionMatrix:
    """Base class: one test per actor for one URL (see the module docstring)."""

    url_name: str = ""
    method: str = "get"
    allowed_status: int = 200
    expect: dict = {}
    world_underenhet: bool = False

    def url(self, world: CompanyWorld) -> str:
        return reverse(self.url_name, kwargs={"orgnr": world.orgnr})

    def data(self, world: CompanyWorld):
        return None

    def prepare(self, world: CompanyWorld) -> None:
        """Create whatever the URL needs (runs after the world is built)."""

    @pytest.mark.django_db
    @pytest.mark.parametrize("actor", ACTORS)
    def test_permission(self, actor):
        world = company_world(underenhet=self.world_underenhet)
        self.prepare(world)
        outcomes = {**DEFAULT_EXPECT, **self.expect}
        wanted = outcomes[actor] if outcomes[actor] is not None else self.allowed_status
        url = self.url(world)
        response = getattr(world.client_for(actor), self.method)(url, data=self.data(world) or {})
        _check(response, wanted, actor=actor, url=url)
