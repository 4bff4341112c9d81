from django.contrib import admin

from hmskort.core.audit import AuditedAdminMixin
from hmskort.identity.models import Delegation, PersonIdentity


@admin.register(PersonIdentity)
class PersonIdentityAdmin(AuditedAdminMixin):
    audit_subject_field = "pid"
    list_display = ("user", "created_at")
    search_fields = ("=pid", "user__username")
    readonly_fields = ("user", "pid", "created_at")


@admin.register(Delegation)
class DelegationAdmin(AuditedAdminMixin):
    """Read-only: delegations are granted and revoked by role holders in the portal."""

    audit_subject_field = "delegate_pid"
    list_display = ("orgnr", "delegate_name", "valid_from", "valid_to", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("=orgnr", "=delegate_pid")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
