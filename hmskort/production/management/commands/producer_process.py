from django.core.management.base import BaseCommand

from hmskort.production.services import producer_process


class Command(BaseCommand):
    help = "Simulated card producer: ship the cards of every open production batch."

    def handle(self, *args, **options):
        result = producer_process()
        self.stdout.write(
            f"Partier: {result.batches}, sendt: {result.shipped}, "
            f"trukket tilbake: {result.withdrawn}, feilet: {result.failed}"
        )
