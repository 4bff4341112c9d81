"""Shared helpers for the portal's views."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone

from hmskort.core.errors import ApplicationError
from hmskort.eligibility import reasons
from hmskort.portal import selectors
from hmskort.portal.refs import person_from_ref


def today() -> dt.date:
    return timezone.localdate()


def person_or_404(request: HttpRequest, ref: str) -> tuple[str, str]:
    """(person_id, name) for a reference to one of the company's people; 404 otherwise."""
    orgnr = request.company.orgnr
    person_id = person_from_ref(orgnr, ref)
    if person_id is None:
        raise Http404("Unknown person")
    name = selectors.person_name(orgnr, person_id)
    if name is None:
        raise Http404("Not the company's person")
    return person_id, name


def error_text(exc: ApplicationError) -> str:
    """A person-readable text for an application error (reason codes as catalogue texts)."""
    codes = exc.extra.get("reason_codes") if exc.extra else None
    if codes:
        return " ".join(reasons.public_text(c) for c in codes)
    return exc.message
