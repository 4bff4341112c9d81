"""Who is an inspector: a staff user in one of the inspection authorities' groups."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

#: The Django groups of the inspection authorities (created by a data migration).
INSPECTOR_GROUPS: tuple[str, ...] = (
    "Arbeidstilsynet",
    "Petroleumstilsynet",
    "Skatteetaten",
    "Politiet",
)


def inspector_agencies(user) -> list[str]:
    """The inspection authorities `user` acts for (empty: not an inspector)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return []
    return sorted(user.groups.filter(name__in=INSPECTOR_GROUPS).values_list("name", flat=True))


def is_inspector(user) -> bool:
    return bool(inspector_agencies(user))


def inspector_required(view):
    """Anonymous -> the (admin) login page; logged in but not an inspector -> 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        agencies = inspector_agencies(request.user)
        if not agencies:
            raise PermissionDenied("Inspectors only")
        request.inspector_agencies = agencies
        return view(request, *args, **kwargs)

    return wrapper
