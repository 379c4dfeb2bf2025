"""manage.py seed_demo: demo hospitals, staff, one login per role and patients."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from demo import core as demo
from patients.models import Allergy, InsurancePolicy, MedicalHistoryEntry, Patient
from patients.selectors import patient_queryset_for
from patients.services import luhn_check_digit, patient_register
from staff.choices import StaffRole
from staff.models import Department, Hospital, StaffMember

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass"
DEMO_LOGINS = {
    "admin": ("Administrator", StaffRole.ADMINISTRATOR),
    "doctor": ("Doctor", StaffRole.DOCTOR),
    "nurse": ("Nurse", StaffRole.NURSE),
    "reception": ("Receptionist", StaffRole.RECEPTIONIST),
    "billing": ("Billing Clerk", StaffRole.BILLING_CLERK),
    "pharmacist": ("Pharmacist", StaffRole.PHARMACIST),
    "labtech": ("Lab Technician", StaffRole.LAB_TECHNICIAN),
    "patient": ("Patient", None),
}


@pytest.fixture
def only_core_steps(monkeypatch):
    """Leave the other apps' demo hooks out, to test the core steps (and a fake hook) alone."""
    monkeypatch.setattr(demo, "app_hooks", lambda: [])


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), password=PASSWORD, **options)
    return out.getvalue()


def test_it_creates_hospitals_in_several_states_and_timezones_with_departments(only_core_steps):
    seed(patients=5)
    hospitals = list(Hospital.objects.all())
    assert len(hospitals) >= 2
    assert len({h.state for h in hospitals}) >= 2
    assert len({h.timezone for h in hospitals}) >= 2
    for hospital in hospitals:
        names = set(hospital.departments.values_list("name", flat=True))
        assert {"Cardiology", "Pediatrics", "Radiology", "Surgery", "Nursing", "Pharmacy", "Front Desk"} <= names


def test_every_hospital_has_doctors_and_staff_of_every_role(only_core_steps):
    seed(patients=5)
    for hospital in Hospital.objects.all():
        roles = set(StaffMember.objects.filter(hospital=hospital).values_list("role", flat=True))
        assert roles == set(StaffRole.values), hospital
    for doctor in StaffMember.objects.doctors():
        doctor.full_clean()  # a specialty, a license and a fee, in a department of their own hospital
        assert doctor.consultation_fee > 0
        assert doctor.consultation_fee.as_tuple().exponent == -2


def test_every_demo_login_works_and_is_in_its_role_group(only_core_steps, client):
    seed(patients=5)
    User = get_user_model()
    for username, (group, role) in DEMO_LOGINS.items():
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group], username
        if role:
            assert user.staff_profile.role == role
        assert client.login(username=username, password=PASSWORD), username
        client.logout()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(username="doctor").is_staff


def test_the_patient_login_is_linked_to_a_full_patient_record(only_core_steps):
    seed(patients=5)
    user = get_user_model().objects.get(username="patient")
    own = Patient.objects.get(user=user)
    assert list(patient_queryset_for(user)) == [own]
    assert own.allergies.exists()
    assert own.medical_history.exists()
    assert own.insurance_policies.filter(is_primary=True).exists()


def test_it_creates_n_patients_with_allergies_history_insurance_and_audit_rows(only_core_steps):
    seed(patients=40)
    admin = get_user_model().objects.get(username="admin")
    assert Patient.objects.count() == 40
    assert Allergy.objects.exists()
    assert MedicalHistoryEntry.objects.exists()
    assert InsurancePolicy.objects.exists()
    assert Patient.objects.filter(insurance_policies__isnull=True).exists()  # some pay for themselves
    clinician = get_user_model().objects.filter(username="doctor").first()  # the portal patient's history taker
    for model in (Patient, Allergy, MedicalHistoryEntry, InsurancePolicy):
        assert model.history.count() >= model.objects.count() > 0
        assert not model.history.exclude(history_user__in=[admin, clinician]).exists()
    for patient in Patient.objects.prefetch_related("insurance_policies"):
        patient.full_clean()
        assert luhn_check_digit(patient.mrn[:7]) == patient.mrn[7]
        primaries = [p for p in patient.insurance_policies.all() if p.is_primary]
        assert len(primaries) == (1 if patient.insurance_policies.all() else 0)
    for row in InsurancePolicy.objects.all():
        row.full_clean()


