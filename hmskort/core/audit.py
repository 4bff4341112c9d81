"""Writing the audit log, and an admin mixin that logs every staff view of
personal data."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


def audit_record(
    *,
    actor_type: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str = "",
    subject_id: str = "",
    purpose: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor_type=actor_type,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        subject_id=subject_id,
        purpose=purpose,
        detail=detail or {},
    )


def audit_record_many(events: Iterable[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(list(events))


class AuditedAdminMixin(admin.ModelAdmin):
    """Logs each staff look at a change list (with its search) or an object.

    `audit_subject_field` names the field holding the person's identifier, so
    the holder can later see who looked them up.
    """

    audit_subject_field: str | None = None

    def _object_type(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            audit_record(
                actor_type="staff",
                actor=request.user.get_username(),
                action="list",
                object_type=self._object_type(),
                detail={"query": request.GET.get("q", ""), "filters": sorted(request.GET.keys())},
            )
        return response

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if getattr(response, "status_code", 200) == 200:
            subject = ""
            if self.audit_subject_field:
                obj = self.get_object(request, object_id)
                subject = str(getattr(obj, self.audit_subject_field, "") or "") if obj else ""
            audit_record(
                actor_type="staff",
                actor=request.user.get_username(),
                action="view" if request.method == "GET" else "change",
                object_type=self._object_type(),
                object_id=str(object_id),
                subject_id=subject,
            )
        return response
