"""Correction requests and worker messages in the admin: read-only, every look logged."""

from __future__ import annotations

from django.contrib import admin

from hmskort.core.audit import AuditedAdminMixin
from hmskort.wallet.models import CorrectionRequest, WorkerNotice


class _ReadOnly(AuditedAdminMixin):
    audit_subject_field = "pid"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(_ReadOnly):
    list_display = ("created_at", "topic", "status", "case_id")
    list_filter = ("status", "topic")
    readonly_fields = [f.name for f in CorrectionRequest._meta.fields]


@admin.register(WorkerNotice)
class WorkerNoticeAdmin(_ReadOnly):
    list_display = ("created_at", "subject", "read_at")
    readonly_fields = [f.name for f in WorkerNotice._meta.fields]
