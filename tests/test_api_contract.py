"""The API contract: the OpenAPI schema says what the server does, checked by fuzzing it with schemathesis.

How it runs: a small, realistic hospital is seeded with the factories (a patient with a portal login,
allergy, history and insurance; a booked and a completed appointment with a signed record, diagnosis,
prescription, lab order and vitals; an issued bill with a claim; a pharmacy store with stock). Then the
schemathesis CLI (pinned in requirements.txt) fuzzes every operation of ``/api/schema/`` against
pytest-django's live server on MariaDB, once per role, authenticating with that role's DRF token.
Every check runs (``--checks all``); the number of examples per operation is bounded and generation is
deterministic so the run is repeatable and takes a few minutes. Ids start at 1 (``reset_sequences``) so
generated path ids often hit the seeded rows, not only 404s.

Measured on 2 cores shared with four other test runs: about 1-1.5 minutes per role for fuzzing and
stateful, and 9-12 minutes for the superuser's coverage phase (~11,000 boundary and invalid-value requests);
So ``make test`` runs fuzzing and stateful for every role (a few minutes in all), and the coverage phase
only when ``HMS_CONTRACT_COVERAGE=1`` (``make contract`` sets it): run it before changing the API.

The configuration is ``tests/schemathesis.toml``; the only relaxation there is the statuses that
count as accepting schema-valid input (see the comments in that file). Run just these tests with
``pytest -m contract``. When a run fails, the assertion shows schemathesis's report: each failure with
the check, the answer and a curl line to reproduce it against ``manage.py runserver``.
"""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.services import token_issue
from billing.services import bill_issue, bill_recalculate, claim_create
from billing.tests.factories import BillFactory, BillLineFactory, PriceListEntryFactory
from clinical.tests.factories import (
    DiagnosisFactory,
    LabOrderFactory,
    LabResultFactory,
    PrescriptionFactory,
    ProcedureFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)
from inventory.tests.factories import BatchFactory, StockLevelRuleFactory, StoreFactory, SupplyFactory
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    InsurerAccountFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
)
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import (
    AppointmentFactory,
    AvailabilityFactory,
    EquipmentFactory,
    RoomFactory,
    TimeOffFactory,
)
from staff.choices import StaffRole
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory, UserFactory

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

# "Administrator" is a user in the Administrator group (what the role table grants); "superuser" is a Django
# superuser in no group (every permission, nothing from the role table).
ROLES = ["superuser", "Administrator", "Receptionist", "Doctor", "Patient", "Billing Clerk", "Insurer"]
# Every role runs the fuzzing phase (random valid and invalid requests, max-examples each) and the stateful
# phase (chains: create, then read/change/act on what was created). The coverage phase (every boundary and
# every kind of invalid value of every parameter, ~50-100 requests an operation) runs for the superuser,
# who reaches every operation, when HMS_CONTRACT_COVERAGE=1 (about 10 minutes on two cores: ``make contract``);
# for the other roles it would mostly repeat the same refusals at 10x the time.
PHASES = {"superuser": "coverage,fuzzing,stateful"} if os.environ.get("HMS_CONTRACT_COVERAGE") == "1" else {}
DEFAULT_PHASES = "fuzzing,stateful"

pytestmark = [pytest.mark.contract]


def seed_hospital():
    """A small hospital where every kind of row the API serves exists at least once; returns its logins."""
    hospital = HospitalFactory(code="BOS", name="Boston General")
    department = DepartmentFactory(hospital=hospital, code="CARD", name="Cardiology")
    doctor = DoctorFactory(hospital=hospital, department=department, user__username="doctor")
    users = {
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        "Doctor": doctor.user,
    }
    for role, staff_role in [
        ("Administrator", StaffRole.ADMINISTRATOR),
        ("Receptionist", StaffRole.RECEPTIONIST),
        ("Billing Clerk", StaffRole.BILLING_CLERK),
        ("Nurse", StaffRole.NURSE),
        ("Pharmacist", StaffRole.PHARMACIST),
    ]:
        member = StaffMemberFactory(
            hospital=hospital, department=department, role=staff_role, user__username=role.lower().replace(" ", "")
        )
        users[role] = member.user
    users["Patient"] = UserFactory(username="patient", groups=["Patient"])
    users["Insurer"] = UserFactory(username="insurer", groups=["Insurer"])
    admin = users["Administrator"]

    patient = PatientFactory(user=users["Patient"], preferred_hospital=hospital)
    other_patient = PatientFactory(preferred_hospital=None, email="")
    AllergyFactory(patient=patient)
    MedicalHistoryEntryFactory(patient=patient)
    policy = InsurancePolicyFactory(patient=patient, valid_from=datetime.date(2020, 1, 1))
    InsurerAccountFactory(user=users["Insurer"], payer=policy.payer)  # the insurer decides this payer's claims

    room = RoomFactory(hospital=hospital)
    EquipmentFactory(hospital=hospital)
    AvailabilityFactory(doctor=doctor)
    TimeOffFactory(doctor=doctor)
    AppointmentFactory(patient=patient, doctor=doctor, room=room)
    next_week = datetime.datetime(2030, 1, 14, 14, tzinfo=datetime.UTC)
    AppointmentFactory(patient=other_patient, doctor=doctor, start=next_week)

    visit_start = timezone.now() - datetime.timedelta(days=3)
    record = SignedMedicalRecordFactory(
        appointment__patient=patient,
        appointment__doctor=doctor,
        appointment__start=visit_start,
        appointment__end=visit_start + datetime.timedelta(minutes=30),
        appointment__status=AppointmentStatus.COMPLETED,
    )
    DiagnosisFactory(record=record)
    ProcedureFactory(record=record)
    prescription = PrescriptionFactory(record=record)
    LabOrderFactory(record=record)
    LabResultFactory(order__record=record)
    VitalsFactory(patient=patient, appointment=record.appointment)
    VitalsFactory(patient=patient, weight_kg=None, height_cm=None, temperature_c=None)  # no BMI

    store = StoreFactory(hospital=hospital)
    BatchFactory(store=store, item=prescription.medication, quantity=Decimal("100"))
    StockLevelRuleFactory(store=store, item=prescription.medication)
    SupplyFactory()

    PriceListEntryFactory(hospital=hospital)
    bill = BillFactory(
        hospital=hospital, patient=patient, appointment=record.appointment, service_date=visit_start.date()
    )
    BillLineFactory(bill=bill)
    bill_recalculate(bill=bill, acting_user=admin)
    bill_issue(bill=bill, acting_user=admin)
    claim_create(bill=bill, policy=policy, acting_user=admin)
    BillLineFactory(bill=BillFactory(hospital=hospital, patient=patient))
    return users


def run_schemathesis(*, base_url, token, phases, workdir):
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/schema/",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        "all",
        "--phases",
        phases,
    ]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=workdir, timeout=1800, check=False)


@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_keeps_its_schema_contract_for(role, live_server, tmp_path, settings):
    # The fuzzer's logins with made-up passwords would lock 127.0.0.1 out of /api/v1/auth/token/ after 5
    # (a documented 429); lockout itself is tested in accounts/tests/test_lockout.py.
    settings.AXES_FAILURE_LIMIT = 1_000_000
    users = seed_hospital()
    _token, key = token_issue(user=users[role])
    phases = PHASES.get(role, DEFAULT_PHASES)
    result = run_schemathesis(base_url=live_server.url, token=key, phases=phases, workdir=tmp_path)
    output = result.stdout + result.stderr
    assert "Tested: 0" not in output, output[-3000:]
    assert result.returncode == 0, f"schemathesis found contract failures for {role}:\n{output[-60000:]}"
