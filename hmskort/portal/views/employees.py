"""Employees: the list (Aa-registeret, OAR, added persons) and "Legg til ansatt"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from hmskort.identity.access import company_access_required
from hmskort.portal import selectors
from hmskort.portal.forms import AddEmployeeForm
from hmskort.portal.services.employees import (
    InvalidPersonIdentifier,
    PersonNotFound,
    TooManyMisses,
    employee_add,
)
from hmskort.portal.views.common import today

PAGE_SIZE = 50


@company_access_required
def company_home(request: HttpRequest, orgnr: str) -> HttpResponse:
    return redirect("portal:employees", orgnr=orgnr)


def _offset(request: HttpRequest) -> int:
    try:
        return max(0, int(request.GET.get("fra", "0")))
    except ValueError:
        return 0


@company_access_required
def employees(request: HttpRequest, orgnr: str) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = selectors.employees_page(
        orgnr, today=today(), query=query, offset=_offset(request), limit=PAGE_SIZE
    )
    context = {"page": page, "query": query, "add_form": AddEmployeeForm(), "nav": "employees"}
    template = "portal/employees.html"
    if request.htmx and request.htmx.target == "employee-results":
        template = "portal/_employee_results.html"
    return render(request, template, context)


@company_access_required
@require_http_methods(["GET", "POST"])
def employee_add_view(request: HttpRequest, orgnr: str) -> HttpResponse:
    form = AddEmployeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = employee_add(
                orgnr=orgnr,
                person_id=form.cleaned_data["person_id"],
                surname=form.cleaned_data["surname"],
                added_by=request.pid,
            )
        except InvalidPersonIdentifier:
            form.add_error(
                "person_id",
                _("Nummeret er ikke et gyldig fødselsnummer eller D-nummer. Sjekk sifrene."),
            )
        except PersonNotFound:
            form.add_error(
                None,
                _(
                    "Vi fant ingen person med dette nummeret og etternavnet i Folkeregisteret. "
                    "Sjekk begge."
                ),
            )
        except TooManyMisses as exc:
            minutes = -(-exc.retry_after // 60)
            form.add_error(
                None,
                ngettext(
                    "For mange forsøk passet ikke med Folkeregisteret. Prøv igjen om "
                    "%(minutes)s minutt.",
                    "For mange forsøk passet ikke med Folkeregisteret. Prøv igjen om "
                    "%(minutes)s minutter.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            response = render(
                request, "portal/employee_add.html", {"form": form, "nav": "employees"}, status=429
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        else:
            messages.success(request, _("%(name)s er lagt til.") % {"name": added.name})
            return redirect(reverse("portal:employees", kwargs={"orgnr": orgnr}) + "#lagt-til")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "portal/employee_add.html", {"form": form, "nav": "employees"}, status=status
    )
