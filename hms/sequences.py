"""Gap-tolerant, never-reused counters (MRNs, bill numbers), safe under concurrency.

A row per counter name, created on first use and incremented under its row lock.
"""

from __future__ import annotations

from django.db import connection, models, transaction


class Sequence(models.Model):
    name = models.CharField(max_length=100, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} = {self.last_value}"


def next_value(name: str) -> int:
    """Return the next value of the named counter, inside the caller's transaction."""
    return next_values(name, 1)[0]


def next_values(name: str, count: int) -> range:
    """Reserve ``count`` consecutive values of the named counter; returns them as a range.

    One upsert statement creates the row on first use or increments it, taking the row's
    exclusive lock at once; concurrent callers queue on that lock instead of deadlocking, as a
    read-then-insert would at READ COMMITTED. The lock is held until the caller commits, so
    values are handed out in commit order and a rolled-back value is never handed out twice.
    """
    if count < 1:
        raise ValueError("Reserve at least one value.")
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(
                f"INSERT INTO {table} (name, last_value) VALUES (%s, %s) "
                "ON DUPLICATE KEY UPDATE last_value = last_value + %s",
                [name, count, count],
            )
        else:
            cursor.execute(
                f"INSERT INTO {table} (name, last_value) VALUES (%s, %s) "
                "ON CONFLICT(name) DO UPDATE SET last_value = last_value + %s",
                [name, count, count],
            )
        cursor.execute(f"SELECT last_value FROM {table} WHERE name = %s", [name])
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)
