"""Seed the price list with the prices in force when it became data (see billing/seed.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from hmskort.billing.seed import seed_prices

    seed_prices(apps, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
