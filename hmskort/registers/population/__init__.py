"""The synthetic population: companies, people, register records and cards.

    seed_population(preset="demo")                  # ~200 companies, 3,000 people
    seed_population(preset="national")              # ~60,000 companies, 600,000 people, 450,000 cards
    seed_population(preset="demo", scale=0.3)       # smaller, e.g. in tests
    demo_personas()                                 # the fixed demo people (no database access)

Reproducible: the same seed and the same `today` give identical rows (one
`random.Random(seed)`, no global or Faker state; dates are offsets from
`today`). The personas are the same whatever the seed.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import connections, transaction

from .generator import Tables, generate
from .personas import Persona, demo_personas
from .presets import DEFAULT_SEED, PRESETS, Preset

__all__ = [
    "DEFAULT_SEED",
    "PRESETS",
    "Persona",
    "Preset",
    "SeedResult",
    "Tables",
    "demo_personas",
    "generate",
    "registers_are_empty",
    "resolve_preset",
    "seed_population",
]


@dataclass(frozen=True)
class SeedResult:
    preset: str
    seed: int
    today: dt.date
    rows: dict[str, int] = field(default_factory=dict)  # model label -> rows written
    generate_s: float = 0.0
    load_s: float = 0.0
    total_s: float = 0.0

    def count(self, model_name: str) -> int:
        return next((n for label, n in self.rows.items() if label.split(".")[1] == model_name), 0)


def resolve_preset(preset: str | Preset, scale: float | None = None) -> Preset:
    if isinstance(preset, str):
        try:
            preset = PRESETS[preset]
        except KeyError:
            raise ValueError(
                f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}"
            ) from None
    return preset.scaled(scale) if scale is not None and scale != 1 else preset


def registers_are_empty(using: str = "default") -> bool:
    from hmskort.registers.models import Enhet

    return not Enhet.objects.using(using).exists()


def seed_population(
    *,
    preset: str | Preset = "demo",
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    scale: float | None = None,
    using: str = "default",
) -> SeedResult:
    """Replace all register and card data with a freshly generated population.

    One transaction: existing register and card rows (and rows elsewhere that
    refer to them) are cleared, then the new rows are bulk-loaded.
    """
    from django.utils import timezone

    from . import load

    started = time.perf_counter()
    chosen = resolve_preset(preset, scale)
    today = today or timezone.localdate()
    tables = generate(chosen, seed=seed, today=today)
    generated = time.perf_counter()
    stamp = timezone.now()
    with transaction.atomic(using=using):
        load.clear(using)
        rows = load.write(tables, stamp=stamp, using=using)
    if connections[using].vendor == "sqlite":
        with connections[using].cursor() as cursor:
            cursor.execute("ANALYZE")
    done = time.perf_counter()
    return SeedResult(
        preset=chosen.name,
        seed=seed,
        today=today,
        rows=rows,
        generate_s=generated - started,
        load_s=done - generated,
        total_s=done - started,
    )
