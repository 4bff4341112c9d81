from django.core.management.base import BaseCommand

from hmskort.production.services import production_batch_create


class Command(BaseCommand):
    help = "Put every card in production that is in no batch into a new production batch."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="at most this many cards")

    def handle(self, *args, limit=None, **options):
        batch = production_batch_create(limit=limit)
        if batch is None:
            self.stdout.write("Ingen kort å produsere (no cards to produce).")
            return
        self.stdout.write(
            f"Parti {batch.pk}: {batch.card_count} kort, frist {batch.due_date:%d.%m.%Y}, "
            f"fil {batch.file_path}"
        )
