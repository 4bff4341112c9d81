from django.core.management.base import BaseCommand

from hmskort.receipts.services import checks_flush


class Command(BaseCommand):
    help = "Write spooled card-check records to the database now."

    def handle(self, *args, **options):
        self.stdout.write(f"flushed {checks_flush()} check records")
