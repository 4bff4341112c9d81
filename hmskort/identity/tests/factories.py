"""Test helpers for logins and delegations (used by the portal's tests too).

user = portal_user(pid)                        # a logged-in-able user for that person
client.force_login(user)
DelegationFactory(orgnr=..., delegate_pid=...) # current by default (yesterday .. +30 days)
"""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from hmskort.identity.models import Delegation, PersonIdentity


def portal_user(pid: str, *, name: str = ""):
    """The portal user for this person (created with its PersonIdentity if needed)."""
    identity = PersonIdentity.objects.filter(pid=pid).select_related("user").first()
    if identity is not None:
        return identity.user
    first, _, last = name.rpartition(" ") if name else ("", "", "")
    user = get_user_model().objects.create_user(
        username=f"pid-{pid}", first_name=first[:150], last_name=last[:150]
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    PersonIdentity.objects.create(user=user, pid=pid)
    return user


class DelegationFactory(DjangoModelFactory):
    class Meta:
        model = Delegation

    orgnr = "999999999"
    delegate_pid = "01010112345"
    delegate_name = "Test Fullmektig"
    granted_by_pid = "02020212345"
    valid_from = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=1))
    valid_to = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))
