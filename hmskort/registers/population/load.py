"""Write a generated population to the database, fast.

PostgreSQL: one `COPY ... FROM STDIN` per table (psycopg 3 `cursor.copy` with
`write_row`), then the serial sequences are moved past the ids we chose and the
tables are analysed. SQLite: `executemany` of one parameterised INSERT per table
in large batches (what `bulk_create` does, without building model instances).
Never one statement per row.

Columns the generator does not know (a field added to a model later) are filled
with the field's default, so a new nullable or defaulted field does not break
seeding; a new required field without a default raises `SeedSchemaError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, models

from .generator import Tables

#: Parents before children (FKs are deferred, but this keeps SQLite happy too).
LOAD_ORDER = (
    "registers.Person",
    "registers.Enhet",
    "registers.Rolle",
    "registers.MvaRegistrering",
    "registers.MvaEgenerklaering",
    "registers.Arbeidsforhold",
    "registers.Oppdrag",
    "registers.OppdragArbeidstaker",
    "registers.Bemanningsforetak",
    "registers.Renholdsgodkjenning",
    "registers.Bilpleiegodkjenning",
    "registers.Verkstedgodkjenning",
    "registers.Oppholdstillatelse",
    "registers.Unntak",
    "cards.Card",
    "cards.CardStatusHistory",
    "portal.UploadSet",  # the pending orders' approved photo/ID (no FK to the registers)
)
SQLITE_BATCH = 5_000
#: From this many rows, PostgreSQL loads drop and rebuild indexes and keys.
FAST_PATH_ROWS = 100_000


class SeedSchemaError(RuntimeError):
    """A model gained a required column the generator does not fill."""


def affected_models() -> list[type[models.Model]]:
    """Every register and card model, plus every model (in any app) that refers to
    one of them, directly or through others: what a re-seed must clear.
    Ordered referencing-first (children before parents)."""
    base: set[type[models.Model]] = set()
    for app_label in ("registers", "cards"):
        base.update(apps.get_app_config(app_label).get_models(include_auto_created=True))
    base.update(apps.get_model(label) for label in LOAD_ORDER)  # e.g. portal.UploadSet
    everything = list(apps.get_models(include_auto_created=True))
    grown = True
    while grown:
        grown = False
        for model in everything:
            if model in base:
                continue
            if any(
                f.is_relation and f.concrete and f.related_model in base
                for f in model._meta.get_fields()
            ):
                base.add(model)
                grown = True

    # Topological order: a model comes before the models it refers to.
    ordered: list[type[models.Model]] = []
    visiting: set[type[models.Model]] = set()

    def visit(model: type[models.Model]) -> None:
        if model in ordered or model in visiting:
            return
        visiting.add(model)
        for other in base:
            if other is not model and any(
                f.is_relation and f.concrete and f.related_model is model
                for f in other._meta.get_fields()
            ):
                visit(other)
        visiting.discard(model)
        ordered.append(model)

    for model in sorted(base, key=lambda m: m._meta.label):
        visit(model)
    return [m for m in ordered if m._meta.managed and not m._meta.proxy]


def clear(using: str = "default") -> list[str]:
    """Empty the register and card tables (and anything referring to them)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [m._meta.db_table for m in affected_models() if m._meta.db_table in existing]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Run deferred foreign-key checks still queued in this transaction (e.g. a
            # previous seed in the same test transaction): TRUNCATE refuses to run
            # while they are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE TABLE {', '.join(qn(t) for t in tables)} RESTART IDENTITY")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {qn(table)}")
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
                if cursor.fetchone():
                    marks = ", ".join("%s" for _ in tables)
                    cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({marks})", tables)
    return tables


def _columns(
    model: type[models.Model], attnames: Iterable[str], connection, stamp: dt.datetime
) -> tuple[list[models.Field], tuple]:
    """The fields for the given attnames, plus (fields, constant values) for the rest."""
    given = list(attnames)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    unknown = [a for a in given if a not in by_attname]
    if unknown:
        raise SeedSchemaError(f"{model._meta.label} has no field(s) {unknown}")
    fields = [by_attname[a] for a in given]
    extra_fields, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = stamp if isinstance(field, models.DateTimeField) else stamp.date()
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif field.blank and isinstance(field, models.CharField | models.TextField):
            value = ""
        else:
            raise SeedSchemaError(
                f"{model._meta.label}.{field.name} is required and the population generator "
                "does not fill it: update hmskort/registers/population/generator.py"
            )
        extra_fields.append(field)
        extra_values.append(field.get_db_prep_save(value, connection))
    return fields + extra_fields, tuple(extra_values)


def write(tables: Tables, *, stamp: dt.datetime, using: str = "default") -> dict[str, int]:
    """Insert every table's rows; returns rows written per model label.

    Call inside a transaction, after `clear()`. On PostgreSQL, for a large load,
    the tables' indexes and key constraints are dropped first and rebuilt after
    the COPY (one index build and one foreign-key check per constraint instead of
    one per row); all in the same transaction, so a failure leaves them as they were.
    """
    connection = connections[using]
    labels = [label for label in LOAD_ORDER if label in tables.rows]
    total = sum(len(tables.rows[label][1]) for label in labels)
    rebuild: list[str] = []
    if connection.vendor == "postgresql" and total >= FAST_PATH_ROWS:
        names = [apps.get_model(label)._meta.db_table for label in labels]
        rebuild = _pg_drop_keys_and_indexes(connection, names)
    written = _write(connection, tables, labels, stamp)
    if rebuild:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for sql in rebuild:
                cursor.execute(sql)
    loaded_models = [apps.get_model(label) for label in labels]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), loaded_models):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            qn = connection.ops.quote_name
            for model in loaded_models:
                cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")
    return written


