"""Forms of the worker's pages and the inspector's person search (format checks only)."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hmskort.registers.identifiers import is_valid_person_identifier
from hmskort.verification.forms import PurposeField
from hmskort.wallet.models import CorrectionTopic


class CorrectionForm(forms.Form):
    topic = forms.ChoiceField(label=_("Hva gjelder det?"), choices=CorrectionTopic.choices)
    what_is_wrong = forms.CharField(
        label=_("Hva er feil?"),
        max_length=500,
        help_text=_("For eksempel: «Navnet mitt er stavet feil» eller «Jeg har sluttet hos ...»."),
    )
    correction = forms.CharField(
        label=_("Hva er riktig?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Skriv hva som skal stå, og gjerne hvor det kan kontrolleres."),
    )
    email = forms.EmailField(
        label=_("E-post for svar (valgfritt)"),
        required=False,
        help_text=_("Svaret vises alltid under «Mine data». Med e-post får du det også der."),
    )
    request_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


def _synthetic_allowed() -> bool:
    return getattr(settings, "HMSKORT_ENVIRONMENT", "development") != "production"


class PersonSearchForm(forms.Form):
    fnr = forms.CharField(
        label=_("Fødselsnummer eller D-nummer"),
        max_length=20,
        help_text=_("Elleve sifre."),
    )
    formal = PurposeField()

    def clean_fnr(self) -> str:
        number = "".join(ch for ch in self.cleaned_data["fnr"] if ch.isdigit())
        if not is_valid_person_identifier(number, allow_synthetic=_synthetic_allowed()):
            raise forms.ValidationError(
                _(
                    "Dette er ikke et gyldig fødselsnummer eller D-nummer. Det har elleve "
                    "sifre; kontroller at du har skrevet det riktig."
                ),
                code="format",
            )
        return number

    def clean_formal(self) -> str:
        purpose = self.cleaned_data["formal"].strip()
        if not purpose:
            raise forms.ValidationError(_("Oppgi formålet med søket."), code="required")
        return purpose
