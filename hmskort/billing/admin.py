"""Staff side of billing: the price list (editable), invoices (read-only), the
print queue for invoices sent by post, and the simulated Peppol access point."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from hmskort.billing.models import (
    DispatchStatus,
    Invoice,
    InvoiceLine,
    PostLetter,
    Price,
    SimulatedPeppolMessage,
)
from hmskort.billing.pdf import invoices_pdf
from hmskort.billing.services import post_letters_mark_printed


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "price_excl_vat", "vat_rate", "valid_from", "valid_to")
    list_filter = ("code",)
    search_fields = ("code", "name")
    ordering = ("code", "-valid_from")
    # A change of price is a new row from a date (the old one gets an end date),
    # so orders and invoices already made keep what they were charged.


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("position", "code", "description", "quantity", "unit_price", "vat_rate", "amount")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "kind",
        "orgnr",
        "issue_date",
        "due_date",
        "total_incl_vat",
        "channel",
        "status",
    )
    list_filter = ("kind", "channel", "status", "issue_date")
    search_fields = ("=number", "=orgnr", "=kid", "buyer_reference")
    inlines = [InvoiceLineInline]
    actions = ["download_pdf", "mark_paid"]
    readonly_fields = [f.name for f in Invoice._meta.fields if f.name != "status"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an issued invoice is never deleted: credit it

    @admin.action(description=_("Last ned PDF"))
    def download_pdf(self, request, queryset):
        response = HttpResponse(invoices_pdf(queryset.order_by("number")), "application/pdf")
        response["Content-Disposition"] = 'attachment; filename="fakturaer.pdf"'
        return response

    @admin.action(description=_("Merk som betalt"))
    def mark_paid(self, request, queryset):
        updated = queryset.filter(kind="invoice").exclude(status="credited").update(status="paid")
        messages.success(request, _("%(n)s faktura(er) merket som betalt.") % {"n": updated})


@admin.register(PostLetter)
class PostLetterAdmin(admin.ModelAdmin):
    """The print queue: letters to print and post, then mark as printed."""

    list_display = ("invoice", "recipient", "status", "created_at", "sent_at")
    list_filter = ("status",)
    actions = ["download_letters", "mark_printed"]
    readonly_fields = ("invoice", "channel", "status", "recipient", "created_at", "sent_at")
    exclude = ("document", "message_id", "attempts", "error")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(channel="post").select_related("invoice")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Last ned brevene (PDF)"))
    def download_letters(self, request, queryset):
        invoices = [d.invoice for d in queryset.order_by("invoice__number")]
        response = HttpResponse(invoices_pdf(invoices), "application/pdf")
        response["Content-Disposition"] = 'attachment; filename="utskriftsko.pdf"'
        return response

    @admin.action(description=_("Merk som skrevet ut og sendt"))
    def mark_printed(self, request, queryset):
        n = post_letters_mark_printed(
            dispatch_ids=queryset.filter(status=DispatchStatus.QUEUED).values_list("pk", flat=True)
        )
        messages.success(request, _("%(n)s brev merket som sendt.") % {"n": n})


@admin.register(SimulatedPeppolMessage)
class SimulatedPeppolMessageAdmin(admin.ModelAdmin):
    list_display = ("message_id", "sender", "receiver", "received_at")
    readonly_fields = ("message_id", "sender", "receiver", "document_type", "document")

    def has_add_permission(self, request):
        return False
