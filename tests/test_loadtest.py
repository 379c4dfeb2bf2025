"""scripts/loadtest.py against a live server: its bookings never collide, so errors == 0 is meaningful."""

import importlib.util
from pathlib import Path

import pytest

from accounts.services import token_issue
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment
from scheduling.tests.factories import AvailabilityFactory
from staff.tests.factories import DoctorFactory

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "loadtest.py"


def load_script():
    spec = importlib.util.spec_from_file_location("hms_loadtest", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_two_users_sharing_one_doctor_book_without_a_single_error(live_server, make_user):
    loadtest = load_script()
    doctor = DoctorFactory()
    for weekday in range(7):
        AvailabilityFactory(doctor=doctor, weekday=weekday)
    _token, key = token_issue(user=make_user("Receptionist"))

    result = loadtest.run(live_server.url, users=2, seconds=3, token=key)

    booked = Appointment.objects.filter(doctor=doctor, status=AppointmentStatus.SCHEDULED)
    assert result["errors"] == 0, result["error_samples"]
    assert result["bookings"] == booked.count() > 0
    assert result["list_p95_ms"] > 0 and result["booking_p95_ms"] > 0
    # The two users booked the same doctor on days of their own: never the same slot, never the same day.
    by_patient = {}
    for appointment in booked:
        by_patient.setdefault(appointment.patient_id, set()).add(appointment.start.date())
    assert len(by_patient) == 2
    first, second = by_patient.values()
    assert not first & second


def test_the_cli_refuses_to_run_without_a_target(capsys):
    loadtest = load_script()

    with pytest.raises(SystemExit) as exit_info:
        loadtest.main(["--users", "2"])

    assert exit_info.value.code == 2
    assert "--base-url" in capsys.readouterr().err
