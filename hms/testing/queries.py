"""Counting the queries a block runs (tests): ``with query_counter() as q: ...`` then ``q.count`` / ``q.sql``.

The root conftest.py re-exports it with its client helpers (``query_count``, ``counted_get``)."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext


class QueryCounter(CaptureQueriesContext):
    """The queries run inside the block: q.count, q.sql (their SQL, in order); len(q) and iterating work too."""

    @property
    def count(self):
        return len(self)

    @property
    def sql(self):
        return [query["sql"] for query in self.captured_queries]


def query_counter(using=DEFAULT_DB_ALIAS):
    """with query_counter() as q: ... then q.count (a CaptureQueriesContext on that database)."""
    return QueryCounter(connections[using])
