"""Roll-ups (issue 11): small tables of daily totals that reports and the dashboard read instead of scanning
millions of rows, and the registry ``manage.py rebuild_rollups`` works from.

An app that keeps a roll-up registers it in its ``AppConfig.ready()`` with ``register(name, rebuild=...,
differences=...)``: ``rebuild()`` replaces the table with totals computed from the raw rows (idempotent) and
returns the number of rows written; ``differences()`` lists where the table and the raw rows disagree (empty
when equal). The app's services keep the table up to date inside their own transactions with ``add()``.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

ROLLUPS = {}


def register(name, *, rebuild, differences):
    ROLLUPS[name] = (rebuild, differences)


def rebuild_all():
    """Rebuild every registered roll-up: {name: rows written}."""
    return {name: rebuild() for name, (rebuild, _) in ROLLUPS.items()}


def add(model, key, deltas):
    """Add ``deltas`` ({field: amount}) to the row of ``model`` with ``key`` ({field: value}), creating it when
    missing. Call inside the service's transaction, keys in a fixed order.

    An UPDATE of the existing row first: it locks that one row, so concurrent transactions serialize on the
    counter and never lose an update, and takes no gap lock (an INSERT ... ON DUPLICATE KEY UPDATE would, and
    two of them can deadlock). Only a day's first row is inserted, in a savepoint; if another transaction
    inserted it meanwhile, the unique key refuses ours and we update theirs."""
    increments = {field: F(field) + amount for field, amount in deltas.items()}
    if model.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **deltas)
    except IntegrityError:
        model.objects.filter(**key).update(**increments)
