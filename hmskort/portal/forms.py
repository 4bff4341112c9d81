"""Forms of the employer portal (parse and validate input; services decide)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hmskort.cards.models import BlockReason
from hmskort.portal.models import DocumentType, InvoiceChannel, PaymentMethod
from hmskort.portal.uploads.validation import validate_image


class AddEmployeeForm(forms.Form):
    person_id = forms.CharField(
        label=_("Fødselsnummer eller D-nummer"),
        help_text=_("11 siffer"),
        max_length=20,
    )


class CartItemForm(forms.Form):
    card_type = forms.ChoiceField(label=_("Korttype"))
    declaration = forms.BooleanField(
        label=_(
            "Jeg bekrefter at arbeidstakeren har skriftlig arbeidsavtale "
            "(arbeidsmiljøloven § 14-6) og lønn etter gjeldende regler"
        ),
        required=False,
    )
    card_holders = forms.IntegerField(
        label=_("Antall kortholdere"), min_value=0, max_value=10, initial=0
    )
    delivery_address = forms.TypedChoiceField(
        label=_("Leveringsadresse"), coerce=int, required=False, empty_value=None
    )
    replaces_lost_card = forms.BooleanField(
        label=_("Erstatter et tapt eller stjålet kort"), required=False
    )

    def __init__(self, *args, card_types=(), addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["card_type"].choices = list(card_types)
        self.fields["delivery_address"].choices = [("", _("Velg adresse"))] + [
            (a.pk, a.one_line) for a in addresses
        ]


class CheckoutForm(forms.Form):
    payment_method = forms.ChoiceField(
        label=_("Betaling"), choices=PaymentMethod.choices, widget=forms.RadioSelect
    )
    orderer_email = forms.EmailField(label=_("E-post for ordrebekreftelse og meldinger om kortene"))


class DeliveryAddressForm(forms.Form):
    name = forms.CharField(label=_("Mottaker"), max_length=255)
    street = forms.CharField(label=_("Adresse"), max_length=255)
    postcode = forms.RegexField(
        label=_("Postnummer"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Postnummeret må ha fire siffer.")},
    )
    city = forms.CharField(label=_("Poststed"), max_length=100)


class CompanySettingsForm(forms.Form):
    invoice_channel = forms.ChoiceField(
        label=_("Fakturaen sendes med"),
        choices=InvoiceChannel.choices,
        widget=forms.RadioSelect,
        help_text=_("EHF kan bare brukes med månedlig samlefaktura."),
    )
    invoice_email = forms.EmailField(label=_("E-post for faktura"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("invoice_channel") == InvoiceChannel.EMAIL and not data.get("invoice_email"):
            self.add_error("invoice_email", _("Skriv e-postadressen fakturaen skal sendes til."))
        return data


class ContactForm(forms.Form):
    email = forms.EmailField(label=_("E-post til kontaktperson for HMS-kort"))
    name = forms.CharField(label=_("Navn på kontaktperson"), max_length=255, required=False)


class UploadForm(forms.Form):
    photo = forms.FileField(
        label=_("Bilde av den ansatte"),
        help_text=_(
            "JPEG eller PNG, høyst 10 MB. Ansiktet rett forfra, nøytralt uttrykk, "
            "ingen hodeplagg eller briller, lys bakgrunn."
        ),
    )
    id_document = forms.FileField(
        label=_("Kopi av ID-dokument"),
        help_text=_("Pass, nasjonalt ID-kort eller norsk førerkort. Bankkort er ikke ID."),
    )
    document_type = forms.ChoiceField(label=_("Type ID-dokument"), choices=DocumentType.choices)

    def _image(self, name):
        try:
            return validate_image(self.cleaned_data[name])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean_photo(self):
        return self._image("photo")

    def clean_id_document(self):
        return self._image("id_document")


class UploadLinkForm(forms.Form):
    send_to = forms.EmailField(
        label=_("Den ansattes e-post (valgfritt)"),
        required=False,
        help_text=_("Lenken vises også her, så du kan sende den selv. Den gjelder i 5 dager."),
    )


class BlockForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Hvorfor skal kortet sperres?"),
        choices=BlockReason.choices,
        widget=forms.RadioSelect,
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Jeg bekrefter"), required=True)
