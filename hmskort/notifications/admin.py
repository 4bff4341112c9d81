"""Caseworkers' view of the outbox and the portal messages: read-only.

Outbox messages can only be made due again ("retry now"), which calls the
service. Messages name card holders, so staff views are audit-logged.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hmskort.core.audit import AuditedAdminMixin
from hmskort.notifications.models import (
    CompanyContact,
    OutboxAttachment,
    OutboxMessage,
    PortalMessage,
)
from hmskort.notifications.services import outbox_retry_now


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OutboxAttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OutboxAttachment
    extra = 0
    fields = ["filename", "content_type", "path", "renderer", "render_args"]
    readonly_fields = fields


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "status",
        "subject",
        "recipients",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["key", "subject"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "id",
        "kind",
        "key",
        "to",
        "subject",
        "body",
        "html",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    inlines = [OutboxAttachmentInline]
    actions = ["retry_now"]

    @admin.display(description=_("mottakere"))
    def recipients(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.to or [])

    def has_change_permission(self, request, obj=None):
        # Lets the change list offer the action; every field stays read-only.
        return obj is None and request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(description=_("Prøv å sende på nytt nå (retry now)"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_retry_now(message_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(
            request,
            _("%(count)d meldinger sendes ved neste kjøring (%(count)d messages queued).")
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PortalMessage)
class PortalMessageAdmin(ReadOnlyAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "orgnr", "recipient", "subject", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["orgnr", "subject", "key"]
    date_hierarchy = "created_at"
    fields = ["key", "orgnr", "recipient", "subject", "body", "created_at", "read_at"]
    readonly_fields = fields


@admin.register(CompanyContact)
class CompanyContactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["orgnr", "name", "email"]
    search_fields = ["orgnr", "name", "email"]
    fields = ["orgnr", "name", "email"]
    readonly_fields = fields
