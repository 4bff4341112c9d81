import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from hmskort.receipts.services import checks_flush

#: Records per transaction and seconds between transactions in --loop mode.
LOOP_CHUNK = 250
LOOP_PAUSE = 0.005


class Command(BaseCommand):
    help = (
        "Write spooled card-check records to the database now; with --loop, keep "
        "doing so (the separate drainer next to the web server, see "
        "HMSKORT_CHECK_FLUSH_IN_PROCESS in docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="drain every SECONDS until stopped (SIGTERM / Ctrl-C)",
        )

    def handle(self, *args, loop=None, **options):
        if loop is None:
            self.stdout.write(f"flushed {checks_flush()} check records")
            return
        if loop <= 0:
            self.stderr.write("--loop needs a positive number of seconds")
            raise SystemExit(2)
        try:
            while True:
                started = time.monotonic()
                try:
                    # Small chunks with short pauses: the database's share of the work
                    # comes in slices of a few milliseconds, not one burst per tick that
                    # would hold a core the web workers are answering on.
                    checks_flush(chunk_size=LOOP_CHUNK, pause=LOOP_PAUSE)
                finally:
                    close_old_connections()
                time.sleep(max(0.0, loop - (time.monotonic() - started)))
        except KeyboardInterrupt:
            checks_flush()  # what is ready now, then stop