def test_a_patient_registered_after_the_seed_gets_a_new_mrn(only_core_steps):
    seed(patients=10)
    seeded = set(Patient.objects.values_list("mrn", flat=True))
    patient = patient_register(
        acting_user=None, first_name="Late", last_name="Comer", date_of_birth=datetime.date(1990, 1, 1), sex="female"
    )
    assert patient.mrn not in seeded
    assert int(patient.mrn[:7]) > max(int(mrn[:7]) for mrn in seeded)


def test_running_twice_duplicates_nothing_and_tops_patients_up(only_core_steps, client):
    seed(patients=8)
    counts = {model: model.objects.count() for model in (Hospital, Department, StaffMember, get_user_model())}

    out = seed(patients=8)
    assert {model: model.objects.count() for model in counts} == counts
    assert Patient.objects.count() == 8
    assert "none added" in out
    assert client.login(username="nurse", password=PASSWORD)

    seed(patients=12)
    assert Patient.objects.count() == 12
    assert {model: model.objects.count() for model in counts} == counts


def test_a_second_run_restores_a_demo_login_that_was_changed(only_core_steps, client):
    seed(patients=3)
    nurse = get_user_model().objects.get(username="nurse")
    nurse.set_password("forgotten")
    nurse.is_active = False
    nurse.save()
    seed(patients=3)
    assert client.login(username="nurse", password=PASSWORD)


def patient_names_for(seed_value):
    """The patients one seed would create, from a run that is rolled back afterwards."""

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            seed(patients=15, seed=seed_value)
            names = list(Patient.objects.order_by("mrn").values_list("first_name", "last_name", "date_of_birth"))
            raise Rollback
    except Rollback:
        return names


def test_the_same_seed_gives_the_same_patients_and_another_seed_others(only_core_steps):
    first = patient_names_for(7)
    assert not Patient.objects.exists()
    assert len(first) == 15
    assert patient_names_for(7) == first
    assert patient_names_for(8) != first


def test_app_hooks_run_after_the_core_steps_with_the_shared_context(monkeypatch):
    seen = {}

    def hook(context):
        seen["doctors"] = len(context.doctors)
        seen["patients"] = context.patients.count()
        seen["admin"] = context.admin_user.username
        seen["roll"] = context.rng.random()
        return {"widgets": 3}

    monkeypatch.setattr(demo, "app_hooks", lambda: [("widgets", hook)])
    out = seed(patients=6)
    assert seen["doctors"] == StaffMember.objects.doctors().count() > 0
    assert seen["patients"] == 6
    assert seen["admin"] == "admin"
    assert "widgets" in out and "3 widgets added" in out


def test_app_hooks_are_the_demo_modules_of_the_project_apps_in_installed_apps_order():
    project_apps = [c for c in apps.get_app_configs() if Path(c.path).parent == Path(settings.BASE_DIR)]
    expected = [c.label for c in project_apps if c.name != "hms" and (Path(c.path) / "demo.py").exists()]
    hooks = demo.app_hooks()
    assert [label for label, _ in hooks] == expected
    for label, hook in hooks:
        assert hook.__module__ == f"{label}.demo"


def test_the_whole_demo_with_every_app_hook_runs_and_prints_the_logins():
    out = seed(patients=10)
    assert "Demo logins (password: demo-pass)" in out
    for username in DEMO_LOGINS:
        assert f"\n  {username} " in out


@pytest.mark.parametrize(("options", "message"), [({"patients": -1}, "--patients"), ({"password": ""}, "--password")])
def test_bad_arguments_are_refused_with_a_message(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", stdout=StringIO(), **options)
    assert not Hospital.objects.exists()
