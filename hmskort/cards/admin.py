"""Caseworkers' view of cards and their status history.

A card's state changes only through the services: the admin shows state as
read-only and offers actions that call `card_block` and `card_register_returned`.
History is read-only everywhere. Staff views are audit-logged (personal data).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hmskort.cards.models import ActorType, BlockReason, Card, CardStatusHistory
from hmskort.cards.numbers import format_card_number, normalize_card_number
from hmskort.cards.services.lifecycle import card_block, card_register_returned
from hmskort.core.audit import AuditedAdminMixin
from hmskort.core.errors import ApplicationError


def mask_holder_id(holder_id: str) -> str:
    """Birth date part only: 010190*****."""
    return f"{holder_id[:6]}*****" if holder_id else ""


class CardStatusHistoryInline(admin.TabularInline):
    model = CardStatusHistory
    extra = 0
    can_delete = False
    ordering = ["id"]
    fields = ["at", "from_state", "to_state", "reason_codes", "actor_type", "actor", "note"]
    readonly_fields = fields
    verbose_name_plural = _("statushistorikk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CardNumberSearchMixin:
    """Lets a caseworker paste a card number as printed ("1234 5678 90")."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        compact = normalize_card_number(term)
        if compact.isdigit() and compact != term:
            term = compact
        return super().get_search_results(request, queryset, term)


@admin.register(Card)
class CardAdmin(CardNumberSearchMixin, AuditedAdminMixin, admin.ModelAdmin):
    audit_subject_field = "holder_id"
    list_display = [
        "card_number_display",
        "card_type",
        "employer_orgnr",
        "employer_name",
        "holder_masked",
        "state",
        "valid_until",
        "state_changed_at",
    ]
    list_filter = ["state", "card_type", "block_reason"]
    search_fields = ["=card_number", "=employer_orgnr", "=holder_id"]
    list_select_related = False
    show_full_result_count = False  # no COUNT(*) over 450,000 cards per page view
    ordering = ["-id"]
    inlines = [CardStatusHistoryInline]
    actions = ["block_as_lost", "register_returned"]
    fieldsets = [
        (
            _("Kort"),
            {
                "fields": [
                    "card_number",
                    "card_type",
                    "employer_orgnr",
                    "employer_name",
                    "holder_id",
                    "holder_name",
                ]
            },
        ),
        (
            _("Status"),
            {
                "fields": [
                    "state",
                    "reason_codes",
                    "state_changed_at",
                    "issue_date",
                    "valid_until",
                    "shipped_at",
                    "block_reason",
                ]
            },
        ),
        (_("Bestilling"), {"fields": ["ordered_by", "replaces", "created_at"]}),
    ]
    # Everything is read-only: cards are made by orders and changed by services.
    readonly_fields = [
        "card_number",
        "card_type",
        "employer_orgnr",
        "employer_name",
        "holder_id",
        "holder_name",
        "state",
        "reason_codes",
        "state_changed_at",
        "issue_date",
        "valid_until",
        "shipped_at",
        "block_reason",
        "ordered_by",
        "replaces",
        "created_at",
    ]

    @admin.display(description=_("kortnummer"), ordering="card_number")
    def card_number_display(self, obj: Card) -> str:
        return format_card_number(obj.card_number)

    @admin.display(description=_("kortholder"), ordering="holder_id")
    def holder_masked(self, obj: Card) -> str:
        return mask_holder_id(obj.holder_id)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Every field is read-only; saving the form must not write the card."""

    def save_related(self, request, form, formsets, change):
        """The history inline is read-only; nothing to save."""

    def _run(self, request: HttpRequest, queryset: QuerySet[Card], service, done: str) -> None:
        ok = 0
        for card in queryset.order_by("id"):
            try:
                service(card=card, actor_type=ActorType.STAFF, actor=request.user.get_username())
            except ApplicationError as exc:
                self.message_user(
                    request,
                    f"{format_card_number(card.card_number)}: {exc.message}",
                    messages.ERROR,
                )
            else:
                ok += 1
        if ok:
            self.message_user(request, f"{done}: {ok}", messages.SUCCESS)

    @admin.action(description=_("Sperr kortet (tapt)"), permissions=["change"])
    def block_as_lost(self, request: HttpRequest, queryset: QuerySet[Card]) -> None:
        def block(**kwargs):
            return card_block(reason=BlockReason.LOST, **kwargs)

        self._run(request, queryset, block, str(_("Sperret")))

    @admin.action(description=_("Registrer levert og makulert"), permissions=["change"])
    def register_returned(self, request: HttpRequest, queryset: QuerySet[Card]) -> None:
        self._run(request, queryset, card_register_returned, str(_("Levert og makulert")))


@admin.register(CardStatusHistory)
class CardStatusHistoryAdmin(admin.ModelAdmin):
    list_display = ["at", "card", "from_state", "to_state", "reason_codes", "actor_type", "actor"]
    list_filter = ["to_state", "actor_type"]
    search_fields = ["=card__card_number"]
    list_select_related = ["card"]
    show_full_result_count = False
    ordering = ["-id"]
    readonly_fields = [
        "card",
        "at",
        "from_state",
        "to_state",
        "reason_codes",
        "actor_type",
        "actor",
        "note",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