def _pg_drop_keys_and_indexes(connection, tables: list[str]) -> list[str]:
    """Drop the indexes, primary/unique keys and foreign keys on (or pointing at)
    these tables; return the statements that recreate them, in a working order."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.contype, con.conrelid::regclass::text, quote_ident(con.conname),
                   pg_get_constraintdef(con.oid)
            FROM pg_constraint con
            WHERE con.contype IN ('p', 'u', 'f')
              AND (con.conrelid = ANY(%s::regclass[]) OR con.confrelid = ANY(%s::regclass[]))
            ORDER BY con.contype, con.conrelid::regclass::text, con.conname
            """,
            [tables, tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (
                  SELECT 1 FROM pg_constraint c
                  WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')
              )
            ORDER BY 1
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        foreign = [c for c in constraints if c[0] == "f"]
        keys = [c for c in constraints if c[0] in ("p", "u")]
        for _, table, name, _ in foreign + keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return (
        [
            f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            for _, table, name, definition in keys
        ]
        + [definition for _, definition in indexes]
        + [
            f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            for _, table, name, definition in foreign
        ]
    )


def _write(connection, tables: Tables, labels: list[str], stamp: dt.datetime) -> dict[str, int]:
    written: dict[str, int] = {}
    for label in labels:
        model = apps.get_model(label)
        attnames, rows = tables.rows[label]
        fields, extra = _columns(model, attnames, connection, stamp)
        if connection.vendor == "postgresql":
            _copy(connection, model, fields, rows, extra)
        else:
            _insert(connection, model, fields, rows, extra, len(attnames))
        written[label] = len(rows)
    return written


def _copy(connection, model, fields, rows, extra) -> None:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(sql) as copy:
            write_row = copy.write_row
            if extra:
                for row in rows:
                    write_row(row + extra)
            else:
                for row in rows:
                    write_row(row)


def _insert(connection, model, fields, rows, extra, n_given) -> None:
    """SQLite (and any other backend): executemany in batches, values adapted per column."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join("%s" for _ in fields)
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"
    ops = connection.ops
    adapters = []
    for field in fields[:n_given]:
        if isinstance(field, models.DateTimeField):
            adapters.append(ops.adapt_datetimefield_value)
        elif isinstance(field, models.DateField):
            adapters.append(ops.adapt_datefield_value)
        elif isinstance(field, models.DecimalField):
            adapters.append(
                lambda v, f=field: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
            )
        else:
            adapters.append(None)
    converting = [(i, a) for i, a in enumerate(adapters) if a is not None]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), SQLITE_BATCH):
            batch = []
            for row in rows[start : start + SQLITE_BATCH]:
                values = list(row)
                for i, adapt in converting:
                    if values[i] is not None:
                        values[i] = adapt(values[i])
                batch.append((*values, *extra))
            cursor.executemany(sql, batch)
