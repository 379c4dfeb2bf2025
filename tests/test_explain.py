"""The hot queries read the big tables through indexes (EXPLAIN on MariaDB, issue 11).

A few thousand rows are enough for MariaDB's optimizer to choose as it does at a million: each
query below is the real one (the selector's queryset, or the SQL a report, the board or the slot
search actually runs, captured while it runs) and its plan must not read a big table in full
(``type: ALL``); the first page of an ordered list must also walk an index in order, never sort
the rows it found (``Using filesort``), since at scale that sort runs before the LIMIT.

The data is built once for the module (bulk inserts, about five seconds) and rolled back at the end.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection

from conftest import query_counter

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "mysql", reason="EXPLAIN plans are checked on MariaDB"),
]

BIG_TABLES = {
    "scheduling_appointment",
    "patients_patient",
    "billing_bill",
    "billing_payment",
    "billing_claim",
    "clinical_medicalrecord",
    "clinical_diagnosis",
    "clinical_vitals",
    "clinical_labresult",
    "inventory_stockmovement",
}
APPOINTMENTS = 6000
PATIENTS = 1500
UTC = datetime.UTC
FIRST_DAY = datetime.datetime(2025, 1, 1, 13, 0, tzinfo=UTC)
QUEUE_DAY = datetime.date(2025, 6, 3)


def explain(sql, params=None):
    """The plain EXPLAIN rows of one statement, as dicts (table, type, key, rows, Extra ...)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def explain_queryset(qs):
    sql, params = qs.query.sql_with_params()
    return explain(sql, params)


def full_scans(plan):
    """The big tables the plan reads row by row in full."""
    return [row["table"] for row in plan if row["type"] == "ALL" and row["table"] in BIG_TABLES]


def sorts(plan):
    return [row["table"] for row in plan if "filesort" in (row["Extra"] or "")]


def rows_joined(plan):
    """The optimizer's estimate of the big tables' rows the main SELECT joins (the product of their rows)."""
    total = 1
    for row in plan:
        if row["id"] == 1 and row["table"] in BIG_TABLES:
            total *= int(row["rows"] or 1)
    return total


def big_sorts(plan, limit=200):
    """A sort of more rows than a page or two: at scale it sorts the whole table before the LIMIT."""
    return sorts(plan) if rows_joined(plan) > limit else []


def describe(plan):
    return "\n".join(f"{r['table']}: type={r['type']} key={r['key']} rows={r['rows']} {r['Extra'] or ''}" for r in plan)


def assert_walks_an_index(qs):
    """The first page of an ordered list: no full scan of a big table, no sort of what it found."""
    plan = explain_queryset(qs)
    assert not full_scans(plan) and not sorts(plan), describe(plan)


def assert_no_full_scan(queries):
    """Every SELECT captured reads the big tables through an index."""
    selects = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert selects, "nothing ran"
    for sql in selects:
        plan = explain(sql)
        assert not full_scans(plan), f"{sql}\n{describe(plan)}"


@pytest.fixture(scope="module")
def scale(django_db_setup, django_db_blocker):
    """Hospitals, doctors, patients, appointments over two years, records, bills and stock movements.

    Committed, so that ANALYZE TABLE (which commits) gives the optimizer the statistics it has at scale;
    every row added is deleted at the end (rows above each table's highest id before), so the tests
    after this module find the database as it was.
    """
    with django_db_blocker.unblock():
        marks = _high_water_marks()
        try:
            data = _build()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE TABLE " + ", ".join(sorted(_tables_with_rows_added(marks))))
                cursor.fetchall()
            yield data
        finally:
            _delete_rows_added(marks)


def _integer_pk_models():
    from django.apps import apps
    from django.db import models

    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy and isinstance(model._meta.pk, models.AutoField):
            yield model


def _high_water_marks():
    from django.db.models import Max

    return {model: model._base_manager.aggregate(top=Max("pk"))["top"] or 0 for model in _integer_pk_models()}


