"""Announce every committed change to who may use the API on the channel
`hmskort_api_auth_changed`.

Statement-level triggers on the access tokens, the OAuth applications and the
API clients: a token revoked or deleted, a client withdrawn (a gate reader
too), deactivated or changed. Inserts are not announced: nothing can hold a
token that did not exist. Each process's LISTEN thread (hmskort/api/statuscache.py)
then forgets every token it had validated (hmskort.api.auth.auth_changed), so a
revoked token or a withdrawn reader is refused at once, not after the token
caches' 10 + 10 seconds. PostgreSQL only; other databases get nothing.
"""

from django.conf import settings
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION hmskort_api_auth_changed_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hmskort_api_auth_changed', TG_TABLE_NAME);
    RETURN NULL;
END $$;
"""

TRIGGER = """
CREATE TRIGGER hmskort_api_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION hmskort_api_auth_changed_notify();
"""

DROP_TRIGGER = "DROP TRIGGER IF EXISTS hmskort_api_auth_changed ON {table};"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS hmskort_api_auth_changed_notify();"


def _tables(apps) -> list[str]:
    return [
        apps.get_model("oauth2_provider", "AccessToken")._meta.db_table,
        apps.get_model("oauth2_provider", "Application")._meta.db_table,
        apps.get_model("api", "ApiClient")._meta.db_table,
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in _tables(apps):
        schema_editor.execute(TRIGGER.format(table=schema_editor.quote_name(table)))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _tables(apps):
        schema_editor.execute(DROP_TRIGGER.format(table=schema_editor.quote_name(table)))
    schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_apicardorder_declaration_justification"),
        migrations.swappable_dependency(settings.OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL),
        migrations.swappable_dependency(settings.OAUTH2_PROVIDER_APPLICATION_MODEL),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
