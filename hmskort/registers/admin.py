"""Django admin over the simulated registers, for caseworkers.

Edits go through `services.register_record_save` / `register_record_delete`,
so every change made here lands in the change feed like any other. The feed
itself (RegisterChange) is read-only. Fødselsnumre are masked in lists.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hmskort.eligibility.requirements import Requirement
from hmskort.registers import models as m
from hmskort.registers import services
from hmskort.registers.identifiers import mask_identifier


def _masked(value: str | None) -> str:
    return mask_identifier(value or "")


class RegisterAdmin(admin.ModelAdmin):
    """Saves and deletes through the registers' services (with a change-feed row)."""

    list_per_page = 50
    show_full_result_count = False  # counting a national register on every page is slow

    def save_model(self, request, obj, form, change):
        services.register_record_save(instance=obj, created=not change)

    def delete_model(self, request, obj):
        services.register_record_delete(instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.register_record_delete(instance=obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.register_record_delete(instance=obj)
        for obj in instances:
            services.register_record_save(instance=obj, created=obj._state.adding)
        formset.save_m2m()


# --- Enhetsregisteret -------------------------------------------------------------------------


class RolleInline(admin.TabularInline):
    model = m.Rolle
    extra = 0
    fields = ("rolletype", "person", "fratraadt", "registrert")
    raw_id_fields = ("person",)


class UnderenhetInline(admin.TabularInline):
    model = m.Enhet
    fk_name = "overordnet_enhet"
    verbose_name = _("underenhet")
    verbose_name_plural = _("underenheter")
    extra = 0
    fields = ("organisasjonsnummer", "navn", "organisasjonsform", "naeringskode1", "slettedato")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.Enhet)
class EnhetAdmin(RegisterAdmin):
    list_display = (
        "organisasjonsnummer",
        "navn",
        "organisasjonsform",
        "naeringskode1",
        "registreringsdato",
        "konkurs",
        "slettedato",
    )
    list_filter = (
        "organisasjonsform",
        "konkurs",
        "under_avvikling",
        "under_tvangsavvikling",
        ("slettedato", admin.EmptyFieldListFilter),
        ("overordnet_enhet", admin.EmptyFieldListFilter),
    )
    search_fields = ("=organisasjonsnummer", "navn")
    raw_id_fields = ("overordnet_enhet",)
    readonly_fields = ("oppdatert",)
    inlines = (RolleInline, UnderenhetInline)


@admin.register(m.Rolle)
class RolleAdmin(RegisterAdmin):
    list_display = ("enhet", "rolletype", "masked_person", "fratraadt", "registrert")
    list_filter = ("rolletype", "fratraadt")
    search_fields = ("=enhet__organisasjonsnummer", "enhet__navn", "=person__identifikator")
    raw_id_fields = ("enhet", "person")
    list_select_related = ("enhet",)

    @admin.display(description=_("person"), ordering="person")
    def masked_person(self, obj):
        return _masked(obj.person_id)


# --- Merverdiavgiftsregisteret ------------------------------------------------------------------


@admin.register(m.MvaRegistrering)
class MvaRegistreringAdmin(RegisterAdmin):
    list_display = ("enhet", "registrert_fra", "registrert_til")
    list_filter = (("registrert_til", admin.EmptyFieldListFilter),)
    search_fields = ("=enhet__organisasjonsnummer", "enhet__navn")
    raw_id_fields = ("enhet",)
    list_select_related = ("enhet",)


@admin.register(m.MvaEgenerklaering)
class MvaEgenerklaeringAdmin(RegisterAdmin):
    list_display = ("enhet", "erklaert_dato", "trukket_dato", "masked_erklaert_av")
    list_filter = (("trukket_dato", admin.EmptyFieldListFilter),)
    search_fields = ("=enhet__organisasjonsnummer", "enhet__navn")
    raw_id_fields = ("enhet",)
    list_select_related = ("enhet",)

    @admin.display(description=_("erklært av"))
    def masked_erklaert_av(self, obj):
        return _masked(obj.erklaert_av)


# --- Folkeregisteret ----------------------------------------------------------------------------------


class ArbeidsforholdInline(admin.TabularInline):
    model = m.Arbeidsforhold
    fk_name = "arbeidstaker"
    extra = 0
    fields = ("arbeidsgiver", "type", "startdato", "sluttdato", "stillingsprosent", "yrke")
    raw_id_fields = ("arbeidsgiver",)


class OppholdstillatelseInline(admin.TabularInline):
    model = m.Oppholdstillatelse
    extra = 0


@admin.register(m.Person)
class PersonAdmin(RegisterAdmin):
    list_display = (
        "masked_identifikator",
        "identifikatortype",
        "etternavn",
        "fornavn",
        "foedselsdato",
        "status",
    )
    list_filter = ("identifikatortype", "status", "kjoenn")
    search_fields = ("=identifikator", "etternavn", "fornavn")
    readonly_fields = ("oppdatert",)
    inlines = (ArbeidsforholdInline, OppholdstillatelseInline)

    @admin.display(description=_("identifikator"), ordering="identifikator")
    def masked_identifikator(self, obj):
        return _masked(obj.identifikator)


# --- Aa-registeret and OAR -------------------------------------------------------------------------


@admin.register(m.Arbeidsforhold)
class ArbeidsforholdAdmin(RegisterAdmin):
    list_display = (
        "navarbeidsforhold_id",
        "arbeidsgiver",
        "masked_arbeidstaker",
        "type",
        "startdato",
        "sluttdato",
    )
    list_filter = ("type", ("sluttdato", admin.EmptyFieldListFilter))
    search_fields = (
        "=arbeidsgiver__organisasjonsnummer",
        "arbeidsgiver__navn",
        "=arbeidstaker__identifikator",
        "arbeidstaker__etternavn",
    )
    raw_id_fields = ("arbeidsgiver", "arbeidstaker")
    list_select_related = ("arbeidsgiver",)

    @admin.display(description=_("arbeidstaker"), ordering="arbeidstaker")
    def masked_arbeidstaker(self, obj):
        return _masked(obj.arbeidstaker_id)


class OppdragArbeidstakerInline(admin.TabularInline):
    model = m.OppdragArbeidstaker
    extra = 0
    raw_id_fields = ("arbeidstaker",)


@admin.register(m.Oppdrag)
class OppdragAdmin(RegisterAdmin):
    list_display = ("id", "oppdragsgiver", "oppdragstaker", "startdato", "sluttdato")
    list_filter = (("sluttdato", admin.EmptyFieldListFilter),)
    search_fields = (
        "=oppdragsgiver__organisasjonsnummer",
        "oppdragsgiver__navn",
        "=oppdragstaker__organisasjonsnummer",
        "oppdragstaker__navn",
    )
    raw_id_fields = ("oppdragsgiver", "oppdragstaker")
    list_select_related = ("oppdragsgiver", "oppdragstaker")
    inlines = (OppdragArbeidstakerInline,)


@admin.register(m.OppdragArbeidstaker)
class OppdragArbeidstakerAdmin(RegisterAdmin):
    list_display = ("oppdrag", "masked_arbeidstaker", "startdato", "sluttdato")
    search_fields = ("=arbeidstaker__identifikator", "=oppdrag__oppdragstaker__organisasjonsnummer")
    raw_id_fields = ("oppdrag", "arbeidstaker")

    @admin.display(description=_("arbeidstaker"), ordering="arbeidstaker")
    def masked_arbeidstaker(self, obj):
        return _masked(obj.arbeidstaker_id)


# --- Arbeidstilsynet, UDI, Statens vegvesen ----------------------------------------------------------


@admin.register(m.Bemanningsforetak)
class BemanningsforetakAdmin(RegisterAdmin):
    list_display = ("enhet", "registrert_fra", "registrert_til")
    list_filter = (("registrert_til", admin.EmptyFieldListFilter),)
    search_fields = ("=enhet__organisasjonsnummer", "enhet__navn")
    raw_id_fields = ("enhet",)
    list_select_related = ("enhet",)


class _GodkjenningAdmin(RegisterAdmin):
    list_display = ("enhet", "status", "status_dato")
    list_filter = ("status",)
    search_fields = ("=enhet__organisasjonsnummer", "enhet__navn")
    raw_id_fields = ("enhet",)
    list_select_related = ("enhet",)


@admin.register(m.Renholdsgodkjenning)
class RenholdsgodkjenningAdmin(_GodkjenningAdmin):
    pass


@admin.register(m.Bilpleiegodkjenning)
class BilpleiegodkjenningAdmin(_GodkjenningAdmin):
    pass


@admin.register(m.Verkstedgodkjenning)
class VerkstedgodkjenningAdmin(RegisterAdmin):
    list_display = ("enhet", "godkjent_fra", "godkjent_til")
    list_filter = (("godkjent_til", admin.EmptyFieldListFilter),)
    search_fields = ("=enhet__organisasjonsnummer", "enhet__navn")
    raw_id_fields = ("enhet",)
    list_select_related = ("enhet",)


@admin.register(m.Oppholdstillatelse)
class OppholdstillatelseAdmin(RegisterAdmin):
    list_display = ("masked_person", "arbeidsadgang", "gyldig_fra", "gyldig_til", "tillatelsestype")
    list_filter = ("arbeidsadgang",)
    search_fields = ("=person__identifikator", "person__etternavn")
    raw_id_fields = ("person",)

    @admin.display(description=_("person"), ordering="person")
    def masked_person(self, obj):
        return _masked(obj.person_id)


class UnntakForm(forms.ModelForm):
    """The requirements an exception waives as checkboxes (never the photo/ID review)."""

    fritak = forms.MultipleChoiceField(
        label=_("fritak for krav"),
        choices=[(r.value, r.value) for r in Requirement if r is not Requirement.DOCUMENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = m.Unntak
        fields = ("enhet", "person", "fritak", "gyldig_fra", "gyldig_til", "begrunnelse")


@admin.register(m.Unntak)
class UnntakAdmin(RegisterAdmin):
    """Arbeidstilsynet's exception register. A saved entry lands in the change
    feed, so the incremental re-check decides the affected pending orders again
    (the caseworker queue's stuck-order page does it at once)."""

    form = UnntakForm
    list_display = ("enhet", "masked_person", "fritak", "gyldig_fra", "gyldig_til", "registrert_av")
    list_filter = (
        ("person", admin.EmptyFieldListFilter),
        ("gyldig_til", admin.EmptyFieldListFilter),
    )
    search_fields = ("=enhet__organisasjonsnummer", "enhet__navn", "=person__identifikator")
    raw_id_fields = ("enhet", "person")
    readonly_fields = ("registrert_av", "registrert")
    list_select_related = ("enhet",)

    @admin.display(description=_("person"), ordering="person")
    def masked_person(self, obj):
        return _masked(obj.person_id) if obj.person_id else _("hele virksomheten")

    def save_model(self, request, obj, form, change):
        obj.fritak = sorted(set(form.cleaned_data["fritak"]))
        obj.registrert_av = request.user.get_username()
        super().save_model(request, obj, form, change)


# --- the change feed ------------------------------------------------------------------------------------


@admin.register(m.RegisterChange)
class RegisterChangeAdmin(admin.ModelAdmin):
    list_display = (
        "sequence",
        "register",
        "entity",
        "masked_entity_key",
        "change_type",
        "orgnr",
        "masked_fnr",
        "changed_at",
    )
    list_filter = ("register", "change_type", "entity")
    search_fields = ("=orgnr", "=fnr")
    ordering = ("-sequence",)
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("nøkkel"), ordering="entity_key")
    def masked_entity_key(self, obj):
        return _masked(obj.entity_key) if obj.entity == "Person" else obj.entity_key

    @admin.display(description=_("fødselsnummer"), ordering="fnr")
    def masked_fnr(self, obj):
        return _masked(obj.fnr)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
