"""Reads of the clinical pages (visit, vitals, lab worklist, chart timeline), scoped to the user.

The timeline itself is clinical.selectors.patient_history (the same one the API serves).
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from clinical.choices import LabOrderStatus, LabResultFlag
from clinical.models import (
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
)
from clinical.selectors import lab_order_queryset_for, vitals_queryset_for
from inventory.models import Item, ItemKind
from patients.models import Allergy
from scheduling.selectors import appointment_queryset_for

PENDING_LAB_STATUSES = (LabOrderStatus.ORDERED, LabOrderStatus.COLLECTED)


def visit_appointment(*, user, pk):
    """The appointment of a visit page, or 404 when the user may not see it."""
    return get_object_or_404(appointment_queryset_for(user), pk=pk)


def visit_record(appointment):
    """The appointment's medical record with everything the visit page lists, or None (a fixed number of queries)."""
    return (
        MedicalRecord.objects.filter(appointment=appointment)
        .select_related("signed_by", "amended_by")
        .prefetch_related(
            Prefetch("diagnoses", queryset=Diagnosis.objects.order_by("-is_primary", "added_at", "id")),
            Prefetch("procedures", queryset=Procedure.objects.order_by("added_at", "id")),
            Prefetch("prescriptions", queryset=Prescription.objects.select_related("medication")),
            Prefetch("lab_orders", queryset=LabOrder.objects.select_related("test", "result__corrected_by")),
        )
        .first()
    )


def visit_vitals(*, user, appointment):
    return list(vitals_queryset_for(user).filter(appointment=appointment))


def active_allergies(patient):
    return list(Allergy.objects.filter(patient=patient, is_active=True).order_by("substance"))


def procedure_choices():
    return ProcedureCatalog.objects.filter(is_active=True).order_by("code")


def lab_test_choices():
    return LabTest.objects.filter(is_active=True).order_by("name")


def medication_choices():
    return Item.objects.filter(kind=ItemKind.MEDICATION, is_active=True).order_by("name", "strength", "code")


def lab_worklist(*, user, status=None):
    """Lab orders of a status (default: pending, i.e. ordered or collected), oldest first; resulted ones newest
    first. Patient, doctor, test and result are joined: one query per page whatever its size."""
    qs = lab_order_queryset_for(user).select_related(
        "record__doctor__user", "record__appointment__hospital", "result__last_call__called_by"
    )
    if status == LabOrderStatus.RESULTED:
        return qs.filter(status=LabOrderStatus.RESULTED).order_by("-resulted_at", "-id")
    statuses = [status] if status in PENDING_LAB_STATUSES else list(PENDING_LAB_STATUSES)
    return qs.filter(status__in=statuses).order_by("ordered_at", "id")


def lab_order_for_work(*, user, pk):
    return get_object_or_404(lab_worklist(user=user, status=LabOrderStatus.COLLECTED), pk=pk)


def lab_order_is_resulted(*, user, pk):
    return lab_worklist(user=user, status=LabOrderStatus.RESULTED).filter(pk=pk).exists()


def lab_order_for_correction(*, user, pk):
    """A resulted order the user may see, with its result and who entered and corrected it, or 404."""
    qs = lab_worklist(user=user, status=LabOrderStatus.RESULTED).select_related(
        "test", "record__patient", "result__resulted_by", "result__corrected_by"
    )
    return get_object_or_404(qs, pk=pk)


def result_for_call(*, user):
    """Critical results the lab phones through, with what the call page shows (patient, test, ordering doctor)."""
    return (
        LabResult.objects.filter(flag=LabResultFlag.CRITICAL)
        .filter(order__in=lab_order_queryset_for(user).order_by().values("pk"))
        .select_related("order__test", "order__record__patient", "doctor__user", "last_call__called_by")
    )
