"""Minimum necessary: doctors and nurses read full charts only of the patients in their care (an appointment at
their hospital in the window, their own appointments, an assignment), or after breaking the glass."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from clinical.tests.factories import MedicalRecordFactory
from patients import policies, services
from patients.choices import BreakGlassOutcome
from patients.models import BreakGlassGrant
from patients.tests.factories import AllergyFactory, PatientFactory
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db

REASON = "Unconscious patient in the ED, allergies needed"


def appointment_at(user, patient, days, **kwargs):
    """An appointment of ``patient`` at ``user``'s hospital ``days`` from now (with another doctor)."""
    hospital = user.staff_profile.hospital
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    return AppointmentFactory(
        patient=patient, hospital=hospital, doctor=DoctorFactory(hospital=hospital), start=start,
        end=start + datetime.timedelta(minutes=30), **kwargs,
    )


@pytest.fixture
def nurse(make_user):
    return make_user("Nurse")


@pytest.fixture
def patient():
    patient = PatientFactory()
    AllergyFactory(patient=patient, substance="Penicillin")
    return patient


def fresh(user):
    policies.forget_chart_access(user)
    return user


# --- the relationship ------------------------------------------------------------------------------------


def test_a_nurse_without_an_appointment_or_assignment_has_no_care_relationship(nurse, patient):
    assert not policies.may_read_chart(nurse, patient.pk)
    assert policies.access_reason(nurse, patient.pk) is None


def test_an_appointment_at_the_nurses_hospital_within_the_window_gives_one(nurse, patient):
    appointment_at(nurse, patient, days=-10)
    assert policies.may_read_chart(nurse, patient.pk)
    assert policies.access_reason(nurse, patient.pk).startswith("care: appointment")


@pytest.mark.parametrize("days", [-45, 45])
def test_an_appointment_outside_the_window_gives_none(nurse, patient, days):
    appointment_at(nurse, patient, days=days)
    assert not policies.may_read_chart(nurse, patient.pk)


def test_a_cancelled_appointment_gives_none(nurse, patient):
    appointment_at(nurse, patient, days=2, status=AppointmentStatus.CANCELLED)
    assert not policies.may_read_chart(nurse, patient.pk)


def test_an_appointment_at_another_hospital_gives_none(nurse, patient):
    AppointmentFactory(patient=patient, start=timezone.now() + datetime.timedelta(days=1),
                       end=timezone.now() + datetime.timedelta(days=1, minutes=30))
    assert not policies.may_read_chart(nurse, patient.pk)


def test_the_doctors_own_appointment_gives_one_however_old(make_user, patient):
    doctor = make_user("Doctor")
    start = timezone.now() - datetime.timedelta(days=400)
    AppointmentFactory(patient=patient, doctor=doctor.staff_profile, start=start,
                       end=start + datetime.timedelta(minutes=30), status=AppointmentStatus.COMPLETED)
    assert "their own visit" in policies.access_reason(doctor, patient.pk)


def test_an_assignment_gives_one_until_it_ends(nurse, patient, admin_user_obj):
    assignment = services.care_assign(patient=patient, user=nurse, reason="Covering ward 3",
                                      acting_user=admin_user_obj)
    assert policies.access_reason(fresh(nurse), patient.pk) == "care: assignment: Covering ward 3"
    services.care_assignment_end(assignment=assignment, acting_user=admin_user_obj)
    assert not policies.may_read_chart(fresh(nurse), patient.pk)
    assert assignment.history.count() == 2


def test_only_roles_the_table_allows_assign_care(nurse, patient, make_user):
    with pytest.raises(PermissionDenied, match="Care assignments"):
        services.care_assign(patient=patient, user=nurse, reason="x", acting_user=make_user("Receptionist"))


@pytest.mark.parametrize("role", ["Administrator", "Receptionist", "Pharmacist", "Lab Technician"])
def test_other_roles_are_not_restricted_by_care(make_user, patient, role):
    assert policies.may_read_chart(make_user(role), patient.pk)


# --- what a nurse without a relationship sees ---------------------------------------------------------------


