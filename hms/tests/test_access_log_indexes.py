"""The access log's searches (by MRN, patient, user, dates; the portal's history) walk an index newest first:
no full read of the table and no sort of what it found (EXPLAIN on MariaDB, as tests/test_explain.py)."""

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from hms.access_models import AccessEntry, AccessKind
from hms.access_selectors import access_entries, disclosures_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "mysql", reason="EXPLAIN plans are checked on MariaDB"),
]


@pytest.fixture
def log():
    rng = random.Random(14)
    start = timezone.now() - datetime.timedelta(days=60)
    AccessEntry.objects.bulk_create(
        AccessEntry(
            at=start + datetime.timedelta(minutes=i),
            request_id=f"{i:032x}",
            user_id=rng.randint(1, 40),
            username=f"user{rng.randint(1, 40)}",
            kind=AccessKind.CHART,
            patient_id=(pid := rng.randint(1, 800)),
            mrn=f"MRN-{pid:06d}",
        )
        for i in range(4000)
    )


def plan_of(queryset):
    sql, params = queryset[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: access_entries(mrn="MRN-000017"),
        lambda: access_entries(username="user7"),
        lambda: access_entries(username="user7", date_from=timezone.localdate() - datetime.timedelta(days=10)),
        lambda: access_entries(date_from=timezone.localdate() - datetime.timedelta(days=3)),
        lambda: disclosures_of(17),
    ],
    ids=["mrn", "user", "user and days", "days", "portal history"],
)
def test_each_search_of_the_access_log_walks_an_index_newest_first(log, queryset):
    [row] = plan_of(queryset())
    assert row["type"] != "ALL", row
    assert "filesort" not in (row["Extra"] or ""), row
    assert row["key"], row
