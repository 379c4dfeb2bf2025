"""A patient's allergies, medical history and insurance follow the role table everywhere: the patient
detail API, the back office's patient page, and who may change a clinical fact (issue 10, items 2 and 3)."""

import pytest
from django.urls import reverse

from hms.roles import ALL_GROUPS, ROLE_PERMISSIONS
from patients.choices import AllergySeverity
from patients.models import Allergy
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
)

# The role table for every doctor and nurse; minimum necessary (care relationships) is tests/test_care_access.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_care_restriction")]

# Field of GET /api/v1/patients/{id}/ (and section of the admin patient page) -> the model it shows.
SECTIONS = {
    "allergies": "patients.allergy",
    "medical_history": "patients.medicalhistoryentry",
    "insurance_policies": "patients.insurancepolicy",
}
MARKERS = {"allergies": "Peanuts", "medical_history": "Hypertension", "insurance_policies": "UnitedHealthcare"}
# Roles that read no patient record at all (an insurer's integration, the privacy officer's audit) are left out.
NO_RECORDS = ("Insurer", "Privacy Officer")
STAFF_ROLES = [role for role in ALL_GROUPS if role not in ("Patient", *NO_RECORDS)]


def table(role, label):
    return ROLE_PERMISSIONS.get(role, {}).get(label, "")


def patient_with_chart(**kwargs):
    patient = PatientFactory(**kwargs)
    AllergyFactory(patient=patient, substance="Peanuts", severity=AllergySeverity.SEVERE)
    MedicalHistoryEntryFactory(patient=patient, condition="Hypertension")
    InsurancePolicyFactory(patient=patient, payer_name="UnitedHealthcare")
    return patient


# --- the patient detail API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [role for role in ALL_GROUPS if role not in NO_RECORDS])
def test_the_patient_detail_api_embeds_a_section_only_for_roles_that_may_view_it(api_as, make_user, role):
    user = make_user(role)
    patient = patient_with_chart(user=user) if role == "Patient" else patient_with_chart()

    response = api_as(user).get(f"/api/v1/patients/{patient.pk}/")

    assert response.status_code == 200
    for field, label in SECTIONS.items():
        if "v" in table(role, label):
            assert len(response.data[field]) == 1, f"{role} reads {field}"
            assert MARKERS[field] in str(response.data[field])
        else:
            assert response.data[field] is None, f"{role} may not read {field}"
            assert MARKERS[field] not in response.content.decode()


@pytest.mark.parametrize("role", ["Lab Technician", "Billing Clerk", "Pharmacist"])
def test_roles_refused_an_endpoint_do_not_get_its_rows_through_the_patient_detail(api_as, role):
    """The finding of issue 10: these roles read allergies/history/insurance through GET /patients/{id}/."""
    patient = patient_with_chart()
    client = api_as(role)

    detail = client.get(f"/api/v1/patients/{patient.pk}/").data

    for field, endpoint in (("allergies", "allergies"), ("medical_history", "medical-history"),
                            ("insurance_policies", "insurance-policies")):
        own_endpoint = client.get(f"/api/v1/{endpoint}/")
        assert (own_endpoint.status_code == 200) == (detail[field] is not None), (role, field)


# --- the back office ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_admin_patient_page_shows_inline_rows_only_of_models_the_user_may_view(client, make_user, role):
    """Django shows an inline only to a user with a view, change or add permission on its model; the role table
    gives those, so a back-office user sees exactly the sections their role may view, read-only unless they may
    change them (and the patient)."""
    user = make_user(role)
    user.is_staff = True  # back-office access, whatever the role
    user.save(update_fields=["is_staff"])
    patient = patient_with_chart()
    client.force_login(user)

    response = client.get(reverse("admin:patients_patient_change", args=[patient.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    inlines = {formset.opts.model._meta.label_lower: formset for formset in response.context["inline_admin_formsets"]}
    for field, label in SECTIONS.items():
        actions = table(role, label)
        assert (MARKERS[field] in text) == ("v" in actions), f"{role}: {field}"
        assert (label in inlines) == ("v" in actions)
        if label in inlines:  # rows are edited only by a user who may change the patient and the row's model
            edits_patient = "c" in table(role, "patients.patient")
            assert inlines[label].has_add_permission == (edits_patient and "a" in actions)
            assert inlines[label].has_change_permission == (edits_patient and "c" in actions)


def test_an_administrator_sees_allergies_in_the_admin_but_cannot_change_them(client, make_user):
    admin = make_user("Administrator")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    allergy = AllergyFactory(substance="Penicillin", severity=AllergySeverity.SEVERE)
    client.force_login(admin)

    page = client.get(reverse("admin:patients_allergy_change", args=[allergy.pk]))
    posted = client.post(
        reverse("admin:patients_allergy_change", args=[allergy.pk]),
        {"patient": allergy.patient_id, "substance": "Penicillin", "reaction": "Hives", "severity": "mild",
         "noted_on": "", "is_active": ""},
    )

    allergy.refresh_from_db()
    assert page.status_code == 200 and "Penicillin" in page.content.decode()
    assert posted.status_code == 403
    assert allergy.severity == AllergySeverity.SEVERE and allergy.is_active


# --- who may change a clinical fact ---------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [{"is_active": False}, {"severity": "mild"}])
def test_a_receptionist_can_neither_deactivate_nor_downgrade_a_severe_allergy(api_as, change):
    allergy = AllergyFactory(substance="Penicillin", severity=AllergySeverity.SEVERE)

    response = api_as("Receptionist").patch(f"/api/v1/allergies/{allergy.pk}/", change, format="json")

    allergy.refresh_from_db()
    assert response.status_code == 403
    assert allergy.severity == AllergySeverity.SEVERE and allergy.is_active
    assert allergy.history.count() == 1


def test_a_receptionist_cannot_read_medical_history(api_as):
    entry = MedicalHistoryEntryFactory(condition="HIV infection")
    client = api_as("Receptionist")

    assert client.get("/api/v1/medical-history/").status_code == 403
    assert client.get(f"/api/v1/medical-history/{entry.pk}/").status_code == 403
    assert "HIV" not in client.get(f"/api/v1/patients/{entry.patient_id}/").content.decode()


@pytest.mark.parametrize("role", ALL_GROUPS)
def test_only_clinical_roles_may_change_allergies_and_medical_history(role):
    for label in ("patients.allergy", "patients.medicalhistoryentry"):
        writes = set(table(role, label)) & {"a", "c", "d"}
        assert bool(writes) == (role in ("Doctor", "Nurse")), f"{role} {label}"


def test_a_nurse_still_corrects_an_allergy(api_as):
    allergy = AllergyFactory(substance="Penicillin", severity=AllergySeverity.SEVERE)

    response = api_as("Nurse").patch(f"/api/v1/allergies/{allergy.pk}/", {"severity": "moderate"}, format="json")

    assert response.status_code == 200
    assert Allergy.objects.get(pk=allergy.pk).severity == AllergySeverity.MODERATE
