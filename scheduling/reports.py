"""Scheduling reports (see hms.reporting): appointments, doctor utilization and the no-show risk model.

Aggregated in the database; they never change data.
"""

import math
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import ExtractIsoWeekDay
from django.utils import timezone

from hms.reporting import as_date, day_bounds, ratio, report_tz, trunc
from scheduling.choices import ACTIVE_APPOINTMENT_STATUSES, AppointmentKind, AppointmentStatus
from scheduling.models import Appointment, AppointmentDailyCount, Availability, TimeOff
from scheduling.rollups import lead_bucket, lead_bucket_expression
from scheduling.selectors import _free, window_slots
from staff.models import Hospital

S = AppointmentStatus
HOUR = Decimal("3600")


def _appointments(date_from, date_to, hospital, department):
    start, end = day_bounds(date_from, date_to, report_tz(hospital))
    qs = Appointment.objects.filter(start__gte=start, start__lt=end).order_by()
    if hospital is not None:
        qs = qs.filter(hospital=hospital)
    if department is not None:
        qs = qs.filter(doctor__department=department)
    return qs


def appointment_day_counts(*, date_from, date_to, hospital=None):
    """[(day, status, count)] of the appointments per local day (each hospital's own) between the dates, read
    from the appointment roll-up (``scheduling.rollups``): one query over at most days x statuses x hospitals
    x kinds x lead buckets rows, whatever the number of appointments."""
    qs = AppointmentDailyCount.objects.filter(day__gte=date_from, day__lte=date_to)
    if hospital is not None:
        qs = qs.filter(hospital=hospital)
    return [
        (row["day"], row["status"], row["n"])
        for row in qs.order_by().values("day", "status").annotate(n=Sum("count")).order_by("day", "status")
        if row["n"]
    ]


def _doctor_name(first, last):
    return f"Dr. {first} {last}".strip()


def appointments(*, date_from, date_to, hospital=None, department=None, period="week"):
    """Appointments starting between the dates (local days).

    Sections: ``volume`` (per period, hospital, department, doctor), ``status`` (count per status) and
    ``rate`` rows: cancellation rate (cancelled / all), no-show rate (no-shows / visits that came due,
    i.e. completed + no-show), telemedicine share (telemedicine / all not cancelled) and the median lead
    time in days from booking to visit; ``period_rate`` rows give the no-show rate per
    period. Five queries whatever the number of appointments.
    """
    tz = report_tz(hospital)
    qs = _appointments(date_from, date_to, hospital, department)
    rows = []
    volume = (
        qs.annotate(p=trunc(period, "start", tz))
        .values(
            "p",
            "hospital__code",
            "doctor__department__code",
            "doctor_id",
            "doctor__user__first_name",
            "doctor__user__last_name",
        )
        .annotate(n=Count("id"))
        .order_by("p", "hospital__code", "doctor__department__code", "doctor__user__last_name", "doctor_id")
    )
    for row in volume:
        rows.append(
            {
                "section": "volume",
                "period": as_date(row["p"]),
                "hospital": row["hospital__code"],
                "department": row["doctor__department__code"] or "",
                "doctor": _doctor_name(row["doctor__user__first_name"], row["doctor__user__last_name"]),
                "value": row["n"],
            }
        )
    per_period = (
        qs.annotate(p=trunc(period, "start", tz))
        .values("p")
        .annotate(no_shows=Count("id", filter=Q(status=S.NO_SHOW)), due=Count("id", filter=Q(status__in=DUE_STATUSES)))
        .order_by("p")
    )
    for row in per_period:
        rows.append(
            {
                "section": "period_rate",
                "period": as_date(row["p"]),
                "group": "no_show_rate",
                "value": ratio(row["no_shows"], row["due"]),
            }
        )
    totals = qs.aggregate(
        total=Count("id"),
        **{status.value: Count("id", filter=Q(status=status)) for status in S},
        telemedicine=Count("id", filter=Q(kind=AppointmentKind.TELEMEDICINE) & ~Q(status=S.CANCELLED)),
    )
    for status in S:
        rows.append({"section": "status", "group": status.value, "value": totals[status.value]})
    total = totals["total"]
    not_cancelled = total - totals[S.CANCELLED]
    rows.append({"section": "rate", "group": "cancellation_rate", "value": ratio(totals[S.CANCELLED], total)})
    came_due = totals[S.COMPLETED] + totals[S.NO_SHOW]
    rows.append({"section": "rate", "group": "no_show_rate", "value": ratio(totals[S.NO_SHOW], came_due)})
    rows.append(
        {"section": "rate", "group": "telemedicine_share", "value": ratio(totals["telemedicine"], not_cancelled)}
    )
    rows.append({"section": "rate", "group": "median_lead_days", "value": median_lead_days(qs, count=total)})
    return rows


