"""Create the caseworkers' demo login (idempotent) and print the demo logins.

python manage.py demo_logins
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from hmskort.registers.population import demo_personas

USERNAME = "saksbehandler"
PASSWORD = "hmskort-demo"  # demo only: printed on purpose
ADMIN_URL = "http://127.0.0.1:8000/admin/"


def ensure_caseworker_login() -> bool:
    """Make sure the demo caseworker exists as staff and superuser with the demo
    password. Returns True when something was created or changed."""
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            **{User.USERNAME_FIELD: USERNAME},
            defaults={"is_staff": True, "is_superuser": True, "first_name": "Saksbehandler"},
        )
        changed = created
        if not (user.is_staff and user.is_superuser and user.is_active):
            user.is_staff = user.is_superuser = user.is_active = True
            changed = True
        if not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            changed = True
        if changed:
            user.save()
    return changed


INSPECTOR_USERNAME = "tilsyn"
INSPECTOR_GROUP = "Arbeidstilsynet"


def ensure_inspector_login() -> None:
    """A demo inspector: staff (admin login) in the Arbeidstilsynet group."""
    from django.contrib.auth.models import Group

    User = get_user_model()
    with transaction.atomic():
        user, _ = User.objects.get_or_create(
            **{User.USERNAME_FIELD: INSPECTOR_USERNAME},
            defaults={"is_staff": True, "first_name": "Inspektør"},
        )
        if not user.check_password(PASSWORD) or not user.is_staff:
            user.is_staff = user.is_active = True
            user.set_password(PASSWORD)
            user.save()
        group, _ = Group.objects.get_or_create(name=INSPECTOR_GROUP)
        user.groups.add(group)


class Command(BaseCommand):
    help = "Create the demo caseworker login and print the demo logins (personas)."

    def handle(self, *args, **options):
        ensure_caseworker_login()
        ensure_inspector_login()
        out = self.stdout.write
        out("Demo-innlogginger / demo logins")
        out(f"  Saksbehandler (Django admin): {ADMIN_URL}")
        out(f"    brukernavn / username: {USERNAME}")
        out(f"    passord / password:    {PASSWORD}")
        out("    saksbehandlingskø / caseworker queue: http://127.0.0.1:8000/saksbehandling/")
        out("  Tilsyn (inspector, Arbeidstilsynet): http://127.0.0.1:8000/tilsyn/")
        out(f"    brukernavn / username: {INSPECTOR_USERNAME}")
        out(f"    passord / password:    {PASSWORD}")
        out("  Arbeidsgivere og arbeidstakere: http://127.0.0.1:8000/logg-inn (TestID)")
        out("  Demopersoner (fødselsnummer, TestID):")
        for persona in demo_personas():
            out(f"    {persona.identifier}  {persona.name}: {persona.description_nb}")
            out(f"    {'':11}  ({persona.description})")
