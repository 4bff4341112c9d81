"""Caseworkers' view of production batches: read-only, overdue batches flagged.

Batches and their items are written only by the services; the admin shows
them, with download links (staff-only, audit-logged views) for the batch JSON
and each card face.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hmskort.cards.numbers import format_card_number
from hmskort.production.models import BatchItem, ProductionBatch
from hmskort.production.selectors import overdue_q


class OverdueFilter(admin.SimpleListFilter):
    title = _("forsinket")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Forsinket (over 4 virkedager)")), ("no", _("I rute"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() not in ("yes", "no"):
            return queryset
        late = overdue_q(timezone.localdate())
        return queryset.filter(late) if self.value() == "yes" else queryset.exclude(late)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BatchItemInline(ReadOnlyMixin, admin.TabularInline):
    model = BatchItem
    extra = 0
    can_delete = False
    fields = ["card_number", "card_state", "shipped_at", "withdrawn_at", "withdrawn_state", "face"]
    readonly_fields = fields
    ordering = ["id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("card")

    @admin.display(description=_("kortnummer"))
    def card_number(self, item: BatchItem) -> str:
        return format_card_number(item.card.card_number)

    @admin.display(description=_("kortstatus nå"))
    def card_state(self, item: BatchItem) -> str:
        return item.card.get_state_display()

    @admin.display(description=_("kortside"))
    def face(self, item: BatchItem) -> str:
        if not item.face_path:
            return "–"
        url = reverse("production:card_face", args=[item.batch_id, item.card.card_number])
        return format_html('<a href="{}">PDF</a>', url)


@admin.register(ProductionBatch)
class ProductionBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "state",
        "card_count",
        "due_date",
        "overdue",
        "sent_at",
        "shipped_at",
        "shipped_count",
        "withdrawn_count",
        "download",
    ]
    list_filter = ["state", OverdueFilter]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    inlines = [BatchItemInline]
    fields = [
        "id",
        "state",
        "created_at",
        "due_date",
        "overdue",
        "card_count",
        "sent_at",
        "shipped_at",
        "shipped_count",
        "withdrawn_count",
        "file_sha256",
        "download",
    ]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("forsinket"))
    def overdue(self, batch: ProductionBatch) -> bool:
        return batch.is_overdue()

    @admin.display(description=_("batchfil"))
    def download(self, batch: ProductionBatch) -> str:
        if not batch.file_path:
            return "–"
        url = reverse("production:batch_file", args=[batch.pk])
        return format_html('<a href="{}">JSON</a>', url)
