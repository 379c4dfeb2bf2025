"""Back office: clinical rows are read-only with their history; catalogs are edited and audited; nothing deleted."""

import pytest
from django.urls import reverse

from clinical.models import LabTest, ProcedureCatalog
from clinical.tests.factories import (
    DiagnosisFactory,
    LabResultFactory,
    MedicationFactory,
    PrescriptionFactory,
    ProcedureFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)

pytestmark = pytest.mark.django_db

READ_ONLY = ["medicalrecord", "diagnosis", "procedure", "prescription", "laborder", "labresult", "vitals"]


@pytest.fixture
def rows():
    diagnosis = DiagnosisFactory()
    record = diagnosis.record
    return {
        "medicalrecord": record,
        "diagnosis": diagnosis,
        "procedure": ProcedureFactory(record=record),
        "prescription": PrescriptionFactory(record=record),
        "labresult": (result := LabResultFactory(order__record=record)),
        "laborder": result.order,
        "vitals": VitalsFactory(patient=record.patient),
        "item": MedicationFactory(),
    }


@pytest.mark.parametrize("model", READ_ONLY)
def test_clinical_rows_are_listed_and_shown_read_only_with_their_history(admin_client, rows, model):
    row = rows[model]

    listing = admin_client.get(reverse(f"admin:clinical_{model}_changelist"))
    page = admin_client.get(reverse(f"admin:clinical_{model}_change", args=[row.pk]))
    history = admin_client.get(reverse(f"admin:clinical_{model}_history", args=[row.pk]))
    delete = admin_client.get(reverse(f"admin:clinical_{model}_delete", args=[row.pk]))
    add = admin_client.get(reverse(f"admin:clinical_{model}_add"))

    assert (listing.status_code, page.status_code, history.status_code) == (200, 200, 200)
    assert 'name="_save"' not in page.content.decode()
    assert (delete.status_code, add.status_code) == (403, 403)
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", READ_ONLY)
def test_a_superuser_has_no_save_path_for_clinical_content_in_the_admin(admin_client, rows, model):
    row = rows[model]
    before = (type(row).objects.count(), type(row).history.count())

    change = admin_client.post(reverse(f"admin:clinical_{model}_change", args=[row.pk]), {"clinical_notes": "x"})
    add = admin_client.post(reverse(f"admin:clinical_{model}_add"), {})
    listing = admin_client.get(reverse(f"admin:clinical_{model}_changelist"))

    assert (change.status_code, add.status_code) == (403, 403)
    assert listing.context["action_form"] is None  # no actions at all, so no "delete selected" either
    assert (type(row).objects.count(), type(row).history.count()) == before


def test_a_superuser_cannot_amend_another_doctors_signed_record_in_the_admin(admin_client):
    record = SignedMedicalRecordFactory()
    notes = record.clinical_notes

    response = admin_client.post(
        reverse("admin:clinical_medicalrecord_change", args=[record.pk]),
        {"clinical_notes": "Rewritten", "amendment_reason": "Correction"},
    )

    assert response.status_code == 403
    record.refresh_from_db()
    assert record.clinical_notes == notes and record.amended_at is None


def test_catalog_entries_are_added_in_the_admin_with_the_author_in_history(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:clinical_procedurecatalog_add"),
        {"code": "99215", "description": "Office visit, high complexity", "price": "210.00", "is_active": "on"},
    )

    assert response.status_code == 302
    entry = ProcedureCatalog.objects.get(code="99215")
    assert entry.history.get().history_user == admin_user


def test_catalogs_and_items_cannot_be_deleted_in_the_admin(admin_client, rows):
    test = LabTest.objects.first() or rows["labresult"].order.test
    item = rows["item"]

    assert admin_client.get(reverse("admin:clinical_labtest_delete", args=[test.pk])).status_code == 403
    assert admin_client.get(reverse("admin:catalog_item_delete", args=[item.pk])).status_code == 403
    assert admin_client.get(reverse("admin:catalog_item_changelist")).status_code == 200
