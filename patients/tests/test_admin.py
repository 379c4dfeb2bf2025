"""The back office for patients: registration through the services, inlines, no deletion."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from conftest import admin_url, query_count, query_counter
from patients.models import Allergy, InsurancePolicy, InsurerAccount, MedicalHistoryEntry, Patient, Payer
from patients.services import luhn_check_digit
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    InsurerAccountFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
    PayerFactory,
)
from staff.tests.factories import HospitalFactory

pytestmark = pytest.mark.django_db


MAKERS = {
    Patient: PatientFactory,
    Allergy: AllergyFactory,
    MedicalHistoryEntry: MedicalHistoryEntryFactory,
    InsurancePolicy: InsurancePolicyFactory,
    Payer: PayerFactory,
    InsurerAccount: InsurerAccountFactory,
}
INLINE_PREFIXES = {Allergy: "allergies", MedicalHistoryEntry: "medical_history", InsurancePolicy: "insurance_policies"}


def test_every_patient_model_is_in_the_back_office_with_its_history():
    for model in MAKERS:
        assert admin.site.is_registered(model), model
        assert isinstance(admin.site.get_model_admin(model), SimpleHistoryAdmin), model


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_list_add_change_and_history_pages_render_for_a_superuser(admin_client, model):
    obj = MAKERS[model]()

    listing = admin_client.get(admin_url(model, "changelist"))
    assert listing.status_code == 200
    assert obj in listing.context["cl"].result_list

    # Clinical facts are read-only for a superuser: no add page, the change page shows them.
    clinical_fact = model in (Allergy, MedicalHistoryEntry)
    assert admin_client.get(admin_url(model, "add")).status_code == (403 if clinical_fact else 200)
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    history = admin_client.get(admin_url(model, "history", obj.pk))
    assert history.status_code == 200
    assert str(obj) in history.content.decode()


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_nothing_clinical_can_be_deleted_from_the_back_office(admin_client, model):
    obj = MAKERS[model]()
    assert admin_client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert admin_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    listing = admin_client.get(admin_url(model, "changelist"))
    action_form = listing.context["action_form"]  # None when a list has no action at all
    actions = [value for value, _ in action_form.fields["action"].choices] if action_form else []
    assert "delete_selected" not in actions
    assert model.objects.filter(pk=obj.pk).exists()


def changelist_queries(client, model):
    return query_count(client, admin_url(model, "changelist"))


def test_patient_list_runs_the_same_number_of_queries_for_3_and_20_patients(admin_client):
    PatientFactory.create_batch(3)  # each with its own preferred hospital
    few = changelist_queries(admin_client, Patient)
    PatientFactory.create_batch(17)
    assert changelist_queries(admin_client, Patient) == few


@pytest.mark.parametrize("model", [Allergy, MedicalHistoryEntry, InsurancePolicy], ids=lambda m: m.__name__)
def test_chart_row_lists_run_the_same_number_of_queries_for_3_and_20_rows(admin_client, model):
    MAKERS[model].create_batch(3)
    few = changelist_queries(admin_client, model)
    MAKERS[model].create_batch(17)
    assert changelist_queries(admin_client, model) == few


def inline_management(**counts):
    """Management-form data for the three inlines; counts = {prefix: (total, initial)}."""
    data = {}
    for prefix in INLINE_PREFIXES.values():
        total, initial = counts.get(prefix, (0, 0))
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": total,
                f"{prefix}-INITIAL_FORMS": initial,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return data


def patient_data(hospital, **overrides):
    data = {
        "first_name": "Ana",
        "last_name": "Silva",
        "date_of_birth": "1985-04-12",
        "sex": "female",
        "phone": "(617) 555-0111",
        "email": "ana.silva@example.com",
        "address_line1": "12 Elm Street",
        "address_line2": "",
        "city": "Boston",
        "state": "MA",
        "postal_code": "02115",
        "emergency_contact_name": "Rui Silva",
        "emergency_contact_relation": "spouse",
        "emergency_contact_phone": "(617) 555-0112",
        "preferred_hospital": hospital.pk,
        "user": "",
        **inline_management(),
    }
    data.update(overrides)
    return data


def test_registering_a_patient_draws_an_mrn_and_records_the_admin_in_history(admin_client, admin_user):
    hospital = HospitalFactory()
    response = admin_client.post(admin_url(Patient, "add"), patient_data(hospital))
    assert response.status_code == 302, response.context["adminform"].form.errors

    patient = Patient.objects.get(last_name="Silva")
    assert len(patient.mrn) == 8 and patient.mrn.isdigit()
    assert luhn_check_digit(patient.mrn[:7]) == patient.mrn[7]
    assert patient.registered_by == admin_user
    created = patient.history.get()
    assert created.history_type == "+"
    assert created.history_user == admin_user
    assert created.mrn == patient.mrn


def test_a_second_registration_gets_the_next_mrn(admin_client):
    hospital = HospitalFactory()
    admin_client.post(admin_url(Patient, "add"), patient_data(hospital))
    admin_client.post(admin_url(Patient, "add"), patient_data(hospital, first_name="Bruno"))
    first, second = Patient.objects.order_by("mrn").values_list("mrn", flat=True)
    assert int(second[:7]) == int(first[:7]) + 1


def test_a_likely_duplicate_is_refused_with_its_mrn_until_register_anyway_is_ticked(admin_client):
    existing = PatientFactory(first_name="Ana", last_name="Silva", date_of_birth=datetime.date(1985, 4, 12))
    hospital = HospitalFactory()

    response = admin_client.post(admin_url(Patient, "add"), patient_data(hospital, first_name=" ana "))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert existing.mrn in errors[0]
    assert "Register anyway" in errors[0]
    assert Patient.objects.count() == 1

    response = admin_client.post(admin_url(Patient, "add"), patient_data(hospital, register_anyway="on"))
    assert response.status_code == 302
    assert Patient.objects.filter(last_name="Silva").count() == 2


def test_registration_with_chart_rows_saves_them_through_the_services(admin_client, admin_user):
    data = patient_data(
        HospitalFactory(),
        **inline_management(insurance_policies=(1, 0)),
        **{
            "insurance_policies-0-payer": PayerFactory(name="Aetna").pk,
            "insurance_policies-0-policy_number": "AET-1",
            "insurance_policies-0-coverage_percent": "80.00",
            "insurance_policies-0-copay": "25.00",
            "insurance_policies-0-valid_from": "2024-01-01",
            "insurance_policies-0-is_active": "on",
            # is_primary left unticked: the first active policy becomes the primary one
        },
    )
    response = admin_client.post(admin_url(Patient, "add"), data)
    assert response.status_code == 302, response.context["errors"]

    patient = Patient.objects.get(last_name="Silva")
    policy = patient.insurance_policies.get()
    assert policy.is_primary
    assert policy.coverage_percent == Decimal("80.00")
    assert policy.history.get().history_user == admin_user


def test_a_clinician_in_the_back_office_adds_allergies_and_history_through_the_services(client, make_user):
    from django.contrib.auth.models import Permission

    doctor = make_user("Doctor")
    doctor.is_staff = True
    doctor.save()
    doctor.user_permissions.add(Permission.objects.get(codename="change_patient", content_type__app_label="patients"))
    client.force_login(doctor)
    patient = PatientFactory(last_name="Silva")
    data = patient_data(
        patient.preferred_hospital,
        **inline_management(allergies=(1, 0), medical_history=(1, 0)),
        **{
            "allergies-0-substance": "Penicillin",
            "allergies-0-reaction": "Hives",
            "allergies-0-severity": "severe",
            "allergies-0-is_active": "on",
            "medical_history-0-condition": "Asthma",
            "medical_history-0-onset_date": "2001-03-01",
            "medical_history-0-status": "chronic",
        },
    )
    response = client.post(admin_url(Patient, "change", patient.pk), data)
    assert response.status_code == 302, response.context["errors"]

    allergy = patient.allergies.get()
    assert (allergy.substance, allergy.severity) == ("Penicillin", "severe")
    assert patient.medical_history.get().condition == "Asthma"
    for row in (allergy, patient.medical_history.get()):
        assert row.history.get().history_user == doctor


def test_a_superuser_sees_allergies_and_history_read_only(admin_client):
    allergy = AllergyFactory(severity="severe")
    page = admin_client.get(admin_url(Patient, "change", allergy.patient_id))
    inlines = {formset.opts.model: formset for formset in page.context["inline_admin_formsets"]}

    for model in (Allergy, MedicalHistoryEntry):
        assert not inlines[model].has_add_permission and not inlines[model].has_change_permission
    assert admin_client.get(admin_url(Allergy, "add")).status_code == 403


def test_changing_a_patient_goes_through_the_service_and_keeps_the_mrn(admin_client, admin_user):
    patient = PatientFactory(first_name="Ana", last_name="Silva", mrn="00000017")
    data = patient_data(patient.preferred_hospital, phone="(617) 555-0999", mrn="99999999", is_active="")
    response = admin_client.post(admin_url(Patient, "change", patient.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    patient.refresh_from_db()
    assert patient.phone == "(617) 555-0999"
    assert patient.mrn == "00000017"
    assert patient.is_active
    change = patient.history.latest()
    assert change.history_type == "~"
    assert change.history_user == admin_user


def test_marking_a_new_policy_primary_demotes_the_old_one(admin_client, admin_user):
    old = InsurancePolicyFactory(is_primary=True, payer_name="Aetna", policy_number="OLD-1")
    patient = old.patient
    prefix = "insurance_policies"
    data = patient_data(
        patient.preferred_hospital,
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth.isoformat(),
        **inline_management(insurance_policies=(2, 1)),
        **{
            f"{prefix}-0-id": old.pk,
            f"{prefix}-0-patient": patient.pk,
            f"{prefix}-0-payer": old.payer_id,
            f"{prefix}-0-policy_number": "OLD-1",
            f"{prefix}-0-group_number": old.group_number,
            f"{prefix}-0-coverage_percent": "80.00",
            f"{prefix}-0-copay": "25.00",
            f"{prefix}-0-valid_from": "2024-01-01",
            f"{prefix}-0-is_primary": "on",
            f"{prefix}-0-is_active": "on",
            f"{prefix}-1-patient": patient.pk,
            f"{prefix}-1-payer": PayerFactory(name="Cigna").pk,
            f"{prefix}-1-policy_number": "NEW-2",
            f"{prefix}-1-coverage_percent": "90.00",
            f"{prefix}-1-copay": "10.00",
            f"{prefix}-1-valid_from": "2025-01-01",
            f"{prefix}-1-is_primary": "on",
            f"{prefix}-1-is_active": "on",
        },
    )
    response = admin_client.post(admin_url(Patient, "change", patient.pk), data)
    assert response.status_code == 302, response.context["errors"]

    assert list(patient.insurance_policies.filter(is_primary=True).values_list("policy_number", flat=True)) == [
        "NEW-2"
    ]
    old.refresh_from_db()
    assert old.history.latest().history_user == admin_user


def test_deactivate_and_reactivate_actions_record_the_admin(admin_client, admin_user):
    patients = PatientFactory.create_batch(2)
    url = admin_url(Patient, "changelist")

    admin_client.post(url, {"action": "deactivate_selected", "_selected_action": [p.pk for p in patients]})
    assert not Patient.objects.filter(is_active=True).exists()
    assert patients[0].history.latest().history_user == admin_user

    admin_client.post(url, {"action": "reactivate_selected", "_selected_action": [patients[0].pk]})
    assert list(Patient.objects.filter(is_active=True)) == [patients[0]]


def test_the_patient_list_shows_the_age_and_finds_by_mrn(admin_client):
    patient = PatientFactory(date_of_birth=datetime.date(1990, 1, 1), mrn="00000042")
    PatientFactory()
    response = admin_client.get(admin_url(Patient, "changelist"), {"q": "00000042"})
    assert list(response.context["cl"].result_list) == [patient]
    assert f'<td class="field-age">{patient.age}</td>' in response.content.decode()


@pytest.fixture
def clinician_in_back_office(client, make_user):
    """A doctor with back-office access: clinicians are the ones who write allergies and history there."""
    doctor = make_user("Doctor")
    doctor.is_staff = True
    doctor.save()
    client.force_login(doctor)
    client.user = doctor
    return client


def test_an_allergy_added_on_its_own_page_records_the_clinician(clinician_in_back_office):
    patient = PatientFactory()
    data = {"patient": patient.pk, "substance": "Latex", "reaction": "Rash", "severity": "mild", "is_active": "on"}
    response = clinician_in_back_office.post(admin_url(Allergy, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    allergy = patient.allergies.get()
    assert allergy.history.get().history_user == clinician_in_back_office.user


def test_an_allergy_cannot_be_moved_to_another_patient(clinician_in_back_office):
    allergy = AllergyFactory(substance="Latex")
    other = PatientFactory()
    data = {"patient": other.pk, "substance": "Latex", "reaction": "Rash", "severity": "mild", "is_active": ""}
    response = clinician_in_back_office.post(admin_url(Allergy, "change", allergy.pk), data)
    assert response.status_code == 302
    allergy.refresh_from_db()
    assert allergy.patient_id != other.pk
    assert not allergy.is_active


def test_a_service_refusal_is_shown_as_a_message_and_nothing_is_saved(admin_client, monkeypatch):
    from hms.exceptions import Conflict
    from patients import admin as patients_admin

    def refuse(**kwargs):
        raise Conflict("Refused for the test.")

    monkeypatch.setitem(
        patients_admin.CHART_SERVICES,
        InsurancePolicy,
        (refuse, *patients_admin.CHART_SERVICES[InsurancePolicy][1:]),
    )
    data = patient_data(
        HospitalFactory(),
        **inline_management(insurance_policies=(1, 0)),
        **{
            "insurance_policies-0-payer": PayerFactory(name="Aetna").pk,
            "insurance_policies-0-policy_number": "AET-9",
            "insurance_policies-0-coverage_percent": "80.00",
            "insurance_policies-0-copay": "25.00",
            "insurance_policies-0-valid_from": "2024-01-01",
            "insurance_policies-0-is_active": "on",
        },
    )
    response = admin_client.post(admin_url(Patient, "add"), data, follow=True)
    assert response.status_code == 200
    assert "Refused for the test." in [str(m) for m in response.context["messages"]]
    assert not Patient.objects.exists()  # the patient saved before the inline was rolled back


def _patient_search(admin_client, q):
    with query_counter() as queries:
        response = admin_client.get(reverse("admin:patients_patient_changelist"), {"q": q})
    assert response.status_code == 200
    return list(response.context["cl"].result_list), [q["sql"] for q in queries.captured_queries]


def test_the_patient_list_finds_patients_by_mrn_or_the_start_of_either_name_in_name_order(admin_client):
    by_last = PatientFactory(first_name="Zoe", last_name="Kelley")
    by_first = PatientFactory(first_name="Kellan", last_name="Adams")
    inactive = PatientFactory(first_name="Kelly", last_name="Kellerman", is_active=False)
    other = PatientFactory(first_name="Otto", last_name="Other")

    assert _patient_search(admin_client, "kel")[0] == [by_first, inactive, by_last]
    assert _patient_search(admin_client, other.mrn)[0] == [other]
    assert _patient_search(admin_client, "kel zo")[0] == [by_last]
    assert _patient_search(admin_client, "ell")[0] == []  # prefixes only, never LIKE '%x%'
    assert _patient_search(admin_client, "nobody")[0] == []


def test_the_patient_list_searches_a_name_found_only_as_a_last_name_along_the_name_index_alone(admin_client):
    """An OR of the MRN, first-name and last-name conditions, sorted by name, walks the whole name index
    (MariaDB, 100k patients: 120 ms for "Smi"); the ways of matching that find nobody are left out."""
    smiths = [
        PatientFactory(first_name="Ann", last_name="Smithers"),
        PatientFactory(first_name="Bo", last_name="Smith"),
    ]
    PatientFactory(first_name="Otto", last_name="Other")

    found, queries = _patient_search(admin_client, "smi")

    assert found == sorted(smiths, key=lambda p: (p.last_name, p.first_name, p.mrn))
    listing = [sql for sql in queries if "COUNT(*)" in sql or ("`patients_patient`.`id` AS `pk`" in sql)]
    assert listing and all("`first_name` LIKE" not in sql and "`mrn` LIKE" not in sql for sql in listing)
