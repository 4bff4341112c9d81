"""Stable finding codes of the automatic checks, each with a text in bokmål (msgid)
and English (through Django's gettext). Codes are stored in UploadSet.auto_findings
and shown to caseworkers: never rename one, add new ones instead."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Finding:
    code: str

    @property
    def text(self) -> str:
        return str(TEXTS.get(self.code, self.code))

    def __str__(self) -> str:
        return self.text


# --- photo -----------------------------------------------------------------
FORMAT = "format"
RESOLUTION = "resolution"
NO_FACE = "no_face"
SEVERAL_FACES = "several_faces"
NOT_FRONTAL = "not_frontal"
NOT_CENTRED = "not_centred"
FACE_TOO_SMALL = "face_too_small"
FACE_TOO_LARGE = "face_too_large"
EYES = "eyes"
GLASSES = "glasses"
BACKGROUND_DARK = "background_dark"
BACKGROUND_UNEVEN = "background_uneven"
FACE_UNEVEN_LIGHT = "face_uneven_light"
FACE_OVEREXPOSED = "face_overexposed"
BLURRED = "blurred"

#: Every photo rule, in the order they are told to the uploader.
PHOTO_RULES = (
    FORMAT,
    RESOLUTION,
    NO_FACE,
    SEVERAL_FACES,
    NOT_FRONTAL,
    NOT_CENTRED,
    FACE_TOO_SMALL,
    FACE_TOO_LARGE,
    EYES,
    GLASSES,
    BACKGROUND_DARK,
    BACKGROUND_UNEVEN,
    FACE_UNEVEN_LIGHT,
    FACE_OVEREXPOSED,
    BLURRED,
)

# --- ID document: refusals ---------------------------------------------------
ID_FORMAT = "id_format"
ID_RESOLUTION = "id_resolution"
ID_BANK_CARD = "id_bank_card"
ID_DOCUMENT_TYPE = "id_document_type"
ID_EXPIRED = "id_expired"
ID_BIRTH_DATE_MISMATCH = "id_birth_date_mismatch"

# --- ID document: why a person must look (accepted, flagged) ---------------
REVIEW_NOT_PASSPORT = "review_not_passport"
REVIEW_MRZ_UNREADABLE = "review_mrz_unreadable"
REVIEW_OCR_UNAVAILABLE = "review_ocr_unavailable"
REVIEW_EXPIRY_UNREADABLE = "review_expiry_unreadable"
REVIEW_MRZ_CHECK_DIGITS = "review_mrz_check_digits"
REVIEW_NAME_MISMATCH = "review_name_mismatch"
REVIEW_NO_PERSON = "review_no_person"

# --- ID document: what was verified (informational) ---------------------------
MRZ_VALID = "mrz_valid"

TEXTS = {
    FORMAT: _("Filen er ikke et bilde i JPEG-, PNG- eller HEIC-format."),
    RESOLUTION: _("Bildet har for lav oppløsning (minst 300 × 375 piksler)."),
    NO_FACE: _("Vi finner ikke noe ansikt i bildet."),
    SEVERAL_FACES: _("Bildet viser mer enn ett ansikt. Bare den ansatte skal være med."),
    NOT_FRONTAL: _("Ansiktet er ikke rett forfra: hodet er snudd eller bildet er rotert."),
    NOT_CENTRED: _("Ansiktet er ikke midt i bildet."),
    FACE_TOO_SMALL: _("Ansiktet er for lite i bildet. Gå nærmere eller beskjær bildet."),
    FACE_TOO_LARGE: _(
        "Ansiktet er for stort eller skåret av. Vis hele hodet og litt av skuldrene."
    ),
    EYES: _("Begge øynene må være synlige og åpne."),
    GLASSES: _("Bildet ser ut til å vise briller. Briller er ikke tillatt."),
    BACKGROUND_DARK: _("Bakgrunnen er for mørk. Bruk en lys bakgrunn."),
    BACKGROUND_UNEVEN: _(
        "Bakgrunnen er ikke jevn: den har mønster, gjenstander eller kraftige skygger."
    ),
    FACE_UNEVEN_LIGHT: _("Ansiktet er ujevnt belyst eller for mørkt."),
    FACE_OVEREXPOSED: _("Ansiktet har hvite, utbrente partier. Unngå skarpt lys rett på."),
    BLURRED: _("Bildet er uskarpt."),
    ID_FORMAT: _("ID-dokumentet er ikke et bilde i JPEG-, PNG- eller HEIC-format."),
    ID_RESOLUTION: _("Bildet av ID-dokumentet har for lav oppløsning."),
    ID_BANK_CARD: _("Bankkort er ikke gyldig legitimasjon."),
    ID_DOCUMENT_TYPE: _("Ukjent type ID-dokument."),
    ID_EXPIRED: _("Passet er utløpt."),
    ID_BIRTH_DATE_MISMATCH: _("Fødselsdatoen i passet stemmer ikke med Folkeregisteret."),
    REVIEW_NOT_PASSPORT: _("Dokumenttypen kontrolleres av en saksbehandler."),
    REVIEW_MRZ_UNREADABLE: _("Passets maskinlesbare felt kunne ikke leses automatisk."),
    REVIEW_OCR_UNAVAILABLE: _("Automatisk lesing av passet er ikke tilgjengelig."),
    REVIEW_EXPIRY_UNREADABLE: _("Utløpsdatoen kunne ikke leses automatisk."),
    REVIEW_MRZ_CHECK_DIGITS: _(
        "Kontrollsifrene i passets maskinlesbare felt stemmer ikke med det som ble lest."
    ),
    REVIEW_NAME_MISMATCH: _("Navnet i passet ligner ikke nok på navnet i Folkeregisteret."),
    REVIEW_NO_PERSON: _("Personen ble ikke funnet i Folkeregisteret for sammenligning."),
    MRZ_VALID: _("Passets maskinlesbare felt er lest og kontrollsifrene stemmer."),
}


def text(code: str) -> str:
    """The uploader's text for a finding code, in the active language."""
    return str(TEXTS.get(code, code))


def finding_text(code: str, language: str | None = None) -> str:
    """The text for a finding code in `language` (default: the active language)."""
    if not language:
        return text(code)
    from django.utils import translation

    with translation.override(language):
        return text(code)
