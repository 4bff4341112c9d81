"""The caseworker's side: review photo / ID uploads (approve, or reject with a
reason from the list that goes to the orderer); orders and addresses for support.

The caseworker queue at /saksbehandling/ (hmskort.casework) is the main place
for the review; both go through `upload_set_review`, which also decides the
queue's case and lets the person's pending orders continue."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hmskort.core.audit import AuditedAdminMixin, audit_record
from hmskort.core.errors import ApplicationError
from hmskort.portal.models import (
    Order,
    OrderLine,
    RejectionReason,
    UploadSet,
    UploadStatus,
)
from hmskort.portal.uploads import storage
from hmskort.portal.uploads.services import upload_set_review


class ReviewForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("Vurdering"),
        choices=[("", "—"), ("approve", _("Godkjenn")), ("reject", _("Avvis"))],
        required=False,
    )
    rejection_reason = forms.ChoiceField(
        label=_("Begrunnelse ved avvisning"),
        choices=[("", "—"), *RejectionReason.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Merknad til bestilleren"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = UploadSet
        fields: list[str] = []

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("rejection_reason"):
            self.add_error("rejection_reason", _("Velg en begrunnelse for avvisningen."))
        return data


@admin.register(UploadSet)
class UploadSetAdmin(AuditedAdminMixin):
    audit_subject_field = "person_id"
    form = ReviewForm
    list_display = ("holder_name", "orgnr", "document_type", "status", "created_at")
    list_filter = ("status", "document_type")
    search_fields = ("orgnr", "holder_name")
    readonly_fields = (
        "orgnr",
        "holder_name",
        "document_type",
        "status",
        "reason",
        "created_at",
        "reviewed_at",
        "reviewed_by",
        "files",
    )
    fields = (*readonly_fields, "decision", "rejection_reason", "note")
    actions = ["approve_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Filer"))
    def files(self, obj):
        if obj.pk is None:
            return ""
        return format_html(
            '<a href="{}" target="_blank">{}</a> · <a href="{}" target="_blank">{}</a>',
            reverse("admin:portal_uploadset_file", args=[obj.pk, "bilde"]),
            _("Bilde"),
            reverse("admin:portal_uploadset_file", args=[obj.pk, "id"]),
            _("ID-dokument"),
        )

    def get_urls(self):
        return [
            path(
                "<int:upload_id>/fil/<str:kind>",
                self.admin_site.admin_view(self.file_view),
                name="portal_uploadset_file",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request, upload_id: int, kind: str):
        upload = get_object_or_404(UploadSet, pk=upload_id)
        if not self.has_view_permission(request, upload) or kind not in ("bilde", "id"):
            raise Http404
        path_, content_type = (
            (upload.photo_path, upload.photo_content_type)
            if kind == "bilde"
            else (upload.id_document_path, upload.id_document_content_type)
        )
        try:
            handle = open(storage.absolute(path_), "rb")  # noqa: SIM115
        except (OSError, ValueError):
            raise Http404 from None
        audit_record(
            actor_type="staff",
            actor=request.user.get_username(),
            action="view",
            object_type="portal.uploadset." + ("photo" if kind == "bilde" else "id_document"),
            object_id=str(upload.pk),
            subject_id=upload.person_id,
            purpose="review",
        )
        response = FileResponse(handle, content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        return response

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if not decision:
            return
        try:
            upload_set_review(
                upload=obj,
                approve=decision == "approve",
                reason=form.cleaned_data.get("rejection_reason", ""),
                note=form.cleaned_data.get("note", ""),
                reviewed_by=request.user.get_username(),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)

    @admin.action(description=_("Godkjenn valgte bilder og ID"))
    def approve_selected(self, request, queryset):
        done = 0
        for upload in queryset.filter(status=UploadStatus.PENDING_REVIEW):
            upload_set_review(upload=upload, approve=True, reviewed_by=request.user.get_username())
            done += 1
        messages.success(request, _("%(n)s godkjent.") % {"n": done})


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("holder_name", "card_type", "status", "reason_codes", "card", "card_holders")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(AuditedAdminMixin):
    list_display = (
        "reference",
        "orgnr",
        "company_name",
        "payment_method",
        "payment_status",
        "created_at",
    )
    list_filter = ("payment_method", "payment_status", "status")
    search_fields = ("reference", "orgnr", "company_name")
    inlines = [OrderLineInline]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
