"""Staff patient pages and the patient portal, through the Django test client."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import query_count, query_counter
from hms.roles import ROLE_PERMISSIONS
from patients.choices import AllergySeverity
from patients.models import Allergy, InsurancePolicy, MedicalHistoryEntry, Patient
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
    PayerFactory,
)
from staff.tests.factories import HospitalFactory

# The role table for every doctor and nurse; minimum necessary (care relationships) is tests/test_care_access.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_care_restriction")]

STAFF_ROLES = ["Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Lab Technician"]
ALL_ROLES = [*STAFF_ROLES, "Patient"]

# Page -> the roles that may open it. Every other role gets 403; portal patients are refused every staff page.
PAGE_ACCESS = {
    "patients:search": set(STAFF_ROLES),
    "patients:detail": set(STAFF_ROLES),
    "patients:register": {"Administrator", "Receptionist"},
    "patients:edit": {"Administrator", "Receptionist"},
    # Clinical facts are written by clinical roles only (issue 10): not by reception, not by administrators.
    "patients:allergy_add": {"Doctor", "Nurse"},
    "patients:history_add": {"Doctor", "Nurse"},
    "patients:insurance_add": {"Administrator", "Receptionist", "Billing Clerk"},
}
PAGES_WITHOUT_PATIENT = {"patients:search", "patients:register"}


def page_url(name, patient):
    return reverse(name) if name in PAGES_WITHOUT_PATIENT else reverse(name, args=[patient.pk])


@pytest.fixture
def form_data():
    """A valid registration form, as a browser would post it."""
    hospital = HospitalFactory(name="Boston General")
    return {
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-04-12",
        "sex": "female",
        "phone": "(617) 555-0142",
        "email": "jane.doe@example.com",
        "address_line1": "1 Main Street",
        "address_line2": "",
        "city": "Boston",
        "state": "MA",
        "postal_code": "02115",
        "emergency_contact_name": "John Doe",
        "emergency_contact_relation": "spouse",
        "emergency_contact_phone": "(617) 555-0143",
        "preferred_hospital": hospital.pk,
    }


def page_text(response):
    return response.content.decode()


# --- who may open what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "role", "allowed"),
    [(page, role, role in allowed) for page, allowed in PAGE_ACCESS.items() for role in ALL_ROLES],
)
def test_each_staff_page_opens_for_its_roles_and_is_refused_to_the_others(client, login, page, role, allowed):
    patient = PatientFactory()
    login(role)

    response = client.get(page_url(page, patient))

    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        text = page_text(response)
        assert "Not allowed" in text
        assert "Traceback" not in text
        assert patient.mrn not in text


@pytest.mark.parametrize("page", sorted(PAGE_ACCESS))
def test_anonymous_visitors_are_sent_to_the_login_page(client, page):
    patient = PatientFactory()
    url = page_url(page, patient)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_a_portal_patient_cannot_open_the_staff_page_of_their_own_record(client, login, make_user):
    user = make_user("Patient")
    patient = PatientFactory(user=user)
    login(user)

    assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 403
    assert client.get(reverse("patients:search") + f"?q={patient.mrn}").status_code == 403


@pytest.mark.parametrize(("role", "allowed"), [(role, role in {"Administrator", "Receptionist"}) for role in ALL_ROLES])
def test_only_roles_that_change_patients_may_deactivate_them(client, login, role, allowed):
    patient = PatientFactory()
    login(role)

    response = client.post(reverse("patients:set_active", args=[patient.pk]), {"active": "0"})

    patient.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert patient.is_active is False
    else:
        assert response.status_code == 403
        assert patient.is_active is True


def test_a_missing_patient_answers_the_not_found_page_without_a_stack_trace(client, login):
    login("Nurse")

    response = client.get(reverse("patients:detail", args=[987654]))

    assert response.status_code == 404
    assert "This page does not exist." in page_text(response)
    assert "Traceback" not in page_text(response)


# --- search ------------------------------------------------------------------------------------------------------


def test_search_finds_patients_by_name_or_mrn_and_shows_the_list_columns(client, login):
    hospital = HospitalFactory(name="Springfield Memorial")
    jane = PatientFactory(
        first_name="Jane",
        last_name="Sample",
        sex="female",
        date_of_birth=datetime.date(1990, 1, 15),
        preferred_hospital=hospital,
    )
    other = PatientFactory(first_name="Otto", last_name="Other")
    login("Receptionist")

    by_name = client.get(reverse("patients:search"), {"q": "sam"})
    by_mrn = client.get(reverse("patients:search"), {"q": other.mrn})

    assert list(by_name.context["page"]) == [jane]
    row = page_text(by_name)
    for shown in [jane.mrn, "Sample, Jane", "01/15/1990", str(jane.age), "Female", jane.phone, "Springfield Memorial"]:
        assert shown in row
    assert other.mrn not in row
    assert list(by_mrn.context["page"]) == [other]


def test_search_hides_inactive_patients_unless_asked(client, login):
    active = PatientFactory(last_name="Zephyr")
    inactive = PatientFactory(last_name="Zephyr", is_active=False)
    login("Nurse")

    default = client.get(reverse("patients:search"), {"q": "zephyr"})
    including = client.get(reverse("patients:search"), {"q": "zephyr", "inactive": "on"})

    assert list(default.context["page"]) == [active]
    assert set(including.context["page"]) == {active, inactive}
    assert "Inactive" in page_text(including)


def test_search_pages_25_patients_at_a_time_and_keeps_the_query_in_page_links(client, login):
    PatientFactory.create_batch(30, last_name="Pager")
    PatientFactory(last_name="Unrelated")
    login("Receptionist")

    first = client.get(reverse("patients:search"), {"q": "pager"})
    second = client.get(reverse("patients:search") + first.context["page"].next_url)
    back = client.get(reverse("patients:search") + second.context["page"].previous_url)

    assert len(first.context["page"]) == 25 and len(second.context["page"]) == 5
    assert {p.pk for p in first.context["page"]} | {p.pk for p in second.context["page"]} == set(
        Patient.objects.filter(last_name="Pager").values_list("pk", flat=True)
    )
    assert [p.pk for p in back.context["page"]] == [p.pk for p in first.context["page"]]
    assert "30 patients matching" in page_text(first)
    assert "?q=pager&amp;cursor=" in page_text(first) and "Next ›" in page_text(first)
    assert "‹ Previous" in page_text(second) and "Next ›" not in page_text(second)


def test_a_search_finding_more_than_the_cap_says_so_and_asks_to_narrow_it(client, login, monkeypatch):
    import patients.views

    monkeypatch.setattr(patients.views, "SEARCH_COUNT_CAP", 5)
    PatientFactory.create_batch(7, last_name="Common")
    PatientFactory.create_batch(3, last_name="Rare")
    login("Receptionist")

    common = page_text(client.get(reverse("patients:search"), {"q": "common"}))
    rare = page_text(client.get(reverse("patients:search"), {"q": "rare"}))

    assert "5+ patients matching" in common and "narrow the search" in common
    assert "3 patients matching" in rare and "narrow the search" not in rare


def test_search_matches_a_first_name_a_last_name_or_an_mrn_in_one_list_by_name(client, login):
    by_first = PatientFactory(first_name="Kellan", last_name="Adams")
    by_last = PatientFactory(first_name="Zoe", last_name="Kelley")
    both = PatientFactory(first_name="Kelly", last_name="Kellerman")
    by_mrn = PatientFactory(first_name="Ann", last_name="Zed")
    PatientFactory(first_name="Other", last_name="Person")
    login("Receptionist")

    found = client.get(reverse("patients:search"), {"q": "kel"})
    found_by_mrn = client.get(reverse("patients:search"), {"q": by_mrn.mrn})

    assert list(found.context["page"]) == [by_first, both, by_last]  # by last name, each patient once
    assert "3 patients matching" in page_text(found)
    assert list(found_by_mrn.context["page"]) == [by_mrn]


def test_search_with_two_words_finds_the_patients_matching_both(client, login):
    jane_smith = PatientFactory(first_name="Jane", last_name="Smithson")
    PatientFactory(first_name="John", last_name="Smithson")
    PatientFactory(first_name="Jane", last_name="Doe")
    login("Receptionist")

    either_order = [client.get(reverse("patients:search"), {"q": q}) for q in ("smith jan", "jan smith")]

    assert [list(r.context["page"]) for r in either_order] == [[jane_smith], [jane_smith]]


def test_search_pages_walk_a_mix_of_first_and_last_name_matches_without_gaps(client, login):
    for i in range(20):
        PatientFactory(first_name=f"Quill{i:02}", last_name=f"A{i:02}")
        PatientFactory(first_name="Bo", last_name=f"Quill{i:02}")
    login("Receptionist")
    expected = list(Patient.objects.filter(pk__in=Patient.objects.all()).order_by("last_name", "first_name", "mrn"))

    first = client.get(reverse("patients:search"), {"q": "quill"})
    second = client.get(reverse("patients:search") + first.context["page"].next_url)
    back = client.get(reverse("patients:search") + second.context["page"].previous_url)

    assert list(first.context["page"]) + list(second.context["page"]) == expected
    assert list(back.context["page"]) == list(first.context["page"])
    assert "40 patients matching" in page_text(first)


def test_search_reads_each_way_a_word_matches_without_an_or_of_the_three_columns(client, login):
    """``mrn = x OR first_name LIKE 'x%' OR last_name LIKE 'x%'`` sorted by name walks the whole name index
    (230 ms for "Smi" among 100k patients); each way reads its own index, the union is cut to the page."""
    smith = PatientFactory(first_name="Ann", last_name="Smithers")
    login("Receptionist")

    with query_counter() as queries:
        response = client.get(reverse("patients:search"), {"q": "smi"})

    assert list(response.context["page"]) == [smith]
    reads = [q["sql"] for q in queries.captured_queries if "FROM `patients_patient` WHERE" in q["sql"]]
    assert reads and not [sql for sql in reads if " OR " in sql]


def test_search_runs_the_same_number_of_queries_for_3_or_30_patients(client, login):
    login("Receptionist")
    PatientFactory.create_batch(3)  # each with its own preferred hospital
    small = query_count(client, reverse("patients:search"))
    PatientFactory.create_batch(27)

    large = query_count(client, reverse("patients:search"))

    assert small == large


def test_patient_page_runs_the_same_number_of_queries_for_small_and_large_charts(client, login):
    login("Administrator")
    patient = PatientFactory()
    for factory in (AllergyFactory, MedicalHistoryEntryFactory, InsurancePolicyFactory):
        factory(patient=patient)
    small = query_count(client, reverse("patients:detail", args=[patient.pk]))
    AllergyFactory.create_batch(6, patient=patient)
    MedicalHistoryEntryFactory.create_batch(6, patient=patient)
    InsurancePolicyFactory.create_batch(6, patient=patient, is_primary=False)

    large = query_count(client, reverse("patients:detail", args=[patient.pk]))

    assert small == large


# --- registration ------------------------------------------------------------------------------------------------


def test_registration_creates_one_patient_with_an_mrn_audited_to_the_receptionist(client, login, form_data):
    receptionist = login("Receptionist")

    response = client.post(reverse("patients:register"), form_data, follow=True)

    patient = Patient.objects.get()
    assert re.fullmatch(r"\d{8}", patient.mrn)
    assert (patient.first_name, patient.last_name, patient.date_of_birth) == ("Jane", "Doe", datetime.date(1985, 4, 12))
    assert patient.preferred_hospital.name == "Boston General"
    assert patient.registered_by == receptionist
    assert [(h.history_type, h.history_user) for h in patient.history.all()] == [("+", receptionist)]
    assert response.redirect_chain == [(reverse("patients:detail", args=[patient.pk]), 302)]
    assert f"Registered Jane Doe with MRN {patient.mrn}." in page_text(response)


def test_a_possible_duplicate_is_shown_and_saved_only_when_confirmed(client, login, form_data):
    existing = PatientFactory(first_name="Jane", last_name="Doe", date_of_birth=datetime.date(1985, 4, 12))
    login("Receptionist")

    warned = client.post(reverse("patients:register"), form_data)

    assert warned.status_code == 409
    assert Patient.objects.count() == 1
    text = page_text(warned)
    assert "Possible duplicate" in text
    assert existing.mrn in text and "04/12/1985" in text
    assert "Register anyway" in text
    assert 'value="Jane"' in text  # the form keeps what was typed

    confirmed = client.post(reverse("patients:register"), {**form_data, "allow_duplicate": "on"})

    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2
    new = Patient.objects.exclude(pk=existing.pk).get()
    assert new.mrn != existing.mrn
    assert confirmed["Location"] == reverse("patients:detail", args=[new.pk])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_name", "", "This field is required."),
        ("date_of_birth", "2999-01-01", "The date of birth cannot be in the future."),
        ("date_of_birth", "not a date", "Enter a valid date."),
        ("phone", "call me", "Enter a phone number"),
        ("postal_code", "ABCDE", "Enter a zip code"),
        ("email", "jane@", "Enter a valid email address."),
        ("sex", "robot", "Select a valid choice."),
    ],
)
def test_a_bad_field_shows_its_error_and_registers_nobody(client, login, form_data, field, value, message):
    login("Receptionist")

    response = client.post(reverse("patients:register"), {**form_data, field: value})

    assert response.status_code == 400
    assert Patient.objects.count() == 0
    assert message in page_text(response)
    assert "Nothing was saved." in page_text(response)
    assert response.context["form"].errors.keys() == {field}


# --- detail ------------------------------------------------------------------------------------------------------


def test_the_patient_page_shows_demographics_contact_and_chart(client, login):
    patient = PatientFactory(first_name="Ada", last_name="Lovelace", emergency_contact_name="Charles Babbage")
    AllergyFactory(patient=patient, substance="Penicillin", severity=AllergySeverity.LIFE_THREATENING)
    AllergyFactory(patient=patient, substance="Latex", severity=AllergySeverity.MILD, is_active=False)
    MedicalHistoryEntryFactory(patient=patient, condition="Asthma")
    InsurancePolicyFactory(patient=patient, payer_name="Aetna", policy_number="POL-1", is_primary=True)
    InsurancePolicyFactory(
        patient=patient,
        payer_name="Cigna",
        policy_number="POL-OLD",
        is_primary=False,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2020, 12, 31),
    )
    login("Administrator")

    response = client.get(reverse("patients:detail", args=[patient.pk]))

    text = page_text(response)
    for shown in [patient.mrn, "Lovelace, Ada", "Charles Babbage", "Spouse or partner", "Asthma", "Aetna", "POL-OLD"]:
        assert shown in text
    assert '<span class="badge danger">Life-threatening</span>' in text
    assert "Latex" not in text  # inactive allergies are hidden by default
    assert '<span class="badge ok">Primary</span>' in text
    assert '<span class="badge danger">Expired</span>' in text
    assert reverse("patients:edit", args=[patient.pk]) in text

    with_inactive = client.get(reverse("patients:detail", args=[patient.pk]), {"allergies": "all"})
    assert "Latex" in page_text(with_inactive)


# Chart section of the staff patient page -> the model whose view permission (in the role table) shows it.
CHART_SECTIONS = {"allergies": "patients.allergy", "history": "patients.medicalhistoryentry",
                  "insurance": "patients.insurancepolicy"}


def table_may_view(role, label):
    return "v" in ROLE_PERMISSIONS.get(role, {}).get(label, "")


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_patient_page_shows_only_the_chart_sections_the_role_table_lets_a_role_view(client, login, role):
    patient = PatientFactory()
    AllergyFactory(patient=patient, substance="Peanuts")
    MedicalHistoryEntryFactory(patient=patient, condition="Hypertension")
    InsurancePolicyFactory(patient=patient, payer_name="UnitedHealthcare")
    login(role)

    text = page_text(client.get(reverse("patients:detail", args=[patient.pk])))

    markers = {"allergies": "Peanuts", "history": "Hypertension", "insurance": "UnitedHealthcare"}
    shown = {section for section, marker in markers.items() if marker in text}
    assert shown == {section for section, label in CHART_SECTIONS.items() if table_may_view(role, label)}


def test_the_chart_sections_follow_the_minimum_necessary_table():
    """Pinned on purpose: reception reads no clinical facts, clinicians no insurance, billing no clinical facts."""
    sections = {role: {s for s, label in CHART_SECTIONS.items() if table_may_view(role, label)} for role in STAFF_ROLES}
    assert sections == {
        "Administrator": {"allergies", "history", "insurance"},
        "Doctor": {"allergies", "history"},
        "Nurse": {"allergies", "history"},
        "Receptionist": {"insurance"},
        "Billing Clerk": {"insurance"},
        "Pharmacist": {"allergies"},
        "Lab Technician": set(),
    }


def test_the_patient_page_offers_the_add_forms_a_role_may_use(client, login):
    patient = PatientFactory()
    login("Billing Clerk")

    text = page_text(client.get(reverse("patients:detail", args=[patient.pk])))

    assert reverse("patients:insurance_add", args=[patient.pk]) in text
    assert reverse("patients:allergy_add", args=[patient.pk]) not in text
    assert reverse("patients:edit", args=[patient.pk]) not in text


# --- edit, deactivate, chart entries -----------------------------------------------------------------------------


def test_editing_a_patient_saves_the_change_with_a_history_row_of_the_editor(client, login):
    patient = PatientFactory(phone="(617) 555-0100")
    receptionist = login("Receptionist")
    form = client.get(reverse("patients:edit", args=[patient.pk])).context["form"]
    data = {name: value if value is not None else "" for name, value in form.initial.items() if name in form.fields}
    data["date_of_birth"] = patient.date_of_birth.isoformat()

    response = client.post(reverse("patients:edit", args=[patient.pk]), {**data, "phone": "(508) 555-0199"})

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "(508) 555-0199"
    latest = patient.history.first()
    assert (latest.history_type, latest.history_user, latest.phone) == ("~", receptionist, "(508) 555-0199")


def test_a_bad_edit_shows_the_error_and_changes_nothing(client, login):
    patient = PatientFactory(email="kept@example.com")
    history_rows = patient.history.count()
    login("Administrator")
    form = client.get(reverse("patients:edit", args=[patient.pk])).context["form"]
    data = {name: value if value is not None else "" for name, value in form.initial.items() if name in form.fields}
    data["date_of_birth"] = patient.date_of_birth.isoformat()

    response = client.post(reverse("patients:edit", args=[patient.pk]), {**data, "email": "not-an-email"})

    assert response.status_code == 400
    assert "Enter a valid email address." in page_text(response)
    patient.refresh_from_db()
    assert patient.email == "kept@example.com"
    assert patient.history.count() == history_rows


def test_deactivating_keeps_the_record_and_reactivating_restores_it(client, login):
    patient = PatientFactory(last_name="Quill")
    admin = login("Administrator")

    deactivated = client.post(reverse("patients:set_active", args=[patient.pk]), {"active": "0"}, follow=True)

    patient.refresh_from_db()
    assert patient.is_active is False
    assert "This patient is inactive" in page_text(deactivated)
    assert patient.history.first().history_user == admin
    assert list(client.get(reverse("patients:search"), {"q": "quill"}).context["page"]) == []

    client.post(reverse("patients:set_active", args=[patient.pk]), {"active": "1"})

    patient.refresh_from_db()
    assert patient.is_active is True


def test_set_active_accepts_only_post(client, login):
    patient = PatientFactory()
    login("Administrator")

    assert client.get(reverse("patients:set_active", args=[patient.pk])).status_code == 405
    patient.refresh_from_db()
    assert patient.is_active is True


def test_a_nurse_adds_an_allergy_from_the_patient_page(client, login):
    patient = PatientFactory()
    nurse = login("Nurse")

    response = client.post(
        reverse("patients:allergy_add", args=[patient.pk]),
        {"substance": "Shellfish", "reaction": "Anaphylaxis", "severity": "life_threatening", "noted_on": "2024-02-03"},
        follow=True,
    )

    allergy = Allergy.objects.get(patient=patient)
    assert (allergy.substance, allergy.severity, allergy.noted_on) == (
        "Shellfish",
        "life_threatening",
        datetime.date(2024, 2, 3),
    )
    assert allergy.history.get().history_user == nurse
    assert "Added the allergy" in page_text(response)
    assert "Shellfish" in page_text(response)


def test_a_doctor_adds_a_history_entry_and_a_future_onset_is_refused(client, login):
    patient = PatientFactory()
    doctor = login("Doctor")
    url = reverse("patients:history_add", args=[patient.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    refused = client.post(url, {"condition": "Gout", "onset_date": tomorrow.isoformat(), "status": "active"})
    accepted = client.post(url, {"condition": "Gout", "onset_date": "2019-05-01", "status": "chronic", "notes": "Diet"})

    assert refused.status_code == 400
    assert "The onset date cannot be in the future." in page_text(refused)
    assert accepted.status_code == 302
    entry = MedicalHistoryEntry.objects.get(patient=patient)
    assert (entry.condition, entry.status) == ("Gout", "chronic")
    assert entry.history.get().history_user == doctor


def test_a_billing_clerk_adds_insurance_and_bad_policies_are_refused(client, login):
    patient = PatientFactory()
    login("Billing Clerk")
    url = reverse("patients:insurance_add", args=[patient.pk])
    policy = {
        "payer": PayerFactory(name="Aetna").pk,
        "policy_number": "AET-123",
        "group_number": "G1",
        "coverage_percent": "80",
        "copay": "20.00",
        "valid_from": "2025-01-01",
        "valid_to": "",
    }

    added = client.post(url, policy)
    repeated = client.post(url, policy)
    backwards = client.post(url, {**policy, "policy_number": "AET-999", "valid_to": "2024-01-01"})
    too_generous = client.post(url, {**policy, "policy_number": "AET-777", "coverage_percent": "120"})

    assert added.status_code == 302
    saved = InsurancePolicy.objects.get(patient=patient)
    assert saved.is_primary  # the first active policy becomes the primary one
    assert repeated.status_code == 400
    assert "This patient already has this policy." in page_text(repeated)
    assert backwards.status_code == 400
    assert "The policy must end on or after the day it starts." in page_text(backwards)
    assert too_generous.status_code == 400
    assert InsurancePolicy.objects.filter(patient=patient).count() == 1


# --- portal ------------------------------------------------------------------------------------------------------


def test_the_portal_shows_a_patient_only_their_own_record(client, login, make_user):
    user = make_user("Patient")
    me = PatientFactory(user=user, first_name="Mina", last_name="Harker")
    AllergyFactory(patient=me, substance="Penicillin")
    AllergyFactory(patient=me, substance="Latex", is_active=False)
    MedicalHistoryEntryFactory(patient=me, condition="Asthma")
    InsurancePolicyFactory(patient=me, payer_name="Aetna")
    someone_else = PatientFactory(first_name="Lucy", last_name="Westenra")
    AllergyFactory(patient=someone_else, substance="Peanuts")
    MedicalHistoryEntryFactory(patient=someone_else, condition="Hypertension")
    InsurancePolicyFactory(patient=someone_else, payer_name="Cigna")
    login(user)

    response = client.get(reverse("portal:profile"))

    assert response.status_code == 200
    text = page_text(response)
    for shown in [me.mrn, "Mina", "Harker", "Penicillin", "Asthma", "Aetna"]:
        assert shown in text
    for hidden in [someone_else.mrn, "Westenra", "Peanuts", "Hypertension", "Cigna", "Latex"]:
        assert hidden not in text


def test_the_portal_tells_a_patient_without_a_linked_record_what_to_do(client, login):
    login("Patient")

    response = client.get(reverse("portal:profile"))

    assert response.status_code == 200
    assert "not linked to a patient record yet" in page_text(response)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_opening_the_portal_are_sent_to_their_start_page(client, login, role):
    login(role)

    response = client.get(reverse("portal:profile"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_portal_needs_a_login(client):
    response = client.get(reverse("portal:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("role", "shown"), [("Doctor", True), ("Nurse", True), ("Receptionist", False)])
def test_the_patient_page_links_to_the_clinical_chart_only_for_clinical_roles(client, login, role, shown):
    patient = PatientFactory()
    login(role)
    body = page_text(client.get(reverse("patients:detail", args=[patient.pk])))
    assert ("Clinical chart" in body) is shown
