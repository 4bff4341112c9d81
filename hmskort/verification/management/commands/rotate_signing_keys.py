"""Retire the active signing key and start signing with a new one."""

from django.core.management.base import BaseCommand

from hmskort.core.signing import signing_key_rotate


class Command(BaseCommand):
    help = (
        "Rotate the Ed25519 signing key: the active key stops signing but stays in the "
        "JWKS until every token it signed has expired; a new key signs from now on."
    )

    def handle(self, *args, **options):
        kid = signing_key_rotate()
        self.stdout.write(self.style.SUCCESS(f"Active signing key: {kid}"))
