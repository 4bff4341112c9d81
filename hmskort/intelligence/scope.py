"""Shared company filters for the risk list and statistics: county, industry, size band."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hmskort.eligibility.industries import INDUSTRIES

#: Size bands by registered employees in Enhetsregisteret (as seed 003 figure 4.2).
SIZE_BANDS: tuple[tuple[str, object, int, int | None], ...] = (
    ("0", _("Ingen ansatte"), 0, 0),
    ("1-4", _("1–4 ansatte"), 1, 4),
    ("5-19", _("5–19 ansatte"), 5, 19),
    ("20-99", _("20–99 ansatte"), 20, 99),
    ("100+", _("100 ansatte eller flere"), 100, None),
)

#: Counties (fylkesnummer, the first two digits of kommunenummer), 2024 division.
COUNTIES: dict[str, str] = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "55": "Troms",
    "56": "Finnmark",
}


def size_band_of(employees: int) -> str:
    for code, _label, low, high in SIZE_BANDS:
        if employees >= low and (high is None or employees <= high):
            return code
    return SIZE_BANDS[-1][0]


def size_band_label(code: str) -> str:
    return next((str(label) for c, label, _lo, _hi in SIZE_BANDS if c == code), code)


def county_name(number: str) -> str:
    return COUNTIES.get(number, number)


@dataclass(frozen=True)
class CompanyFilters:
    """Filters on the company (hovedenhet); empty strings mean "all"."""

    county: str = ""  # two digits
    industry: str = ""  # card type code whose NACE prefixes the company matches
    size_band: str = ""  # a SIZE_BANDS code

    @property
    def active(self) -> bool:
        return bool(self.county or self.industry or self.size_band)

    def as_dict(self) -> dict[str, str]:
        return {"county": self.county, "industry": self.industry, "size_band": self.size_band}

    def q(self, prefix: str = "") -> Q:
        """A Q on Enhet (or on a relation to it, with `prefix` like "enhet__")."""
        q = Q()
        if self.county:
            q &= Q(**{f"{prefix}forretningsadresse__kommunenummer__startswith": self.county})
        if self.industry:
            industry = INDUSTRIES.get(self.industry.upper())
            prefixes = industry.nace_prefixes if industry else ()
            iq = Q(**{f"{prefix}pk__in": []})
            for p in prefixes:
                for field in ("naeringskode1", "naeringskode2", "naeringskode3"):
                    iq |= Q(**{f"{prefix}{field}__startswith": p})
            q &= iq
        if self.size_band:
            for code, _label, low, high in SIZE_BANDS:
                if code == self.size_band:
                    q &= Q(**{f"{prefix}antall_ansatte__gte": low})
                    if high is not None:
                        q &= Q(**{f"{prefix}antall_ansatte__lte": high})
        return q
