"""Worker-facing words for a card's status, in the worker's language.

The status itself is decided once, by `hmskort.cards.status.public_status`; this
module only says it in nb / en / pl / lt. The reason catalogue
(`hmskort.eligibility.reasons`) has Norwegian and English texts; Polish and
Lithuanian texts of the reasons a worker can meet on an issued card are here
(`REASON_TEXTS`); any other reason falls back to English.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hmskort.cards.status import PublicStatus
from hmskort.eligibility.reasons import public_text

STATUS_LABELS = {
    PublicStatus.VALID: _("Gyldig"),
    PublicStatus.INVALID: _("Ugyldig"),
    PublicStatus.EXPIRED: _("Ugyldig – utløpt"),
    PublicStatus.BLOCKED: _("Sperret"),
    PublicStatus.PENDING: _("Bestilt – ikke utstedt ennå"),
    PublicStatus.REJECTED: _("Avslått – ikke utstedt"),
    PublicStatus.CANCELLED: _("Kansellert – ikke utstedt"),
    PublicStatus.RETURNED: _("Levert tilbake"),
    PublicStatus.CONFISCATED: _("Inndratt"),
}

STATUS_TONES = {
    PublicStatus.VALID: "success",
    PublicStatus.PENDING: "warning",
}

#: code -> (Polish, Lithuanian) public text.
REASON_TEXTS: dict[str, tuple[str, str]] = {
    "COMPANY_NOT_FOUND": (
        "Nieważna – firma nie jest zarejestrowana w Enhetsregisteret",
        "Negalioja – įmonė neįregistruota Enhetsregisteret",
    ),
    "COMPANY_DELETED": (
        "Nieważna – firma została wykreślona z Enhetsregisteret",
        "Negalioja – įmonė išbraukta iš Enhetsregisteret",
    ),
    "COMPANY_BANKRUPT": ("Nieważna – firma jest w upadłości", "Negalioja – įmonė bankrutavo"),
    "COMPANY_LIQUIDATION": (
        "Nieważna – firma jest w likwidacji",
        "Negalioja – įmonė likviduojama",
    ),
    "VAT_UNCLEAR": (
        "Niejasne – firma nie jest zarejestrowana w rejestrze VAT",
        "Neaišku – įmonė neįregistruota PVM registre",
    ),
    "PERSON_NOT_FOUND": (
        "Nieważna – osoba nie jest zarejestrowana w Folkeregisteret",
        "Negalioja – asmuo neįregistruotas Folkeregisteret",
    ),
    "PERSON_DEAD": (
        "Nieważna – posiadacz karty jest zarejestrowany jako zmarły",
        "Negalioja – kortelės turėtojas įregistruotas kaip miręs",
    ),
    "PERSON_EMIGRATED": (
        "Nieważna – posiadacz karty jest zarejestrowany jako wyemigrowany",
        "Negalioja – kortelės turėtojas įregistruotas kaip emigravęs",
    ),
    "PERSON_ID_CEASED": (
        "Nieważna – numer identyfikacyjny wygasł",
        "Negalioja – asmens numeris nebegalioja",
    ),
    "DNUMBER_INACTIVE": ("Nieważna – numer D jest nieaktywny", "Negalioja – D numeris neaktyvus"),
    "EMPLOYMENT_NOT_REGISTERED": (
        "Nieważna – zatrudnienie nie jest zarejestrowane w Aa-registeret ani OAR",
        "Negalioja – darbo santykiai neįregistruoti Aa-registeret ar OAR",
    ),
    "EMPLOYMENT_STARTS_LATER": (
        "Nieważna – zatrudnienie zaczyna się za ponad 30 dni",
        "Negalioja – darbo santykiai prasideda daugiau nei po 30 dienų",
    ),
    "OWNER_ROLE_MISSING": (
        "Nieważna – posiadacz karty nie jest już zarejestrowany jako właściciel lub wspólnik",
        "Negalioja – kortelės turėtojas nebėra įregistruotas kaip savininkas ar partneris",
    ),
    "STAFFING_NOT_REGISTERED": (
        "Nieważna – agencja pracy nie jest w rejestrze agencji pracy tymczasowej",
        "Negalioja – įdarbinimo agentūra neįregistruota agentūrų registre",
    ),
    "CLEANING_NOT_APPROVED": (
        "Nieważna – firma nie jest zatwierdzona w rejestrze firm sprzątających",
        "Negalioja – įmonė nepatvirtinta valymo įmonių registre",
    ),
    "CARCARE_NOT_APPROVED": (
        "Nieważna – firma nie jest zatwierdzona do pielęgnacji i wymiany opon",
        "Negalioja – įmonė nepatvirtinta automobilių priežiūrai ir padangų keitimui",
    ),
    "WORK_PERMIT_MISSING": (
        "Nieważna – brak zezwolenia na pobyt z prawem do pracy",
        "Negalioja – nėra leidimo gyventi su teise dirbti",
    ),
    "WORKSHOP_EXEMPT": (
        "Nieważna – zatwierdzony warsztat, poza systemem kart HMS dla pielęgnacji samochodów",
        "Negalioja – patvirtintos dirbtuvės, nepatenka į automobilių priežiūros HMS kortelių sistemą",
    ),
    "CLEANING_COMPANY_RH_ONLY": (
        "Nieważna – firmy sprzątające mogą otrzymać tylko karty HMS dla sprzątania",
        "Negalioja – valymo įmonės gali gauti tik valymo HMS korteles",
    ),
    "CARD_EXPIRED": ("Nieważna – wygasła", "Negalioja – baigėsi galiojimas"),
    "CARD_BLOCKED": ("Nieważna – zablokowana", "Negalioja – užblokuota"),
    "CARD_CONFISCATED": ("Nieważna – zatrzymana przez inspekcję", "Negalioja – konfiskuota"),
    "CARD_RETURNED": ("Nieważna – zwrócona", "Negalioja – grąžinta"),
    "EMPLOYMENT_REMOVED_BY_INSPECTOR": (
        "Nieważna – zatrudnienie zostało usunięte przez organ nadzoru",
        "Negalioja – darbo santykius pašalino priežiūros institucija",
    ),
}


def _language() -> str:
    return (get_language() or "nb").lower().replace("_", "-").split("-")[0]


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, STATUS_LABELS[PublicStatus.INVALID]))


def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "danger")


def reason_text(code: str) -> str:
    """The public text of a reason in the active language (pl/lt here, else the catalogue)."""
    language = _language()
    if language in ("pl", "lt"):
        texts = REASON_TEXTS.get(str(code))
        if texts is not None:
            return texts[0] if language == "pl" else texts[1]
        return public_text(code, "en")
    return public_text(code, language)
