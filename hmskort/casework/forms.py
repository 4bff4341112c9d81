"""Forms of the caseworker pages (labels in bokmål; errors in the user's language)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hmskort.eligibility.requirements import Requirement
from hmskort.portal.models import RejectionReason

from .models import CaseKind

DECISIONS = [("approve", _("Godkjenn")), ("reject", _("Avvis"))]


class QueueFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type sak"), choices=[("", _("Alle typer")), *CaseKind.choices], required=False
    )


class DocumentReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Vurdering"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label=_("Begrunnelse ved avvisning"),
        choices=[("", "—"), *RejectionReason.choices],
        required=False,
        help_text=_(
            "Begrunnelsen sendes til bestilleren, som må laste opp både bilde og ID på nytt."
        ),
    )
    note = forms.CharField(
        label=_("Merknad til bestilleren (valgfritt)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Velg en begrunnelse for avvisningen."))
        return data


class GenericDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Vurdering"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Merknad"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Skriv en begrunnelse når du avviser."))
        return data


class ExceptionForm(forms.Form):
    requirements = forms.MultipleChoiceField(
        label=_("Krav unntaket gjelder"),
        choices=[(r.value, r.value) for r in Requirement if r is not Requirement.DOCUMENTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Velg minst ett krav.")},
    )
    valid_to = forms.DateField(
        label=_("Gyldig til (valgfritt)"),
        required=False,
        help_text=_("Dato som dd.mm.åååå. Tom: uten sluttdato."),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Skriv datoen som dd.mm.åååå.")},
    )
    justification = forms.CharField(
        label=_("Begrunnelse for unntaket"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en begrunnelse for unntaket.")},
    )

    def __init__(self, *args, requirement_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if requirement_choices is not None:
            self.fields["requirements"].choices = requirement_choices


class CancelForm(forms.Form):
    reason_text = forms.CharField(
        label=_("Begrunnelse til bestilleren"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en begrunnelse til bestilleren.")},
    )
