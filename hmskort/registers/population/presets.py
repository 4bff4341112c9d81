"""Population sizes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

#: The seed every run uses unless told otherwise: same seed, same population.
DEFAULT_SEED = 20231101

#: Active cards per card type, autumn 2023 [003] (VT: goods transport from 2026, our
#: estimate); the generator keeps these proportions.
REAL_CARD_COUNTS = {"BA": 391_000, "RH": 34_000, "BP": 1_700, "VT": 40_000}


@dataclass(frozen=True)
class Preset:
    """How big a population to build.

    `companies` counts hovedenheter (underenheter come on top), `persons`
    everyone in Folkeregisteret, `cards` the card rows of all states.
    The demo personas (see `personas.py`) come on top of these figures.
    """

    name: str
    companies: int
    persons: int
    cards: int
    #: At least this many cards per card type (so a small population still has BP cards).
    min_cards_per_type: int = 0

    def scaled(self, factor: float) -> Preset:
        return dataclasses.replace(
            self,
            name=f"{self.name}x{factor:g}",
            companies=max(20, round(self.companies * factor)),
            persons=max(300, round(self.persons * factor)),
            cards=max(50, round(self.cards * factor)),
        )


PRESETS: dict[str, Preset] = {
    "demo": Preset("demo", companies=190, persons=3_000, cards=500, min_cards_per_type=12),
    # 450,000 cards of the three original industries plus ~40,000 goods-transport cards.
    "national": Preset("national", companies=64_000, persons=640_000, cards=492_000),
}