def _tables_with_rows_added(marks):
    return {m._meta.db_table for m, top in marks.items() if m._base_manager.filter(pk__gt=top).exists()}


def _delete_rows_added(marks):
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        try:
            for model, top in marks.items():
                table, pk = model._meta.db_table, model._meta.pk.column
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} WHERE {pk} > %s", [top])
        finally:
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")


def _build():
    from billing.models import Bill
    from clinical.models import Diagnosis, MedicalRecord, Vitals
    from inventory.models import StockMovement
    from inventory.tests.factories import BatchFactory, StoreFactory
    from patients.models import Patient
    from scheduling.choices import AppointmentStatus
    from scheduling.models import Appointment
    from scheduling.tests.factories import AvailabilityFactory
    from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, UserFactory

    rng = random.Random(11)
    hospitals = [HospitalFactory(), HospitalFactory(timezone="America/Chicago"), HospitalFactory()]
    departments = [DepartmentFactory(hospital=h) for h in hospitals]
    doctors = [DoctorFactory(hospital=h, department=d) for h, d in zip(hospitals * 4, departments * 4, strict=True)]
    for doctor in doctors:
        for weekday in range(5):
            AvailabilityFactory(doctor=doctor, weekday=weekday, valid_from=datetime.date(2024, 1, 1))
    user = UserFactory()
    patients = Patient.objects.bulk_create(
        Patient(
            mrn=f"X{i:07d}",
            first_name=rng.choice(["Ann", "Bob", "Cy", "Dee", "Eve"]) + str(i),
            last_name=rng.choice(["Smith", "Jones", "Brown", "Lee", "Diaz"]) + str(i % 300),
            date_of_birth=datetime.date(1950, 1, 1) + datetime.timedelta(days=i * 7),
            sex="female" if i % 2 else "male",
            preferred_hospital=hospitals[i % 3],
        )
        for i in range(PATIENTS)
    )
    statuses = [AppointmentStatus.COMPLETED] * 6 + [
        AppointmentStatus.CANCELLED,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.SCHEDULED,
    ]
    appointments = []
    for i in range(APPOINTMENTS):
        doctor = doctors[i % len(doctors)]
        start = FIRST_DAY + datetime.timedelta(hours=35 * (i // len(doctors)), minutes=30 * (i % 2))
        appointments.append(
            Appointment(
                patient=patients[0 if i % 10 == 0 else rng.randrange(PATIENTS)],  # one patient with 600 visits
                doctor=doctor,
                hospital=doctor.hospital,
                start=start,
                end=start + datetime.timedelta(minutes=30),
                reason="Follow-up",
                status=rng.choice(statuses),
                booked_at=start - datetime.timedelta(days=rng.randrange(40)),
            )
        )
    for appointment in appointments:  # seen visits were checked in first
        if appointment.status == AppointmentStatus.COMPLETED:
            appointment.checked_in_at = appointment.start - datetime.timedelta(minutes=10)
    # The nurses' queue of QUEUE_DAY: a few patients checked in and waiting at each hospital.
    for i, doctor in enumerate(doctors):
        start = datetime.datetime.combine(QUEUE_DAY, datetime.time(15, 30 * (i % 2)), tzinfo=UTC)
        appointments.append(
            Appointment(
                patient=patients[rng.randrange(PATIENTS)],
                doctor=doctor,
                hospital=doctor.hospital,
                start=start,
                end=start + datetime.timedelta(minutes=30),
                reason="Follow-up",
                status=AppointmentStatus.CHECKED_IN,
                booked_at=start - datetime.timedelta(days=3),
                checked_in_at=start - datetime.timedelta(minutes=5 + i),
            )
        )
    appointments = Appointment.objects.bulk_create(appointments)
    done = [a for a in appointments if a.status == AppointmentStatus.COMPLETED]
    records = MedicalRecord.objects.bulk_create(
        MedicalRecord(appointment=a, patient=a.patient, doctor=a.doctor, opened_at=a.start, outcome="resolved")
        for a in done
    )
    Diagnosis.objects.bulk_create(
        Diagnosis(record=r, patient_id=r.patient_id, code="J06.9", is_primary=True, added_at=r.opened_at)
        for r in records
    )
    Vitals.objects.bulk_create(
        Vitals(patient=a.patient, appointment=a, heart_rate=72, recorded_at=a.start + datetime.timedelta(minutes=5))
        for a in done
    )
    Bill.objects.bulk_create(
        Bill(
            number=f"B-{a.pk}",
            hospital=a.hospital,
            patient=a.patient,
            appointment=a,
            status="paid" if a.pk % 10 else "issued",  # most bills are paid; aging reads the open ones
            service_date=a.start.date(),
            total=Decimal("100.00"),
            balance=Decimal("0.00") if a.pk % 10 else Decimal("100.00"),
            patient_due=Decimal("100.00"),
            created_at=a.end,
            issued_at=a.end,
        )
        for a in done
    )
    batch = BatchFactory(store=StoreFactory(hospital=hospitals[0]), quantity=0)
    StockMovement.objects.bulk_create(
        StockMovement(
            batch=batch,
            kind="dispense" if i % 3 else "receipt",
            quantity=-1 if i % 3 else 5,
            created_by=user,
            created_at=FIRST_DAY + datetime.timedelta(hours=2 * i),
        )
        for i in range(APPOINTMENTS // 2)
    )
    return {"hospitals": hospitals, "doctors": doctors, "patients": patients, "departments": departments}


@pytest.fixture
def staff_user(scale, admin_user_obj):
    return admin_user_obj


def _appointment_keys(user, filters=None):
    """The page of keys the appointment list reads (hms.pagination reads a page's keys from the base table,
    then its rows by primary key): the list's own filters and scope, ordered by (start, id), one page."""
    from scheduling.selectors import appointment_list

    qs = appointment_list(user=user, filters=filters).select_related(None).order_by("start", "id")
    return qs.values_list("start", "id")[:51]


# --- The appointment list (API and pages), first page ------------------------------------------------------


def test_the_appointment_list_first_page_walks_the_start_index(staff_user):
    assert_walks_an_index(_appointment_keys(staff_user))


def test_the_appointment_list_of_one_doctor_walks_an_index(staff_user, scale):
    assert_walks_an_index(_appointment_keys(staff_user, {"doctor": scale["doctors"][0].pk}))


def test_the_appointment_list_of_a_patient_with_600_visits_walks_an_index(staff_user, scale):
    assert_walks_an_index(_appointment_keys(staff_user, {"patient": scale["patients"][0].pk}))


def test_the_appointment_list_by_status_walks_an_index(staff_user):
    assert_walks_an_index(_appointment_keys(staff_user, {"status": ["scheduled"]}))


def test_the_appointment_list_over_a_date_range_walks_an_index(staff_user):
    assert_walks_an_index(_appointment_keys(staff_user, {"date_from": "2025-06-01", "date_to": "2025-06-30"}))


@pytest.mark.parametrize(
    "query",
    ["", "?doctor={doctor}", "?patient={patient}", "?status=scheduled", "?date_from=2025-06-01&date_to=2025-06-30"],
)
def test_every_query_of_the_appointment_api_first_page_reads_through_an_index(scale, api_as, admin_user_obj, query):
    client = api_as(admin_user_obj)
    url = "/api/v1/appointments/" + query.format(doctor=scale["doctors"][0].pk, patient=scale["patients"][0].pk)
    with query_counter() as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    for query_run in queries.captured_queries:
        if not query_run["sql"].lstrip().upper().startswith("SELECT"):
            continue
        plan = explain(query_run["sql"])
        assert not full_scans(plan) and not big_sorts(plan), f"{query_run['sql']}\n{describe(plan)}"


# --- Slots, the board ----------------------------------------------------------------------------------------


def test_the_slot_search_reads_only_the_doctors_appointments_near_the_days(scale):
    from scheduling.selectors import doctor_free_slot_objects

    doctor = scale["doctors"][0]
    now = datetime.datetime(2025, 6, 1, tzinfo=UTC)
    with query_counter() as queries:
        doctor_free_slot_objects(
            doctor=doctor, date_from=datetime.date(2025, 6, 2), date_to=datetime.date(2025, 7, 2), now=now
        )
    assert_no_full_scan(queries.captured_queries)
    appointment_query = next(q["sql"] for q in queries.captured_queries if "scheduling_appointment" in q["sql"])
    plan = explain(appointment_query)
    row = next(r for r in plan if r["table"] == "scheduling_appointment")
    # A range bounded on both sides: about the 21 visits of the month, not the ~125 since the doctor began.
    assert row["type"] == "range" and int(row["rows"]) <= 60, describe(plan)


def test_the_board_reads_one_hospital_day_through_an_index(staff_user, scale):
    from scheduling.page_selectors import board_appointments

    qs = board_appointments(user=staff_user, hospital=scale["hospitals"][0], day=datetime.date(2025, 6, 3))
    plan = explain_queryset(qs)
    assert not full_scans(plan), describe(plan)


def test_the_nurses_vitals_queue_reads_one_hospital_days_check_ins_in_arrival_order(scale):
    """A hospital's check-ins of one day, straight off the (hospital, status, checked_in_at) index in order; the
    "no vitals yet" test is an index look-up per row."""
    from clinical.page_selectors import vitals_queue
    from staff.selectors import clinical_departments
    from staff.tests.factories import UserFactory

    hospital = scale["hospitals"][0]
    qs = vitals_queue(
        user=UserFactory(), hospital=hospital, departments=list(clinical_departments(hospital)), day=QUEUE_DAY
    )
    plan = explain_queryset(qs[:51])
    assert not full_scans(plan) and not sorts(plan), describe(plan)
    row = next(r for r in plan if r["table"] == "scheduling_appointment")
    assert row["key"] == "appt_hosp_status_checkin_idx", describe(plan)
    vitals_reads = [r for r in plan if r["table"] != "scheduling_appointment" and r["type"] in ("ALL", "index")]
    assert not vitals_reads, describe(plan)


# --- Reports' date ranges ------------------------------------------------------------------------------------

REPORT_RANGE = {"date_from": datetime.date(2025, 6, 1), "date_to": datetime.date(2025, 6, 30)}


@pytest.mark.parametrize(
    "report",
    [
        "scheduling.reports.appointments",
        "scheduling.reports.utilization",
        "clinical.reports.clinical",
        "billing.reports.revenue",
        "inventory.reports.inventory",
    ],
)
def test_a_report_over_a_month_reads_that_month_through_an_index(scale, report):
    from django.utils.module_loading import import_string

    with query_counter() as queries:
        import_string(report)(**REPORT_RANGE)
    assert_no_full_scan(queries.captured_queries)


def test_a_report_for_one_hospital_reads_that_month_through_an_index(scale):
    from scheduling.reports import appointments

    with query_counter() as queries:
        appointments(**REPORT_RANGE, hospital=scale["hospitals"][1])
    assert_no_full_scan(queries.captured_queries)


# --- Other growing lists, first page (the page of keys: see _appointment_keys) --------------------------------


def test_the_bill_list_first_page_walks_an_index(staff_user):
    from billing.selectors import bill_list

    assert_walks_an_index(bill_list(user=staff_user).select_related(None).values_list("created_at", "id")[:51])


def test_the_billing_queues_drafts_and_outstanding_oldest_first_read_through_an_index(staff_user):
    from billing.page_selectors import billing_queue, with_list_joins

    drafts, outstanding = billing_queue(user=staff_user)
    # The drafts: one query a page with the patient and claim joined (hms.pages.queue_page).
    plan = explain_queryset(drafts[:11])
    assert not full_scans(plan) and not big_sorts(plan), describe(plan)
    # The outstanding bills: the page of keys, then the rows by primary key (hms.pages.cursor_page).
    assert_walks_an_index(outstanding.select_related(None).values_list("created_at", "id")[:26])
    # A search's outstanding bills: one query a page.
    _drafts, found = billing_queue(user=staff_user, query="Smith12")
    plan = explain_queryset(with_list_joins(found)[:26])
    assert not full_scans(plan) and not big_sorts(plan), describe(plan)


def test_the_insurers_claims_to_adjudicate_read_through_an_index(staff_user):
    from billing.choices import ClaimStatus
    from billing.page_selectors import claims_to_adjudicate

    for status in (ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW):
        plan = explain_queryset(claims_to_adjudicate(user=staff_user).filter(status=status)[:26])
        assert not full_scans(plan) and not big_sorts(plan), describe(plan)


def test_the_stock_movement_list_first_page_walks_an_index(scale):
    from inventory.selectors import movement_list

    qs = movement_list().select_related(None).order_by("-created_at", "-id")
    assert_walks_an_index(qs.values_list("created_at", "id")[:51])


def test_the_medical_record_list_first_page_walks_an_index(staff_user):
    from clinical.selectors import record_queryset_for

    qs = record_queryset_for(staff_user).select_related(None).prefetch_related(None).order_by("-opened_at", "-id")
    assert_walks_an_index(qs.values_list("opened_at", "id")[:51])


def test_the_timeline_of_a_patient_with_600_visits_reads_each_kind_newest_first_along_its_patient_index(lab_results):
    """The chart's timeline merges each kind's newest rows of one patient: no kind may sort (or scan) all of
    the patient's rows of that kind before its LIMIT. Diagnoses and lab results once did, through every record."""
    scale = lab_results
    from clinical.selectors import patient_history_page
    from staff.tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    with query_counter() as ctx:
        events, more = patient_history_page(user=admin, patient=scale["patients"][0], size=50)
    assert len(events) == 50 and more
    (sql,) = [q["sql"] for q in ctx.captured_queries if "UNION" in q["sql"]]
    plan = explain(sql)
    branches = [row for row in plan if row["table"] in BIG_TABLES]
    assert {row["table"] for row in branches} >= {
        "clinical_medicalrecord", "clinical_diagnosis", "clinical_labresult"
    }, describe(plan)
    sorted_or_scanned = [
        row["table"] for row in branches if row["type"] == "ALL" or "filesort" in (row["Extra"] or "")
    ]
    assert not sorted_or_scanned, describe(plan)
    patient_indexes = {
        "clinical_diagnosis": "diagnosis_patient_added_idx",
        "clinical_labresult": "labresult_patient_idx",
    }
    keys = {row["table"]: row["key"] for row in branches if row["table"] in patient_indexes}
    assert keys == patient_indexes, describe(plan)


def test_the_patient_list_first_page_walks_the_name_index(scale):
    from patients.models import Patient

    assert_walks_an_index(Patient.objects.order_by("last_name", "first_name", "mrn").values_list("pk")[:51])


@pytest.mark.parametrize(
    "url",
    ["/patients/?q=Smith12", "/patients/?q=Ann12", "/patients/?q=X0000007", "/patients/?q=Smith12+Ann",
     "/api/v1/patients/?search=Smith12", "/api/v1/patients/?search=Ann12"],
)  # fmt: skip
def test_the_patient_search_reads_each_way_of_matching_through_its_index(scale, admin_client, url):
    """Exact MRN, first- or last-name prefix: an OR of the three sorted by name walks the whole name index."""
    with query_counter() as queries:
        assert admin_client.get(url).status_code == 200
    patient_reads = [q["sql"] for q in queries.captured_queries if "`patients_patient`" in q["sql"]]
    assert patient_reads
    for sql in patient_reads:
        plan = explain(sql)
        assert not full_scans(plan) and not big_sorts(plan), f"{sql}\n{describe(plan)}"
        assert not [row for row in plan if row["type"] == "index" and row["table"] in BIG_TABLES], describe(plan)


# --- The results inbox, the lab's To call queue, the doctor's start page (issue 12) ------------------------------


@pytest.fixture(scope="module")
def lab_results(scale, django_db_blocker):
    """A lab order and result for every second record (a few hundred per doctor), a tenth abnormal and one in
    fifty critical; most acknowledged and every critical one called but a few. Deleted with the rest at the end
    (the scale fixture's high-water marks were taken before)."""
    from clinical.models import FLAG_PRIORITY, CriticalResultCall, LabOrder, LabResult, LabTest, MedicalRecord

    with django_db_blocker.unblock():
        test = LabTest.objects.create(
            code="XK", name="Potassium", unit="mmol/L", reference_low=Decimal("3.5"), reference_high=Decimal("5.1"),
            critical_low=Decimal("2.8"), critical_high=Decimal("6.2"), price=Decimal("10"),
        )  # fmt: skip
        user = scale["doctors"][0].user
        records = list(MedicalRecord.objects.order_by("pk")[::2])
        LabOrder.objects.bulk_create(
            LabOrder(record=r, test=test, status="resulted", ordered_at=r.opened_at, resulted_at=r.opened_at)
            for r in records
        )
        orders = {o.record_id: o for o in LabOrder.objects.filter(test=test)}
        results = []
        for i, record in enumerate(records):
            value = Decimal("6.9") if i % 50 == 0 else Decimal("5.6") if i % 10 == 0 else Decimal("4.2")
            flag = test.flag_for(value)
            seen = i % 20 != 0  # five in a hundred still to acknowledge
            at = record.opened_at + datetime.timedelta(hours=2)
            results.append(
                LabResult(
                    order=orders[record.pk], value=value, unit="mmol/L", flag=flag, flag_priority=FLAG_PRIORITY[flag],
                    doctor_id=record.doctor_id, patient_id=record.patient_id, resulted_at=at, acknowledged=seen,
                    acknowledged_at=at if seen else None,
                    acknowledged_by=user if seen else None,
                )
            )  # fmt: skip
        LabResult.objects.bulk_create(results)
        critical = list(LabResult.objects.filter(order__test=test, flag="critical").order_by("pk"))
        CriticalResultCall.objects.bulk_create(
            CriticalResultCall(result=r, called_to="Dr. X", called_at=r.resulted_at, called_by=user, value=r.value)
            for r in critical[3:]  # three still to call
        )
        calls = {c.result_id: c.pk for c in CriticalResultCall.objects.filter(result__in=critical)}
        for result in critical[3:]:
            result.last_call_id = calls[result.pk]
        LabResult.objects.bulk_update(critical[3:], ["last_call"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE TABLE clinical_laborder, clinical_labresult, clinical_criticalresultcall")
            cursor.fetchall()
    return scale


def _inbox_keys(qs):
    """The page of keys the inbox reads (hms.pagination): its filters, ordered by its keyset, one page."""
    return qs.select_related(None).values_list("flag_priority", "resulted_at", "id")[:26]


@pytest.mark.parametrize(
    "filters",
    [{"acknowledged": False}, {}, {"acknowledged": True}, {"acknowledged": False, "flag": "critical"}],
    ids=["to acknowledge", "all", "acknowledged", "critical to acknowledge"],
)
def test_the_results_inbox_first_page_walks_an_index(lab_results, filters):
    from clinical.selectors import results_inbox

    doctor = lab_results["doctors"][0]
    assert_walks_an_index(_inbox_keys(results_inbox(user=doctor.user, **filters)))


def test_the_results_inbox_api_reads_through_indexes(lab_results, api_as):
    client = api_as(lab_results["doctors"][0].user)
    for url in ["/api/v1/results-inbox/", "/api/v1/results-inbox/?acknowledged=false&flag=critical"]:
        with query_counter() as queries:
            assert client.get(url).status_code == 200
        for sql in [q["sql"] for q in queries.captured_queries if "clinical_labresult" in q["sql"]]:
            plan = explain(sql)
            assert not full_scans(plan) and not big_sorts(plan), f"{sql}\n{describe(plan)}"


def test_the_labs_to_call_queue_walks_an_index(lab_results, admin_user_obj):
    from clinical.selectors import results_to_call

    qs = results_to_call(user=admin_user_obj).select_related(None).values_list("resulted_at", "id")[:26]
    plan = explain_queryset(qs)
    assert not full_scans(plan) and not sorts(plan), describe(plan)
    row = next(r for r in plan if r["table"] == "clinical_labresult")
    # (critical, not called) is an equality on both leading columns: the three waiting, not every critical result.
    assert row["key"] == "labresult_to_call_idx" and row["type"] == "ref", describe(plan)
    assert int(row["key_len"]) > 2, describe(plan)  # both flag_priority and last_call_id bound the read


def test_the_doctors_start_page_work_reads_each_part_through_an_index(lab_results):
    from clinical.selectors import doctor_start_page_work

    with query_counter() as queries:
        work = doctor_start_page_work(doctor=lab_results["doctors"][0])
    assert len(queries.captured_queries) == 1 and work.counts["total"] > 0
    plan = explain(queries.captured_queries[0]["sql"])
    assert not full_scans(plan) and not big_sorts(plan), describe(plan)
    # Each branch reads one doctor's open work through an index that leads with the doctor (and, for results, with
    # "not acknowledged"): a doctor with years of acknowledged results costs what a new one does. (The critical
    # branch may sort what it found: the doctor's unacknowledged critical results, a handful.)
    driving = [row for row in plan if row["type"] in ("ref", "range")]
    assert {row["table"] for row in driving} == {"clinical_labresult", "clinical_medicalrecord"}, describe(plan)
    for row in driving:
        assert (row["key"] or "").startswith(("labresult_inbox", "mrec_doctor")), describe(plan)


# --- The back office's changelists (hms.admin.BigTableAdmin) --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("scheduling/appointment/", {}),
        ("scheduling/appointment/", {"status__exact": "scheduled"}),
        ("scheduling/appointment/", {"q": "X0000007"}),
        ("scheduling/appointment/", {"q": "Smith123"}),
        ("patients/patient/", {}),
        ("patients/patient/", {"q": "Lee2"}),
        ("patients/patient/", {"q": "X0000007"}),
        ("patients/patient/", {"q": "Ann1"}),
        ("billing/bill/", {}),
        ("billing/bill/", {"status__exact": "issued"}),
        ("billing/bill/", {"q": "X0000007"}),
        ("billing/bill/", {"q": "Smith12"}),
        ("inventory/stockmovement/", {}),
        ("clinical/medicalrecord/", {}),
    ],
    ids=str,
)
def test_a_big_changelist_reads_its_page_through_an_index(scale, admin_client, path, params):
    with query_counter() as queries:
        response = admin_client.get("/admin/" + path, params)
    assert response.status_code == 200
    for query_run in queries.captured_queries:
        sql = query_run["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in BIG_TABLES):
            continue
        plan = explain(sql)
        assert not full_scans(plan) and not big_sorts(plan), f"{sql}\n{describe(plan)}"


# --- Every growing list's order is an index ---------------------------------------------------------------------

GROWING_LISTS = [
    "scheduling.Appointment",
    "patients.Patient",
    "billing.Bill",
    "billing.Claim",
    "billing.Payment",
    "billing.Refund",
    "clinical.MedicalRecord",
    "clinical.Prescription",
    "clinical.LabOrder",
    "clinical.LabResult",
    "clinical.CriticalResultCall",
    "clinical.Vitals",
    "inventory.StockMovement",
]


@pytest.mark.parametrize("label", GROWING_LISTS)
def test_each_growing_lists_ordering_leads_an_index_so_its_pages_walk_it(label):
    """InnoDB ends every secondary index with the primary key: an index on (x) serves ORDER BY x, id (either way)."""
    from django.apps import apps

    model = apps.get_model(label)
    fields = [term.lstrip("-") for term in model._meta.ordering]
    columns = [model._meta.get_field(name).column for name in fields]
    if columns[-1] == model._meta.pk.column:
        columns = columns[:-1]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexes = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]

    assert any(index[: len(columns)] == columns for index in indexes), (columns, indexes)
