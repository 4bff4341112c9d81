"""Does a company's NACE code fit a card type? Re-exported from the industry data
(`hmskort.eligibility.industries`), where the order rules read it too.

Used by the risk list (cards already held) and, at order time, by the order flow
(an order whose card type does not fit needs a written justification and goes to
a caseworker instead of straight to production) [003 §6.3, §7.2.1].
"""

from __future__ import annotations

from hmskort.eligibility.industries import (
    INDUSTRIES,
    industries_for_nace,
    nace_fits_card_type,
    offers_cleaning,
)

__all__ = ["hms_nace_prefixes", "industries_for_nace", "nace_fits_card_type", "offers_cleaning"]


def hms_nace_prefixes() -> tuple[str, ...]:
    """Every NACE prefix that makes HMS cards mandatory (41, 42, 43, 81.2, 45.2, 49.41 ...)."""
    prefixes: list[str] = []
    for industry in INDUSTRIES.values():
        prefixes.extend(p for p in industry.nace_prefixes if p not in prefixes)
    return tuple(prefixes)
