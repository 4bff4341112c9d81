"""Fill the simulated registers (and cards) with a synthetic population.

python manage.py seed_registers --preset demo
python manage.py seed_registers --preset national            # 60,000 companies, 450,000 cards
python manage.py seed_registers --preset demo --if-empty     # what the run command does
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from hmskort.registers.population import (
    DEFAULT_SEED,
    PRESETS,
    registers_are_empty,
    seed_population,
)

_SHOWN = (
    ("Enhet", "enheter (hovedenheter og underenheter)"),
    ("Person", "personer i Folkeregisteret"),
    ("Rolle", "roller"),
    ("Arbeidsforhold", "arbeidsforhold i Aa-registeret"),
    ("Oppdrag", "oppdrag i OAR"),
    ("OppdragArbeidstaker", "utsendte arbeidstakere i OAR"),
    ("MvaRegistrering", "MVA-registreringer"),
    ("MvaEgenerklaering", "MVA-egenerklæringer"),
    ("Bemanningsforetak", "bemanningsforetak"),
    ("Renholdsgodkjenning", "renholdsgodkjenninger"),
    ("Bilpleiegodkjenning", "bilpleiegodkjenninger"),
    ("Verkstedgodkjenning", "verkstedgodkjenninger"),
    ("Oppholdstillatelse", "oppholdstillatelser"),
    ("Unntak", "unntak"),
    ("Card", "HMS-kort"),
    ("CardStatusHistory", "statushistorikk"),
)


class Command(BaseCommand):
    help = (
        "Seed the simulated national registers and cards with a reproducible synthetic population."
    )

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(PRESETS), default="demo")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the registers already hold companies",
        )
        parser.add_argument(
            "--today", help="the date the population is built around (YYYY-MM-DD); default today"
        )
        parser.add_argument(
            "--scale", type=float, default=None, help="multiply the preset's sizes (e.g. 0.1)"
        )

    def handle(self, *args, preset, seed, if_empty, today, scale, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, got {today!r}") from exc
        if scale is not None and scale <= 0:
            raise CommandError("--scale must be positive")
        if if_empty and not registers_are_empty():
            self.stdout.write(
                f"seed_registers: the registers already hold companies; nothing to do ({preset})."
            )
            return
        result = seed_population(preset=preset, seed=seed, today=day, scale=scale)
        self.stdout.write(
            f"seed_registers {result.preset} (seed {result.seed}, today {result.today}):"
        )
        for model, text in _SHOWN:
            self.stdout.write(f"  {result.count(model):>9,} {text}".replace(",", " "))
        self.stdout.write(
            f"  generated in {result.generate_s:.1f} s, loaded in {result.load_s:.1f} s"
        )
        self.stdout.write(f"seed_registers {preset}: {result.total_s:.1f} s")
