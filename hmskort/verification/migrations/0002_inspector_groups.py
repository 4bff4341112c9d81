from django.db import migrations

INSPECTOR_GROUPS = ("Arbeidstilsynet", "Petroleumstilsynet", "Skatteetaten", "Politiet")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in INSPECTOR_GROUPS:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=INSPECTOR_GROUPS, user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("verification", "0001_signing_key"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
