"""Compound queries that also run on SQLite (the demo's database).

MariaDB takes ``(SELECT ... LIMIT n) UNION ALL (SELECT ... LIMIT n)``; SQLite refuses a LIMIT inside a
compound statement. ``union_rows`` and ``union_count`` build the one query where the database can run it
and otherwise read each branch on its own and merge the rows here, in the same order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet


def _compound_takes_limits(branches: Sequence[QuerySet]) -> bool:
    return connections[branches[0].db].features.supports_slicing_ordering_in_compound or not any(
        branch.query.is_sliced for branch in branches
    )


def union_rows(
    branches: Iterable[QuerySet], *, all: bool = False, order: Sequence[str] = (), limit: int | None = None
) -> list[tuple[Any, ...]]:
    """The rows of the UNION (``all``: UNION ALL) of the ``values_list`` querysets ``branches``, ordered by
    ``order`` (names of their columns, "-" for descending) and cut to ``limit``. A single branch is read
    as it is (its own order and slice)."""
    branches = list(branches)
    if len(branches) == 1:
        rows = list(branches[0])
        return rows if limit is None else rows[:limit]
    if _compound_takes_limits(branches):
        merged = branches[0].union(*branches[1:], all=all)
        if order:
            merged = merged.order_by(*order)
        return list(merged if limit is None else merged[:limit])
    rows = [row for branch in branches for row in branch]
    if not all:
        rows = list(dict.fromkeys(rows))
    names = list(branches[0]._fields)
    for name in reversed(order):  # stable sorts, last key first
        index = names.index(name.lstrip("-"))
        rows.sort(key=lambda row, i=index: row[i], reverse=name.startswith("-"))
    return rows if limit is None else rows[:limit]


def union_count(branches: Iterable[QuerySet]) -> int:
    """How many distinct rows the UNION of ``branches`` has."""
    branches = list(branches)
    if len(branches) == 1:
        return branches[0].count()
    if _compound_takes_limits(branches):
        return branches[0].union(*branches[1:]).count()
    return len({row for branch in branches for row in branch})
