"""Who may work the caseworker queue: active staff with `casework.work_cases`
(the "Saksbehandler" group has it; superusers have every permission)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

CASEWORKER_GROUP = "Saksbehandler"
CASEWORKER_PERMISSION = "casework.work_cases"


def is_caseworker(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(CASEWORKER_PERMISSION)
    )


def caseworker_required(view):
    """Anonymous -> the (admin) login page; logged in but not a caseworker -> 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not is_caseworker(request.user):
            raise PermissionDenied("Caseworkers only")
        return view(request, *args, **kwargs)

    return wrapper
