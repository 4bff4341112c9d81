"""Announce every committed change to a card on the channel `hmskort_card_changed`.

Statement-level triggers with transition tables: one statement touching many
cards (the nightly re-check) sends its card numbers in batches of 500 per
notification (under PostgreSQL's 8,000-byte payload limit), not one
notification per row. PostgreSQL delivers notifications only when the
transaction commits, and drops duplicates within a transaction. Listeners:
hmskort/api/statuscache.py. PostgreSQL only; other databases get nothing.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION hmskort_card_changed_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    numbers text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        numbers := ARRAY(SELECT card_number FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        numbers := ARRAY(SELECT card_number FROM new_rows
                         UNION SELECT card_number FROM old_rows);
    ELSE
        numbers := ARRAY(SELECT card_number FROM old_rows);
    END IF;
    numbers := array_remove(numbers, '');
    FOR i IN 1 .. coalesce(array_length(numbers, 1), 0) BY 500 LOOP
        PERFORM pg_notify('hmskort_card_changed', array_to_string(numbers[i:i + 499], ','));
    END LOOP;
    RETURN NULL;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER hmskort_card_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hmskort_card_changed_notify();
CREATE TRIGGER hmskort_card_updated AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hmskort_card_changed_notify();
CREATE TRIGGER hmskort_card_deleted AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hmskort_card_changed_notify();
"""

DROP = """
DROP TRIGGER IF EXISTS hmskort_card_inserted ON {table};
DROP TRIGGER IF EXISTS hmskort_card_updated ON {table};
DROP TRIGGER IF EXISTS hmskort_card_deleted ON {table};
DROP FUNCTION IF EXISTS hmskort_card_changed_notify();
"""


def _table(apps) -> str:
    return apps.get_model("cards", "Card")._meta.db_table


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(
        TRIGGERS.format(table=schema_editor.quote_name(_table(apps))), params=None
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP.format(table=schema_editor.quote_name(_table(apps))), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0003_card_company_state_type_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
