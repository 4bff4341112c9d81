from django.contrib import admin
from django.utils import timezone

from hmskort.core.audit import AuditedAdminMixin
from hmskort.receipts.models import AbuseSignal, CardCheck


@admin.register(AbuseSignal)
class AbuseSignalAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "card_number", "source_key", "count", "resolved_at")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("card_number", "source_key")
    readonly_fields = (
        "kind",
        "card_number",
        "source_key",
        "api_client_id",
        "count",
        "window_seconds",
        "created_at",
        "resolved_at",
        "resolved_by",
    )
    fields = (*readonly_fields, "note")
    actions = ["mark_resolved"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Merk som behandlet (mark resolved)")
    def mark_resolved(self, request, queryset):
        queryset.filter(resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=request.user.get_username()
        )


@admin.register(CardCheck)
class CardCheckAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("checked_at", "channel", "card_number", "status", "source_key")
    list_filter = ("channel", "status")
    search_fields = ("=card_number", "=check_id")
    date_hierarchy = "checked_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CardCheck._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
