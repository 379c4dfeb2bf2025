"""The report command, API, dashboard, replica routing and the no-show risk model."""

import csv
import datetime
import io
import json
from dataclasses import replace
from types import SimpleNamespace

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.utils import timezone

from conftest import query_counter
from hms import rollups as hms_rollups
from hms.db_router import ReportRouter
from hms.reporting import report_reads
from patients.models import Patient
from patients.tests.factories import PatientFactory
from reports.registry import REPORTS, ReportParams, run_report
from scheduling import rollups
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
S = AppointmentStatus


def _patients():
    hospital = HospitalFactory(code="BOS")
    for dob in (datetime.date(2015, 1, 1), datetime.date(2000, 1, 1), datetime.date(1950, 1, 1)):
        PatientFactory(date_of_birth=dob, preferred_hospital=hospital)
    return hospital


def _command(*args):
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


# --- command ----------------------------------------------------------------------------------------------


def test_report_list_names_every_report_with_one_line_each():
    lines = _command("--list").splitlines()

    assert [line.split()[0] for line in lines] == list(REPORTS)
    assert all(len(line.split(None, 1)[1]) > 20 for line in lines)


def test_report_csv_parses_back_to_the_rows():
    _patients()

    rows = list(csv.DictReader(io.StringIO(_command("demographics", "--format", "csv"))))

    assert list(rows[0]) == list(REPORTS["demographics"].columns)
    bands = {r["group"]: int(r["patients"]) for r in rows if r["section"] == "age_band"}
    assert bands == {"0-17": 1, "18-34": 1, "35-49": 0, "50-64": 0, "65+": 1}


def test_report_json_parses_back_and_table_is_readable(tmp_path):
    _patients()
    target = tmp_path / "out.json"

    _command("demographics", "--format", "json", "--output", str(target), "--hospital", "bos")
    rows = json.loads(target.read_text())
    table = _command("demographics")

    assert {r["group"]: r["patients"] for r in rows if r["section"] == "hospital"} == {"BOS": 3}
    assert table.splitlines()[0].split() == list(REPORTS["demographics"].columns)
    assert ["age_band", "65+", "1"] in [line.split() for line in table.splitlines()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "Unknown report 'nope'"),
        (["demographics", "--from", "2026-13-01"], "is not a date"),
        (["demographics", "--from", "2026-02-01", "--to", "2026-01-01"], "is after the end date"),
        (["demographics", "--hospital", "XXX"], "Unknown hospital code"),
        (["demographics", "--department", "XXX"], "Unknown department code"),
        (["demographics", "--format", "xml"], "Unknown format"),
        (["demographics", "--period", "year"], "Unknown period"),
        ([], "Name a report"),
    ],
)
def test_report_refuses_bad_arguments_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        _command(*args)


def test_report_exits_non_zero_from_the_command_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "report", "nope"]).execute()

    assert exit_info.value.code == 1
    assert "Unknown report" in capsys.readouterr().err


def test_a_department_must_belong_to_the_hospital_given():
    boston, denver = HospitalFactory(code="BOS"), HospitalFactory(code="DEN")
    DepartmentFactory(hospital=denver, code="CARD")

    with pytest.raises(CommandError, match="Unknown department code 'CARD' at BOS"):
        _command("appointments", "--hospital", "BOS", "--department", "CARD")
    assert "status" in _command("appointments", "--hospital", "DEN", "--department", "card")
    assert boston.pk


# --- API --------------------------------------------------------------------------------------------------

ROLE_ACCESS = [
    ("Administrator", 200),
    ("Doctor", 403),
    ("Nurse", 403),
    ("Receptionist", 403),
    ("Billing Clerk", 403),
    ("Pharmacist", 403),
    ("Lab Technician", 403),
    ("Patient", 403),
]


@pytest.mark.parametrize(("role", "status"), ROLE_ACCESS)
def test_report_api_is_for_administrators(api_as, role, status):
    client = api_as(role)

    assert client.get("/api/v1/reports/").status_code == status
    assert client.get("/api/v1/reports/demographics/").status_code == status


def test_report_api_refuses_anonymous_users(api_client):
    assert api_client.get("/api/v1/reports/").status_code == 401


def test_report_api_lists_reports_and_returns_rows(api_as, admin_user_obj):
    _patients()
    client = api_as(admin_user_obj)

    listing = client.get("/api/v1/reports/").json()["results"]
    response = client.get("/api/v1/reports/demographics/", {"hospital": "BOS"})

    assert [r["name"] for r in listing] == list(REPORTS)
    assert response.status_code == 200
    body = response.json()
    assert body["hospital"] == "BOS"
    assert body["to"] == timezone.localdate().isoformat()
    assert {r["group"]: r["patients"] for r in body["results"] if r["section"] == "age_band"}["65+"] == 1


