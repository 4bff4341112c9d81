"""Who may act for which company: the one place the portal asks.

A person may act for a company when they hold a role in it in Enhetsregisteret
(a role in a hovedenhet also gives access to each of its underenheter), or hold
a current delegation (fullmakt) for exactly that company. Hovedenhet and
underenheter are separate companies, each with its own orgnr.

    companies_for_person(pid, today=today)  -> [CompanyAccess, ...]  (the chooser)
    company_access(pid, orgnr, today=today) -> CompanyAccess | None  (every request)

    @company_access_required                 # views with an `orgnr` URL kwarg
    def view(request, orgnr): request.company, request.pid

Access is decided afresh on every request (no caching), so a revoked or expired
delegation, or a resigned role, loses access at once. Companies deleted from
Enhetsregisteret are not listed and give no access.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q
from django.http import Http404, HttpRequest
from django.utils import timezone

from hmskort.identity.models import Delegation, PersonIdentity
from hmskort.registers import models as rm
from hmskort.registers.selectors import roles_for_person

Basis = Literal["role", "delegation"]

#: The session key holding the orgnr the user last chose in the chooser.
SESSION_COMPANY_KEY = "hmskort_company_orgnr"


@dataclass(frozen=True)
class CompanyAccess:
    orgnr: str
    name: str
    basis: Basis  # "role" wins when a person has both a role and a delegation
    role_codes: tuple[str, ...]  # Enhetsregisteret role codes (DAGL, LEDE ...); () for a delegate
    valid_to: dt.date | None  # last day of the delegation; None for a role
    is_underenhet: bool
    parent_orgnr: str | None

    @property
    def is_role_holder(self) -> bool:
        return self.basis == "role"

    @property
    def role_names(self) -> tuple[str, ...]:
        """The role codes as names (Daglig leder, Styrets leder ...), in the active language."""
        labels = dict(rm.RolleType.choices)
        return tuple(str(labels.get(code, code)) for code in self.role_codes)


def pid_of(user) -> str | None:
    """The fødselsnummer/D-nummer of a portal user (None for anonymous or staff-only users)."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_hmskort_pid", False)
    if cached is not False:
        return cached
    pid = PersonIdentity.objects.filter(user_id=user.pk).values_list("pid", flat=True).first()
    user._hmskort_pid = pid
    return pid


def _current_delegations(pid: str, today: dt.date):
    return Delegation.objects.filter(
        delegate_pid=pid, revoked_at__isnull=True, valid_from__lte=today, valid_to__gte=today
    )


def _live_enheter():
    return rm.Enhet.objects.filter(slettedato__isnull=True)


def _sort_key(a: CompanyAccess, names: dict[str, str]):
    top = a.parent_orgnr or a.orgnr
    return (names.get(top, a.name).casefold(), top, a.is_underenhet, a.name.casefold(), a.orgnr)


def companies_for_person(pid: str, *, today: dt.date) -> list[CompanyAccess]:
    """Every company this person may act for today, each hovedenhet followed by its underenheter."""
    if not pid:
        return []
    role_codes: dict[str, set[str]] = {}
    for r in roles_for_person(pid):
        if not r.slettet:
            role_codes.setdefault(r.organisasjonsnummer, set()).add(r.rolletype)
    # A role in a hovedenhet covers its underenheter.
    for sub, parent in (
        _live_enheter()
        .filter(overordnet_enhet_id__in=list(role_codes))
        .values_list("organisasjonsnummer", "overordnet_enhet_id")
    ):
        role_codes.setdefault(sub, set()).update(role_codes[parent])

    delegated = {
        row["orgnr"]: row["until"]
        for row in _current_delegations(pid, today).values("orgnr").annotate(until=Max("valid_to"))
    }
    orgnrs = set(role_codes) | set(delegated)
    enheter = {
        e.organisasjonsnummer: e
        for e in _live_enheter()
        .filter(organisasjonsnummer__in=orgnrs)
        .only("organisasjonsnummer", "navn", "overordnet_enhet_id")
    }
    result = []
    for orgnr, e in enheter.items():
        codes = role_codes.get(orgnr)
        result.append(
            CompanyAccess(
                orgnr=orgnr,
                name=e.navn,
                basis="role" if codes else "delegation",
                role_codes=_ordered_codes(codes or ()),
                valid_to=None if codes else delegated[orgnr],
                is_underenhet=e.overordnet_enhet_id is not None,
                parent_orgnr=e.overordnet_enhet_id,
            )
        )
    names = {a.orgnr: a.name for a in result}
    missing = {a.parent_orgnr for a in result if a.parent_orgnr and a.parent_orgnr not in names}
    if missing:
        names.update(
            rm.Enhet.objects.filter(organisasjonsnummer__in=missing).values_list(
                "organisasjonsnummer", "navn"
            )
        )
    return sorted(result, key=lambda a: _sort_key(a, names))


def _ordered_codes(codes) -> tuple[str, ...]:
    order = {code: i for i, code in enumerate(rm.RolleType.values)}
    return tuple(sorted(set(codes), key=lambda c: (order.get(c, len(order)), c)))


def company_access(pid: str | None, orgnr: str, *, today: dt.date) -> CompanyAccess | None:
    """This person's access to this company today, or None (three small queries)."""
    if not pid or not orgnr or len(orgnr) != 9 or not orgnr.isdigit():
        return None
    enhet = (
        _live_enheter()
        .filter(organisasjonsnummer=orgnr)
        .only("organisasjonsnummer", "navn", "overordnet_enhet_id")
        .first()
    )
    if enhet is None:
        return None
    parent = enhet.overordnet_enhet_id
    scope = Q(enhet_id=orgnr)
    if parent:
        scope |= Q(enhet_id=parent, enhet__slettedato__isnull=True)
    codes = set(
        rm.Rolle.objects.filter(scope, person_id=pid, fratraadt=False).values_list(
            "rolletype", flat=True
        )
    )
    valid_to = None
    if not codes:
        valid_to = (
            _current_delegations(pid, today)
            .filter(orgnr=orgnr)
            .aggregate(until=Max("valid_to"))["until"]
        )
        if valid_to is None:
            return None
    return CompanyAccess(
        orgnr=orgnr,
        name=enhet.navn,
        basis="role" if codes else "delegation",
        role_codes=_ordered_codes(codes),
        valid_to=valid_to,
        is_underenhet=parent is not None,
        parent_orgnr=parent,
    )


def company_access_required(view=None, *, role_required: bool = False):
    """Guard a view that takes an `orgnr` URL kwarg.

    Anonymous: redirect to login. No access (or no such company): 404, so a URL
    never reveals that a company exists. Sets `request.company` (CompanyAccess)
    and `request.pid`. With `role_required=True` a delegate (who can see the
    company) gets 403 (PermissionDenied).
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            pid = pid_of(request.user)
            access = company_access(pid, str(kwargs.get("orgnr", "")), today=timezone.localdate())
            if access is None:
                raise Http404("No such company")
            if role_required and not access.is_role_holder:
                raise PermissionDenied("Only role holders may do this")
            request.pid = pid
            request.company = access
            return func(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorate(view)
    return decorate