def test_the_patient_page_shows_a_nurse_demographics_and_the_break_glass_action_only(client, nurse, patient):
    client.force_login(nurse)
    response = client.get(patient.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert patient.mrn in html and 'id="break-glass"' in html
    assert "Penicillin" not in html and 'id="allergies"' not in html


def test_the_chart_and_visit_pages_answer_403_with_demographics_and_the_break_glass_action(client, nurse, patient):
    other = AppointmentFactory(patient=patient)  # another hospital
    client.force_login(nurse)
    for url in (reverse("clinical:chart", args=[patient.pk]), reverse("clinical:visit", args=[other.pk])):
        response = client.get(url)
        assert response.status_code == 403, url
        html = response.content.decode()
        assert patient.last_name in html and "Break the glass" in html and "Penicillin" not in html


def test_the_api_gives_a_nurse_demographics_and_no_clinical_rows(api_as, nurse, patient):
    record = MedicalRecordFactory(appointment__patient=patient)
    api = api_as(nurse)
    detail = api.get(f"/api/v1/patients/{patient.pk}/").data
    assert detail["chart_access"] == "demographics"
    assert detail["allergies"] is None and detail["medical_history"] is None
    assert detail["mrn"] == patient.mrn
    assert api.get("/api/v1/allergies/").data["results"] == []
    assert api.get("/api/v1/medical-records/").data["results"] == []
    assert api.get(f"/api/v1/medical-records/{record.pk}/").status_code == 404
    history = api.get(f"/api/v1/patients/{patient.pk}/history/")
    assert history.status_code == 403
    assert history.data["code"] == "chart_restricted"
    assert history.data["break_glass"].endswith(f"/api/v1/patients/{patient.pk}/break-glass/")


def test_the_api_lists_a_nurse_the_rows_of_the_patients_in_their_care(api_as, nurse, patient):
    mine = AllergyFactory(patient=PatientFactory(), substance="Latex")
    appointment_at(nurse, mine.patient, days=1)
    AllergyFactory(substance="Peanuts")
    api = api_as(nurse)
    assert [row["substance"] for row in api.get("/api/v1/allergies/").data["results"]] == ["Latex"]
    assert api.get(f"/api/v1/patients/{mine.patient.pk}/").data["chart_access"] == "full"


# --- breaking the glass ---------------------------------------------------------------------------------------


def test_breaking_the_glass_needs_a_reason_of_some_length(client, nurse, patient):
    client.force_login(nurse)
    response = client.post(reverse("patients:break_glass", args=[patient.pk]), {"reason": "need it"})
    assert response.status_code == 400
    assert "at least" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_breaking_the_glass_opens_the_chart_for_a_time_and_names_the_reason(client, nurse, patient):
    client.force_login(nurse)
    response = client.post(reverse("patients:break_glass", args=[patient.pk]), {"reason": REASON})
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get()
    assert grant.user == nurse and grant.patient == patient
    assert grant.expires_at - grant.started_at == datetime.timedelta(hours=4)
    html = client.get(patient.get_absolute_url()).content.decode()
    assert "Penicillin" in html and 'id="break-glass-banner"' in html
    assert client.get(reverse("clinical:chart", args=[patient.pk])).status_code == 200
    assert policies.access_reason(fresh(nurse), patient.pk) == f"break-glass: {REASON}"
    assert grant.history.first().history_user == nurse


def test_a_break_glass_grant_expires(nurse, patient):
    long_ago = timezone.now() - datetime.timedelta(hours=5)
    services.break_glass(patient=patient, reason=REASON, acting_user=nurse, now=long_ago)
    assert not policies.may_read_chart(fresh(nurse), patient.pk)
    services.break_glass(patient=patient, reason=REASON, acting_user=nurse)
    assert policies.may_read_chart(fresh(nurse), patient.pk)
    assert BreakGlassGrant.objects.count() == 2


def test_the_api_breaks_the_glass_too(api_as, nurse, patient):
    api = api_as(nurse)
    assert api.post(f"/api/v1/patients/{patient.pk}/break-glass/", {"reason": "x"}).status_code == 400
    response = api.post(f"/api/v1/patients/{patient.pk}/break-glass/", {"reason": REASON})
    assert response.status_code == 201, response.data
    assert response.data["reason"] == REASON
    api.user.__dict__.pop("_hms_chart_access", None)
    assert api.get(f"/api/v1/patients/{patient.pk}/history/").status_code == 200
    assert api.get(f"/api/v1/patients/{patient.pk}/").data["allergies"][0]["substance"] == "Penicillin"


@pytest.mark.parametrize("role", ["Receptionist", "Administrator"])
def test_unrestricted_roles_do_not_break_the_glass(api_as, patient, role):
    response = api_as(role).post(f"/api/v1/patients/{patient.pk}/break-glass/", {"reason": REASON})
    assert response.status_code == 403


# --- the privacy officer --------------------------------------------------------------------------------


def test_the_privacy_officer_reviews_grants_on_their_page(client, make_user, nurse, patient):
    grant = services.break_glass(patient=patient, reason=REASON, acting_user=nurse)
    officer = make_user("Privacy Officer")
    client.force_login(officer)
    page = client.get(reverse("patients:break_glass_reviews"))
    assert page.status_code == 200 and REASON in page.content.decode()
    response = client.post(reverse("patients:break_glass_review", args=[grant.pk]),
                           {"outcome": BreakGlassOutcome.APPROPRIATE, "note": "ED admission confirmed"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == officer and grant.outcome == BreakGlassOutcome.APPROPRIATE
    assert REASON not in client.get(reverse("patients:break_glass_reviews")).content.decode()
    assert REASON in client.get(reverse("patients:break_glass_reviews") + "?reviewed=1").content.decode()


def test_an_inappropriate_review_needs_a_note_and_others_may_not_review(make_user, nurse, patient):
    grant = services.break_glass(patient=patient, reason=REASON, acting_user=nurse)
    with pytest.raises(PermissionDenied, match="privacy officer"):
        services.break_glass_review(grant=grant, outcome="appropriate", note="", acting_user=make_user("Doctor"))
    with pytest.raises(ValidationError, match="what was wrong"):
        services.break_glass_review(grant=grant, outcome="inappropriate", note="",
                                    acting_user=make_user("Privacy Officer"))


def test_the_break_glass_review_page_is_refused_to_clinical_staff(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("patients:break_glass_reviews")).status_code == 403


@override_settings(PRIVACY_OFFICER_EMAILS=["privacy@hms.example"],
                   EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_the_digest_prints_and_emails_the_days_grants(nurse, patient):
    today = timezone.localdate()
    services.break_glass(patient=patient, reason=REASON, acting_user=nurse)
    yesterday = timezone.now() - datetime.timedelta(days=2)
    services.break_glass(patient=PatientFactory(), reason="Another day, another reason", acting_user=nurse,
                         now=yesterday)
    out = StringIO()
    call_command("break_glass_digest", "--date", today.isoformat(), stdout=out)
    text = out.getvalue()
    assert "1 grant." in text and REASON in text and patient.mrn in text
    assert "Another day" not in text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["privacy@hms.example"]
    assert REASON in mail.outbox[0].body


def test_the_digest_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("break_glass_digest", "--date", "yesterday", stdout=StringIO())


def test_the_access_log_names_why_a_restricted_user_read_the_chart(client, nurse, patient):
    """The read audit's "why": the break-glass reason (or the care relationship) the chart check found."""
    from hms.access_models import AccessEntry

    client.force_login(nurse)
    client.post(reverse("patients:break_glass", args=[patient.pk]), {"reason": REASON})
    assert client.get(reverse("clinical:chart", args=[patient.pk])).status_code == 200
    entry = AccessEntry.objects.filter(patient_id=patient.pk, user_id=nurse.pk).order_by("-id").first()
    assert entry is not None and entry.reason == f"break-glass: {REASON}"

    appointment_at(nurse, patient, days=1)
    policies.forget_chart_access(nurse)
    other = PatientFactory()
    appointment_at(nurse, other, days=1)
    assert client.get(reverse("clinical:chart", args=[other.pk])).status_code == 200
    entry = AccessEntry.objects.filter(patient_id=other.pk, user_id=nurse.pk).order_by("-id").first()
    assert entry is not None and entry.reason.startswith("care: appointment")
