"""python manage.py load_registers FILE|-  : apply a register document (docs/register-file.md)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from hmskort.registers.services import registers_apply


class Command(BaseCommand):
    help = (
        "Load and update simulated register records from a JSON document "
        "(format: docs/register-file.md). Use - to read from standard input. "
        "All records are applied in one transaction, or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON document, or - for stdin")
        parser.add_argument(
            "--check", action="store_true", help="validate and apply, then roll back (dry run)"
        )

    def handle(self, *args, file: str, check: bool = False, **options):
        try:
            if file == "-":
                document = json.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as fh:
                    document = json.load(fh)
        except OSError as exc:
            raise CommandError(f"Kan ikke lese {file}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"Ugyldig JSON i {file}: linje {exc.lineno}: {exc.msg}") from exc

        if check:
            from django.db import transaction

            with transaction.atomic():
                result = registers_apply(document)
                transaction.set_rollback(True)
        else:
            result = registers_apply(document)

        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} feil; ingenting er lagret")
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(result.counts.items()))
        verb = "Kontrollert (ikke lagret)" if check else "Lagret"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}: {result.applied} poster ({summary}); {result.changes} endringer"
            )
        )
