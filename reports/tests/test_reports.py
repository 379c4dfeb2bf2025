"""Reports: each figure checked against a small hand-built data set where the right answer is known."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from billing.choices import BillStatus, ClaimStatus, PaymentMethod
from billing.models import Claim, Payment, Refund
from billing.tests.factories import BillFactory
from clinical.tests.factories import DiagnosisFactory, MedicalRecordFactory
from conftest import query_counter
from inventory.choices import StockMovementKind
from inventory.models import StockMovement
from inventory.tests.factories import BatchFactory, MedicationFactory, StockLevelRuleFactory, StoreFactory
from patients.models import Patient
from patients.tests.factories import InsurancePolicyFactory, PatientFactory
from reports.registry import REPORTS, ReportParams, run_report
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.tests.factories import AppointmentFactory, AvailabilityFactory, TimeOffFactory
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
S = AppointmentStatus


def at(day, hour=12, minute=0):
    """An aware moment on a local (New York) day."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=NY)


def run(name, date_from, date_to, hospital=None, department=None, period=None):
    period = period or REPORTS[name].default_period
    return run_report(name, ReportParams(date_from, date_to, hospital, department, period))


def section(rows, name):
    return [row for row in rows if row["section"] == name]


def by_group(rows, name, value="value"):
    return {row["group"]: row[value] for row in section(rows, name)}


# --- demographics -----------------------------------------------------------------------------------------

ON = datetime.date(2026, 6, 15)


def _patient(dob, hospital, registered=datetime.date(2026, 1, 10), **kwargs):
    patient = PatientFactory(date_of_birth=dob, preferred_hospital=hospital, **kwargs)
    Patient.objects.filter(pk=patient.pk).update(registered_at=at(registered))
    return patient


def test_demographics_age_bands_turn_over_on_the_birthday():
    hospital = HospitalFactory()
    for dob in [
        datetime.date(2008, 6, 16),  # 17 (18 tomorrow)
        datetime.date(2008, 6, 15),  # 18 today
        datetime.date(1991, 6, 16),  # 34
        datetime.date(1991, 6, 15),  # 35
        datetime.date(1976, 6, 16),  # 49
        datetime.date(1976, 6, 15),  # 50
        datetime.date(1961, 6, 16),  # 64
        datetime.date(1961, 6, 15),  # 65
    ]:
        _patient(dob, hospital)

    rows = run("demographics", datetime.date(2026, 1, 1), ON)

    assert by_group(rows, "age_band", "patients") == {"0-17": 1, "18-34": 2, "35-49": 2, "50-64": 2, "65+": 1}
    assert list(by_group(rows, "age_band", "patients")) == ["0-17", "18-34", "35-49", "50-64", "65+"]
    # Check against the model's own notion of age.
    assert [p.age_on(ON) for p in Patient.objects.order_by("-date_of_birth")] == [17, 18, 34, 35, 49, 50, 64, 65]


def test_demographics_counts_sex_state_hospital_and_registrations_and_filters_by_hospital():
    boston, denver = HospitalFactory(code="BOS"), HospitalFactory(code="DEN")
    _patient(datetime.date(1980, 1, 1), boston, sex="female", state="MA", registered=datetime.date(2026, 1, 5))
    _patient(datetime.date(1980, 1, 1), boston, sex="male", state="MA", registered=datetime.date(2026, 2, 5))
    _patient(datetime.date(1980, 1, 1), denver, sex="female", state="CO", registered=datetime.date(2026, 2, 6))
    _patient(datetime.date(1980, 1, 1), denver, sex="female", state="CO", registered=datetime.date(2026, 7, 1))
    inactive = _patient(datetime.date(1980, 1, 1), boston, sex="female", registered=datetime.date(2026, 1, 5))
    Patient.objects.filter(pk=inactive.pk).update(is_active=False)

    rows = run("demographics", datetime.date(2026, 1, 1), ON)

    assert by_group(rows, "sex", "patients") == {"female": 2, "male": 1}  # July's patient is not yet registered
    assert by_group(rows, "state", "patients") == {"CO": 1, "MA": 2}
    assert by_group(rows, "hospital", "patients") == {"BOS": 2, "DEN": 1}
    assert [(r["period"], r["patients"]) for r in section(rows, "registrations")] == [
        (datetime.date(2026, 1, 1), 1),
        (datetime.date(2026, 2, 1), 2),
    ]

    only_boston = run("demographics", datetime.date(2026, 1, 1), ON, hospital=boston)
    assert by_group(only_boston, "hospital", "patients") == {"BOS": 2}
    assert sum(by_group(only_boston, "age_band", "patients").values()) == 2


