"""The appointment roll-up (issue 11): ``AppointmentDailyCount`` rows, one per (local day at the hospital,
hospital, status, kind, lead-time bucket), holding how many appointments have that key.

How it stays equal to the appointments:
- every scheduling service that creates an appointment or changes its start, status or hospital calls
  ``appointment_moved(before, after)`` inside its own transaction, after the save: the old key loses one,
  the new key gains one (an upsert, so concurrent bookings serialize on the one counter row they share);
- bulk loads (``seed_demo``, ``seed_scale``) end with ``rebuild()`` (``manage.py rebuild_rollups``);
- ``manage.py rebuild_rollups --check`` compares the stored counts with ``raw_counts()``, and the
  test suite does so after a random mix of service actions.

A hospital's time zone decides its local days: after changing it, rebuild the roll-up.
"""

from collections import Counter, defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Value, When
from django.db.models.functions import TruncDate

from hms import rollups as hms_rollups
from scheduling.models import Appointment, AppointmentDailyCount

LEAD_BUCKETS = (("0-1d", 1), ("2-7d", 7), ("8-30d", 30), ("31d+", None))


def lead_bucket(lead):
    """The bucket of a lead time (start - booked_at): up to 1 day, 2-7 days, 8-30 days, more."""
    for label, days in LEAD_BUCKETS:
        if days is not None and lead <= timedelta(days=days):
            return label
    return LEAD_BUCKETS[-1][0]


def lead_bucket_expression():
    """``lead_bucket`` in SQL, on Appointment rows."""
    whens = [
        When(booked_at__gte=F("start") - timedelta(days=days), then=Value(label))
        for label, days in LEAD_BUCKETS
        if days is not None
    ]
    return Case(*whens, default=Value(LEAD_BUCKETS[-1][0]), output_field=CharField())


def appointment_key(appointment):
    """(day, hospital id, status, kind, lead bucket) of an appointment; reads its hospital (for the time zone)."""
    day = appointment.start.astimezone(appointment.hospital.tzinfo).date()
    return (
        day,
        appointment.hospital_id,
        str(appointment.status),
        str(appointment.kind),
        lead_bucket(appointment.start - appointment.booked_at),
    )


def appointment_moved(before, after):
    """Move one appointment from key ``before`` to key ``after`` (either may be None: created / not counted).
    Call inside the service's transaction. Keys are applied in a fixed order so two services never deadlock."""
    deltas = Counter()
    if before is not None:
        deltas[before] -= 1
    if after is not None:
        deltas[after] += 1
    for key in sorted(key for key, delta in deltas.items() if delta):
        _add(key, deltas[key])


def _add(key, delta):
    day, hospital_id, status, kind, bucket = key
    hms_rollups.add(
        AppointmentDailyCount,
        {"day": day, "hospital_id": hospital_id, "status": status, "kind": kind, "lead_bucket": bucket},
        {"count": delta},
    )


def raw_counts():
    """The roll-up computed from the appointments themselves: {key: count}. One grouped query per distinct
    hospital time zone (a handful), over every appointment."""
    from staff.models import Hospital

    hospitals_by_tz = defaultdict(list)
    for hospital in Hospital.objects.order_by("pk"):
        hospitals_by_tz[hospital.timezone].append(hospital)
    counts = {}
    for hospitals in hospitals_by_tz.values():
        rows = (
            Appointment.objects.filter(hospital__in=hospitals)
            .order_by()
            .annotate(local_day=TruncDate("start", tzinfo=hospitals[0].tzinfo), bucket=lead_bucket_expression())
            .values("local_day", "hospital_id", "status", "kind", "bucket")
            .annotate(n=Count("id"))
        )
        for row in rows:
            key = (row["local_day"], row["hospital_id"], row["status"], row["kind"], row["bucket"])
            counts[key] = row["n"]
    return counts


def stored_counts():
    """The roll-up as stored: {key: count}, rows at zero left out."""
    return {
        (day, hospital_id, status, kind, bucket): n
        for day, hospital_id, status, kind, bucket, n in AppointmentDailyCount.objects.exclude(count=0).values_list(
            "day", "hospital_id", "status", "kind", "lead_bucket", "count"
        )
    }


def differences():
    """[(key, stored, raw)] wherever the roll-up differs from the appointments; empty when equal."""
    stored, raw = stored_counts(), raw_counts()
    return sorted(
        (key, stored.get(key, 0), raw.get(key, 0))
        for key in set(stored) | set(raw)
        if stored.get(key, 0) != raw.get(key, 0)
    )


@transaction.atomic
def rebuild():
    """Replace the roll-up with the raw counts (idempotent). Returns the number of rows written."""
    counts = raw_counts()
    AppointmentDailyCount.objects.all().delete()
    AppointmentDailyCount.objects.bulk_create(
        [
            AppointmentDailyCount(day=day, hospital_id=hospital, status=status, kind=kind, lead_bucket=bucket, count=n)
            for (day, hospital, status, kind, bucket), n in sorted(counts.items())
        ],
        batch_size=2000,
    )
    return len(counts)
