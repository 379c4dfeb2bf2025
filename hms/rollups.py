"""Roll-ups (issue 11): small tables of daily totals that reports and the dashboard read instead of scanning
millions of rows, and the registry ``manage.py rebuild_rollups`` works from.

An app that keeps a roll-up registers it in its ``AppConfig.ready()`` with ``register(name, rebuild=...,
differences=...)``: ``rebuild()`` replaces the table with totals computed from the raw rows (idempotent) and
returns the number of rows written; ``differences()`` lists where the table and the raw rows disagree (empty
when equal). The app's services keep the table up to date inside their own transactions with ``add()``.
"""

from django.db import connection

ROLLUPS = {}


def register(name, *, rebuild, differences):
    ROLLUPS[name] = (rebuild, differences)


def rebuild_all():
    """Rebuild every registered roll-up: {name: rows written}."""
    return {name: rebuild() for name, (rebuild, _) in ROLLUPS.items()}


def add(model, key, deltas):
    """Add ``deltas`` ({column: amount}) to the row of ``model`` with ``key`` ({column: value}), creating it when
    missing: one upsert, so concurrent transactions serialize on the row and never lose an update. The key
    columns must be the model's unique constraint."""
    table = connection.ops.quote_name(model._meta.db_table)
    key_columns = [connection.ops.quote_name(column) for column in key]
    delta_columns = [connection.ops.quote_name(column) for column in deltas]
    columns = ", ".join(key_columns + delta_columns)
    marks = ", ".join(["%s"] * (len(key) + len(deltas)))
    if connection.vendor == "mysql":
        updates = ", ".join(f"{c} = {c} + VALUES({c})" for c in delta_columns)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON DUPLICATE KEY UPDATE {updates}"
    else:  # SQLite and PostgreSQL
        updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in delta_columns)
        conflict = ", ".join(key_columns)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*key.values(), *deltas.values()])
