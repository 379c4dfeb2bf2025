"""Hand-written SQL baselines of the reports and the dashboard (issue 11), for scripts/benchmark.py.

``BASELINES[name](connection, params)`` computes the figures of report ``name`` (or of the dashboard, under
``"dashboard"``) with raw SQL over the raw tables: every aggregate grouped in SQL over an indexed date range,
no ORM. ``params`` is a ``reports.registry.ReportParams``. Each returns the report's rows exactly (the
dashboard's: ``reports.dashboard.dashboard_data``), so the benchmark compares like with like; the suite checks the
equality on factory data (reports/tests/test_bench_sql.py).

The SQL is MariaDB/MySQL (CONVERT_TZ needs the server's time zone tables, as the reports do). Pure-Python
shaping shared with the reports (ratio, money, the no-show model, the slot arithmetic) is imported, not
re-written: the benchmark measures the database work, which is the part that differs. The baselines read
the raw tables, never the roll-ups: the roll-ups are what the reports may use to beat them.
"""

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from billing.choices import ADJUDICATED_CLAIM_STATUSES, BillStatus, ClaimStatus
from billing.reports import AGING_BUCKETS, ISSUED_STATUSES, SELF_PAY, revenue_period_rows, revenue_periods
from clinical.reports import SUCCESS
from hms.reporting import day_bounds, money, ratio, report_tz
from inventory.selectors import DEFAULT_ALERT_DAYS
from patients.reports import AGE_BANDS, years_before
from scheduling.choices import ACTIVE_APPOINTMENT_STATUSES, AppointmentKind, AppointmentStatus
from scheduling.reports import (
    DUE_STATUSES,
    NoShowModel,
    _explain,
    _hours,
    slot_time_by_doctor,
    validation_rows,
)
from scheduling.rollups import LEAD_BUCKETS, lead_bucket

S = AppointmentStatus


# --- helpers --------------------------------------------------------------------------------------------------


def _rows(connection, sql, args=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(args))
        return cursor.fetchall()


def _utc(moment):
    """An aware moment as the naive UTC value MariaDB stores."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(value):
    return value.replace(tzinfo=UTC) if value is not None else None


def _tz_name(params):
    name = params.hospital.timezone if params.hospital is not None else settings.TIME_ZONE
    if not re.fullmatch(r"[A-Za-z0-9_+/-]+", name):
        raise ValueError(f"Unexpected time zone name {name!r}.")
    return name


def _bounds(params):
    start, end = day_bounds(params.date_from, params.date_to, report_tz(params.hospital))
    return _utc(start), _utc(end)


def _local_date(column, tz_name):
    return f"DATE(CONVERT_TZ({column}, 'UTC', '{tz_name}'))"


def _period(period, column, tz_name):
    """SQL for the local day, week (Monday) or month (first day) of an aware datetime column."""
    local = _local_date(column, tz_name)
    if period == "day":
        return local
    if period == "week":
        return f"DATE_SUB({local}, INTERVAL WEEKDAY({local}) DAY)"
    return f"DATE_SUB({local}, INTERVAL DAYOFMONTH({local}) - 1 DAY)"


def _in(values):
    """(placeholders, values) for an IN list."""
    values = [str(v) for v in values]
    return ", ".join(["%s"] * len(values)), values


def _lead_case(start="a.start", booked="a.booked_at"):
    parts = [
        f"WHEN {booked} >= {start} - INTERVAL {days} DAY THEN '{label}'"
        for label, days in LEAD_BUCKETS
        if days is not None
    ]
    return f"CASE {' '.join(parts)} ELSE '{LEAD_BUCKETS[-1][0]}' END"


def _doctor_label(first, last, username, specialty):
    name = f"{first} {last}".strip() or username
    return f"Dr. {name}" + (f" ({specialty})" if specialty else "")


def _appointment_scope(params, alias="a"):
    """(joins, where, args) of appointments starting in the params' days, hospital and department."""
    start, end = _bounds(params)
    joins, where, args = "", [f"{alias}.start >= %s", f"{alias}.start < %s"], [start, end]
    if params.hospital is not None:
        where.append(f"{alias}.hospital_id = %s")
        args.append(params.hospital.pk)
    if params.department is not None:
        joins = f" JOIN staff_staffmember scope_doc ON scope_doc.id = {alias}.doctor_id"
        where.append("scope_doc.department_id = %s")
        args.append(params.department.pk)
    return joins, " AND ".join(where), args


# --- demographics ----------------------------------------------------------------------------------------------


