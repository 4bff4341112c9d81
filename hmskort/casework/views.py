"""The caseworker queue at /saksbehandling/ (staff with `casework.work_cases`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError
from hmskort.eligibility.requirements import Requirement

from . import selectors, services
from .forms import (
    CancelForm,
    DocumentReviewForm,
    ExceptionForm,
    GenericDecisionForm,
    QueueFilterForm,
)
from .models import Case, CaseKind, CaseStatus
from .permissions import caseworker_required

PAGE_SIZE = 25


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


@caseworker_required
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    kind = form.cleaned_data["type"] if form.is_valid() else ""
    page = Paginator(selectors.cases_open(kind), PAGE_SIZE).get_page(request.GET.get("side"))
    counts = selectors.open_counts_by_kind()
    return render(
        request,
        "casework/queue.html",
        {
            "form": form,
            "kind": kind,
            "page": page,
            "kinds": [(value, label, counts[value]) for value, label in CaseKind.choices],
            "total": sum(counts.values()),
        },
    )


def _upload_for(case: Case):
    from hmskort.portal.models import UploadSet

    upload = UploadSet.objects.filter(pk=case.object_id).first()
    if upload is None:
        raise Http404
    return upload


def _person(person_id: str):
    from hmskort.registers.adapters import get_ports

    return get_ports().folkeregisteret.personer([person_id]).get(person_id)


@caseworker_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    if request.method == "GET":
        audit_record(
            actor_type="staff",
            actor=_actor(request),
            action="view",
            object_type="casework.case",
            object_id=str(case.pk),
            subject_id=case.subject_id,
            purpose="casework",
            detail={"kind": case.kind},
        )
    if case.kind == CaseKind.DOCUMENT_REVIEW:
        return _document_review(request, case)
    if case.kind == CaseKind.STUCK_ORDER:
        return _stuck_order(request, case)
    return _generic(request, case)


def _done(request: HttpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("casework:queue")


def _document_review(request: HttpRequest, case: Case) -> HttpResponse:
    upload = _upload_for(case)
    form = DocumentReviewForm(request.POST or None)
    if request.method == "POST" and case.status == CaseStatus.OPEN and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.document_review_decide(
                case=case,
                approved=approve,
                decided_by=_actor(request),
                reason=form.cleaned_data["reason"] if not approve else "",
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(
                request,
                _("Bilde og ID er godkjent.") if approve else _("Bilde og ID er avvist."),
            )
    person = _person(upload.person_id)
    return render(
        request,
        "casework/document_review.html",
        {
            "case": case,
            "upload": upload,
            "person": person,
            "findings": selectors.auto_finding_groups(upload.auto_findings),
            "form": form,
        },
    )


def _requirement_choices(view) -> list[tuple[str, str]]:
    from hmskort.eligibility import reasons  # noqa: F401 - texts only

    labels = {
        Requirement.COMPANY_ACTIVE: _("Virksomheten er aktiv (Enhetsregisteret)"),
        Requirement.VAT: _("Merverdiavgiftsregisteret"),
        Requirement.PERSON_REGISTERED: _("Personen i Folkeregisteret"),
        Requirement.EMPLOYMENT: _("Arbeidsforhold (Aa-registeret)"),
        Requirement.STAFFING_REGISTRATION: _("Bemanningsforetaksregisteret"),
        Requirement.CLEANING_APPROVAL: _("Renholdsregisteret"),
        Requirement.CARCARE_APPROVAL: _("Godkjenning for bilpleie"),
        Requirement.WORK_PERMIT: _("Oppholdstillatelse (UDI)"),
    }
    choices = []
    for code, helps in view.waivable:
        label = str(labels.get(code, code))
        if helps:
            label += " – " + _("står i veien for bestillingen nå")
        choices.append((code, label))
    return choices


def _stuck_order(request: HttpRequest, case: Case) -> HttpResponse:
    today = timezone.localdate()
    view = selectors.stuck_order_view(case, today=today)
    choices = _requirement_choices(view)
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {"requirements": [code for code, helps in view.waivable if helps]}
    exception_form = ExceptionForm(
        request.POST if action == "exception" else None,
        requirement_choices=choices,
        initial=initial,
        prefix="unntak",
    )
    cancel_form = CancelForm(request.POST if action == "cancel" else None, prefix="kanseller")
    if action == "exception" and case.status == CaseStatus.OPEN and exception_form.is_valid():
        data = exception_form.cleaned_data
        try:
            card = services.stuck_order_add_exception(
                case=case,
                requirements=data["requirements"],
                valid_to=data["valid_to"],
                justification=data["justification"],
                decided_by=_actor(request),
                today=today,
            )
        except ApplicationError as exc:
            exception_form.add_error(None, exc.message)
        else:
            if card.state == "pending":
                text = _("Unntaket er registrert. Bestillingen venter fortsatt på andre krav.")
            else:
                text = _("Unntaket er registrert, og bestillingen er vurdert på nytt.")
            return _done(request, text)
    if action == "cancel" and case.status == CaseStatus.OPEN and cancel_form.is_valid():
        try:
            services.stuck_order_cancel(
                case=case,
                reason_text=cancel_form.cleaned_data["reason_text"],
                decided_by=_actor(request),
            )
        except ApplicationError as exc:
            cancel_form.add_error(None, exc.message)
        else:
            return _done(request, _("Bestillingen er kansellert, og bestilleren har fått beskjed."))
    return render(
        request,
        "casework/stuck_order.html",
        {
            "case": case,
            "view": view,
            "exception_form": exception_form,
            "cancel_form": cancel_form,
        },
    )


def _generic(request: HttpRequest, case: Case) -> HttpResponse:
    form = GenericDecisionForm(request.POST or None)
    if request.method == "POST" and case.status == CaseStatus.OPEN and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.case_decide(
                case=case,
                approved=approve,
                decided_by=_actor(request),
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, _("Saken er godkjent.") if approve else _("Saken er avvist."))
    details = case.details if isinstance(case.details, dict) else {"": case.details}
    return render(
        request,
        "casework/generic.html",
        {"case": case, "details": sorted(details.items(), key=lambda kv: str(kv[0])), "form": form},
    )


@caseworker_required
@require_http_methods(["GET"])
def case_file(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    """The photo ("bilde") or the ID document ("id") of a review case; every
    view is audit-logged with the person it shows."""
    from hmskort.portal.uploads import storage

    case = get_object_or_404(Case, pk=case_id, kind=CaseKind.DOCUMENT_REVIEW)
    if kind not in ("bilde", "id"):
        raise Http404
    upload = _upload_for(case)
    path, content_type = (
        (upload.photo_path, upload.photo_content_type)
        if kind == "bilde"
        else (upload.id_document_path, upload.id_document_content_type)
    )
    try:
        handle = open(storage.absolute(path), "rb")  # noqa: SIM115 - FileResponse closes it
    except (OSError, ValueError):
        raise Http404 from None
    audit_record(
        actor_type="staff",
        actor=_actor(request),
        action="view",
        object_type="portal.uploadset." + ("photo" if kind == "bilde" else "id_document"),
        object_id=str(upload.pk),
        subject_id=upload.person_id,
        purpose="casework",
        detail={"case": case.pk},
    )
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
