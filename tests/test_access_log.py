"""The read audit (issue 14): each view of patient data leaves exactly the expected access log rows, a failed
request leaves none, the rows cannot be changed or deleted, and the privacy officer, the API, audit_report and
the patient's portal read them."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse

from billing import services as billing_services
from billing.tests.factories import BillFactory, BillLineFactory
from clinical.tests.factories import VitalsFactory
from conftest import admin_url
from hms.access_models import AccessEntry, AccessKind, SecurityEvent, SecurityEventKind
from hms.append_only import AuditRowImmutable
from hms.roles import PRIVACY_OFFICER
from patients.models import Patient
from patients.tests.factories import AllergyFactory, PatientFactory
from staff.tests.factories import UserFactory

# The read audit itself (not minimum necessary): clinicians read every chart here, as before care relationships.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_care_restriction")]


def entries():
    return list(AccessEntry.objects.order_by("id"))


def test_a_chart_read_leaves_one_entry_naming_the_user_the_patient_and_the_address(page_as, make_user):
    doctor = make_user("Doctor")
    patient = PatientFactory()
    client = page_as(doctor)

    response = client.get(reverse("patients:detail", args=[patient.pk]), HTTP_USER_AGENT="pytest-browser")

    assert response.status_code == 200
    [entry] = entries()
    assert (entry.kind, entry.what, entry.patient_id, entry.mrn) == (
        "chart",
        "patients.patient",
        patient.pk,
        patient.mrn,
    )
    assert (entry.user_id, entry.username, entry.roles) == (doctor.pk, doctor.username, "Doctor")
    assert entry.ip == "127.0.0.1" and entry.user_agent == "pytest-browser" and entry.method == "GET"


def test_an_api_list_leaves_one_entry_per_patient_with_the_rows_of_each(api_as):
    first, second = PatientFactory(), PatientFactory()
    a1, a2 = AllergyFactory(patient=first), AllergyFactory(patient=first)
    b1 = AllergyFactory(patient=second)
    client = api_as("Doctor")

    response = client.get("/api/v1/allergies/")

    assert response.status_code == 200
    rows = {e.patient_id: e for e in entries()}
    assert set(rows) == {first.pk, second.pk}
    assert {e.kind for e in rows.values()} == {AccessKind.API_LIST}
    assert sorted(rows[first.pk].object_ids.split(",")) == sorted([str(a1.pk), str(a2.pk)])
    assert rows[second.pk].object_ids == str(b1.pk)
    assert rows[first.pk].mrn == first.mrn and rows[second.pk].mrn == second.mrn
    assert len({e.request_id for e in rows.values()}) == 1


def test_an_api_detail_leaves_one_entry(api_as):
    patient = PatientFactory()
    response = api_as("Nurse").get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 200
    [entry] = entries()
    assert (entry.kind, entry.what, entry.patient_id, entry.object_ids) == (
        "api_detail",
        "patients.patient",
        patient.pk,
        str(patient.pk),
    )


def test_a_search_page_leaves_the_terms_and_each_patient_found(page_as):
    found = PatientFactory(last_name="Zebedee")
    PatientFactory(last_name="Other")

    response = page_as("Receptionist").get(reverse("patients:search"), {"q": "Zebedee"})

    assert response.status_code == 200
    [entry] = entries()
    assert (entry.kind, entry.terms, entry.patient_id) == ("search", "Zebedee", found.pk)


def test_a_search_that_finds_nobody_still_records_the_terms(page_as):
    page_as("Receptionist").get(reverse("patients:search"), {"q": "Nobodyhere"})
    [entry] = entries()
    assert (entry.kind, entry.terms, entry.patient_id) == ("search", "Nobodyhere", None)


def test_an_invoice_pdf_leaves_one_pdf_entry(page_as):
    bill = BillFactory()
    BillLineFactory(bill=bill, unit_price=Decimal("10.00"))
    bill = billing_services.bill_issue(bill=bill, acting_user=UserFactory())
    AccessEntry.objects.all()  # nothing yet
    response = page_as("Billing Clerk").get(reverse("billing:invoice_pdf", args=[bill.pk]))
    assert response.status_code == 200
    [entry] = entries()
    assert (entry.kind, entry.what, entry.patient_id, entry.object_ids) == (
        "pdf",
        "billing.bill",
        bill.patient_id,
        str(bill.pk),
    )


def test_an_admin_change_view_and_changelist_leave_their_entries(client, admin_user_obj):
    patient = PatientFactory()
    vitals = VitalsFactory(patient=patient)
    client.force_login(admin_user_obj)

    assert client.get(admin_url(Patient, "change", patient.pk)).status_code == 200
    [entry] = entries()
    assert (entry.kind, entry.patient_id, entry.mrn) == ("admin", patient.pk, patient.mrn)

    assert client.get(admin_url(type(vitals), "changelist")).status_code == 200
    last = entries()[-1]
    assert (last.kind, last.what, last.patient_id, last.object_ids) == (
        "admin_list",
        "clinical.vitals",
        patient.pk,
        str(vitals.pk),
    )


def test_a_refused_or_missing_read_leaves_no_entry(page_as, api_as):
    patient = PatientFactory()
    assert page_as("Pharmacist").get(reverse("clinical:visit", args=[999999])).status_code in (403, 404)
    assert api_as("Insurer").get(f"/api/v1/patients/{patient.pk}/").status_code == 403
    assert api_as("Doctor").get("/api/v1/patients/999999/").status_code == 404
    assert entries() == []


def test_when_the_log_cannot_be_written_the_data_is_withheld_and_the_entries_are_logged(api_as, monkeypatch, caplog):
    patient = PatientFactory()
    client = api_as("Doctor")

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AccessEntry.objects, "bulk_create", broken)
    response = client.get(f"/api/v1/patients/{patient.pk}/")

    assert response.status_code == 503
    assert patient.first_name not in response.content.decode()
    assert patient.mrn in caplog.text and "access log write failed" in caplog.text


def test_log_rows_cannot_be_changed_or_deleted_through_the_model(page_as):
    page_as("Doctor").get(reverse("patients:detail", args=[PatientFactory().pk]))
    entry = AccessEntry.objects.get()
    entry.reason = "edited"
    with pytest.raises(AuditRowImmutable):
        entry.save()
    with pytest.raises(AuditRowImmutable):
        entry.delete()
    with pytest.raises(AuditRowImmutable):
        AccessEntry.objects.update(reason="x")
    with pytest.raises(AuditRowImmutable):
        AccessEntry.objects.all().delete()
    assert AccessEntry.objects.get().reason == ""


def test_nobody_changes_or_deletes_log_rows_in_the_admin_superusers_included(client, admin_user_obj):
    event = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, username="x")
    client.force_login(admin_user_obj)
    assert client.get(admin_url(SecurityEvent, "change", event.pk)).status_code == 200  # view only
    response = client.post(admin_url(SecurityEvent, "change", event.pk), {"username": "y"})
    assert response.status_code == 403
    assert client.post(admin_url(SecurityEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert client.get(admin_url(SecurityEvent, "add")).status_code == 403
    event.refresh_from_db()
    assert event.username == "x"


def test_the_log_api_is_read_only_for_everyone(api_as, admin_user_obj):
    event = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, username="x")
    client = api_as(admin_user_obj)
    for url in ("/api/v1/access-log/", "/api/v1/security-events/"):
        assert client.post(url, {}, format="json").status_code == 405
    detail = f"/api/v1/security-events/{event.pk}/"
    assert client.patch(detail, {"username": "y"}, format="json").status_code == 405
    assert client.delete(detail).status_code == 405


def test_the_privacy_officer_finds_who_saw_a_patient_by_mrn_user_and_date(page_as, make_user):
    patient, other = PatientFactory(), PatientFactory()
    nurse = make_user("Nurse")
    nurse_client = page_as(nurse)
    nurse_client.get(reverse("patients:detail", args=[patient.pk]))
    nurse_client.get(reverse("patients:detail", args=[other.pk]))
    officer = page_as(PRIVACY_OFFICER)

    response = officer.get(reverse("privacy:access_log"), {"mrn": patient.mrn})
    assert response.status_code == 200
    assert [e.patient_id for e in response.context["page"]] == [patient.pk]
    assert nurse.username in response.content.decode()

    by_user = officer.get(reverse("privacy:access_log"), {"username": nurse.username, "date_from": "2000-01-01"})
    assert {e.patient_id for e in by_user.context["page"]} == {patient.pk, other.pk}
    assert officer.get(reverse("privacy:access_log"), {"date_from": "9999-12-31x"}).status_code == 400
    assert page_as("Doctor").get(reverse("privacy:access_log")).status_code == 403


def test_the_failed_login_report_lists_failures_and_lockouts(client, page_as, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="victim")
    for _ in range(3):
        client.post(reverse("login"), {"username": "victim", "password": "wrong"})
    response = page_as(PRIVACY_OFFICER).get(reverse("privacy:failed_logins"))
    assert response.status_code == 200
    kinds = [e.kind for e in response.context["page"]]
    assert SecurityEventKind.LOGIN_FAILED in kinds and SecurityEventKind.LOCKOUT in kinds
    assert all(e.username == "victim" for e in response.context["page"])


def test_the_siem_api_filters_the_access_log_by_mrn(api_as, page_as):
    patient = PatientFactory()
    page_as("Doctor").get(reverse("patients:detail", args=[patient.pk]))
    page_as("Doctor").get(reverse("patients:detail", args=[PatientFactory().pk]))
    response = api_as(PRIVACY_OFFICER).get("/api/v1/access-log/", {"mrn": patient.mrn})
    assert response.status_code == 200
    assert [row["patient_id"] for row in response.data["results"]] == [patient.pk]
    assert api_as("Doctor").get("/api/v1/access-log/").status_code == 403


def test_audit_report_writes_who_saw_a_patient_as_csv_and_json(page_as, make_user):
    patient = PatientFactory()
    nurse = make_user("Nurse")
    page_as(nurse).get(reverse("patients:detail", args=[patient.pk]))

    out = StringIO()
    call_command("audit_report", "--patient", patient.mrn, "--format", "json", stdout=out)
    [row] = json.loads(out.getvalue())
    assert (row["username"], row["mrn"], row["kind"]) == (nurse.username, patient.mrn, "chart")

    out = StringIO()
    call_command("audit_report", "--user", nurse.username, "--from", "2000-01-01", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("id,at,") and len(lines) == 2 and patient.mrn in lines[1]


def test_audit_report_refuses_bad_dates():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("audit_report", "--user", "x", "--from", "2020-13-01", stdout=StringIO())


def test_the_patient_sees_who_opened_their_record_without_addresses(page_as, make_user):
    user = make_user("Patient")
    patient = PatientFactory(user=user)
    doctor = make_user("Doctor", first_name="Gregory", last_name="House")
    page_as(doctor).get(reverse("patients:detail", args=[patient.pk]))
    page_as("Doctor").get(reverse("patients:detail", args=[PatientFactory().pk]))  # someone else's record

    response = page_as(user).get(reverse("portal:access_history"))

    assert response.status_code == 200
    [entry] = response.context["page"]
    html = response.content.decode()
    assert "Gregory House" in html and "Doctor" in html and "127.0.0.1" not in html
    assert entry.patient_id == patient.pk


def test_security_events_record_logins_password_and_role_changes(client, make_user):
    from django.contrib.auth.models import Group

    user = UserFactory(username="sam")
    user.set_password("a-good-password-1")
    user.save()
    assert client.post(reverse("login"), {"username": "sam", "password": "a-good-password-1"}).status_code == 302
    user.groups.add(Group.objects.get(name="Nurse"))
    user.groups.remove(Group.objects.get(name="Nurse"))
    kinds = list(SecurityEvent.objects.filter(username="sam").order_by("id").values_list("kind", "detail"))
    assert kinds == [
        ("password_changed", ""),
        ("login", ""),
        ("role_added", "Nurse"),
        ("role_removed", "Nurse"),
    ]


def _entries_for(patient, count, user=None):
    AccessEntry.objects.bulk_create(
        AccessEntry(
            request_id=f"{i:032x}",
            kind=AccessKind.CHART,
            patient_id=patient.pk,
            mrn=patient.mrn,
            username="nurse",
            user_id=user.pk if user else None,
            roles="Nurse",
        )
        for i in range(count)
    )


@pytest.mark.parametrize("url_name", ["privacy:access_log", "portal:access_history"])
def test_the_log_pages_run_the_same_few_queries_at_3_and_30_entries(page_as, make_user, url_name):
    from conftest import query_counter

    user = make_user("Patient")
    patient = PatientFactory(user=user)
    client = page_as(user if url_name.startswith("portal") else make_user(PRIVACY_OFFICER))
    params = {} if url_name.startswith("portal") else {"mrn": patient.mrn}
    counts = []
    for total in (3, 30):
        _entries_for(patient, total - AccessEntry.objects.filter(patient_id=patient.pk).count())
        client.get(reverse(url_name), params)
        with query_counter() as queries:
            response = client.get(reverse(url_name), params)
        assert response.status_code == 200 and len(response.context["page"]) == min(total, 25)
        counts.append(queries.count)
    assert counts[0] == counts[1] <= 8, counts


def test_a_role_change_in_a_request_names_who_made_it_and_from_where(admin_user_obj, rf):
    from django.contrib.auth.models import Group
    from simple_history.models import HistoricalRecords

    user = UserFactory(username="newnurse")
    request = rf.get("/admin/", REMOTE_ADDR="10.1.2.3")
    request.user = admin_user_obj
    HistoricalRecords.context.request = request
    try:
        user.groups.add(Group.objects.get(name="Nurse"))
    finally:
        del HistoricalRecords.context.request
    event = SecurityEvent.objects.get(username="newnurse", kind=SecurityEventKind.ROLE_ADDED)
    assert (event.actor_username, event.ip, event.detail) == ("root", "10.1.2.3", "Nurse")


def test_a_nested_list_of_another_model_is_noted_through_its_parent(api_as):
    bill = BillFactory()
    BillLineFactory(bill=bill, unit_price=Decimal("10.00"))
    bill = billing_services.bill_issue(bill=bill, acting_user=UserFactory())

    response = api_as("Billing Clerk").get(f"/api/v1/bills/{bill.pk}/payments/")

    assert response.status_code == 200
    [entry] = entries()
    assert (entry.kind, entry.what, entry.patient_id) == ("api_detail", "billing.bill", bill.patient_id)


def test_the_access_log_page_shows_whether_the_audit_trail_was_verified_intact_or_broken(page_as):
    from hms.chain import ChainVerification

    officer = page_as("Privacy Officer")
    url = reverse("privacy:access_log")
    assert "never verified" in officer.get(url).content.decode()

    call_command("seal_audit", stdout=StringIO())
    call_command("verify_audit", stdout=StringIO())
    assert ChainVerification.objects.get().ok
    assert "Audit trail intact" in officer.get(url).content.decode()

    ChainVerification.objects.create(
        ok=False, tables=1, seals=1, rows_sealed=1, rows_pending=0, seconds=0.1, head="x" * 64,
        breaks=[{"table": "patients_historicalpatient", "day": "2026-11-01", "id": 7, "what": "altered"}],
    )
    html = officer.get(url).content.decode()
    assert "Audit trail BROKEN" in html and "patients_historicalpatient" in html and "row 7: altered" in html
