"""Does a company's NACE code fit a card type? A pure function over the industry data.

Used by the risk list (cards already held) and, at order time, by the order flow
(an order whose card type does not fit needs a written justification and goes to
a caseworker instead of straight to production) [003 §6.3, §7.2.1].
"""

from __future__ import annotations

from collections.abc import Iterable

from hmskort.eligibility.industries import (
    CLEANING_NACE_PREFIX,
    INDUSTRIES,
    get_industry,
    is_staffing_agency,
    nace_matches,
)


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


def hms_nace_prefixes() -> tuple[str, ...]:
    """Every NACE prefix that makes HMS cards mandatory (41, 42, 43, 81.2, 45.2 ...)."""
    prefixes: list[str] = []
    for industry in INDUSTRIES.values():
        prefixes.extend(p for p in industry.nace_prefixes if p not in prefixes)
    return tuple(prefixes)


def industries_for_nace(nace_codes: Iterable[str | None]) -> tuple[str, ...]:
    """The card types whose NACE prefixes match any of the codes (no staffing rule)."""
    codes = _codes(nace_codes)
    return tuple(code for code, ind in INDUSTRIES.items() if ind.nace_fits(codes))
