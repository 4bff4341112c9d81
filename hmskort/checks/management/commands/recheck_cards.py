"""Re-check cards against the registers.

    python manage.py recheck_cards --full [--today 2026-11-24] [--chunk-size 5000] [--wait]
    python manage.py recheck_cards --incremental
    python manage.py recheck_cards --pending          # pending orders (effectuate / reject / cancel)
    python manage.py recheck_cards --expire           # cards past their validity -> expired

With a broker (REDIS_URL) the full run fans out to the Celery workers and the
command returns once the chunks are queued (or, with --wait, when the run is
finished); without one everything runs in this process. Re-running the same
day resumes an unfinished full run.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hmskort.checks import services
from hmskort.checks.models import RecheckRun


class Command(BaseCommand):
    help = "Re-check cards against the registers (full, incremental, pending orders, expiry)."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--full", action="store_true", help="every issued card")
        mode.add_argument("--incremental", action="store_true", help="cards touched by changes")
        mode.add_argument("--pending", action="store_true", help="pending orders")
        mode.add_argument("--expire", action="store_true", help="cards past their validity")
        parser.add_argument("--today", help="business day (YYYY-MM-DD); default today")
        parser.add_argument("--chunk-size", type=int, default=services.DEFAULT_CHUNK_SIZE)
        parser.add_argument("--inline", action="store_true", help="full run in this process")
        parser.add_argument(
            "--wait", type=float, default=0, metavar="SECONDS", help="wait for the full run"
        )

    def handle(
        self, *args, full, incremental, pending, expire, today, chunk_size, inline, wait, **o
    ):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today must be YYYY-MM-DD, got {today!r}") from exc
        if chunk_size < 1:
            raise CommandError("--chunk-size must be positive")
        if full:
            run = services.recheck_full(
                today=day, chunk_size=chunk_size, inline=True if inline else None
            )
            deadline = time.monotonic() + wait
            while run.finished is None and time.monotonic() < deadline:
                time.sleep(0.5)
                run.refresh_from_db()
        elif incremental:
            run = services.recheck_incremental(today=day)
        elif pending:
            run = services.orders_process_pending(today=day)
        else:
            run = services.cards_expire(today=day)
        self.stdout.write(self._summary(run))

    @staticmethod
    def _summary(run: RecheckRun) -> str:
        state = "ferdig" if run.finished else "kjører (running)"
        text = (
            f"recheck_cards {run.kind} {run.today} run {run.pk}: {state}; "
            f"{run.cards_checked} kort sjekket, {run.cards_changed} endret, "
            f"deler {run.chunks_done}/{run.chunks_total}"
        )
        if run.kind == "incremental":
            text += (
                f"; {run.changes_read} registerendringer ({run.sequence_from}..{run.sequence_to})"
            )
        return text
