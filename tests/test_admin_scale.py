"""The changelists of the big tables stay cheap as the tables grow (issue 11).

Each big admin renders with a search and a filter; its query count does not grow with the rows;
its count stops at a cap and shows "N+" past it; its rows are read as a page of ids first.
The page size and the cap are patched low so a few rows stand for a million.
"""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from conftest import query_counter
from hms.admin import AtLeast, BigTableAdmin, CappedCountPaginator
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 5


def _appointments(patient, n):
    from scheduling.tests.factories import AppointmentFactory

    start = timezone.now().replace(second=0, microsecond=0)
    for i in range(n):
        AppointmentFactory(patient=patient, start=start + datetime.timedelta(hours=i))


def _patients(patient, n):
    for _ in range(n):
        PatientFactory(last_name=patient.last_name)


def _bills(patient, n):
    from billing.tests.factories import BillFactory

    for _ in range(n):
        BillFactory(patient=patient, hospital=patient.preferred_hospital)


def _movements(patient, n):
    from inventory.models import StockMovement
    from inventory.tests.factories import BatchFactory

    batch = BatchFactory(lot_number="LOT-SCALE", quantity=1)
    user = StockMovement.objects.get(batch=batch).created_by
    for _ in range(n - 1):
        StockMovement.objects.create(batch=batch, kind="receipt", quantity=1, created_by=user)


def _records(patient, n):
    from clinical.tests.factories import MedicalRecordFactory

    for _ in range(n):
        MedicalRecordFactory(appointment__patient=patient)


def _vitals(patient, n):
    from clinical.tests.factories import VitalsFactory

    for _ in range(n):
        VitalsFactory(patient=patient)


def _batches(patient, n):
    from inventory.tests.factories import BatchFactory, StoreFactory

    store = StoreFactory()
    for i in range(n):
        BatchFactory(lot_number=f"LOT-{i}", store=store, item__code="AMOX-500")


def _time_off(patient, n):
    from scheduling.tests.factories import TimeOffFactory
    from staff.tests.factories import DoctorFactory

    doctor = DoctorFactory(user__last_name="Okafor")
    start = timezone.now().replace(second=0, microsecond=0)
    for i in range(n):
        TimeOffFactory(doctor=doctor, start=start + datetime.timedelta(days=i))


# model label -> (rows maker, search term (from the patient, or fixed), filter parameters)
BIG_ADMINS = {
    "scheduling.Appointment": (_appointments, "mrn", {"status__exact": "scheduled", "start__gte": "2000-01-01"}),
    "patients.Patient": (_patients, "last_name", {"is_active__exact": "1"}),
    "billing.Bill": (_bills, "mrn", {"status__exact": "draft"}),
    "inventory.StockMovement": (_movements, "LOT-SCALE", {"kind__exact": "receipt"}),
    "clinical.MedicalRecord": (_records, "mrn", {"signed_at__isnull": "True"}),
    "clinical.Vitals": (_vitals, "last_name", {"recorded_at__gte": "2000-01-01"}),
    "inventory.Batch": (_batches, "AMOX-500", {"expiry_date__gte": "2000-01-01"}),
    "scheduling.TimeOff": (_time_off, "Okafor", {"is_cancelled__exact": "0"}),
}


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def _changelist(label):
    opts = _model(label)._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def _params(label, patient):
    _, term, filters = BIG_ADMINS[label]
    if term in ("mrn", "last_name"):
        term = getattr(patient, term)
    return {"q": term, **filters}


@pytest.fixture
def small_pages(monkeypatch):
    for label in BIG_ADMINS:
        monkeypatch.setattr(admin.site.get_model_admin(_model(label)), "list_per_page", PER_PAGE)


@pytest.fixture
def patient():
    return PatientFactory(last_name="Zabriskie")


@pytest.mark.parametrize("label", BIG_ADMINS)
def test_the_big_admins_count_with_a_cap_and_show_no_facets_nor_a_date_hierarchy(label):
    model_admin = admin.site.get_model_admin(_model(label))

    assert isinstance(model_admin, BigTableAdmin)
    assert issubclass(model_admin.paginator, CappedCountPaginator)
    assert model_admin.show_full_result_count is False
    assert model_admin.show_facets == admin.ShowFacets.NEVER
    assert not model_admin.date_hierarchy
    assert model_admin.list_per_page == 50


