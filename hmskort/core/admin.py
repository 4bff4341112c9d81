from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

admin.site.site_header = _("HMS-kort – saksbehandling")
admin.site.site_title = _("HMS-kort")
admin.site.index_title = _("Registre, kort og saker")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_type", "actor", "action", "object_type", "object_id", "purpose"]
    list_filter = ["actor_type", "action", "object_type"]
    search_fields = ["actor", "object_id", "subject_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
