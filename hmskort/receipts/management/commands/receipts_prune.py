from django.core.management.base import BaseCommand

from hmskort.receipts.services import checks_prune, retention_days


class Command(BaseCommand):
    help = "Delete card-check records older than HMSKORT_CHECK_RETENTION_DAYS (default 365)."

    def handle(self, *args, **options):
        deleted = checks_prune()
        self.stdout.write(f"deleted {deleted} check records older than {retention_days()} days")
