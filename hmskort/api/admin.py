"""Caseworkers decide applications for API access here.

Approving creates the OAuth client and shows its id and secret once, on the
page the action returns; the secret is stored only as a hash and cannot be
shown again (a lost secret means a new client).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from hmskort.api.models import ApiCardOrder, ApiClient, ApiClientApplication, ApplicationStatus
from hmskort.api.services import (
    api_client_application_approve,
    api_client_application_reject,
)
from hmskort.core.errors import ApplicationError


@admin.register(ApiClientApplication)
class ApiClientApplicationAdmin(admin.ModelAdmin):
    list_display = ("organisation_name", "orgnr", "level", "status", "created_at", "decided_by")
    list_filter = ("status", "level")
    search_fields = ("organisation_name", "orgnr", "contact_email")
    readonly_fields = ("status", "decided_by", "decided_at", "client", "created_at")
    actions = ("approve_applications", "reject_applications")

    @admin.action(description=_("Godkjenn valgte søknader og opprett API-klienter"))
    def approve_applications(self, request, queryset):
        issued = []
        for application in queryset.filter(status=ApplicationStatus.PENDING):
            try:
                issued.append(
                    (
                        application,
                        api_client_application_approve(
                            application=application, decided_by=request.user.get_username()
                        ),
                    )
                )
            except ApplicationError as exc:
                self.message_user(request, f"{application}: {exc.message}", messages.ERROR)
        if not issued:
            self.message_user(request, _("Ingen ventende søknader var valgt."), messages.WARNING)
            return None
        response = TemplateResponse(
            request,
            "api/admin/credentials.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Nye API-klienter"),
                "issued": issued,
                "opts": self.model._meta,
            },
        )
        response["Cache-Control"] = "no-store"  # the secret must not be cached anywhere
        return response

    @admin.action(description=_("Avslå valgte søknader"))
    def reject_applications(self, request, queryset):
        count = 0
        for application in queryset.filter(status=ApplicationStatus.PENDING):
            api_client_application_reject(
                application=application, decided_by=request.user.get_username()
            )
            count += 1
        self.message_user(request, _("%(n)d søknad(er) avslått.") % {"n": count})


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("organisation_name", "orgnr", "level", "active", "approved_by", "approved_at")
    list_filter = ("level", "active")
    search_fields = ("organisation_name", "orgnr", "application__client_id")
    readonly_fields = (
        "application",
        "level",
        "orgnr",
        "organisation_name",
        "approved_by",
        "approved_at",
        "created_at",
    )
    actions = ("deactivate",)

    @admin.action(description=_("Trekk tilbake tilgangen"))
    def deactivate(self, request, queryset):
        n = queryset.update(active=False)
        self.message_user(request, _("%(n)d klient(er) deaktivert.") % {"n": n})

    def has_add_permission(self, request):
        return False  # clients come from approved applications


@admin.register(ApiCardOrder)
class ApiCardOrderAdmin(admin.ModelAdmin):
    list_display = ("pk", "orgnr", "card", "client", "created_at")
    search_fields = ("orgnr", "card__card_number")
    readonly_fields = (
        "client",
        "orgnr",
        "card",
        "employment_contract_declared",
        "lawful_pay_declared",
        "industry_declaration",
        "nace_justification",
        "created_at",
    )

    def has_add_permission(self, request):
        return False
