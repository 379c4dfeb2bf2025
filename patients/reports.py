"""Patient reports (see hms.reporting). Aggregated in the database; they never change data."""

from datetime import date

from django.db.models import Case, CharField, Count, Value, When

from hms.reporting import as_date, day_bounds, report_tz, trunc
from patients.models import Patient

AGE_BANDS = (("0-17", 0), ("18-34", 18), ("35-49", 35), ("50-64", 50), ("65+", 65))


def years_before(day, years):
    """The same calendar day ``years`` earlier (Feb 29 -> Feb 28 when that year has none)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def age_band_expression(on_day):
    """A CASE on date_of_birth giving the age band on ``on_day``: born on or before the day N years earlier
    means aged N or more (a patient born on Mar 1 turns 18 on Mar 1, 18 years later)."""
    whens = []
    for (label, _), (_, next_low) in zip(AGE_BANDS, AGE_BANDS[1:], strict=False):
        whens.append(When(date_of_birth__gt=years_before(on_day, next_low), then=Value(label)))
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def demographics(*, date_from, date_to, hospital=None, department=None, period="month"):
    """Active patients by age band (age on ``date_to``), sex, state and preferred hospital, and new
    registrations per period between the dates. Patients have no department: that filter does not apply.
    Five queries whatever the number of patients."""
    patients = Patient.objects.active()
    if hospital is not None:
        patients = patients.filter(preferred_hospital=hospital)
    _, end = day_bounds(date_from, date_to, report_tz(hospital))
    existing = patients.filter(registered_at__lt=end).order_by()
    rows = []

    counts = dict(existing.annotate(band=age_band_expression(date_to)).values_list("band").annotate(n=Count("id")))
    rows += [{"section": "age_band", "group": label, "patients": counts.get(label, 0)} for label, _ in AGE_BANDS]

    for row in existing.values("sex").annotate(n=Count("id")).order_by("sex"):
        rows.append({"section": "sex", "group": row["sex"], "patients": row["n"]})
    for row in existing.values("state").annotate(n=Count("id")).order_by("state"):
        rows.append({"section": "state", "group": row["state"] or "(none)", "patients": row["n"]})
    for row in existing.values("preferred_hospital__code").annotate(n=Count("id")).order_by("preferred_hospital__code"):
        rows.append({"section": "hospital", "group": row["preferred_hospital__code"] or "(none)", "patients": row["n"]})

    tz = report_tz(hospital)
    start, end = day_bounds(date_from, date_to, tz)
    registrations = (
        patients.filter(registered_at__gte=start, registered_at__lt=end)
        .annotate(p=trunc(period, "registered_at", tz))
        .values("p")
        .annotate(n=Count("id"))
        .order_by("p")
    )
    for row in registrations:
        rows.append({"section": "registrations", "period": as_date(row["p"]), "patients": row["n"]})
    return rows
