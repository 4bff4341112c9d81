"""Forms of the employer portal (parse and validate input; services decide)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hmskort.cards.models import BlockReason
from hmskort.portal.models import DocumentType, InvoiceChannel, PaymentMethod
from hmskort.portal.uploads.validation import (
    auto_findings,
    validate_id_document,
    validate_image,
    validate_photo,
)


class AddEmployeeForm(forms.Form):
    person_id = forms.CharField(
        label=_("Fødselsnummer eller D-nummer"),
        help_text=_("11 siffer"),
        max_length=20,
    )
    surname = forms.CharField(
        label=_("Etternavn"),
        help_text=_("Som i Folkeregisteret. Ved dobbelt etternavn holder det med ett av dem."),
        max_length=100,
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

    def __init__(self, *args, declarations=(), justifications=(), **kwargs):
        """`declarations`: [(card type, text)] the orderer must confirm for this
        order; `justifications`: [(cart item, label)] needing a written reason."""
        super().__init__(*args, **kwargs)
        for code, text in declarations:
            self.fields[f"declare_{code}"] = forms.BooleanField(label=text, required=False)
        for item, label in justifications:
            self.fields[f"justification_{item.pk}"] = forms.CharField(
                label=label,
                help_text=_(
                    "Korttypen passer ikke virksomhetens næringskode. Forklar hvorfor "
                    "arbeidstakeren trenger denne korttypen. En saksbehandler vurderer "
                    "begrunnelsen før kortet produseres."
                ),
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
                required=False,
                initial=item.nace_justification,
            )

    def declared(self) -> list[str]:
        return [
            name.removeprefix("declare_")
            for name, value in self.cleaned_data.items()
            if name.startswith("declare_") and value
        ]

    def justifications(self) -> dict[int, str]:
        return {
            int(name.removeprefix("justification_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("justification_")
        }

    def declaration_fields(self):
        return [self[name] for name in self.fields if name.startswith("declare_")]

    def justification_fields(self):
        return [self[name] for name in self.fields if name.startswith("justification_")]


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


#: The document types the uploader may pick. Bank cards are listed so that the
#: uploader is told at once that they are not valid ID (seed 001).
UPLOAD_DOCUMENT_CHOICES = [*DocumentType.choices, ("bank_card", _("Bankkort"))]


class UploadForm(forms.Form):
    """Photo and ID document. The automatic checks (hmskort.photocheck) run in
    `clean`: every rule the photo breaks becomes an error on the photo field, a
    refused ID document an error on its field; the rest of the form is kept."""

    photo = forms.FileField(
        label=_("Bilde av den ansatte"),
        help_text=_(
            "JPEG, PNG eller HEIC, høyst 10 MB. Ansiktet rett forfra og midt i bildet, "
            "begge øynene synlige og åpne, nøytralt uttrykk, ingen hodeplagg eller briller, "
            "jevnt lys og lys bakgrunn uten skygger."
        ),
    )
    id_document = forms.FileField(
        label=_("Kopi av ID-dokument"),
        help_text=_("Pass, nasjonalt ID-kort eller norsk førerkort. Bankkort er ikke ID."),
    )
    document_type = forms.ChoiceField(label=_("Type ID-dokument"), choices=UPLOAD_DOCUMENT_CHOICES)

    def __init__(self, *args, person=None, **kwargs):
        """`person`: Folkeregisteret's record of the employee (for the passport check)."""
        super().__init__(*args, **kwargs)
        self.person = person
        self.photo_report = None
        self.id_report = None

    def clean_photo(self):
        try:
            validated, self.photo_report = validate_photo(self.cleaned_data["photo"])
        except ValidationError as exc:
            raise ValidationError(exc.error_list) from None
        return validated

    def clean_id_document(self):
        try:
            return validate_image(self.cleaned_data["id_document"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean_document_type(self):
        value = self.cleaned_data["document_type"]
        if value == "bank_card":
            raise ValidationError(
                _("Bankkort er ikke gyldig legitimasjon. Velg et annet ID-dokument."),
                code="id_bank_card",
            )
        return value

    def clean(self):
        cleaned = super().clean()
        document = cleaned.get("id_document")
        document_type = cleaned.get("document_type")
        if document is not None and document_type:
            try:
                self.id_report = validate_id_document(document, document_type, self.person)
            except ValidationError as exc:
                self.add_error("id_document", exc.error_list)
        return cleaned

    def auto_findings(self) -> dict:
        """What the automatic checks found (for UploadSet.auto_findings)."""
        return auto_findings(self.photo_report, self.id_report)

    @property
    def manual_review_reasons(self) -> list[str]:
        return [f.text for f in self.id_report.manual_review] if self.id_report else []


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
