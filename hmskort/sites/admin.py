from django.contrib import admin

from hmskort.core.audit import AuditedAdminMixin
from hmskort.sites.models import ChipCode, GateEvent, GateReader, Site, SiteCompany


class SiteCompanyInline(admin.TabularInline):
    model = SiteCompany
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "owner_name",
        "owner_orgnr",
        "starts_on",
        "ends_on",
        "required_industry",
    )
    search_fields = ("name", "owner_orgnr", "owner_name", "address")
    inlines = [SiteCompanyInline]


@admin.register(GateReader)
class GateReaderAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "active", "created_at")
    list_filter = ("active",)
    raw_id_fields = ("site", "api_client")


@admin.register(ChipCode)
class ChipCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "card", "created_at")
    search_fields = ("code",)
    raw_id_fields = ("card",)


@admin.register(GateEvent)
class GateEventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: gate events are append-only."""

    list_display = ("at", "site", "direction", "card_number", "admitted", "reason")
    list_filter = ("admitted", "direction", "reason")
    search_fields = ("card_number", "event_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
