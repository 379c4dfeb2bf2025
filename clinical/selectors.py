"""Reads of clinical data, scoped to what the user may see.

Staff with the model permission see every patient's rows (row permissions are checked by the API's
RolePermission). A portal patient sees only their own rows, and only those of signed records:
drafts stay with the doctor until signed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import models
from django.db.models import Count, Expression, F, Max, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils import timezone

from clinical import timeline
from clinical.choices import LabResultFlag
from clinical.models import (
    FLAG_PRIORITY,
    CriticalResultCall,
    Diagnosis,
    LabOrder,
    LabResult,
    MedicalRecord,
    Prescription,
    Procedure,
    RecordAmendment,
    Vitals,
)
from hms.db import union_rows
from hms.pagination import Key
from hms.typing import AnyUser, ModelT
from patients.models import Patient
from patients.policies import may_read_chart, scope_to_care
from patients.selectors import is_portal_patient
from staff.choices import StaffRole
from staff.models import StaffMember


def _scoped(qs: QuerySet[ModelT], user: AnyUser, *, patient_path: str, record_path: str | None) -> QuerySet[ModelT]:
    if not user.is_authenticated:
        return qs.none()
    if is_portal_patient(user):
        qs = qs.filter(**{f"{patient_path}__user": user})
        if record_path is not None:
            qs = qs.filter(**{f"{record_path}signed_at__isnull": False})
        return qs
    return scope_to_care(qs, user, patient_path)  # a doctor or nurse: the patients in their care


def record_queryset_for(user: AnyUser) -> QuerySet[MedicalRecord]:
    qs = MedicalRecord.objects.select_related(
        "patient", "doctor__user", "appointment", "signed_by", "amended_by"
    ).prefetch_related(
        Prefetch("diagnoses", queryset=Diagnosis.objects.order_by("-is_primary", "added_at", "id")),
        Prefetch("amendments", queryset=RecordAmendment.objects.select_related("author")),
    )
    return _scoped(qs, user, patient_path="patient", record_path="")


def diagnosis_queryset_for(user: AnyUser) -> QuerySet[Diagnosis]:
    qs = Diagnosis.objects.select_related("record__patient", "record__doctor__user").order_by("-added_at", "-id")
    return _scoped(qs, user, patient_path="record__patient", record_path="record__")


def procedure_queryset_for(user: AnyUser) -> QuerySet[Procedure]:
    qs = Procedure.objects.select_related("record__patient", "record__doctor__user").order_by("-added_at", "-id")
    return _scoped(qs, user, patient_path="record__patient", record_path="record__")


def prescription_queryset_for(user: AnyUser) -> QuerySet[Prescription]:
    qs = Prescription.objects.select_related("record__patient", "record__doctor__user", "medication")
    return _scoped(qs, user, patient_path="record__patient", record_path="record__")


def lab_order_queryset_for(user: AnyUser) -> QuerySet[LabOrder]:
    qs = LabOrder.objects.select_related("record__patient", "test", "result__corrected_by")
    return _scoped(qs, user, patient_path="record__patient", record_path="record__")


def vitals_queryset_for(user: AnyUser) -> QuerySet[Vitals]:
    qs = Vitals.objects.select_related("patient", "recorded_by")
    return _scoped(qs, user, patient_path="patient", record_path=None)


# --- The patient's timeline (one builder per kind of event: clinical.timeline) ----------------------------

HISTORY_KINDS = tuple(kind.name for kind in timeline.KINDS)  # rank: the index


def _day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz) if date_from else None
    end = datetime.combine(date_to, time.max, tzinfo=tz) if date_to else None
    return start, end


def _in_range(qs: QuerySet[ModelT], field: str, start: datetime | None, end: datetime | None) -> QuerySet[ModelT]:
    if start:
        qs = qs.filter(**{f"{field}__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__lte": end})
    return qs


# The timeline's keyset for cursors (hms.pagination): (time, rank of the kind, id), newest first.
HISTORY_KEYS = [
    Key("at", True, models.DateTimeField()),
    Key("kind", True, models.PositiveSmallIntegerField()),
    Key("id", True, models.BigIntegerField()),
]


def history_position(event: timeline.HistoryEvent) -> tuple[datetime, int, int]:
    """The keyset position of a timeline event: (time, kind's rank, id); the timeline runs newest first."""
    return (event.at, HISTORY_KINDS.index(event.kind), event.id)


def _kind_after(field: str, rank: int, position: tuple[datetime, int, int], backwards: bool) -> Q:
    """Rows of the kind of ``rank`` that come after ``position`` in the timeline (before it, ``backwards``).

    The timeline is ordered by (time, rank, id) descending; within one kind the rank is fixed, so
    the condition reduces to the kind's own (time, id)."""
    at, at_rank, at_id = position
    older, newer = f"{field}__lt", f"{field}__gt"
    step, same_time = (newer, "pk__gt") if backwards else (older, "pk__lt")
    if rank == at_rank:
        return Q(**{step: at}) | Q(**{field: at, same_time: at_id})
    ahead = rank < at_rank if not backwards else rank > at_rank
    # Same time, other kind: it comes after when its rank is lower (walking towards older rows).
    return Q(**{step: at}) | Q(**{field: at}) if ahead else Q(**{step: at})


def _related_model(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _row_as_json(model: type[models.Model], columns: Mapping[str, Iterable[str] | None]) -> Expression:
    """JSON_OBJECT of the columns of a row and of the related rows it needs, each value as text
    (exact decimals and microseconds); _row_from_json builds the model instances back."""
    values = {}
    for path, names in columns.items():
        related = _related_model(model, path) if path else model
        for field in related._meta.concrete_fields:
            if names is not None and field.attname not in names:
                continue
            lookup = f"{path}__{field.attname}" if path else field.attname
            text = isinstance(field, (models.CharField, models.TextField))
            values[lookup] = F(lookup) if text else Cast(F(lookup), models.CharField())
    # As text in the connection's collation: the kinds' branches of a UNION must agree on it.
    return Cast(JSONObject(**values), models.TextField())


def _instance(model: type[ModelT], data: Mapping[str, Any], prefix: str) -> ModelT | None:
    if data.get(f"{prefix}id") is None:
        return None
    values = {}
    for field in model._meta.concrete_fields:
        raw = data.get(f"{prefix}{field.attname}", ...)
        if raw is ...:
            continue
        value = None if raw is None else field.to_python(raw)
        if isinstance(value, datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)  # the database keeps UTC
        values[field.attname] = value
    instance = model(**values)
    instance._state.adding, instance._state.db = False, "default"
    return instance


def _row_from_json(model: type[ModelT], columns: Mapping[str, Iterable[str] | None], data: Mapping[str, Any]) -> ModelT:
    """The row of _row_as_json as a model instance with its related rows attached (read only)."""
    row = _instance(model, data, "")
    built = {"": row}
    for path in sorted((p for p in columns if p), key=lambda p: p.count("__")):
        parent_path, _, name = path.rpartition("__")
        parent = built.get(parent_path)
        if parent is None:
            built[path] = None
            continue
        built[path] = _instance(_related_model(model, path), data, f"{path}__")
        setattr(parent, name, built[path])
    return row


def patient_history_page(
    *,
    user: AnyUser,
    patient: Patient,
    size: int,
    kinds: Iterable[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    position: tuple[datetime, int, int] | None = None,
    backwards: bool = False,
) -> tuple[list[timeline.HistoryEvent], bool]:
    """One page of the patient's clinical timeline, newest first: visits (records), diagnoses,
    prescriptions, lab results and vitals, each kind only for roles the role table lets view it.

    Paged by keyset in SQL, in one query: each kind reads ``size + 1`` rows past ``position`` (a
    ``history_position``; None for the newest page) along its (patient, time) index, the kinds
    are merged by UNION ALL, ordered and cut to ``size + 1``; each row comes with what its line
    shows as one JSON column, so a patient with 1,000 visits costs what one with 10 does.
    ``backwards`` reads the page just newer than ``position``. Answers (events, whether more lie
    beyond the page in the direction read)."""
    portal = is_portal_patient(user)
    kinds = timeline.kinds_for(user, portal=portal, names=kinds)
    if not kinds or not may_read_chart(user, patient.pk):
        return [], False
    start, end = _day_bounds(date_from, date_to)
    branches, models_by_rank = [], {}
    for kind in kinds:
        qs, field = kind.rows(patient=patient, portal=portal), kind.time_field
        rank = HISTORY_KINDS.index(kind.name)
        models_by_rank[rank] = qs.model
        qs = _in_range(qs.select_related(None), field, start, end)
        if position is not None:
            qs = qs.filter(_kind_after(field, rank, position, backwards))
        order = [field, "pk"] if backwards else [f"-{field}", "-pk"]
        branches.append(
            qs.order_by(*order)
            .annotate(h_rank=Value(rank), h_at=F(field), h_row=_row_as_json(qs.model, kind.columns))
            .values_list("h_at", "h_rank", "id", "h_row")[: size + 1]
        )
    direction = "" if backwards else "-"
    merged = union_rows(
        branches, all=True, order=[f"{direction}h_at", f"{direction}h_rank", f"{direction}id"], limit=size + 1
    )
    events = []
    for _, rank, _, row in merged:
        kind = timeline.KINDS[rank]
        data = row if isinstance(row, dict) else json.loads(row)
        events.append(kind.event(_row_from_json(models_by_rank[rank], kind.columns, data)))
    events.sort(key=history_position, reverse=not backwards)
    more = len(events) > size
    events = events[:size]
    if backwards:
        events.reverse()
    return events, more


def patient_history(
    *,
    user: AnyUser,
    patient: Patient,
    kinds: Iterable[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[timeline.HistoryEvent]:
    """The patient's whole timeline, newest first (for exports and tests; pages use patient_history_page)."""
    portal = is_portal_patient(user)
    if not may_read_chart(user, patient.pk):
        return []
    start, end = _day_bounds(date_from, date_to)
    events = []
    for kind in timeline.kinds_for(user, portal=portal, names=kinds):
        rows = _in_range(kind.rows(patient=patient, portal=portal), kind.time_field, start, end)
        events.extend(kind.event(row) for row in rows)
    events.sort(key=history_position, reverse=True)
    return events


# --- The results inbox and the lab's calls -------------------------------------------------------------

# The inbox order: critical first, then abnormal (low/high), then normal; newest first within each.
INBOX_ORDERING = ["-flag_priority", "-resulted_at", "-id"]
# The lab's "To call" queue: the critical result waiting longest first.
TO_CALL_ORDERING = ["resulted_at", "id"]


def _inbox_rows(qs: QuerySet[LabResult]) -> QuerySet[LabResult]:
    return qs.select_related(
        "order__test", "order__record__patient", "acknowledged_by", "corrected_by", "last_call__called_by"
    )


def inbox_doctor(user: AnyUser | None) -> StaffMember | None:
    """The user's own doctor profile (the owner of a results inbox), or None."""
    profile = getattr(user, "staff_profile", None) if user and user.is_authenticated else None
    return profile if profile is not None and profile.role == StaffRole.DOCTOR and user.is_active else None


def results_inbox(*, user: AnyUser, acknowledged: bool | None = None, flag: str | None = None) -> QuerySet[LabResult]:
    """The results of the tests the user (a doctor) ordered, critical first, then abnormal, then normal, newest
    first within each; only the unacknowledged (``acknowledged=False``) or acknowledged ones when asked.

    Reads LabResult alone along labresult_inbox_idx (doctor, acknowledged, flag_priority, resulted_at) or,
    for the whole inbox, labresult_doctor_priority_idx: the first page never sorts. Not a doctor: nothing."""
    doctor = inbox_doctor(user)
    if doctor is None:
        return LabResult.objects.none()
    qs = LabResult.objects.filter(doctor_id=doctor.pk)
    if acknowledged is not None:
        qs = qs.filter(acknowledged=acknowledged)
    if flag:
        qs = qs.filter(flag_priority=FLAG_PRIORITY.get(flag, -1), flag=flag)
    return _inbox_rows(qs).order_by(*INBOX_ORDERING)


def results_to_call(*, user: AnyUser) -> QuerySet[LabResult]:
    """Critical results nobody has phoned through yet (for their current value), oldest first: the lab's queue.
    Reads labresult_to_call_idx (flag_priority, last_call, resulted_at)."""
    if not user.is_authenticated or is_portal_patient(user):
        return LabResult.objects.none()
    qs = LabResult.objects.filter(flag_priority=FLAG_PRIORITY[LabResultFlag.CRITICAL], last_call__isnull=True)
    return _inbox_rows(qs.select_related("order__record__doctor__user")).order_by(*TO_CALL_ORDERING)


def critical_result_call_queryset_for(user: AnyUser) -> QuerySet[CriticalResultCall]:
    """Calls of critical results, newest first (staff roles that may view them; never a portal patient)."""
    if not user.is_authenticated or is_portal_patient(user):
        return CriticalResultCall.objects.none()
    return CriticalResultCall.objects.select_related(
        "called_by", "result__order__test", "result__order__record__patient"
    ).order_by("-called_at", "-id")


class StartPageWork(NamedTuple):
    """What the doctor's start page shows of their clinical work (doctor_start_page_work)."""

    counts: dict  # unacknowledged results by flag group: critical, abnormal, normal, total
    critical: list  # the newest unacknowledged critical results (dicts), at most CRITICAL_SHOWN
    unsigned: list  # the oldest records the doctor opened and has not signed (dicts), at most UNSIGNED_SHOWN


CRITICAL_SHOWN = 10
UNSIGNED_SHOWN = 10
_PRIORITY_NAMES = {2: "critical", 1: "abnormal", 0: "normal"}


def doctor_start_page_work(
    *, doctor: StaffMember, critical_limit: int = CRITICAL_SHOWN, unsigned_limit: int = UNSIGNED_SHOWN
) -> StartPageWork:
    """The doctor's unacknowledged results counted by urgency, the critical ones listed, and the oldest unsigned
    records, in one query (a UNION ALL of three index reads): the start page stays within its query budget.

    - counts: GROUP BY flag_priority over the doctor's unacknowledged results (labresult_inbox_idx);
    - critical: the newest unacknowledged critical results (the same index, one priority);
    - unsigned: records of the doctor with signed_at NULL, oldest first (mrec_doctor_unsigned_idx)."""
    text = models.TextField()

    def as_text(expression: Any) -> Cast:  # the branches' text in the connection's collation, as a UNION needs
        return Cast(expression, text)

    unacknowledged = LabResult.objects.filter(doctor_id=doctor.pk, acknowledged=False).order_by()
    counts = (
        unacknowledged.values("flag_priority")
        .annotate(
            w_kind=Value(0),
            w_id=F("flag_priority"),
            w_at=Max("resulted_at"),
            w_n=Count("id"),
            w_link=Value(None, output_field=models.BigIntegerField()),
            w_1=as_text(Value("", output_field=text)),
            w_2=as_text(Value("", output_field=text)),
            w_3=as_text(Value("", output_field=text)),
            w_4=as_text(Value("", output_field=text)),
        )
        .values_list("w_kind", "w_id", "w_at", "w_n", "w_link", "w_1", "w_2", "w_3", "w_4")
    )
    critical = (
        unacknowledged.filter(flag_priority=FLAG_PRIORITY[LabResultFlag.CRITICAL])
        .order_by("-resulted_at", "-id")
        .annotate(
            w_kind=Value(1),
            w_n=Value(0),
            w_link=F("order__record__appointment_id"),
            w_1=as_text(Concat("order__record__patient__last_name", Value(", "), "order__record__patient__first_name")),
            w_2=as_text(F("order__record__patient__mrn")),
            w_3=as_text(F("order__test__name")),
            w_4=as_text(Concat(Cast("value", text), Value(" "), "unit", output_field=text)),
        )
        .values_list("w_kind", "id", "resulted_at", "w_n", "w_link", "w_1", "w_2", "w_3", "w_4")[:critical_limit]
    )
    unsigned = (
        MedicalRecord.objects.filter(doctor_id=doctor.pk, signed_at__isnull=True)
        .order_by("opened_at", "id")
        .annotate(
            w_kind=Value(2),
            w_n=Value(0),
            w_link=F("appointment_id"),
            w_1=as_text(Concat("patient__last_name", Value(", "), "patient__first_name")),
            w_2=as_text(F("patient__mrn")),
            w_3=as_text(F("chief_complaint")),
            w_4=as_text(Value("", output_field=text)),
        )
        .values_list("w_kind", "id", "opened_at", "w_n", "w_link", "w_1", "w_2", "w_3", "w_4")[:unsigned_limit]
    )
    counts_by_name = {"critical": 0, "abnormal": 0, "normal": 0}
    critical_rows, unsigned_rows = [], []
    for kind, pk, at, n, link, one, two, three, four in union_rows([counts, critical, unsigned], all=True):
        if kind == 0:
            counts_by_name[_PRIORITY_NAMES.get(pk, "normal")] += n
        elif kind == 1:
            critical_rows.append(
                {
                    "id": pk,
                    "at": at,
                    "appointment": link,
                    "patient": one,
                    "mrn": two,
                    "test": three,
                    "value": _trim_value(four),
                }  # fmt: skip
            )
        else:
            unsigned_rows.append(
                {"id": pk, "at": at, "appointment": link, "patient": one, "mrn": two, "complaint": three}
            )
    critical_rows.sort(key=lambda row: (row["at"], row["id"]), reverse=True)
    unsigned_rows.sort(key=lambda row: (row["at"], row["id"]))
    counts_by_name["total"] = sum(counts_by_name.values())
    return StartPageWork(counts_by_name, critical_rows, unsigned_rows)


def _trim_value(text: str | None) -> str:
    """'6.900 mmol/L' -> '6.9 mmol/L' (the value as the lab would write it)."""
    number, _, unit = (text or "").partition(" ")
    with contextlib.suppress(ArithmeticError, ValueError):
        number = f"{Decimal(number).normalize():f}"
    return f"{number} {unit}".strip()
