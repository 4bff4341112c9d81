from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hmskort.sites.models import MAX_ANTI_PASSBACK_MINUTES


class DateInput(forms.DateInput):
    """A native date picker: its value must be ISO (yyyy-mm-dd), whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Navn på byggeplassen"), max_length=200)
    address = forms.CharField(label=_("Adresse"), max_length=300)
    builder_name = forms.CharField(label=_("Byggherre"), max_length=255)
    builder_orgnr = forms.CharField(
        label=_("Byggherrens organisasjonsnummer (valgfritt)"), max_length=11, required=False
    )
    starts_on = forms.DateField(label=_("Fra dato"), widget=DateInput)
    ends_on = forms.DateField(label=_("Til dato"), widget=DateInput)
    required_industry = forms.ChoiceField(
        label=_("Påkrevd HMS-kort"),
        choices=[("BA", _("Bygg og anlegg (BA)")), ("RH", _("Renhold (RH)"))],
        initial="BA",
    )
    anti_passback_minutes = forms.IntegerField(
        label=_("Sperretid etter inngang (minutter)"),
        min_value=0,
        max_value=MAX_ANTI_PASSBACK_MINUTES,
        initial=10,
        help_text=_("Samme kort slippes ikke inn igjen før det har gått så mange minutter."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Til-dato kan ikke være før fra-dato."))
        return data


class CompanyAddForm(forms.Form):
    orgnr = forms.CharField(label=_("Organisasjonsnummer"), max_length=11)


class ReaderForm(forms.Form):
    name = forms.CharField(label=_("Navn på portleseren"), max_length=100, initial="Port 1")


class ChipForm(forms.Form):
    card_number = forms.CharField(label=_("Kortnummer"), max_length=20)
    code = forms.CharField(label=_("Brikkekode (heksadesimal)"), max_length=80)


class SubscriberForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    url = forms.URLField(
        label=_("Mottaksadresse (https://...)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("En offentlig adresse på internett; interne adresser avvises."),
    )


class DayForm(forms.Form):
    dag = forms.DateField(label=_("Dag"), widget=DateInput, required=False)

    def day(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("dag"):
            return self.cleaned_data["dag"]
        return timezone.localdate()


class PeriodForm(forms.Form):
    fra = forms.DateField(label=_("Fra"), widget=DateInput, required=False)
    til = forms.DateField(label=_("Til"), widget=DateInput, required=False)

    def period(self, max_days: int) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("til") or today
        start = data.get("fra") or end - dt.timedelta(days=6)
        if start > end:
            start, end = end, start
        if (end - start).days >= max_days:
            start = end - dt.timedelta(days=max_days - 1)
        return start, end
