from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DelegationForm(forms.Form):
    delegate_pid = forms.CharField(
        label=_("Fødselsnummer eller D-nummer"),
        help_text=_("11 siffer. Personen må være ansatt i virksomheten (Aa-registeret)."),
        max_length=20,
    )
    valid_from = forms.DateField(
        label=_("Fra og med"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Til og med"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_delegate_pid(self) -> str:
        value = self.cleaned_data["delegate_pid"].replace(" ", "")
        if not (len(value) == 11 and value.isdigit()):
            raise forms.ValidationError(_("Skriv 11 siffer."), code="format")
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Sluttdatoen kan ikke være før startdatoen."))
        return data