def demographics(connection, params):
    tz_name = _tz_name(params)
    start, end = _bounds(params)
    scope, args = "p.is_active = 1", []
    if params.hospital is not None:
        scope += " AND p.preferred_hospital_id = %s"
        args.append(params.hospital.pk)
    existing = f"{scope} AND p.registered_at < %s"
    existing_args = [*args, end]
    whens = " ".join(
        f"WHEN p.date_of_birth > %s THEN '{label}'"
        for (label, _), (_, next_low) in zip(AGE_BANDS, AGE_BANDS[1:], strict=False)
    )
    band_args = [years_before(params.date_to, low) for _, low in AGE_BANDS[1:]]
    counts = dict(
        _rows(
            connection,
            f"SELECT CASE {whens} ELSE '{AGE_BANDS[-1][0]}' END AS band, COUNT(*) FROM patients_patient p "
            f"WHERE {existing} GROUP BY band",
            [*band_args, *existing_args],
        )
    )
    rows = [{"section": "age_band", "group": label, "patients": counts.get(label, 0)} for label, _ in AGE_BANDS]
    for group, n in _rows(
        connection,
        f"SELECT p.sex, COUNT(*) FROM patients_patient p WHERE {existing} GROUP BY p.sex ORDER BY p.sex",
        existing_args,
    ):
        rows.append({"section": "sex", "group": group, "patients": n})
    for group, n in _rows(
        connection,
        f"SELECT p.state, COUNT(*) FROM patients_patient p WHERE {existing} GROUP BY p.state ORDER BY p.state",
        existing_args,
    ):
        rows.append({"section": "state", "group": group or "(none)", "patients": n})
    for group, n in _rows(
        connection,
        "SELECT h.code, COUNT(*) FROM patients_patient p LEFT JOIN staff_hospital h ON h.id = p.preferred_hospital_id "
        f"WHERE {existing} GROUP BY h.code ORDER BY h.code",
        existing_args,
    ):
        rows.append({"section": "hospital", "group": group or "(none)", "patients": n})
    period = _period(params.period, "p.registered_at", tz_name)
    for day, n in _rows(
        connection,
        f"SELECT {period} AS d, COUNT(*) FROM patients_patient p "
        f"WHERE {scope} AND p.registered_at >= %s AND p.registered_at < %s GROUP BY d ORDER BY d",
        [*args, start, end],
    ):
        rows.append({"section": "registrations", "period": day, "patients": n})
    return rows


# --- appointments ----------------------------------------------------------------------------------------------


