"""The card types (bransjer) as data.

Adding an industry (for example goods transport) is a data change: build an
`Industry` and `register_industry()` it; the rules read everything they need
from it. Sources: [000, 001], [003 §2.2], [004].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import get_language

from .requirements import Requirement

# Staffing agencies (NACE 78) must be in Bemanningsforetaksregisteret [000, 001].
STAFFING_NACE_PREFIX = "78"
# Cleaning activities (NACE 81.2): such companies may only get RH cards [004, 003 §6.3].
CLEANING_NACE_PREFIX = "81.2"


@dataclass(frozen=True)
class Industry:
    code: str
    name_nb: str
    name_en: str
    # NACE code prefixes that fit the industry ("41" matches "41.200").
    nace_prefixes: tuple[str, ...]
    requirements: frozenset[Requirement]
    # Codes of other industries where this industry's card is also valid
    # (a stricter card may be used where a laxer one is required).
    accepted_where: frozenset[str] = frozenset()
    # Statens vegvesen approved workshops are outside the scheme (BP) [003 §2.2.3].
    exempt_if_workshop_approved: bool = False
    # Whether a company offering cleaning may get this card type. Only RH is
    # open to cleaning companies today [004]; a new industry decides for itself.
    cleaning_companies_allowed: bool = True

    def name(self, language: str | None = None) -> str:
        return self.name_en if _is_english(language) else self.name_nb

    def nace_fits(self, nace_codes: Iterable[str]) -> bool:
        """Whether any of the company's NACE codes fits this industry."""
        return any(nace_matches(code, self.nace_prefixes) for code in nace_codes)


def _is_english(language: str | None) -> bool:
    language = language or get_language() or ""
    return language.lower().replace("_", "-").split("-")[0] == "en"


def nace_matches(code: str, prefixes: Iterable[str]) -> bool:
    code = code.strip()
    return any(code.startswith(prefix) for prefix in prefixes)


def is_staffing_agency(nace_codes: Iterable[str]) -> bool:
    return any(nace_matches(code, (STAFFING_NACE_PREFIX,)) for code in nace_codes)


_BASE = frozenset(
    {
        Requirement.COMPANY_ACTIVE,
        Requirement.VAT,
        Requirement.PERSON_REGISTERED,
        Requirement.EMPLOYMENT,
        Requirement.STAFFING_REGISTRATION,
        Requirement.DOCUMENTS,
    }
)

BA = Industry(
    code="BA",
    name_nb="Bygg og anlegg",
    name_en="Building and construction",
    nace_prefixes=("41", "42", "43"),
    requirements=_BASE,
    cleaning_companies_allowed=False,
)
RH = Industry(
    code="RH",
    name_nb="Renhold",
    name_en="Cleaning",
    nace_prefixes=(CLEANING_NACE_PREFIX,),
    requirements=_BASE | {Requirement.CLEANING_APPROVAL, Requirement.WORK_PERMIT},
    accepted_where=frozenset({"BA"}),
)
BP = Industry(
    code="BP",
    name_nb="Bilpleie, hjulskift og hjullagring",
    name_en="Car care, tyre change and tyre storage",
    nace_prefixes=("45.2",),
    requirements=_BASE | {Requirement.CARCARE_APPROVAL, Requirement.WORK_PERMIT},
    exempt_if_workshop_approved=True,
    cleaning_companies_allowed=False,
)

BUILTIN_INDUSTRIES: tuple[Industry, ...] = (BA, RH, BP)

INDUSTRIES: dict[str, Industry] = {industry.code: industry for industry in BUILTIN_INDUSTRIES}


def _normalise(code: str) -> str:
    return code.strip().upper()


def get_industry(code: str | None) -> Industry | None:
    if not code:
        return None
    return INDUSTRIES.get(_normalise(code))


def register_industry(industry: Industry) -> None:
    """Add (or replace) an industry in the registry."""
    INDUSTRIES[_normalise(industry.code)] = industry


def unregister_industry(code: str) -> None:
    """Remove an industry; unknown codes are ignored."""
    INDUSTRIES.pop(_normalise(code), None)


def card_valid_for(card_type: str, required_industry: str) -> bool:
    """Whether a card of `card_type` is valid where `required_industry` cards are
    required (an RH card is valid on a BA site, never the other way round)."""
    industry = get_industry(card_type)
    if industry is None or get_industry(required_industry) is None:
        return False
    required = _normalise(required_industry)
    return industry.code == required or required in industry.accepted_where