def test_demographics_of_an_empty_range_has_zero_bands_and_no_registrations():
    rows = run("demographics", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))

    assert by_group(rows, "age_band", "patients") == {"0-17": 0, "18-34": 0, "35-49": 0, "50-64": 0, "65+": 0}
    assert section(rows, "registrations") == []


# --- appointments -----------------------------------------------------------------------------------------

MONDAY = datetime.date(2026, 1, 5)


@pytest.fixture
def clinic():
    hospital = HospitalFactory(code="BOS")
    cardio = DepartmentFactory(hospital=hospital, code="CARD")
    peds = DepartmentFactory(hospital=hospital, code="PEDS")
    return {
        "hospital": hospital,
        "cardio": cardio,
        "peds": peds,
        "house": DoctorFactory(hospital=hospital, department=cardio, user__first_name="Greg", user__last_name="House"),
        "grey": DoctorFactory(hospital=hospital, department=peds, user__first_name="Meredith", user__last_name="Grey"),
    }


def _visit(doctor, day, hour, status=S.COMPLETED, lead_days=2, kind=AppointmentKind.IN_PERSON, **kwargs):
    start = at(day, hour)
    return AppointmentFactory(
        doctor=doctor,
        start=start,
        status=status,
        kind=kind,
        booked_at=start - datetime.timedelta(days=lead_days),
        **kwargs,
    )


def test_appointments_counts_statuses_rates_and_median_lead_time(clinic):
    house, grey = clinic["house"], clinic["grey"]
    _visit(house, MONDAY, 9, S.COMPLETED, lead_days=1)
    _visit(house, MONDAY, 10, S.COMPLETED, lead_days=3, kind=AppointmentKind.TELEMEDICINE)
    _visit(house, MONDAY, 11, S.NO_SHOW, lead_days=10)
    _visit(grey, MONDAY + datetime.timedelta(days=7), 9, S.CANCELLED, lead_days=20, kind=AppointmentKind.TELEMEDICINE)
    _visit(grey, MONDAY + datetime.timedelta(days=8), 9, S.SCHEDULED, lead_days=5)
    _visit(grey, datetime.date(2026, 3, 2), 9, S.COMPLETED)  # outside the range

    rows = run("appointments", MONDAY, datetime.date(2026, 1, 31))

    assert by_group(rows, "status") == {
        "scheduled": 1,
        "checked_in": 0,
        "in_progress": 0,
        "completed": 2,
        "cancelled": 1,
        "no_show": 1,
    }
    rates = by_group(rows, "rate")
    assert rates["cancellation_rate"] == Decimal("0.2000")  # 1 of 5
    assert rates["no_show_rate"] == Decimal("0.3333")  # 1 of the 3 visits that came due
    assert rates["telemedicine_share"] == Decimal("0.2500")  # 1 of the 4 not cancelled
    assert rates["median_lead_days"] == Decimal("5.0")  # leads 1, 3, 5, 10, 20
    volume = [(r["period"], r["department"], r["doctor"], r["value"]) for r in section(rows, "volume")]
    assert volume == [
        (MONDAY, "CARD", "Dr. Greg House", 3),
        (MONDAY + datetime.timedelta(days=7), "PEDS", "Dr. Meredith Grey", 2),
    ]
    weekly = {r["period"]: r["value"] for r in section(rows, "period_rate")}
    assert weekly == {MONDAY: Decimal("0.3333"), MONDAY + datetime.timedelta(days=7): None}


def test_appointments_median_lead_time_of_an_even_count_is_the_mean_of_the_middle_two(clinic):
    for hour, lead in [(9, 1), (10, 2), (11, 4), (12, 30)]:
        _visit(clinic["house"], MONDAY, hour, lead_days=lead)

    rows = run("appointments", MONDAY, MONDAY)

    assert by_group(rows, "rate")["median_lead_days"] == Decimal("3.0")