@pytest.mark.parametrize("label", BIG_ADMINS)
def test_the_big_admins_search_by_exact_or_prefix_lookups_only(label):
    for field in admin.site.get_model_admin(_model(label)).search_fields:
        if field.lstrip("^=") != field:
            continue
        assert label == "scheduling.TimeOff" and field == "reason", f"{label} searches {field} with LIKE '%x%'"


@pytest.mark.parametrize("label", BIG_ADMINS)
def test_a_big_changelist_renders_with_a_search_and_a_filter(admin_client, small_pages, patient, label):
    make, _, _ = BIG_ADMINS[label]
    make(patient, 7)

    response = admin_client.get(_changelist(label), _params(label, patient))

    assert response.status_code == 200
    cl = response.context["cl"]
    assert cl.result_count == 7 + (label == "patients.Patient")
    assert len(cl.result_list) == PER_PAGE


@pytest.mark.parametrize("label", BIG_ADMINS)
def test_a_big_changelist_runs_as_many_queries_for_many_rows_as_for_few(admin_client, small_pages, patient, label):
    make, _, _ = BIG_ADMINS[label]
    url, params = _changelist(label), _params(label, patient)
    make(patient, 7)
    admin_client.get(url, params)  # warm caches (content types, sessions)
    with query_counter() as few:
        assert admin_client.get(url, params).status_code == 200
    make(patient, 20)
    with query_counter() as many:
        response = admin_client.get(url, params)

    assert response.context["cl"].result_count == 27 + (label == "patients.Patient")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("label", BIG_ADMINS)
def test_past_the_cap_a_changelist_shows_the_cap_and_a_plus(admin_client, small_pages, patient, monkeypatch, label):
    monkeypatch.setattr(CappedCountPaginator, "cap", 6)
    make, _, _ = BIG_ADMINS[label]
    make(patient, 9)

    response = admin_client.get(_changelist(label))

    assert response.status_code == 200
    plural = str(_model(label)._meta.verbose_name_plural)
    assert f"6+ {plural}" in response.content.decode()
    assert response.context["cl"].result_count == 6


def test_the_count_reads_at_most_the_cap_plus_one_row(admin_user_obj, patient, monkeypatch):
    from scheduling.models import Appointment

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    _appointments(patient, 5)
    paginator = CappedCountPaginator(Appointment.objects.order_by("-start", "-id"), PER_PAGE)

    with query_counter() as queries:
        count = paginator.count

    assert isinstance(count, AtLeast) and count == 3 and str(count) == "3+"
    assert "LIMIT 4" in queries.captured_queries[0]["sql"]


def test_a_page_is_read_as_its_ids_then_its_rows_in_the_lists_order(patient):
    from scheduling.models import Appointment

    _appointments(patient, 12)
    qs = Appointment.objects.select_related("patient", "doctor__user").order_by("-start", "-id")
    paginator = CappedCountPaginator(qs, PER_PAGE)

    with query_counter() as queries:
        rows = list(paginator.page(2).object_list)

    assert [a.pk for a in rows] == [a.pk for a in qs[PER_PAGE : 2 * PER_PAGE]]
    # The capped count (to validate the page number), the page's ids, its rows: three queries whatever the page.
    count_query, ids_query, rows_query = (q["sql"] for q in queries.captured_queries)
    assert "COUNT(*)" in count_query
    assert "JOIN" not in ids_query and "LIMIT 5 OFFSET 5" in ids_query
    assert "JOIN" in rows_query and " IN (" in rows_query


def test_the_date_range_filter_offers_the_next_7_days_and_keeps_to_them(admin_client, patient):
    from scheduling.tests.factories import AppointmentFactory

    now = timezone.localtime().replace(second=0, microsecond=0)
    soon = AppointmentFactory(patient=patient, start=now + datetime.timedelta(days=2))
    AppointmentFactory(patient=patient, start=now + datetime.timedelta(days=30))
    AppointmentFactory(patient=patient, start=now - datetime.timedelta(days=3))
    cl = admin_client.get(_changelist("scheduling.Appointment")).context["cl"]
    choice = next(c for c in cl.filter_specs[0].choices(cl) if c["display"] == "Next 7 days")

    response = admin_client.get(_changelist("scheduling.Appointment") + choice["query_string"])

    assert [a.pk for a in response.context["cl"].result_list] == [soon.pk]
