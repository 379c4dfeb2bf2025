"""Reads of the clinical pages (visit, vitals, lab worklist, chart timeline), scoped to the user.

The timeline itself is clinical.selectors.patient_history (the same one the API serves).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from catalog.models import Item, ItemKind
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
    RecordAmendment,
    Vitals,
)
from clinical.selectors import lab_order_queryset_for, vitals_queryset_for
from hms.typing import AnyUser
from patients.models import Allergy, Patient
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment
from scheduling.page_selectors import local_day_bounds
from scheduling.selectors import appointment_queryset_for
from staff.models import Department, Hospital

PENDING_LAB_STATUSES = (LabOrderStatus.ORDERED, LabOrderStatus.COLLECTED)


def visit_appointment(*, user: AnyUser, pk: int) -> Appointment:
    """The appointment of a visit page, or 404 when the user may not see it."""
    return get_object_or_404(appointment_queryset_for(user), pk=pk)


def visit_record(appointment: Appointment) -> MedicalRecord | None:
    """The appointment's medical record with everything the visit page lists, or None (a fixed number of queries).

    ``record.active_diagnoses`` are the diagnoses that count; ``record.removed_diagnoses`` those removed before
    signing (shown struck through, with who removed them and why); ``record.amendments.all`` newest first."""
    record = (
        MedicalRecord.objects.filter(appointment=appointment)
        .select_related("signed_by", "amended_by")
        .prefetch_related(
            Prefetch(
                "diagnoses",
                queryset=Diagnosis.all_objects.select_related("removed_by").order_by("-is_primary", "added_at", "id"),
                to_attr="diagnosis_rows",
            ),
            Prefetch("procedures", queryset=Procedure.objects.order_by("added_at", "id")),
            Prefetch("prescriptions", queryset=Prescription.objects.select_related("medication", "cancelled_by")),
            Prefetch("lab_orders", queryset=LabOrder.objects.select_related("test", "result__corrected_by")),
            Prefetch("amendments", queryset=RecordAmendment.objects.select_related("author")),
        )
        .first()
    )
    if record is not None:
        record.active_diagnoses = [d for d in record.diagnosis_rows if d.removed_at is None]
        record.removed_diagnoses = [d for d in record.diagnosis_rows if d.removed_at is not None]
    return record


def visit_diagnosis(*, record: MedicalRecord, pk: int) -> Diagnosis:
    """A diagnosis of the record, removed ones included (removing one twice is refused by the service), or 404."""
    return get_object_or_404(Diagnosis.all_objects.filter(record=record), pk=pk)


def visit_prescription(*, record: MedicalRecord, pk: int) -> Prescription:
    return get_object_or_404(Prescription.objects.filter(record=record).select_related("medication"), pk=pk)


def visit_vitals(*, user: AnyUser, appointment: Appointment) -> list[Vitals]:
    return list(vitals_queryset_for(user).filter(appointment=appointment))


def active_allergies(patient: Patient) -> list[Allergy]:
    return list(Allergy.objects.filter(patient=patient, is_active=True).order_by("substance"))


def procedure_choices() -> QuerySet[ProcedureCatalog]:
    return ProcedureCatalog.objects.filter(is_active=True).order_by("code")


def lab_test_choices() -> QuerySet[LabTest]:
    return LabTest.objects.filter(is_active=True).order_by("name")


def medication_choices() -> QuerySet[Item]:
    return Item.objects.filter(kind=ItemKind.MEDICATION, is_active=True).order_by("name", "strength", "code")


def lab_worklist(*, user: AnyUser, status: str | None = None) -> QuerySet[LabOrder]:
    """Lab orders of a status (default: pending, i.e. ordered or collected), oldest first; resulted ones newest
    first. Patient, doctor, test and result are joined: one query per page whatever its size."""
    qs = lab_order_queryset_for(user).select_related(
        "record__doctor__user", "record__appointment__hospital", "result__last_call__called_by"
    )
    if status == LabOrderStatus.RESULTED:
        return qs.filter(status=LabOrderStatus.RESULTED).order_by("-resulted_at", "-id")
    statuses = [status] if status in PENDING_LAB_STATUSES else list(PENDING_LAB_STATUSES)
    return qs.filter(status__in=statuses).order_by("ordered_at", "id")


def lab_order_for_work(*, user: AnyUser, pk: int) -> LabOrder:
    return get_object_or_404(lab_worklist(user=user, status=LabOrderStatus.COLLECTED), pk=pk)


def lab_order_is_resulted(*, user: AnyUser, pk: int) -> bool:
    return lab_worklist(user=user, status=LabOrderStatus.RESULTED).filter(pk=pk).exists()


def lab_order_for_correction(*, user: AnyUser, pk: int) -> LabOrder:
    """A resulted order the user may see, with its result and who entered and corrected it, or 404."""
    qs = lab_worklist(user=user, status=LabOrderStatus.RESULTED).select_related(
        "test", "record__patient", "result__resulted_by", "result__corrected_by"
    )
    return get_object_or_404(qs, pk=pk)


# --- nurses: the vitals queue -----------------------------------------------------------------------------------


def vitals_queue(
    *, user: AnyUser, hospital: Hospital, departments: Sequence[Department], day: datetime.date
) -> QuerySet[Appointment]:
    """The nurse's queue: appointments of ``hospital`` checked in on the local ``day`` (today) whose patient has
    no vitals yet, neither taken at this visit nor recorded that day, in arrival order (check-in time).

    ``departments``: the departments (their doctors' department) to show, e.g. the rows of staff.selectors.
    clinical_departments(hospital), as a list (a subquery would be read first and the rows sorted). The day's
    check-ins of the hospital are a range of the (hospital, status, checked_in_at) index read in order; each
    row's "no vitals" test is two index look-ups. Patient, doctor and room are joined: one query per page.
    """
    start, end = local_day_bounds(day, hospital.tzinfo)
    taken_at_visit = Vitals.objects.filter(appointment_id=OuterRef("pk"))
    taken_that_day = Vitals.objects.filter(
        patient_id=OuterRef("patient_id"), recorded_at__gte=start, recorded_at__lt=end
    )
    return (
        appointment_queryset_for(user)
        .select_related(None)
        .select_related("patient", "doctor__user", "doctor__department", "room")
        .filter(
            hospital=hospital,
            status=AppointmentStatus.CHECKED_IN,
            checked_in_at__gte=start,
            checked_in_at__lt=end,
            doctor__department_id__in=[department.pk for department in departments],
        )
        .exclude(Exists(taken_at_visit))
        .exclude(Exists(taken_that_day))
        .order_by("checked_in_at", "id")
    )


def result_for_call(*, user: AnyUser) -> QuerySet[LabResult]:
    """Critical results the lab phones through, with what the call page shows (patient, test, ordering doctor)."""
    return (
        LabResult.objects.filter(flag=LabResultFlag.CRITICAL)
        .filter(order__in=lab_order_queryset_for(user).order_by().values("pk"))
        .select_related("order__test", "order__record__patient", "doctor__user", "last_call__called_by")
    )