def median_lead_days(qs, *, count):
    """The median of (start - booked_at) in days, to 0.1 day. The database sorts and returns only the one or
    two middle values (ORDER BY ... LIMIT 2 OFFSET n): no row is loaded beyond them, one query."""
    if not count:
        return None
    lead = ExpressionWrapper(F("start") - F("booked_at"), output_field=DurationField())
    middle = list(
        qs.annotate(lead=lead).order_by("lead").values_list("lead", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    value = sum(middle, timedelta()) / len(middle)
    return Decimal(value.total_seconds() / 86400).quantize(Decimal("0.1"))


def utilization(*, date_from, date_to, hospital=None, department=None, period="month"):
    """Per doctor: slot-hours their availability windows offer on the days (minus withdrawn-free time off)
    versus hours booked (every appointment not cancelled) and completed. Four queries whatever the data: the
    windows (with their doctors), the time off, one aggregate of appointments grouped by doctor in SQL, and the
    names of doctors booked outside any window."""
    windows = Availability.objects.valid_between(date_from, date_to).select_related(
        "hospital", "doctor__user", "doctor__department", "doctor__hospital"
    )
    if hospital is not None:
        windows = windows.filter(hospital=hospital)
    if department is not None:
        windows = windows.filter(doctor__department=department)
    windows = list(windows)
    start, end = day_bounds(date_from, date_to, report_tz(hospital))
    off = defaultdict(list)
    for doctor_id, off_start, off_end in (
        TimeOff.objects.active()
        .filter(doctor_id__in={w.doctor_id for w in windows}, start__lt=end, end__gt=start)
        .values_list("doctor_id", "start", "end")
    ):
        off[doctor_id].append((off_start, off_end))
    slot_time = slot_time_by_doctor(windows, off, date_from, date_to)

    duration = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    booked = {
        row["doctor_id"]: row
        for row in _appointments(date_from, date_to, hospital, department)
        .values("doctor_id")
        .annotate(
            booked=Sum(duration, filter=~Q(status=S.CANCELLED)),
            completed=Sum(duration, filter=Q(status=S.COMPLETED)),
        )
    }
    return utilization_rows(windows, slot_time, booked)


def utilization_rows(windows, slot_time, booked):
    """The report's rows from the windows, {doctor id: free slot time} and {doctor id: {booked, completed}}."""
    from staff.models import StaffMember

    doctors = {w.doctor_id: w.doctor for w in windows}
    missing = set(booked) - set(doctors)
    # Booked outside any window (rare): one more query for their names.
    doctors.update(
        {d.pk: d for d in StaffMember.objects.filter(pk__in=missing).select_related("user", "department", "hospital")}
    )
    rows = []
    for doctor_id in {w.doctor_id for w in windows} | set(booked):
        doctor = doctors[doctor_id]
        slot_hours = _hours(slot_time.get(doctor_id))
        row = booked.get(doctor_id, {})
        booked_hours = _hours(row.get("booked"))
        rows.append(
            {
                "doctor": str(doctor),
                "hospital": doctor.hospital.code,
                "department": doctor.department.code if doctor.department else "",
                "slot_hours": slot_hours,
                "booked_hours": booked_hours,
                "completed_hours": _hours(row.get("completed")),
                "utilization": ratio(booked_hours, slot_hours),
            }
        )
    rows.sort(key=lambda r: (r["hospital"], r["doctor"]))
    return rows


def slot_time_by_doctor(windows, off, date_from, date_to):
    """{doctor id: total length of the free slots} their windows give on the days date_from..date_to, ``off``
    being {doctor id: [(start, end)]} of active time off.

    The same figure as cutting every day into slots (``window_slots``) and dropping those time off touches
    (``_free``), without the per-slot work: a day's window gives n slots of its length, and only the days where a
    DST change or a time off falls inside the window are cut slot by slot. No queries."""
    total = defaultdict(timedelta)
    for window in windows:
        tz = window.hospital.tzinfo
        length = timedelta(minutes=window.slot_minutes)
        span = datetime.combine(date_from, window.end_time) - datetime.combine(date_from, window.start_time)
        per_day = (span // length) * length
        first = max(date_from, window.valid_from)
        last = min(date_to, window.valid_to or date_to)
        day = first + timedelta(days=(window.weekday - first.weekday()) % 7)
        busy = off.get(window.doctor_id, ())
        while day <= last:
            opens = datetime.combine(day, window.start_time, tzinfo=tz)
            closes = datetime.combine(day, window.end_time, tzinfo=tz)
            if opens.utcoffset() == closes.utcoffset() and not any(s < closes and e > opens for s, e in busy):
                total[window.doctor_id] += per_day
            else:
                free = _free(window_slots([window], day, day), busy)
                total[window.doctor_id] += sum((slot.end - slot.start for slot in free), timedelta())
            day += timedelta(days=7)
    return total


def _hours(value):
    if not value:
        return Decimal("0.00")
    return (Decimal(value.total_seconds()) / HOUR).quantize(Decimal("0.01"))


# --- No-show risk -----------------------------------------------------------------------------------------
#
# A naive-Bayes style log-odds model, honest about what it is. The base is the chain's no-show rate among
# visits that came due (completed or no-show) before the moment predicted for. Each factor (the patient's
# own history, the lead-time bucket, the weekday, the kind of visit) has its own no-show rate, smoothed
# toward the base with a prior worth PRIOR_WEIGHT visits; its contribution is logit(factor rate) -
# logit(base). The prediction is sigmoid(logit(base) + sum of contributions). Factors are treated as
# independent, which they are not entirely: probabilities are a ranking and a rough scale, not a verdict.
#
# At scale (issue 11) the report never aggregates every past appointment per request: the factor table (lead
# bucket x weekday x kind) is read from the appointment roll-up (scheduling.rollups, kept up to date by the
# services), whose days and so weekdays are local to each hospital; only the histories of the patients with an
# upcoming visit are counted from appointments, over the patient/start index. The validation replays the
# raw history with the same definitions (hospital-local weekday), so its AUC and calibration still measure the
# model the report uses.

PRIOR_WEIGHT = 5
DEFAULT_BASE_RATE = 0.1  # used before any history exists
DUE_STATUSES = (S.COMPLETED, S.NO_SHOW)


def _logit(p):
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _smoothed(no_shows, due, base):
    return (no_shows + PRIOR_WEIGHT * base) / (due + PRIOR_WEIGHT)


class NoShowModel:
    """Counts of past visits that came due, by factor; predicts from them. Built from aggregated rows."""

    def __init__(self):
        self.due = 0
        self.no_shows = 0
        self.factors = defaultdict(lambda: [0, 0])  # (factor, value) -> [no-shows, due]

    def add(self, *, no_shows, due, lead, weekday, kind):
        self.due += due
        self.no_shows += no_shows
        for key in (("lead", lead), ("weekday", weekday), ("kind", kind)):
            self.factors[key][0] += no_shows
            self.factors[key][1] += due

    @property
    def base(self):
        return _smoothed(self.no_shows, self.due, DEFAULT_BASE_RATE) if self.due else DEFAULT_BASE_RATE

    def predict(self, *, patient_no_shows, patient_due, lead, weekday, kind):
        """(probability, [(factor label, contribution in log-odds)])."""
        base = self.base
        parts = []
        patient_rate = _smoothed(patient_no_shows, patient_due, base)
        parts.append((f"patient history {patient_no_shows}/{patient_due}", _logit(patient_rate) - _logit(base)))
        weekday_name = WEEKDAYS[weekday - 1]
        for key, label in (
            (("lead", lead), f"lead {lead}"),
            (("weekday", weekday), weekday_name),
            (("kind", kind), kind),
        ):
            no_shows, due = self.factors.get(key, (0, 0))
            parts.append((label, _logit(_smoothed(no_shows, due, base)) - _logit(base)))
        score = _logit(base) + sum(c for _, c in parts)
        return 1 / (1 + math.exp(-score)), parts


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _explain(base, parts):
    text = [f"base {base:.0%}"]
    text += [f"{label} {contribution:+.2f}" for label, contribution in parts]
    return "; ".join(text)


def no_show_model():
    """The factor table of every visit that came due (completed or no-show), by lead bucket, local weekday at
    the hospital and kind, read from the appointment roll-up (``scheduling.rollups``): one query over a few
    thousand roll-up rows instead of every past appointment. Outcomes are only recorded once a visit has begun,
    so these are visits before now."""
    model = NoShowModel()
    for row in (
        AppointmentDailyCount.objects.filter(status__in=DUE_STATUSES)
        .order_by()
        .annotate(weekday=ExtractIsoWeekDay("day"))
        .values("weekday", "kind", "lead_bucket")
        .annotate(due=Sum("count"), no_shows=Sum("count", filter=Q(status=S.NO_SHOW)))
    ):
        model.add(
            no_shows=row["no_shows"] or 0,
            due=row["due"] or 0,
            lead=row["lead_bucket"],
            weekday=row["weekday"],
            kind=row["kind"],
        )
    return model


def no_show_risk(*, date_from, date_to, hospital=None, department=None, period="month", now=None):
    """Active appointments from now on between the dates, riskiest first, each with a no-show probability
    and the log-odds each factor adds. Three queries: the factor table (from the roll-up), the histories of
    the patients concerned (aggregated over the patient/start index) and the upcoming appointments."""
    now = now or timezone.now()
    upcoming = (
        _appointments(date_from, date_to, hospital, department)
        .filter(status__in=ACTIVE_APPOINTMENT_STATUSES, start__gte=now)
        .select_related("patient", "doctor__user", "hospital")
        .order_by("start", "id")
    )
    model = no_show_model()
    patients = {
        row["patient_id"]: row
        for row in Appointment.objects.filter(
            status__in=DUE_STATUSES, start__lt=now, patient__in=upcoming.values("patient_id")
        )
        .order_by()
        .values("patient_id")
        .annotate(due=Count("id"), no_shows=Count("id", filter=Q(status=S.NO_SHOW)))
    }
    return no_show_rows(model, upcoming, patients)


def no_show_rows(model, upcoming, patients):
    """The report's rows: each upcoming appointment predicted from the model and its patient's {due, no_shows}."""
    rows = []
    for appointment in upcoming:
        past = patients.get(appointment.patient_id, {"due": 0, "no_shows": 0})
        lead = appointment.start - appointment.booked_at
        local_start = appointment.start.astimezone(appointment.hospital.tzinfo)
        probability, parts = model.predict(
            patient_no_shows=past["no_shows"],
            patient_due=past["due"],
            lead=lead_bucket(lead),
            weekday=local_start.isoweekday(),
            kind=appointment.kind,
        )
        rows.append(
            {
                "appointment": appointment.pk,
                "start": local_start,
                "patient": f"{appointment.patient.full_name} (MRN {appointment.patient.mrn})",
                "doctor": str(appointment.doctor),
                "hospital": appointment.hospital.code,
                "kind": appointment.kind,
                "lead_days": lead.days,
                "probability": Decimal(probability).quantize(Decimal("0.001")),
                "factors": _explain(model.base, parts),
            }
        )
    rows.sort(key=lambda r: (-r["probability"], r["start"]))
    return rows


CALIBRATION_BINS = (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


def no_show_validation(*, date_from, date_to, hospital=None, department=None, period="month"):
    """How the model would have done on the visits that came due between the dates, each predicted from
    history strictly before it: AUC (the chance a no-show ranks above a visit kept) and a calibration table
    (mean predicted versus observed no-show rate per probability bin).

    The model's state when the period begins (every visit that came due before it) is aggregated in SQL: the
    factor table (one grouped query per hospital time zone) and the histories of the patients seen in the period
    (one grouped query). Then the period's visits, of every hospital, are replayed in time order, each predicted
    before it is learned from. The same predictions as replaying all history, without walking it in Python.
    """
    tz = report_tz(hospital)
    start, end = day_bounds(date_from, date_to, tz)
    zones = {pk: ZoneInfo(name) for pk, name in Hospital.objects.values_list("pk", "timezone")}
    due = Appointment.objects.filter(status__in=DUE_STATUSES).order_by()
    window = due.filter(start__gte=start, start__lt=end)
    evaluated = _appointments(date_from, date_to, hospital, department).filter(status__in=DUE_STATUSES)
    evaluated_ids = set(evaluated.values_list("id", flat=True))
    model = NoShowModel()
    earlier = due.filter(start__lt=start)
    by_tz = defaultdict(list)
    for pk, zone in zones.items():
        by_tz[str(zone)].append(pk)
    for name, hospital_ids in sorted(by_tz.items()):
        for row in (
            earlier.filter(hospital_id__in=hospital_ids)
            .annotate(lead=lead_bucket_expression(), weekday=ExtractIsoWeekDay("start", tzinfo=ZoneInfo(name)))
            .values("lead", "weekday", "kind")
            .annotate(n=Count("id"), no_shows=Count("id", filter=Q(status=S.NO_SHOW)))
        ):
            model.add(
                no_shows=row["no_shows"], due=row["n"], lead=row["lead"], weekday=row["weekday"], kind=row["kind"]
            )
    by_patient = defaultdict(lambda: [0, 0])
    for row in (
        earlier.filter(patient__in=window.values("patient_id"))
        .values("patient_id")
        .annotate(n=Count("id"), no_shows=Count("id", filter=Q(status=S.NO_SHOW)))
    ):
        by_patient[row["patient_id"]] = [row["no_shows"], row["n"]]
    return validation_rows(
        window.order_by("start", "id").values_list(
            "id", "patient_id", "hospital_id", "start", "booked_at", "kind", "status"
        ),
        evaluated_ids,
        zones,
        model=model,
        by_patient=by_patient,
    )


def validation_rows(visits, evaluated_ids, zones, *, model=None, by_patient=None):
    """Replay ``visits`` ((id, patient id, hospital id, start, booked_at, kind, status) in start order),
    predicting those in ``evaluated_ids`` from the visits before them (and from ``model`` and ``by_patient``,
    {patient id: [no-shows, due]}, the state before the first of them); the AUC and calibration rows."""
    model = model if model is not None else NoShowModel()
    by_patient = by_patient if by_patient is not None else defaultdict(lambda: [0, 0])
    predictions = []  # (probability, was a no-show)
    pending = []  # visits at the same start are predicted before any of them is learned from
    last_start = None
    for pk, patient_id, hospital_id, visit_start, booked_at, kind, status in visits:
        if visit_start != last_start:
            _learn(model, by_patient, pending)
            pending = []
            last_start = visit_start
        no_show = status == S.NO_SHOW
        lead = lead_bucket(visit_start - booked_at)
        weekday = visit_start.astimezone(zones[hospital_id]).isoweekday()
        if pk in evaluated_ids:
            past = by_patient[patient_id]
            probability, _ = model.predict(
                patient_no_shows=past[0],
                patient_due=past[1],
                lead=lead,
                weekday=weekday,
                kind=kind,
            )
            predictions.append((probability, no_show))
        pending.append((patient_id, weekday, lead, kind, no_show))
    rows = [
        {
            "section": "summary",
            "group": "auc",
            "appointments": len(predictions),
            "predicted": _auc(predictions),
            "observed": ratio(sum(1 for _, y in predictions if y), len(predictions)),
        }
    ]
    low = 0.0
    for high in CALIBRATION_BINS:
        in_bin = [(p, y) for p, y in predictions if low <= p < high or (high == 1.0 and p == 1.0)]
        rows.append(
            {
                "section": "calibration",
                "group": f"{low:.0%}-{high:.0%}",
                "appointments": len(in_bin),
                "predicted": _mean(p for p, _ in in_bin),
                "observed": _mean(1.0 if y else 0.0 for _, y in in_bin),
            }
        )
        low = high
    return rows


def _learn(model, by_patient, pending):
    for patient_id, weekday, lead, kind, no_show in pending:
        model.add(no_shows=int(no_show), due=1, lead=lead, weekday=weekday, kind=kind)
        by_patient[patient_id][0] += int(no_show)
        by_patient[patient_id][1] += 1


def _mean(values):
    values = list(values)
    if not values:
        return None
    return Decimal(sum(values) / len(values)).quantize(Decimal("0.001"))


def _auc(predictions):
    """Mann-Whitney AUC with ties counted half; None unless both outcomes occur."""
    positives = [p for p, y in predictions if y]
    negatives = [p for p, y in predictions if not y]
    if not positives or not negatives:
        return None
    ordered = sorted(predictions, key=lambda item: item[0])
    rank_sum, index = 0.0, 0
    while index < len(ordered):
        tie_end = index
        while tie_end + 1 < len(ordered) and ordered[tie_end + 1][0] == ordered[index][0]:
            tie_end += 1
        average_rank = (index + tie_end) / 2 + 1
        rank_sum += average_rank * sum(1 for _, y in ordered[index : tie_end + 1] if y)
        index = tie_end + 1
    auc = (rank_sum - len(positives) * (len(positives) + 1) / 2) / (len(positives) * len(negatives))
    return Decimal(auc).quantize(Decimal("0.001"))
