"""Who may see what: inspectors see the risk list; other staff the statistics and follow-up."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hmskort.verification.permissions import inspector_required  # noqa: F401 (re-exported)


def staff_required(view):
    """Anonymous -> the (admin) login page; logged in but not active staff -> 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("Staff only")
        return view(request, *args, **kwargs)

    return wrapper