def test_appointments_filters_by_department_and_hospital_and_an_empty_range_has_no_rates(clinic):
    _visit(clinic["house"], MONDAY, 9)
    _visit(clinic["grey"], MONDAY, 9, S.NO_SHOW)
    elsewhere = DoctorFactory()
    _visit(elsewhere, MONDAY, 9)

    peds = run("appointments", MONDAY, MONDAY, hospital=clinic["hospital"], department=clinic["peds"])
    assert by_group(peds, "status")["no_show"] == 1
    assert sum(by_group(peds, "status").values()) == 1
    assert sum(by_group(run("appointments", MONDAY, MONDAY, hospital=clinic["hospital"]), "status").values()) == 2
    assert sum(by_group(run("appointments", MONDAY, MONDAY), "status").values()) == 3

    empty = run("appointments", datetime.date(2025, 1, 1), datetime.date(2025, 1, 31))
    assert section(empty, "volume") == []
    assert set(by_group(empty, "rate").values()) == {None}


# --- utilization ------------------------------------------------------------------------------------------


def test_utilization_compares_slot_hours_with_booked_and_completed_hours(clinic):
    house = clinic["house"]
    AvailabilityFactory(doctor=house, weekday=0)  # Mondays 09:00-17:00: 8 slot-hours a week
    TimeOffFactory(doctor=house, start=at(MONDAY, 9), end=at(MONDAY, 11))  # two hours fewer
    _visit(house, MONDAY, 11, S.COMPLETED)
    _visit(house, MONDAY, 12, S.SCHEDULED)
    _visit(house, MONDAY, 13, S.CANCELLED)

    rows = run("utilization", MONDAY, MONDAY + datetime.timedelta(days=13))  # two Mondays

    assert rows == [
        {
            "doctor": str(house),
            "hospital": "BOS",
            "department": "CARD",
            "slot_hours": Decimal("14.00"),
            "booked_hours": Decimal("1.00"),
            "completed_hours": Decimal("0.50"),
            "utilization": Decimal("0.0714"),
        }
    ]
    assert run("utilization", MONDAY, MONDAY, department=clinic["peds"]) == []


# --- revenue ----------------------------------------------------------------------------------------------

AS_OF = datetime.date(2026, 3, 31)


def _bill(hospital, issued_day, total, paid=Decimal(0), status=BillStatus.ISSUED, policy=None, covered=Decimal(0)):
    return BillFactory(
        hospital=hospital,
        status=status,
        issued_at=at(issued_day),
        service_date=issued_day,
        total=total,
        insurance_covered=covered,
        patient_due=total - covered,
        amount_paid=paid,
        balance=total - paid,
        policy=policy,
        void_reason="Entered in error" if status == BillStatus.VOID else "",
    )


def test_ar_aging_buckets_by_days_since_issue_with_exact_boundaries():
    hospital = HospitalFactory()
    for days, amount in [(0, 1), (30, 2), (31, 4), (60, 8), (61, 16), (90, 32), (91, 64)]:
        _bill(hospital, AS_OF - datetime.timedelta(days=days), Decimal(amount))
    _bill(hospital, AS_OF - datetime.timedelta(days=5), Decimal(500), paid=Decimal(500), status=BillStatus.PAID)
    _bill(hospital, AS_OF - datetime.timedelta(days=5), Decimal(700), status=BillStatus.VOID)
    _bill(hospital, AS_OF + datetime.timedelta(days=1), Decimal(900))  # issued after the day

    rows = run("revenue", datetime.date(2026, 3, 1), AS_OF)

    aging = {r["group"]: (r["count"], r["amount"]) for r in section(rows, "aging")}
    assert aging == {
        "0-30": (2, Decimal("3.00")),
        "31-60": (2, Decimal("12.00")),
        "61-90": (2, Decimal("48.00")),
        "over 90": (1, Decimal("64.00")),
    }