@pytest.mark.parametrize(
    "query", [{"from": "yesterday"}, {"from": "2026-02-01", "to": "2026-01-01"}, {"hospital": "XXX"}, {"period": "x"}]
)
def test_report_api_answers_400_on_bad_parameters(api_as, admin_user_obj, query):
    response = api_as(admin_user_obj).get("/api/v1/reports/appointments/", query)

    assert response.status_code == 400
    assert response.json()["detail"]


def test_report_api_answers_404_for_an_unknown_report(api_as, admin_user_obj):
    assert api_as(admin_user_obj).get("/api/v1/reports/nope/").status_code == 404


def test_an_administrator_on_staff_sees_only_their_own_hospital(api_as, make_user):
    _patients()
    own = HospitalFactory(code="OWN")
    PatientFactory(preferred_hospital=own)
    admin = StaffMemberFactory(role="administrator", hospital=own).user
    client = api_as(admin)

    response = client.get("/api/v1/reports/demographics/")
    refused = client.get("/api/v1/reports/demographics/", {"hospital": "BOS"})

    assert response.json()["hospital"] == "OWN"
    assert {r["group"]: r["patients"] for r in response.json()["results"] if r["section"] == "hospital"} == {"OWN": 1}
    assert refused.status_code == 403


# --- replica routing --------------------------------------------------------------------------------------


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr("hms.db_router.settings", SimpleNamespace(DATABASES={"default": {}, "replica": {}}))


def test_the_router_sends_report_reads_to_the_replica_and_everything_else_to_default(with_replica):
    router = ReportRouter()

    assert router.db_for_read(Patient) is None
    with report_reads():
        assert router.db_for_read(Patient) == "replica"
        assert router.db_for_write(Patient) == "default"
    assert router.db_for_read(Patient) is None
    assert router.allow_migrate("replica", "patients") is False
    assert router.allow_migrate("default", "patients") is True


def test_without_a_replica_report_reads_stay_on_default():
    with report_reads():
        assert ReportRouter().db_for_read(Patient) is None


def test_run_report_reads_through_the_replica(with_replica, monkeypatch):
    seen = []

    def fake(**kwargs):
        seen.append(ReportRouter().db_for_read(Patient))
        return [{"section": "x"}]

    monkeypatch.setitem(REPORTS, "demographics", replace(REPORTS["demographics"], function=fake))
    rows = run_report("demographics", ReportParams(datetime.date(2026, 1, 1), datetime.date(2026, 1, 2)))

    assert seen == ["replica"]
    assert rows == [{"section": "x", "group": None, "period": None, "patients": None}]
    assert ReportRouter().db_for_read(Patient) is None  # reset after the report


def test_the_settings_route_through_the_report_router(settings):
    assert settings.DATABASE_ROUTERS == ["hms.db_router.ReportRouter"]


# --- no-show risk -----------------------------------------------------------------------------------------


def _history(patient, doctor, statuses, first_day):
    for index, status in enumerate(statuses):
        start = datetime.datetime.combine(
            first_day + datetime.timedelta(days=7 * index), datetime.time(15), tzinfo=datetime.UTC
        )
        AppointmentFactory(
            patient=patient, doctor=doctor, start=start, status=status, booked_at=start - datetime.timedelta(days=3)
        )


def test_no_show_risk_ranks_a_patient_who_never_comes_above_one_who_always_does():
    doctor = DoctorFactory()
    flaky, reliable = PatientFactory(), PatientFactory()
    past = timezone.localdate() - datetime.timedelta(days=100)
    _history(flaky, doctor, [S.NO_SHOW] * 4, past)
    _history(reliable, doctor, [S.COMPLETED] * 4, past + datetime.timedelta(days=1))
    soon = timezone.now() + datetime.timedelta(days=3)
    for patient, hour in ((reliable, 1), (flaky, 2)):
        AppointmentFactory(patient=patient, doctor=doctor, start=soon + datetime.timedelta(hours=hour))
    AppointmentFactory(doctor=doctor, start=soon, status=S.CANCELLED)  # not active: not listed
    rollups.rebuild()  # factory rows bypass the services: the factor table reads the roll-up

    rows = run_report(
        "no-show-risk",
        ReportParams(timezone.localdate(), timezone.localdate() + datetime.timedelta(days=14)),
    )

    assert [r["patient"].endswith(f"(MRN {flaky.mrn})") for r in rows] == [True, False]
    assert rows[0]["probability"] > rows[1]["probability"]
    assert "patient history 4/4" in rows[0]["factors"]
    assert "patient history 0/4" in rows[1]["factors"]
    assert "lead 2-7d" in rows[0]["factors"]
    assert rows[0]["factors"].startswith("base 35%")  # 4 no-shows in 8 visits, smoothed toward 10% by 5 visits
    assert 0 < rows[1]["probability"] < rows[0]["probability"] < 1


