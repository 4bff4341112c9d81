"""Forms of the verification pages. Format checks happen here, before any query."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import orgnr as stdnum_orgnr

from hmskort.cards.numbers import is_valid_card_number, normalize_card_number


class CardNumberForm(forms.Form):
    kortnummer = forms.CharField(
        label=_("Kortnummer"),
        max_length=40,
        help_text=_("De ti sifrene på kortet, for eksempel 1234 5678 90."),
    )

    def clean_kortnummer(self) -> str:
        number = normalize_card_number(self.cleaned_data["kortnummer"])
        if not is_valid_card_number(number):
            raise forms.ValidationError(
                _(
                    "Dette er ikke et gyldig kortnummer. Et kortnummer har ti sifre; "
                    "kontroller at du har skrevet det riktig."
                ),
                code="format",
            )
        return number


class OrgnrForm(forms.Form):
    orgnr = forms.CharField(
        label=_("Organisasjonsnummer"),
        max_length=20,
        help_text=_("Ni sifre, for eksempel 974 760 673."),
    )

    def clean_orgnr(self) -> str:
        try:
            return stdnum_orgnr.validate(self.cleaned_data["orgnr"])
        except StdnumError as exc:
            raise forms.ValidationError(
                _(
                    "Dette er ikke et gyldig organisasjonsnummer. Et organisasjonsnummer har "
                    "ni sifre; kontroller at du har skrevet det riktig."
                ),
                code="format",
            ) from exc


class PurposeField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Formål (tilsynsnummer eller saksnummer)"),
            max_length=255,
            help_text=_("Påkrevd. Oppslaget logges med formålet."),
            **kwargs,
        )


class InspectorLookupForm(forms.Form):
    sok = forms.CharField(
        label=_("Kortnummer eller QR-kode"),
        max_length=4096,
        help_text=_("Skriv kortnummeret, eller lim inn innholdet i QR-koden."),
    )
    formal = PurposeField()


class InspectorActionForm(forms.Form):
    begrunnelse = forms.CharField(
        label=_("Begrunnelse"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    formal = PurposeField()
