"""The benchmark's hand-written SQL (scripts/bench_sql.py) computes the very figures of each report and of the
dashboard, so timing one against the other is an honest comparison."""

import datetime
import importlib.util
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from billing.choices import ClaimStatus
from billing.models import Claim, Refund
from hms import rollups
from patients.tests.factories import InsurancePolicyFactory
from reports.dashboard import dashboard_data
from reports.registry import REPORTS, ReportParams, run_report
from reports.tests.test_reports import MONDAY, _bill, _data, _visit, at, clinic  # noqa: F401 (clinic is a fixture)
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.tests.factories import AppointmentFactory, TimeOffFactory
from staff.tests.factories import DoctorFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db
S = AppointmentStatus

_spec = importlib.util.spec_from_file_location(
    "bench_sql", Path(__file__).resolve().parents[2] / "scripts" / "bench_sql.py"
)
bench_sql = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_sql)


@pytest.fixture
def data(clinic):  # noqa: F811 (the fixture imported above)
    _data(30, clinic)
    house, grey = clinic["house"], clinic["grey"]
    TimeOffFactory(
        doctor=house, start=at(MONDAY + datetime.timedelta(days=7), 9), end=at(MONDAY + datetime.timedelta(days=7), 11)
    )
    denver = DoctorFactory(hospital=HospitalFactory(code="DEN", timezone="America/Denver"))
    for day in range(0, 30, 3):
        _visit(
            denver,
            MONDAY + datetime.timedelta(days=day),
            21,
            [S.COMPLETED, S.NO_SHOW, S.CANCELLED][day % 3],
            lead_days=day,
            kind=AppointmentKind.TELEMEDICINE if day % 2 else AppointmentKind.IN_PERSON,
        )
    policy = InsurancePolicyFactory(payer_name="Aetna")
    user = UserFactory()
    for index, status in enumerate([ClaimStatus.APPROVED, ClaimStatus.DENIED, ClaimStatus.PAID]):
        bill = _bill(
            denver.hospital,
            MONDAY + datetime.timedelta(days=index),
            Decimal("80.00"),
            policy=policy,
            covered=Decimal("60.00"),
        )
        Claim.objects.create(
            bill=bill, policy=policy, status=status, adjudicated_at=at(MONDAY + datetime.timedelta(days=5))
        )
    paid = _bill(clinic["hospital"], MONDAY, Decimal("50.00"), paid=Decimal("50.00"), status="paid")
    Refund.objects.create(
        bill=paid, amount=Decimal("5.00"), reason="Overcharge", refunded_at=at(MONDAY), refunded_by=user
    )
    # Upcoming visits for the no-show risk, from patients with a history.
    soon = timezone.now() + datetime.timedelta(days=2)
    for index, appointment in enumerate(
        AppointmentFactory._meta.model.objects.filter(status__in=[S.COMPLETED, S.NO_SHOW]).order_by("pk")[:12]
    ):
        AppointmentFactory(
            patient=appointment.patient,
            doctor=[house, grey, denver][index % 3],
            start=soon + datetime.timedelta(hours=index),
            booked_at=soon - datetime.timedelta(days=index * 3),
            kind=AppointmentKind.TELEMEDICINE if index % 2 else AppointmentKind.IN_PERSON,
        )
    rollups.rebuild_all()  # factory rows bypass the services
    return clinic


def _param_sets(name, place):
    report = REPORTS[name]
    if name == "no-show-risk":
        today = timezone.localdate()
        base = ReportParams(today, today + datetime.timedelta(days=14), period=report.default_period)
    else:
        base = ReportParams(MONDAY, MONDAY + datetime.timedelta(days=40), period=report.default_period)
    yield base
    for period in ("day", "week", "month"):
        yield replace(base, period=period)
    yield replace(base, hospital=place["hospital"])
    yield replace(base, hospital=place["hospital"], department=place["cardio"])


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_each_baseline_returns_the_reports_rows(data, name):
    columns = REPORTS[name].columns
    checked = 0
    for params in _param_sets(name, data):
        expected = run_report(name, params)
        got = [{column: row.get(column) for column in columns} for row in bench_sql.BASELINES[name](connection, params)]
        assert got == expected, (name, params)
        checked += len(expected)
    assert checked > 10  # the comparison is not vacuous


def test_the_dashboard_baseline_returns_the_dashboards_figures(data):
    today = MONDAY + datetime.timedelta(days=3)
    for params in (
        ReportParams(MONDAY, MONDAY + datetime.timedelta(days=40)),
        ReportParams(MONDAY, MONDAY + datetime.timedelta(days=40), hospital=data["hospital"]),
    ):
        expected = dashboard_data(params, today=today)
        assert bench_sql.BASELINES["dashboard"](connection, params, today=today) == expected
        assert expected["appointments"] > 10 and expected["appointments_today"] > 0 and expected["billed"] > 0
        assert expected["collected"] > 0 and expected["outstanding"] > 0 and expected["payer_mix"]


def test_every_report_and_the_dashboard_have_a_baseline():
    assert set(bench_sql.BASELINES) == set(REPORTS) | {"dashboard"}
