"""Photo and ID per employee: upload, self-upload links, and serving the files."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError
from hmskort.identity.access import company_access_required
from hmskort.portal import selectors
from hmskort.portal.forms import UploadForm, UploadLinkForm
from hmskort.portal.models import Order, UploadSet
from hmskort.portal.uploads import storage
from hmskort.portal.uploads.services import (
    UploadLinkInvalid,
    upload_link_create,
    upload_link_resolve,
    upload_link_use,
    upload_set_create,
)
from hmskort.portal.views.common import error_text, person_or_404
from hmskort.registers.adapters import get_ports


def _person_record(person_id: str):
    """Folkeregisteret's record of the person (compared with a passport's MRZ)."""
    return get_ports().folkeregisteret.personer([person_id]).get(person_id)


def _accepted_message(request: HttpRequest, form: UploadForm) -> None:
    messages.success(request, _("Bildet og ID-dokumentet er lastet opp og sendt til kontroll."))
    reasons = form.manual_review_reasons
    if reasons:
        messages.info(
            request,
            _("En saksbehandler kontrollerer ID-dokumentet manuelt: %(reasons)s")
            % {"reasons": " ".join(reasons)},
        )


def _notify_email(request: HttpRequest, orgnr: str) -> str:
    last = Order.objects.filter(orgnr=orgnr, orderer_pid=request.pid).first()
    return last.orderer_email if last else ""


@company_access_required
@require_http_methods(["GET", "POST"])
def employee_uploads(request: HttpRequest, orgnr: str, ref: str) -> HttpResponse:
    person_id, name = person_or_404(request, ref)
    person = _person_record(person_id) if request.method == "POST" else None
    form = UploadForm(request.POST or None, request.FILES or None, person=person)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                upload_set_create(
                    orgnr=orgnr,
                    person_id=person_id,
                    holder_name=name,
                    photo=form.cleaned_data["photo"],
                    id_document=form.cleaned_data["id_document"],
                    document_type=form.cleaned_data["document_type"],
                    uploaded_by=request.pid,
                    notify_email=_notify_email(request, orgnr),
                    auto_findings=form.auto_findings(),
                )
            except ApplicationError as exc:
                form.add_error(None, error_text(exc))
            else:
                _accepted_message(request, form)
                return redirect("portal:employee_uploads", orgnr=orgnr, ref=ref)
        status = 422
    context = {
        "nav": "employees",
        "name": name,
        "ref": ref,
        "form": form,
        "link_form": UploadLinkForm(),
        "upload": selectors.upload_status_for(orgnr, person_id),
    }
    return render(request, "portal/employee_uploads.html", context, status=status)


@company_access_required
@require_POST
def upload_link(request: HttpRequest, orgnr: str, ref: str) -> HttpResponse:
    person_id, name = person_or_404(request, ref)
    form = UploadLinkForm(request.POST)
    send_to = form.cleaned_data["send_to"] if form.is_valid() else ""

    def url_for(token: str) -> str:
        return request.build_absolute_uri(reverse("portal:self_upload", kwargs={"token": token}))

    created = upload_link_create(
        orgnr=orgnr,
        person_id=person_id,
        holder_name=name,
        created_by=request.pid,
        notify_email=_notify_email(request, orgnr),
        send_to=send_to,
        url_for_token=url_for,
    )
    context = {
        "nav": "employees",
        "name": name,
        "ref": ref,
        "link_url": url_for(created.token),
        "expires_at": created.link.expires_at,
        "sent_to": send_to,
    }
    response = render(request, "portal/upload_link_created.html", context)
    response["Cache-Control"] = "no-store"
    return response


@company_access_required
def upload_file(request: HttpRequest, orgnr: str, upload_id: int, kind: str) -> HttpResponse:
    """Stream a photo or ID document to those who act for the company (audit-logged)."""
    upload = UploadSet.objects.filter(orgnr=orgnr, pk=upload_id).first()
    if upload is None or kind not in ("bilde", "id"):
        raise Http404("No such file")
    path, content_type = (
        (upload.photo_path, upload.photo_content_type)
        if kind == "bilde"
        else (upload.id_document_path, upload.id_document_content_type)
    )
    try:
        handle = open(storage.absolute(path), "rb")  # noqa: SIM115  (FileResponse closes it)
    except (OSError, ValueError):
        raise Http404("File missing") from None
    audit_record(
        actor_type="user",
        actor=request.pid,
        action="view",
        object_type="portal.uploadset." + ("photo" if kind == "bilde" else "id_document"),
        object_id=str(upload.pk),
        subject_id=upload.person_id,
        purpose="employer",
        detail={"orgnr": orgnr},
    )
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def self_upload(request: HttpRequest, token: str) -> HttpResponse:
    """The employee's own upload page, reached by the link (no login: the token is the key)."""
    try:
        link = upload_link_resolve(token)
    except UploadLinkInvalid as exc:
        return render(request, "portal/self_upload_invalid.html", {"code": exc.code}, status=410)
    person = _person_record(link.person_id) if request.method == "POST" else None
    form = UploadForm(request.POST or None, request.FILES or None, person=person)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                upload_link_use(
                    token=token,
                    photo=form.cleaned_data["photo"],
                    id_document=form.cleaned_data["id_document"],
                    document_type=form.cleaned_data["document_type"],
                    auto_findings=form.auto_findings(),
                )
            except UploadLinkInvalid as exc:
                return render(
                    request, "portal/self_upload_invalid.html", {"code": exc.code}, status=410
                )
            return render(
                request,
                "portal/self_upload_done.html",
                {"name": link.holder_name, "manual_review": form.manual_review_reasons},
            )
        status = 422
    context = {"form": form, "name": link.holder_name, "token": token, "worker_page": True}
    return render(request, "portal/self_upload.html", context, status=status)
