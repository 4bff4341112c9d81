"""Gate presence: one row per (site, card), decided and updated in the same statement
as each gate event (hmskort.sites.gate). Built here from the events recorded so far;
the index that searched the events for presence goes."""

import django.db.models.deletion
from django.db import migrations, models


def build_presence(apps, schema_editor):
    """Replay the admitted events in order: an admitted entry puts the card inside
    (and is its last entry), an admitted exit takes it out."""
    GateEvent = apps.get_model("sites", "GateEvent")
    GatePresence = apps.get_model("sites", "GatePresence")
    state: dict[tuple[int, int], list] = {}
    events = (
        GateEvent.objects.filter(admitted=True, card__isnull=False)
        .order_by("id")
        .values_list("site_id", "card_id", "direction", "at", "reason")
    )
    for site_id, card_id, direction, at, reason in events.iterator(chunk_size=5000):
        row = state.setdefault((site_id, card_id), [False, None, ""])
        if direction == "in":
            row[0], row[1] = True, at
        else:
            row[0] = False
        row[2] = reason
    GatePresence.objects.bulk_create(
        [
            GatePresence(site_id=s, card_id=c, inside=i, last_in_at=at, last_reason=r)
            for (s, c), (i, at, r) in state.items()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0004_card_changed_notify"),
        ("sites", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="GatePresence",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "site",
                        "card",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="sites.site",
                    ),
                ),
                (
                    "card",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cards.card",
                    ),
                ),
                ("inside", models.BooleanField()),
                ("last_in_at", models.DateTimeField(null=True)),
                ("last_reason", models.CharField(max_length=32)),
            ],
            options={
                "verbose_name": "tilstedeværelse",
                "verbose_name_plural": "tilstedeværelser",
            },
        ),
        migrations.RunPython(build_presence, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="gateevent", name="gate_event_presence"),
    ]
