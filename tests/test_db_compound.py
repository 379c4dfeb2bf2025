"""hms.db: a UNION of sliced branches answers the same rows whether the database runs it as one query
(MariaDB) or refuses LIMIT inside a compound statement (SQLite, the demo's) and the rows are merged here."""

import pytest
from django.db import connection

from hms.db import union_count, union_rows
from patients.models import Patient
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patients():
    for first, last in [("Ann", "Smith"), ("Bob", "Smith"), ("Cy", "Smithers"), ("Smitty", "Jones"), ("Dee", "Lee")]:
        PatientFactory(first_name=first, last_name=last)


def _branches():
    by_last = Patient.objects.filter(last_name__startswith="Smi").order_by("last_name", "first_name", "id")
    by_first = Patient.objects.filter(first_name__startswith="Smi").order_by("last_name", "first_name", "id")
    names = ("last_name", "first_name", "id")
    return [by_last.values_list(*names)[:3], by_first.values_list(*names)[:3], by_last.values_list(*names)[:1]]


@pytest.mark.parametrize("one_query", [True, False], ids=["one query (MariaDB)", "merged here (SQLite)"])
def test_a_union_of_sliced_branches_reads_the_same_rows_in_the_same_order_either_way(
    patients, monkeypatch, one_query
):
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", one_query)

    rows = union_rows(_branches(), order=["last_name", "-first_name", "id"], limit=3)
    every = union_rows(_branches(), all=True)

    assert [(last, first) for last, first, _ in rows] == [("Jones", "Smitty"), ("Smith", "Bob"), ("Smith", "Ann")]
    assert len(every) == 5 and len(set(every)) == 4  # UNION ALL keeps the repeat
    assert union_count(_branches()) == 4
