"""The patient's timeline: one small builder per kind of event.

Each builder says, for its kind: who sees it (the role table's permission; whether a portal patient does), which
rows of a patient it reads (a portal patient's: only those of signed records) along which time column, which
columns of them and of their related rows a line needs, and the event's data (``detail``).
clinical.selectors.patient_history_page merges the kinds in SQL, a page at a time; the words of each line
(``summary``) are the presentation's: clinical/timeline_text.py, for the API and the chart alike.

The order of ``KINDS`` is the kinds' rank in the timeline (events at the same time: the lower rank first).
"""

from datetime import datetime
from typing import Any, NamedTuple

from django.db import models

from clinical import units
from clinical.models import (
    Diagnosis,
    LabResult,
    MedicalRecord,
    Prescription,
    RecordAmendment,
    Vitals,
    amendment_change_list,
)


class HistoryEvent(NamedTuple):
    """One line of a patient's timeline: its kind, time, row id, the record it belongs to, its data, and the row it
    shows (with the related rows its line needs; read only) for the presentation to word it."""

    kind: str  # visit, diagnosis, prescription, lab_result, vitals, amendment
    at: datetime
    id: int
    record: int | None
    detail: dict
    row: Any


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _text(value) -> str | None:
    return None if value is None else str(value)


_USER_COLUMNS = ["id", "first_name", "last_name", "username"]


class TimelineKind:
    """What one kind of event reads and holds. Subclasses fill in the class attributes and ``rows`` / ``detail``."""

    name = ""
    permission = ""  # the role table's view permission of the kind's model
    in_portal = True  # whether a portal patient's history shows it
    time_field = ""
    # The columns a line needs, by relation path ("" is the row itself; None: every column).
    columns: dict = {}

    def rows(self, *, patient, portal: bool) -> models.QuerySet:
        raise NotImplementedError

    def record_of(self, row) -> int | None:
        return row.record_id

    def detail(self, row) -> dict:
        raise NotImplementedError

    def event(self, row) -> HistoryEvent:
        at = getattr(row, self.time_field)
        return HistoryEvent(self.name, at, row.pk, self.record_of(row), self.detail(row), row)


def _signed_only(portal: bool) -> dict:
    return {"record__signed_at__isnull": False} if portal else {}


class Visits(TimelineKind):
    name, permission, time_field = "visit", "clinical.view_medicalrecord", "opened_at"
    # A visit's line never shows its notes: they stay out of the query.
    columns = {
        "": ["id", "opened_at", "appointment_id", "doctor_id", "chief_complaint", "outcome", "signed_at"],
        "doctor": ["id", "user_id", "role", "specialty"],
        "doctor__user": _USER_COLUMNS,
    }

    def rows(self, *, patient, portal):
        records = MedicalRecord.objects.filter(patient=patient).select_related("doctor__user", "appointment")
        return records.filter(signed_at__isnull=False) if portal else records

    def record_of(self, row):
        return row.pk

    def detail(self, r):
        return {
            "appointment": r.appointment_id,
            "doctor": str(r.doctor),
            "chief_complaint": r.chief_complaint,
            "outcome": r.outcome,
            "signed": r.signed_at is not None,
        }


class Diagnoses(TimelineKind):
    name, permission, time_field = "diagnosis", "clinical.view_diagnosis", "added_at"
    columns = {"": None}

    def rows(self, *, patient, portal):
        return Diagnosis.objects.filter(patient=patient, **_signed_only(portal))

    def detail(self, d):
        return {"code": d.code, "description": d.description, "is_primary": d.is_primary}


class Prescriptions(TimelineKind):
    name, permission, time_field = "prescription", "clinical.view_prescription", "prescribed_at"
    columns = {"": None, "medication": ["id", "name", "strength"]}

    def rows(self, *, patient, portal):
        return Prescription.objects.filter(patient=patient, **_signed_only(portal)).select_related("medication")

    def detail(self, p):
        return {
            "medication": p.medication.name,
            "dose": p.dose,
            "route": p.route,
            "frequency": p.frequency,
            "duration_days": p.duration_days,
            "status": p.status,
        }


class LabResults(TimelineKind):
    name, permission, time_field = "lab_result", "clinical.view_labresult", "resulted_at"
    columns = {"": None, "order": None, "order__test": None, "corrected_by": _USER_COLUMNS}

    def rows(self, *, patient, portal):
        results = LabResult.objects.filter(patient=patient).select_related("order__test", "corrected_by")
        return results.filter(order__record__signed_at__isnull=False) if portal else results

    def record_of(self, row):
        return row.order.record_id

    def detail(self, res):
        test = res.order.test
        return {
            "test": test.name,
            "value": str(res.value),
            "unit": res.unit,
            "flag": res.flag,
            "reference_low": _text(test.reference_low),
            "reference_high": _text(test.reference_high),
            "corrected": res.is_corrected,
            "previous": res.previous_display,
            "correction_reason": res.correction_reason,
            "corrected_at": res.corrected_at,
            "corrected_by": person(res.corrected_by),
        }


class VitalSigns(TimelineKind):
    name, permission, time_field = "vitals", "clinical.view_vitals", "recorded_at"
    columns = {"": None}

    def rows(self, *, patient, portal):
        return Vitals.objects.filter(patient=patient)

    def record_of(self, row):
        return None

    def detail(self, v):
        return {
            "appointment": v.appointment_id,
            "systolic_bp": v.systolic_bp,
            "diastolic_bp": v.diastolic_bp,
            "heart_rate": v.heart_rate,
            "temperature_c": _text(v.temperature_c),
            "temperature_f": _text(units.from_stored("temperature_c", v.temperature_c, units.FAHRENHEIT)),
            "respiratory_rate": v.respiratory_rate,
            "spo2": v.spo2,
            "weight_kg": _text(v.weight_kg),
            "weight_lb": _text(units.from_stored("weight_kg", v.weight_kg, units.POUND)),
            "height_cm": _text(v.height_cm),
            "height_in": _text(units.from_stored("height_cm", v.height_cm, units.INCH)),
            "bmi": _text(v.bmi),
        }


class Amendments(TimelineKind):
    name, permission, time_field = "amendment", "clinical.view_medicalrecord", "amended_at"  # part of the record
    # Staff see amendments in the chart; the portal's history shows visits without their notes, so without them.
    in_portal = False
    columns = {"": None, "author": _USER_COLUMNS, "record": ["id", "appointment_id"]}

    def rows(self, *, patient, portal):
        return RecordAmendment.objects.filter(record__patient=patient).select_related("author", "record")

    def detail(self, a):
        return {
            "appointment": a.record.appointment_id if a.record else None,
            "author": person(a.author),
            "reason": a.reason,
            "changes": amendment_change_list(a.changes),
        }


KINDS = (Visits(), Diagnoses(), Prescriptions(), LabResults(), VitalSigns(), Amendments())  # rank: the index
BY_NAME = {kind.name: kind for kind in KINDS}


def kinds_for(user, *, portal: bool, names=None) -> list[TimelineKind]:
    """The kinds (in rank order) the user's timeline shows: those asked for (all when None) that the role table
    lets them view, and for a portal patient only those of the portal (all kinds when no names are given)."""
    return [
        kind
        for kind in KINDS
        if (not names or kind.name in names) and user.has_perm(kind.permission) and (kind.in_portal or not portal)
    ]