def test_revenue_billed_collected_outstanding_payer_mix_and_claim_rates():
    boston, denver = HospitalFactory(code="BOS"), HospitalFactory(code="DEN")
    policy = InsurancePolicyFactory(payer_name="Aetna")
    insured = _bill(boston, datetime.date(2026, 1, 10), Decimal("200.00"), policy=policy, covered=Decimal("160.00"))
    self_pay = _bill(boston, datetime.date(2026, 1, 20), Decimal("100.00"), paid=Decimal("100.00"), status="paid")
    _bill(denver, datetime.date(2026, 2, 3), Decimal("50.00"))
    _bill(boston, datetime.date(2026, 1, 12), Decimal("999.00"), status=BillStatus.VOID)
    user = UserFactory()
    Payment.objects.create(
        bill=self_pay,
        amount=Decimal("100.00"),
        method=PaymentMethod.CARD,
        received_at=at(datetime.date(2026, 1, 20)),
        received_by=user,
    )
    Payment.objects.create(
        bill=insured,
        amount=Decimal("40.00"),
        method=PaymentMethod.CASH,
        received_at=at(datetime.date(2026, 2, 1)),
        received_by=user,
    )
    Refund.objects.create(
        bill=self_pay,
        amount=Decimal("10.00"),
        reason="Overcharge",
        refunded_at=at(datetime.date(2026, 2, 2)),
        refunded_by=user,
    )
    for status in (ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.DENIED):
        Claim.objects.create(
            bill=_bill(denver, datetime.date(2025, 12, 1), Decimal("10.00"), policy=policy),
            policy=policy,
            status=status,
            adjudicated_at=at(datetime.date(2026, 1, 15)),
        )
    Claim.objects.create(
        bill=_bill(denver, datetime.date(2025, 12, 1), Decimal("1.00")), policy=policy, status=ClaimStatus.SUBMITTED
    )

    rows = run("revenue", datetime.date(2026, 1, 1), datetime.date(2026, 2, 28))

    def series(name):
        return {(r["period"], r["hospital"]): r["amount"] for r in section(rows, name)}

    jan, feb = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)
    # Every (period, hospital) with any money movement has all three rows.
    assert series("billed") == {
        (jan, "BOS"): Decimal("300.00"),
        (feb, "BOS"): Decimal("0.00"),
        (feb, "DEN"): Decimal("50.00"),
    }
    assert series("collected") == {
        (jan, "BOS"): Decimal("100.00"),
        (feb, "BOS"): Decimal("30.00"),
        (feb, "DEN"): Decimal("0.00"),
    }
    assert series("outstanding") == {
        (jan, "BOS"): Decimal("200.00"),
        (feb, "BOS"): Decimal("0.00"),
        (feb, "DEN"): Decimal("50.00"),
    }
    mix = {r["group"]: (r["amount"], r["share"]) for r in section(rows, "payer_mix")}
    assert mix == {"Aetna": (Decimal("160.00"), Decimal("0.4571")), "Self-pay": (Decimal("190.00"), Decimal("0.5429"))}
    claims = {r["group"]: (r["count"], r["share"]) for r in section(rows, "claims")}
    assert claims == {"approved": (2, Decimal("0.6667")), "denied": (1, Decimal("0.3333"))}

    only_denver = run("revenue", datetime.date(2026, 1, 1), datetime.date(2026, 2, 28), hospital=denver)
    assert {r["hospital"] for r in section(only_denver, "billed")} == {"DEN"}
    assert {r["group"]: r["amount"] for r in section(only_denver, "payer_mix")} == {"Self-pay": Decimal("50.00")}


# --- clinical ---------------------------------------------------------------------------------------------


def _record(doctor, day, outcome, *codes):
    record = MedicalRecordFactory(
        appointment=AppointmentFactory(doctor=doctor, start=at(day), status=S.COMPLETED), outcome=outcome
    )
    for code in codes:
        DiagnosisFactory(record=record, code=code, is_primary=False)
    return record


def test_clinical_ranks_chapters_and_codes_and_gives_success_rates_by_department(clinic):
    house, grey = clinic["house"], clinic["grey"]
    _record(house, MONDAY, "resolved", "E11.9", "I10")
    _record(house, MONDAY, "worsened", "E11.9")
    _record(house, MONDAY, "improved", "E78.5")
    _record(grey, MONDAY, "", "J06.9", "E11.9")  # no outcome yet: not in the outcome rates
    _record(grey, datetime.date(2025, 1, 1), "resolved", "J06.9")  # outside the range

    rows = run("clinical", MONDAY, MONDAY)

    assert [(r["group"], r["count"]) for r in section(rows, "chapter")] == [("E", 4), ("I", 1), ("J", 1)]
    assert [(r["group"], r["count"]) for r in section(rows, "code")][:1] == [("E11.9", 3)]
    outcomes = {
        (r["group"], r["department"]): (r["count"], r["successes"], r["success_rate"]) for r in section(rows, "outcome")
    }
    assert outcomes == {
        ("E11.9", "CARD"): (2, 1, Decimal("0.5000")),
        ("E78.5", "CARD"): (1, 1, Decimal("1.0000")),
        ("I10", "CARD"): (1, 1, Decimal("1.0000")),
    }
    peds = run("clinical", MONDAY, MONDAY, department=clinic["peds"])
    assert [(r["group"], r["count"]) for r in section(peds, "chapter")] == [("E", 1), ("J", 1)]