def appointments(connection, params):
    tz_name = _tz_name(params)
    joins, where, args = _appointment_scope(params)
    period = _period(params.period, "a.start", tz_name)
    rows = []
    for day, code, department, first, last, n in _rows(
        connection,
        f"SELECT {period} AS d, h.code, dep.code, u.first_name, u.last_name, COUNT(*) "
        f"FROM scheduling_appointment a{joins} "
        "JOIN staff_hospital h ON h.id = a.hospital_id "
        "JOIN staff_staffmember s ON s.id = a.doctor_id JOIN auth_user u ON u.id = s.user_id "
        "LEFT JOIN staff_department dep ON dep.id = s.department_id "
        f"WHERE {where} GROUP BY d, h.code, dep.code, a.doctor_id, u.first_name, u.last_name "
        "ORDER BY d, h.code, dep.code, u.last_name, a.doctor_id",
        args,
    ):
        rows.append(
            {
                "section": "volume",
                "period": day,
                "hospital": code,
                "department": department or "",
                "doctor": f"Dr. {first} {last}".strip(),
                "value": n,
            }
        )
    for day, no_shows, due in _rows(
        connection,
        f"SELECT {period} AS d, SUM(a.status = 'no_show'), SUM(a.status IN ('completed', 'no_show')) "
        f"FROM scheduling_appointment a{joins} WHERE {where} GROUP BY d ORDER BY d",
        args,
    ):
        rows.append({"section": "period_rate", "period": day, "group": "no_show_rate", "value": ratio(no_shows, due)})
    counts = defaultdict(int)
    telemedicine = 0
    for status, kind, n in _rows(
        connection,
        f"SELECT a.status, a.kind, COUNT(*) FROM scheduling_appointment a{joins} "
        f"WHERE {where} GROUP BY a.status, a.kind",
        args,
    ):
        counts[status] += n
        if kind == AppointmentKind.TELEMEDICINE and status != S.CANCELLED:
            telemedicine += n
    for status in S:
        rows.append({"section": "status", "group": status.value, "value": counts[status.value]})
    total = sum(counts.values())
    rows.append({"section": "rate", "group": "cancellation_rate", "value": ratio(counts[S.CANCELLED], total)})
    rows.append(
        {
            "section": "rate",
            "group": "no_show_rate",
            "value": ratio(counts[S.NO_SHOW], counts[S.COMPLETED] + counts[S.NO_SHOW]),
        }
    )
    rows.append(
        {"section": "rate", "group": "telemedicine_share", "value": ratio(telemedicine, total - counts[S.CANCELLED])}
    )
    median = None
    if total:
        middle = [
            timedelta(microseconds=int(lead))
            for (lead,) in _rows(
                connection,
                f"SELECT TIMESTAMPDIFF(MICROSECOND, a.booked_at, a.start) AS lead_us "
                f"FROM scheduling_appointment a{joins} WHERE {where} ORDER BY lead_us LIMIT %s OFFSET %s",
                [*args, total // 2 + 1 - (total - 1) // 2, (total - 1) // 2],
            )
        ]
        value = sum(middle, timedelta()) / len(middle)
        median = Decimal(value.total_seconds() / 86400).quantize(Decimal("0.1"))
    rows.append({"section": "rate", "group": "median_lead_days", "value": median})
    return rows


# --- utilization -----------------------------------------------------------------------------------------------


def _time(value):
    return (datetime.min + value).time() if isinstance(value, timedelta) else value


def utilization(connection, params):
    from scheduling.models import Availability
    from staff.models import Hospital

    where, args = ["w.valid_from <= %s", "(w.valid_to IS NULL OR w.valid_to >= %s)"], [params.date_to, params.date_from]
    if params.hospital is not None:
        where.append("w.hospital_id = %s")
        args.append(params.hospital.pk)
    if params.department is not None:
        where.append("s.department_id = %s")
        args.append(params.department.pk)
    doctor_columns = "u.first_name, u.last_name, u.username, s.specialty, dh.code, dep.code"
    doctor_joins = (
        "JOIN auth_user u ON u.id = s.user_id JOIN staff_hospital dh ON dh.id = s.hospital_id "
        "LEFT JOIN staff_department dep ON dep.id = s.department_id"
    )
    windows, doctors = [], {}
    for row in _rows(
        connection,
        "SELECT w.doctor_id, w.weekday, w.start_time, w.end_time, w.slot_minutes, w.valid_from, w.valid_to, "
        f"wh.timezone, {doctor_columns} FROM scheduling_availability w "
        "JOIN staff_hospital wh ON wh.id = w.hospital_id JOIN staff_staffmember s ON s.id = w.doctor_id "
        f"{doctor_joins} WHERE {' AND '.join(where)}",
        args,
    ):
        doctor_id, weekday, opens, closes, minutes, valid_from, valid_to, tz_name = row[:8]
        windows.append(
            Availability(
                doctor_id=doctor_id,
                hospital=Hospital(timezone=tz_name),
                weekday=weekday,
                start_time=_time(opens),
                end_time=_time(closes),
                slot_minutes=minutes,
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
        doctors[doctor_id] = row[8:]
    start, end = _bounds(params)
    off = defaultdict(list)
    if doctors:
        marks, ids = _in(doctors)
        for doctor_id, off_start, off_end in _rows(
            connection,
            "SELECT doctor_id, start, end FROM scheduling_timeoff "
            f"WHERE is_cancelled = 0 AND doctor_id IN ({marks}) AND start < %s AND end > %s",
            [*ids, end, start],
        ):
            off[doctor_id].append((_aware(off_start), _aware(off_end)))
    slot_time = slot_time_by_doctor(windows, off, params.date_from, params.date_to)
    joins, scope, scope_args = _appointment_scope(params)
    booked = {
        doctor_id: (booked_us, completed_us)
        for doctor_id, booked_us, completed_us in _rows(
            connection,
            "SELECT a.doctor_id, "
            "SUM(CASE WHEN a.status <> 'cancelled' THEN TIMESTAMPDIFF(MICROSECOND, a.start, a.end) END), "
            "SUM(CASE WHEN a.status = 'completed' THEN TIMESTAMPDIFF(MICROSECOND, a.start, a.end) END) "
            f"FROM scheduling_appointment a{joins} WHERE {scope} GROUP BY a.doctor_id",
            scope_args,
        )
    }
    missing = set(booked) - set(doctors)
    if missing:
        marks, ids = _in(missing)
        for row in _rows(
            connection,
            f"SELECT s.id, {doctor_columns} FROM staff_staffmember s {doctor_joins} WHERE s.id IN ({marks})",
            ids,
        ):
            doctors[row[0]] = row[1:]

    def span(microseconds):
        return timedelta(microseconds=int(microseconds)) if microseconds else None

    rows = []
    for doctor_id in {w.doctor_id for w in windows} | set(booked):
        first, last, username, specialty, hospital_code, department_code = doctors[doctor_id]
        booked_us, completed_us = booked.get(doctor_id, (None, None))
        slot_hours, booked_hours = _hours(slot_time.get(doctor_id)), _hours(span(booked_us))
        rows.append(
            {
                "doctor": _doctor_label(first, last, username, specialty),
                "hospital": hospital_code,
                "department": department_code or "",
                "slot_hours": slot_hours,
                "booked_hours": booked_hours,
                "completed_hours": _hours(span(completed_us)),
                "utilization": ratio(booked_hours, slot_hours),
            }
        )
    rows.sort(key=lambda r: (r["hospital"], r["doctor"]))
    return rows


# --- revenue ---------------------------------------------------------------------------------------------------


def revenue(connection, params):
    tz_name = _tz_name(params)
    start, end = _bounds(params)
    issued_marks, issued = _in(ISSUED_STATUSES)
    hospital_sql, hospital_args = ("", [])
    if params.hospital is not None:
        hospital_sql, hospital_args = " AND b.hospital_id = %s", [params.hospital.pk]
    per_period = revenue_periods()
    period = _period(params.period, "b.issued_at", tz_name)
    for day, code, n, billed, outstanding in _rows(
        connection,
        f"SELECT {period} AS d, h.code, COUNT(*), SUM(b.total), SUM(b.balance) FROM billing_bill b "
        "JOIN staff_hospital h ON h.id = b.hospital_id "
        f"WHERE b.status IN ({issued_marks}) AND b.issued_at >= %s AND b.issued_at < %s{hospital_sql} "
        "GROUP BY d, h.code",
        [*issued, start, end, *hospital_args],
    ):
        per_period[(day, code)].update(count=n, billed=billed, outstanding=outstanding)
    for table, column, sign in (("billing_payment", "received_at", 1), ("billing_refund", "refunded_at", -1)):
        moved = _period(params.period, f"m.{column}", tz_name)
        for day, code, amount in _rows(
            connection,
            f"SELECT {moved} AS d, h.code, SUM(m.amount) FROM {table} m JOIN billing_bill b ON b.id = m.bill_id "
            "JOIN staff_hospital h ON h.id = b.hospital_id "
            f"WHERE m.{column} >= %s AND m.{column} < %s AND b.status <> %s{hospital_sql} GROUP BY d, h.code",
            [start, end, BillStatus.VOID, *hospital_args],
        ):
            per_period[(day, code)]["collected"] += sign * amount
    rows = revenue_period_rows(per_period)

    # AR aging on date_to.
    tz = report_tz(params.hospital)
    _, day_end = day_bounds(params.date_to, params.date_to, tz)
    whens, bucket_args = [], []
    for label, days in AGING_BUCKETS:
        if days is not None:
            boundary, _ = day_bounds(params.date_to - timedelta(days=days), params.date_to, tz)
            whens.append(f"WHEN b.issued_at >= %s THEN '{label}'")
            bucket_args.append(_utc(boundary))
    found = {
        bucket: (n, amount)
        for bucket, n, amount in _rows(
            connection,
            f"SELECT CASE {' '.join(whens)} ELSE '{AGING_BUCKETS[-1][0]}' END AS bucket, COUNT(*), SUM(b.balance) "
            "FROM billing_bill b WHERE b.status IN (%s, %s) AND b.balance > 0 AND b.issued_at < %s"
            f"{hospital_sql} GROUP BY bucket",
            [*bucket_args, BillStatus.ISSUED, BillStatus.PARTIALLY_PAID, _utc(day_end), *hospital_args],
        )
    }
    total = sum((amount for _, amount in found.values()), Decimal(0))
    for label, _ in AGING_BUCKETS:
        n, amount = found.get(label, (0, Decimal(0)))
        rows.append(
            {"section": "aging", "group": label, "count": n, "amount": money(amount), "share": ratio(amount, total)}
        )

    rows += _payer_mix(connection, params)

    claim_marks, claim_statuses = _in(ADJUDICATED_CLAIM_STATUSES)
    ((adjudicated, approved, denied),) = _rows(
        connection,
        "SELECT COUNT(*), COALESCE(SUM(c.status <> %s), 0), COALESCE(SUM(c.status = %s), 0) FROM billing_claim c "
        f"JOIN billing_bill b ON b.id = c.bill_id WHERE c.status IN ({claim_marks}) "
        f"AND c.adjudicated_at >= %s AND c.adjudicated_at < %s{hospital_sql}",
        [ClaimStatus.DENIED, ClaimStatus.DENIED, *claim_statuses, start, end, *hospital_args],
    )
    for key, n in (("approved", int(approved)), ("denied", int(denied))):
        rows.append({"section": "claims", "group": key, "count": n, "share": ratio(n, adjudicated)})
    return rows


def _payer_mix(connection, params):
    start, end = _bounds(params)
    issued_marks, issued = _in(ISSUED_STATUSES)
    hospital_sql, hospital_args = ("", [])
    if params.hospital is not None:
        hospital_sql, hospital_args = " AND b.hospital_id = %s", [params.hospital.pk]
    mix = _rows(
        connection,
        "SELECT py.name, SUM(b.insurance_covered), SUM(b.patient_due) FROM billing_bill b "
        "LEFT JOIN patients_insurancepolicy pol ON pol.id = b.policy_id "
        "LEFT JOIN patients_payer py ON py.id = pol.payer_id "
        f"WHERE b.status IN ({issued_marks}) AND b.issued_at >= %s AND b.issued_at < %s{hospital_sql} GROUP BY py.name",
        [*issued, start, end, *hospital_args],
    )
    billed_total = sum((insurer + patient for _, insurer, patient in mix), Decimal(0))
    payers = defaultdict(Decimal)
    for name, insurer, patient in mix:
        if name:
            payers[name] += insurer
        payers[SELF_PAY] += patient
    return [
        {"section": "payer_mix", "group": payer, "amount": money(amount), "share": ratio(amount, billed_total)}
        for payer, amount in sorted(payers.items(), key=lambda item: (-item[1], item[0]))
    ]


# --- clinical --------------------------------------------------------------------------------------------------


def clinical(connection, params):
    start, end = _bounds(params)
    where, args = ["a.start >= %s", "a.start < %s", "dg.removed_at IS NULL"], [start, end]
    if params.hospital is not None:
        where.append("a.hospital_id = %s")
        args.append(params.hospital.pk)
    if params.department is not None:
        where.append("s.department_id = %s")
        args.append(params.department.pk)
    base = (
        "FROM clinical_diagnosis dg JOIN clinical_medicalrecord r ON r.id = dg.record_id "
        "JOIN scheduling_appointment a ON a.id = r.appointment_id JOIN staff_staffmember s ON s.id = r.doctor_id "
        f"WHERE {' AND '.join(where)}"
    )
    rows = []
    for chapter, n in _rows(
        connection,
        f"SELECT SUBSTRING(dg.code, 1, 1) AS chapter, COUNT(*) AS n {base} GROUP BY chapter ORDER BY n DESC, chapter",
        args,
    ):
        rows.append({"section": "chapter", "group": chapter, "count": n})
    for code, n in _rows(
        connection, f"SELECT dg.code, COUNT(*) AS n {base} GROUP BY dg.code ORDER BY n DESC, dg.code", args
    ):
        rows.append({"section": "code", "group": code, "count": n})
    marks, success = _in(SUCCESS)
    for code, department, n, ok in _rows(
        connection,
        f"SELECT dg.code, dep.code, COUNT(*), SUM(r.outcome IN ({marks})) "
        + base.replace("WHERE", "LEFT JOIN staff_department dep ON dep.id = s.department_id WHERE")
        + " AND r.outcome <> '' GROUP BY dg.code, dep.code ORDER BY dg.code, dep.code",
        [*success, *args],
    ):
        rows.append(
            {
                "section": "outcome",
                "group": code,
                "department": department or "",
                "count": n,
                "successes": int(ok),
                "success_rate": ratio(ok, n),
            }
        )
    return rows


# --- inventory -------------------------------------------------------------------------------------------------


def inventory(connection, params, today=None):
    from django.utils import timezone

    today = today or timezone.localdate()
    hospital_sql, hospital_args = ("", [])
    if params.hospital is not None:
        hospital_sql, hospital_args = " AND st.hospital_id = %s", [params.hospital.pk]
    rows = []
    for hospital_code, store_code, store_name, units, value in _rows(
        connection,
        "SELECT h.code, st.code, st.name, SUM(bt.quantity_on_hand), SUM(bt.quantity_on_hand * bt.unit_cost) "
        "FROM inventory_batch bt JOIN inventory_store st ON st.id = bt.store_id "
        "JOIN staff_hospital h ON h.id = st.hospital_id "
        f"WHERE 1 = 1{hospital_sql} GROUP BY h.code, st.code, st.name ORDER BY h.code, st.code",
        hospital_args,
    ):
        rows.append(
            {
                "section": "stock_value",
                "store": f"{hospital_code}/{store_code}",
                "quantity": int(units),
                "value": money(value),
                "detail": store_name,
            }
        )
    for hospital_code, store_code, item_code, item_name, on_hand, level, quantity in _rows(
        connection,
        "SELECT h.code, st.code, it.code, it.name, COALESCE(oh.total, 0) AS on_hand, "
        "r.reorder_level, r.reorder_quantity "
        "FROM inventory_stocklevelrule r JOIN inventory_item it ON it.id = r.item_id "
        "JOIN inventory_store st ON st.id = r.store_id JOIN staff_hospital h ON h.id = st.hospital_id "
        "LEFT JOIN (SELECT item_id, store_id, SUM(quantity_on_hand) AS total FROM inventory_batch "
        "WHERE expiry_date >= %s GROUP BY item_id, store_id) oh ON oh.item_id = r.item_id AND oh.store_id = r.store_id "
        f"WHERE it.is_active = 1 AND st.is_active = 1 AND COALESCE(oh.total, 0) <= r.reorder_level{hospital_sql} "
        "ORDER BY h.name, st.name, it.name, r.id",
        [today, *hospital_args],
    ):
        rows.append(
            {
                "section": "low_stock",
                "store": f"{hospital_code}/{store_code}",
                "item": item_code,
                "quantity": int(on_hand),
                "detail": f"{item_name}: reorder level {level}, reorder {quantity}",
            }
        )
    for hospital_code, store_code, item_code, on_hand, cost, lot, expiry in _rows(
        connection,
        "SELECT h.code, st.code, it.code, bt.quantity_on_hand, bt.unit_cost, bt.lot_number, bt.expiry_date "
        "FROM inventory_batch bt JOIN inventory_item it ON it.id = bt.item_id "
        "JOIN inventory_store st ON st.id = bt.store_id JOIN staff_hospital h ON h.id = st.hospital_id "
        f"WHERE bt.quantity_on_hand > 0 AND bt.expiry_date <= %s AND st.is_active = 1{hospital_sql} "
        "ORDER BY bt.expiry_date, bt.id",
        [today + timedelta(days=DEFAULT_ALERT_DAYS), *hospital_args],
    ):
        rows.append(
            {
                "section": "expiring",
                "store": f"{hospital_code}/{store_code}",
                "item": item_code,
                "quantity": on_hand,
                "value": money(on_hand * cost),
                "detail": f"lot {lot} expires {expiry.isoformat()}",
            }
        )
    start, end = _bounds(params)
    period = _period(params.period, "m.created_at", _tz_name(params))
    for day, item_code, item_name, units in _rows(
        connection,
        f"SELECT {period} AS d, it.code, it.name, SUM(m.quantity) FROM inventory_stockmovement m "
        "JOIN inventory_batch bt ON bt.id = m.batch_id JOIN inventory_item it ON it.id = bt.item_id "
        "JOIN inventory_store st ON st.id = bt.store_id "
        f"WHERE m.kind = 'dispense' AND m.created_at >= %s AND m.created_at < %s{hospital_sql} "
        "GROUP BY d, it.code, it.name ORDER BY d, it.code",
        [start, end, *hospital_args],
    ):
        rows.append(
            {"section": "consumption", "period": day, "item": item_code, "quantity": -int(units), "detail": item_name}
        )
    return rows


# --- no-show risk and its validation ---------------------------------------------------------------------------


def no_show_risk(connection, params, now=None):
    from django.utils import timezone

    now = _utc(now or timezone.now())
    due_marks, due = _in(DUE_STATUSES)
    model = NoShowModel()
    local = "CONVERT_TZ(a.start, 'UTC', h.timezone)"
    for bucket, weekday, kind, n, no_shows in _rows(
        connection,
        f"SELECT {_lead_case()} AS bucket, WEEKDAY({local}) + 1 AS weekday, a.kind, COUNT(*), "
        "SUM(a.status = 'no_show') "
        "FROM scheduling_appointment a JOIN staff_hospital h ON h.id = a.hospital_id "
        f"WHERE a.status IN ({due_marks}) AND a.start < %s GROUP BY bucket, weekday, a.kind",
        [*due, now],
    ):
        model.add(no_shows=int(no_shows), due=n, lead=bucket, weekday=weekday, kind=kind)
    joins, where, args = _appointment_scope(params)
    active_marks, active = _in(ACTIVE_APPOINTMENT_STATUSES)
    upcoming_where = f"{where} AND a.status IN ({active_marks}) AND a.start >= %s"
    upcoming_args = [*args, *active, now]
    patients = {
        patient_id: (n, int(no_shows))
        for patient_id, n, no_shows in _rows(
            connection,
            "SELECT a.patient_id, COUNT(*), SUM(a.status = 'no_show') FROM scheduling_appointment a "
            f"WHERE a.status IN ({due_marks}) AND a.start < %s AND a.patient_id IN "
            f"(SELECT a.patient_id FROM scheduling_appointment a{joins} WHERE {upcoming_where}) GROUP BY a.patient_id",
            [*due, now, *upcoming_args],
        )
    }
    rows = []
    for (
        pk,
        start,
        booked_at,
        kind,
        patient_id,
        first,
        last,
        mrn,
        d_first,
        d_last,
        d_user,
        specialty,
        code,
        tz_name,
    ) in _rows(
        connection,
        "SELECT a.id, a.start, a.booked_at, a.kind, a.patient_id, p.first_name, p.last_name, p.mrn, "
        "u.first_name, u.last_name, u.username, s.specialty, h.code, h.timezone "
        f"FROM scheduling_appointment a{joins} JOIN patients_patient p ON p.id = a.patient_id "
        "JOIN staff_staffmember s ON s.id = a.doctor_id JOIN auth_user u ON u.id = s.user_id "
        f"JOIN staff_hospital h ON h.id = a.hospital_id WHERE {upcoming_where} ORDER BY a.start, a.id",
        upcoming_args,
    ):
        due_count, no_shows = patients.get(patient_id, (0, 0))
        lead = start - booked_at
        local_start = _aware(start).astimezone(ZoneInfo(tz_name))
        probability, parts = model.predict(
            patient_no_shows=no_shows,
            patient_due=due_count,
            lead=lead_bucket(lead),
            weekday=local_start.isoweekday(),
            kind=kind,
        )
        rows.append(
            {
                "appointment": pk,
                "start": local_start,
                "patient": f"{first} {last} (MRN {mrn})",
                "doctor": _doctor_label(d_first, d_last, d_user, specialty),
                "hospital": code,
                "kind": kind,
                "lead_days": lead.days,
                "probability": Decimal(probability).quantize(Decimal("0.001")),
                "factors": _explain(model.base, parts),
            }
        )
    rows.sort(key=lambda r: (-r["probability"], r["start"]))
    return rows


def no_show_validation(connection, params):
    start, end = _bounds(params)
    due_marks, due = _in(DUE_STATUSES)
    zones = {pk: ZoneInfo(name) for pk, name in _rows(connection, "SELECT id, timezone FROM staff_hospital")}
    joins, where, args = _appointment_scope(params)
    evaluated = {
        pk
        for (pk,) in _rows(
            connection,
            f"SELECT a.id FROM scheduling_appointment a{joins} WHERE {where} AND a.status IN ({due_marks})",
            [*args, *due],
        )
    }
    model = NoShowModel()
    local = "CONVERT_TZ(a.start, 'UTC', h.timezone)"
    for bucket, weekday, kind, n, no_shows in _rows(
        connection,
        f"SELECT {_lead_case()} AS bucket, WEEKDAY({local}) + 1 AS weekday, a.kind, COUNT(*), "
        "SUM(a.status = 'no_show') FROM scheduling_appointment a JOIN staff_hospital h ON h.id = a.hospital_id "
        f"WHERE a.status IN ({due_marks}) AND a.start < %s GROUP BY bucket, weekday, a.kind",
        [*due, start],
    ):
        model.add(no_shows=int(no_shows), due=n, lead=bucket, weekday=weekday, kind=kind)
    by_patient = defaultdict(lambda: [0, 0])
    for patient_id, n, no_shows in _rows(
        connection,
        "SELECT a.patient_id, COUNT(*), SUM(a.status = 'no_show') FROM scheduling_appointment a "
        f"WHERE a.status IN ({due_marks}) AND a.start < %s AND a.patient_id IN (SELECT w.patient_id "
        f"FROM scheduling_appointment w WHERE w.status IN ({due_marks}) AND w.start >= %s AND w.start < %s) "
        "GROUP BY a.patient_id",
        [*due, start, *due, start, end],
    ):
        by_patient[patient_id] = [int(no_shows), n]
    visits = (
        (pk, patient_id, hospital_id, _aware(visit_start), _aware(booked_at), kind, status)
        for pk, patient_id, hospital_id, visit_start, booked_at, kind, status in _rows(
            connection,
            "SELECT a.id, a.patient_id, a.hospital_id, a.start, a.booked_at, a.kind, a.status "
            f"FROM scheduling_appointment a WHERE a.status IN ({due_marks}) AND a.start >= %s AND a.start < %s "
            "ORDER BY a.start, a.id",
            [*due, start, end],
        )
    )
    return validation_rows(visits, evaluated, zones, model=model, by_patient=by_patient)


# --- dashboard -------------------------------------------------------------------------------------------------


def _local_days(connection, column, date_from, date_to, hospital, hospital_column="a.hospital_id"):
    """(where, args) selecting rows whose ``column`` falls on the local days date_from..date_to of the row's
    hospital ``h``: a UTC range wide enough for every hospital's time zone (indexed), then the exact local day."""
    zones = [name for (name,) in _rows(connection, "SELECT DISTINCT timezone FROM staff_hospital")] or ["UTC"]
    bounds = [day_bounds(date_from, date_to, ZoneInfo(name)) for name in zones]
    local = f"DATE(CONVERT_TZ({column}, 'UTC', h.timezone))"
    where = f"{column} >= %s AND {column} < %s AND {local} BETWEEN %s AND %s"
    args = [_utc(min(low for low, _ in bounds)), _utc(max(high for _, high in bounds)), date_from, date_to]
    if hospital is not None:
        where += f" AND {hospital_column} = %s"
        args.append(hospital.pk)
    return where, args


def _day_counts(connection, date_from, date_to, hospital):
    """[(local day at the hospital, status, count)] from the raw appointments."""
    where, args = _local_days(connection, "a.start", date_from, date_to, hospital)
    local = "DATE(CONVERT_TZ(a.start, 'UTC', h.timezone))"
    return list(
        _rows(
            connection,
            f"SELECT {local} AS d, a.status, COUNT(*) FROM scheduling_appointment a "
            f"JOIN staff_hospital h ON h.id = a.hospital_id WHERE {where} GROUP BY d, a.status ORDER BY d, a.status",
            args,
        )
    )


def _money_figures(connection, params):
    """billed per month, billed, collected and outstanding on each hospital's local days, from the raw rows."""
    issued_marks, issued = _in(ISSUED_STATUSES)
    where, args = _local_days(
        connection, "b.issued_at", params.date_from, params.date_to, params.hospital, "b.hospital_id"
    )
    local = "DATE(CONVERT_TZ(b.issued_at, 'UTC', h.timezone))"
    per_month = _rows(
        connection,
        f"SELECT DATE_SUB({local}, INTERVAL DAYOFMONTH({local}) - 1 DAY) AS m, SUM(b.total) FROM billing_bill b "
        f"JOIN staff_hospital h ON h.id = b.hospital_id WHERE b.status IN ({issued_marks}) AND {where} "
        "GROUP BY m ORDER BY m",
        [*issued, *args],
    )
    collected = Decimal(0)
    for table, column, sign in (("billing_payment", "m.received_at", 1), ("billing_refund", "m.refunded_at", -1)):
        where, args = _local_days(
            connection, column, params.date_from, params.date_to, params.hospital, "b.hospital_id"
        )
        ((amount,),) = _rows(
            connection,
            f"SELECT SUM(m.amount) FROM {table} m JOIN billing_bill b ON b.id = m.bill_id "
            f"JOIN staff_hospital h ON h.id = b.hospital_id WHERE b.status <> %s AND {where}",
            [BillStatus.VOID, *args],
        )
        collected += sign * (amount or 0)
    hospital_sql, hospital_args = ("", [])
    if params.hospital is not None:
        hospital_sql, hospital_args = " AND b.hospital_id = %s", [params.hospital.pk]
    _, latest = _local_days(connection, "b.issued_at", params.date_to, params.date_to, None)[1][:2]
    ((outstanding,),) = _rows(
        connection,
        "SELECT SUM(b.balance) FROM billing_bill b JOIN staff_hospital h ON h.id = b.hospital_id "
        "WHERE b.status IN (%s, %s) AND b.balance > 0 AND b.issued_at < %s "
        f"AND DATE(CONVERT_TZ(b.issued_at, 'UTC', h.timezone)) <= %s{hospital_sql}",
        [BillStatus.ISSUED, BillStatus.PARTIALLY_PAID, latest, params.date_to, *hospital_args],
    )
    return {
        "billed_per_month": [(month, money(amount)) for month, amount in per_month],
        "billed": money(sum((amount for _, amount in per_month), Decimal(0))),
        "collected": money(collected),
        "outstanding": money(outstanding),
    }


def dashboard(connection, params, today=None):
    """The figures of ``reports.dashboard.dashboard_data`` from the raw tables (each hospital's local days)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    days = _day_counts(connection, params.date_from, params.date_to, params.hospital)
    today_counts = _day_counts(connection, today, today, params.hospital)
    money_figures = _money_figures(connection, params)
    payer_mix = [(row["group"], row["amount"]) for row in _payer_mix(connection, params)]
    hospital_sql, hospital_args = ("", [])
    if params.hospital is not None:
        hospital_sql, hospital_args = " AND st.hospital_id = %s", [params.hospital.pk]
    ((low_stock,),) = _rows(
        connection,
        "SELECT COUNT(*) FROM inventory_stocklevelrule r JOIN inventory_item it ON it.id = r.item_id "
        "JOIN inventory_store st ON st.id = r.store_id "
        "LEFT JOIN (SELECT item_id, store_id, SUM(quantity_on_hand) AS total FROM inventory_batch "
        "WHERE expiry_date >= %s GROUP BY item_id, store_id) oh ON oh.item_id = r.item_id AND oh.store_id = r.store_id "
        f"WHERE it.is_active = 1 AND st.is_active = 1 AND COALESCE(oh.total, 0) <= r.reorder_level{hospital_sql}",
        [today, *hospital_args],
    )
    per_week = defaultdict(lambda: defaultdict(int))
    totals = defaultdict(int)
    for day, status, n in days:
        per_week[day - timedelta(days=day.weekday())][status] += n
        totals[status] += n
    no_show, completed = S.NO_SHOW, S.COMPLETED
    return {
        "appointments_today": sum(n for _, _, n in today_counts),
        "no_shows_today": sum(n for _, status, n in today_counts if status == no_show),
        "appointments": sum(totals.values()),
        "no_shows": totals[no_show],
        "no_show_rate": ratio(totals[no_show], totals[no_show] + totals[completed]),
        "per_week": [(week, sum(counts.values())) for week, counts in sorted(per_week.items())],
        "no_show_rate_per_week": [
            (week, ratio(counts[no_show], counts[no_show] + counts[completed]))
            for week, counts in sorted(per_week.items())
        ],
        **money_figures,
        "payer_mix": payer_mix,
        "low_stock": low_stock,
    }


BASELINES = {
    "demographics": demographics,
    "appointments": appointments,
    "utilization": utilization,
    "revenue": revenue,
    "clinical": clinical,
    "inventory": inventory,
    "no-show-risk": no_show_risk,
    "no-show-validation": no_show_validation,
    "dashboard": dashboard,
}
