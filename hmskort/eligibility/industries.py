"""The card types (bransjer) as data: the one place that lists them.

Each `Industry` holds its code on the card, its names, the NACE codes that fit
it, the register requirements its rules check (`Requirement`), where else its
cards are accepted, and the declaration (if any) the orderer confirms per
order. The rules, the portal's order form, the card face, the look-ups, the
statistics, the risk list and the API read `INDUSTRIES` / `get_industry`;
prices live in the billing price list keyed by the same code.

Adding an industry is a data change: build an `Industry` and
`register_industry()` it (or add it to `BUILTIN_INDUSTRIES`).
Sources: [000, 001], [003 §2.2], [004]; goods transport: "Forskrift om
HMS-kort i virksomheter som transporterer andres varer med bil" (2026).
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
    # A declaration the orderer must confirm once per order for this card type
    # (stored with the order and shown to inspectors); "" = none.
    order_declaration_nb: str = ""
    order_declaration_en: str = ""
    # Short description for order forms and look-ups.
    description_nb: str = ""
    description_en: str = ""

    def name(self, language: str | None = None) -> str:
        return self.name_en if _is_english(language) else self.name_nb

    def description(self, language: str | None = None) -> str:
        return self.description_en if _is_english(language) else self.description_nb

    def order_declaration(self, language: str | None = None) -> str:
        return self.order_declaration_en if _is_english(language) else self.order_declaration_nb

    @property
    def needs_order_declaration(self) -> bool:
        return bool(self.order_declaration_nb)

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


def _codes(nace_codes: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(code.strip() for code in nace_codes if code and code.strip())


def offers_cleaning(nace_codes: Iterable[str | None]) -> bool:
    return any(nace_matches(code, (CLEANING_NACE_PREFIX,)) for code in _codes(nace_codes))


def nace_fits_card_type(nace_codes: Iterable[str | None], card_type: str) -> bool:
    """Whether a company registered with `nace_codes` fits cards of `card_type`.

    - An unknown card type, or a company without any NACE code, never fits
      (nothing to show the company works in the industry).
    - A company that offers cleaning (NACE 81.2) fits only industries open to
      cleaning companies (today only RH): a cleaning company holding BA cards
      does not fit, even if it also has a construction code [004, 003 §6.3].
    - Otherwise a NACE code must match one of the industry's prefixes, except
      for staffing agencies (NACE 78), which hire workers out to every industry.
    """
    industry = get_industry(card_type)
    codes = _codes(nace_codes)
    if industry is None or not codes:
        return False
    if offers_cleaning(codes) and not industry.cleaning_companies_allowed:
        return False
    return industry.nace_fits(codes) or is_staffing_agency(codes)


def industries_for_nace(nace_codes: Iterable[str | None]) -> tuple[str, ...]:
    """The card types whose NACE prefixes match any of the codes (no staffing rule)."""
    codes = _codes(nace_codes)
    return tuple(code for code, ind in INDUSTRIES.items() if ind.nace_fits(codes))


def industry_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every industry, in registry order (forms, filters)."""
    return [(code, industry.name(language)) for code, industry in INDUSTRIES.items()]


def industry_codes() -> tuple[str, ...]:
    return tuple(INDUSTRIES)


_BASE = frozenset(
    {
        Requirement.COMPANY_ACTIVE,
        Requirement.VAT,
        Requirement.PERSON_REGISTERED,
        Requirement.EMPLOYMENT,
        Requirement.STAFFING_REGISTRATION,
        Requirement.NACE_FIT,
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

VT = Industry(
    code="VT",
    name_nb="Varetransport",
    name_en="Goods transport",
    # Road freight, removals, courier and other postal activities. Staffing
    # agencies (78) hiring out drivers fit too: they fit every industry
    # (`nace_fits_card_type`), so 78 is not listed as the industry's own code.
    nace_prefixes=("49.41", "49.42", "53.2"),
    # As construction, without an approval register: our reading of the
    # regulation; a correction is a change of this data.
    requirements=_BASE,
    cleaning_companies_allowed=False,
    order_declaration_nb=(
        "Jeg bekrefter at arbeidet er transport av andres varer mot vederlag med bil med "
        "tillatt totalvekt på høyst 3 500 kg (høyst 4 250 kg for elektriske kjøretøy)."
    ),
    order_declaration_en=(
        "I confirm that the work is carrying other people's goods for payment in vehicles "
        "with a permitted total weight of at most 3,500 kg (at most 4,250 kg for electric "
        "vehicles)."
    ),
    description_nb="Sjåfører og medhjelpere som transporterer andres varer med varebil",
    description_en="Drivers and helpers carrying other people's goods in vans",
)

BUILTIN_INDUSTRIES: tuple[Industry, ...] = (BA, RH, BP, VT)

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