def test_no_show_risk_query_count_does_not_grow_with_history_or_upcoming_visits():
    counts = []
    for size in (3, 30):
        doctor = DoctorFactory()
        for index in range(size):
            patient = PatientFactory()
            _history(patient, doctor, [S.NO_SHOW, S.COMPLETED], timezone.localdate() - datetime.timedelta(days=60))
            AppointmentFactory(
                patient=patient, doctor=doctor, start=timezone.now() + datetime.timedelta(days=1, minutes=31 * index)
            )
        with query_counter() as queries:
            rows = run_report(
                "no-show-risk", ReportParams(timezone.localdate(), timezone.localdate() + datetime.timedelta(days=14))
            )
        assert rows
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_no_show_validation_uses_only_earlier_history_and_reports_auc_and_calibration():
    doctor = DoctorFactory()
    flaky, reliable = PatientFactory(), PatientFactory()
    start = datetime.date(2026, 1, 5)
    _history(flaky, doctor, [S.NO_SHOW] * 5, start)
    _history(reliable, DoctorFactory(), [S.COMPLETED] * 5, start)
    # The first visits (at the same moment) are predicted with no history at all, not even each other's.
    rows = run_report("no-show-validation", ReportParams(start, start))
    first = {r["group"]: r for r in rows}
    assert first["auc"]["appointments"] == 2
    assert first["auc"]["predicted"] == 0.5  # both predicted at the base rate: nothing to tell them apart

    rows = run_report(
        "no-show-validation", ReportParams(start + datetime.timedelta(days=14), datetime.date(2026, 2, 28))
    )
    summary = rows[0]
    assert summary["group"] == "auc"
    assert summary["appointments"] == 6  # the last three visits of each
    assert summary["predicted"] == 1  # every no-show ranked above every kept visit
    assert summary["observed"] == 0.5
    calibration = [r for r in rows if r["section"] == "calibration"]
    assert sum(r["appointments"] for r in calibration) == 6


def test_the_command_validates_the_no_show_model(capsys):
    out = _command("no-show-risk", "--validate", "--format", "json")

    rows = json.loads(out)
    assert rows[0]["group"] == "auc"
    with pytest.raises(CommandError):
        _command("demographics", "--validate")


# --- dashboard --------------------------------------------------------------------------------------------


def test_the_dashboard_shows_figures_and_svg_charts_to_administrators(client, admin_user_obj):
    doctor = DoctorFactory()
    AppointmentFactory(doctor=doctor, start=timezone.now() - datetime.timedelta(days=2), status=S.NO_SHOW)
    AppointmentFactory(doctor=doctor, start=timezone.now() - datetime.timedelta(days=9), status=S.COMPLETED)
    hms_rollups.rebuild_all()  # factory rows bypass the services; the dashboard counts from the roll-ups
    client.force_login(admin_user_obj)

    response = client.get("/dashboard/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") >= 2
    assert "No-show rate" in html and "50.0%" in html
    assert "cdn" not in html.lower()


def test_the_dashboard_reports_a_bad_filter_instead_of_failing(client, admin_user_obj):
    client.force_login(admin_user_obj)

    response = client.get("/dashboard/", {"from": "nonsense"})

    assert response.status_code == 200
    assert "is not a date" in response.content.decode()


@pytest.mark.parametrize("role", ["Doctor", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Patient"])
def test_the_dashboard_is_refused_to_other_roles(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/dashboard/").status_code == 403


def test_the_dashboard_query_count_does_not_grow_with_the_data(client, admin_user_obj):
    client.force_login(admin_user_obj)
    counts = []
    for size in (3, 30):
        doctor = DoctorFactory()
        for index in range(size):
            AppointmentFactory(doctor=doctor, start=timezone.now() - datetime.timedelta(days=index % 20, minutes=index))
        hms_rollups.rebuild_all()
        with query_counter() as queries:
            assert client.get("/dashboard/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_charts_are_svg_with_escaped_labels_and_say_so_when_empty():
    from reports.dashboard import bar_chart, line_chart

    svg = bar_chart([("<b>x</b>", 3), ("y", 1)], title="Test")
    assert svg.startswith("<svg") and svg.count("<rect") == 2
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert line_chart([("a", None), ("b", 0.5)], title="Rate").count("<circle") == 1
    assert "no data" in bar_chart([], title="Empty")


def test_database_replica_url_adds_a_replica_alias(monkeypatch):
    import runpy
    from pathlib import Path

    import hms

    settings_file = Path(hms.__file__).with_name("settings.py")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "mysql://reader:pw@replica.example:3306/hms")
    configured = runpy.run_path(str(settings_file))
    monkeypatch.delenv("DATABASE_REPLICA_URL")
    plain = runpy.run_path(str(settings_file))

    assert configured["DATABASES"]["replica"]["HOST"] == "replica.example"
    assert configured["DATABASES"]["replica"]["USER"] == "reader"
    assert "replica" not in plain["DATABASES"]
    assert configured["DATABASE_ROUTERS"] == ["hms.db_router.ReportRouter"]