# --- inventory --------------------------------------------------------------------------------------------


def test_inventory_values_stock_by_store_and_lists_low_stock_expiring_and_consumption():
    from django.utils import timezone

    today = timezone.localdate()
    store = StoreFactory(code="PH1", hospital=HospitalFactory(code="BOS"))
    other = StoreFactory(code="PH2", hospital=HospitalFactory(code="DEN"))
    drug = MedicationFactory(code="MED-A")
    batch = BatchFactory(item=drug, store=store, quantity=10, unit_cost=Decimal("2.50"))
    BatchFactory(
        item=MedicationFactory(code="MED-B"),
        store=store,
        quantity=4,
        unit_cost=Decimal("1.00"),
        expiry_date=today + datetime.timedelta(days=5),
    )
    BatchFactory(item=drug, store=other, quantity=100, unit_cost=Decimal("1.00"))
    StockLevelRuleFactory(item=drug, store=store, reorder_level=10)
    StockLevelRuleFactory(item=drug, store=other, reorder_level=10)
    user = UserFactory()
    for quantity, day in [(-3, today), (-2, today), (-7, today - datetime.timedelta(days=400))]:
        StockMovement.objects.create(
            batch=batch, kind=StockMovementKind.DISPENSE, quantity=quantity, created_by=user, created_at=at(day)
        )

    rows = run("inventory", today - datetime.timedelta(days=30), today, period="month")

    assert {r["store"]: r["value"] for r in section(rows, "stock_value")} == {
        "BOS/PH1": Decimal("29.00"),
        "DEN/PH2": Decimal("100.00"),
    }
    assert [(r["store"], r["item"], r["quantity"]) for r in section(rows, "low_stock")] == [("BOS/PH1", "MED-A", 10)]
    assert [(r["item"], r["quantity"]) for r in section(rows, "expiring")] == [("MED-B", 4)]
    assert [(r["item"], r["quantity"]) for r in section(rows, "consumption")] == [("MED-A", 5)]
    only_denver = run("inventory", today, today, hospital=other.hospital)
    assert [r["store"] for r in section(only_denver, "stock_value")] == ["DEN/PH2"]
    assert section(only_denver, "low_stock") == []


# --- query counts -----------------------------------------------------------------------------------------


def _data(size, clinic):
    day = MONDAY
    hospital = clinic["hospital"]
    store = StoreFactory(hospital=hospital)
    user = UserFactory()
    policy = InsurancePolicyFactory()
    for index in range(size):
        patient = _patient(datetime.date(1980 + index % 40, 1, 1), hospital)
        doctor = clinic["house"] if index % 2 else clinic["grey"]
        visit = _visit(
            doctor,
            day + datetime.timedelta(days=index % 20),
            8 + index % 9,
            [S.COMPLETED, S.NO_SHOW, S.SCHEDULED][index % 3],
            patient=patient,
        )
        if visit.status == S.COMPLETED:
            _record(doctor, day + datetime.timedelta(days=index % 20), "resolved", f"E{index % 7}0.{index % 3}")
        bill = _bill(
            hospital, day + datetime.timedelta(days=index % 20), Decimal(100), policy=policy, covered=Decimal(50)
        )
        Payment.objects.create(bill=bill, amount=Decimal(10), method="cash", received_at=at(day), received_by=user)
        batch = BatchFactory(store=store, quantity=20)
        StockMovement.objects.create(batch=batch, kind="dispense", quantity=-1, created_by=user, created_at=at(day))
        StockLevelRuleFactory(item=batch.item, store=store, reorder_level=30)
    AvailabilityFactory(doctor=clinic["house"], weekday=0)
    AvailabilityFactory(doctor=clinic["grey"], weekday=index % 5)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_report_makes_as_many_queries_for_30_rows_as_for_3(clinic, name):
    counts = []
    for size in (3, 30):
        _data(size, clinic)
        with query_counter() as queries:
            run(name, MONDAY, MONDAY + datetime.timedelta(days=30))
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{name}: {counts}"


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_report_only_reads(clinic, name):
    _data(3, clinic)
    with query_counter() as queries:
        run(name, MONDAY, MONDAY + datetime.timedelta(days=30))
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
