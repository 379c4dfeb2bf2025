"""What every report function shares: its contract, its helpers and the switch that sends its reads to the replica.

A report is one selector-style function in the app that owns its data (``patients.reports``,
``scheduling.reports``, ...; the registry that names them is ``reports.registry``). It takes keyword arguments
``date_from``, ``date_to`` (dates, inclusive), ``hospital`` and ``department`` (model instances or None) and
``period`` (day, week or month) and returns rows: a list of dicts whose keys follow the report's ``columns``.
Aggregation happens in the database; a report never changes data.

``report_reads`` routes reads to the ``replica`` database, when one is configured, while a report runs
(see ``hms.db_router``).
"""

import contextvars
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import DateField, Func
from django.utils import timezone

# True while a report function runs: hms.db_router.ReportRouter then sends reads to the replica.
reading_for_report = contextvars.ContextVar("reading_for_report", default=False)


@contextmanager
def report_reads():
    """Route reads to the replica (if configured) for the duration of the block."""
    token = reading_for_report.set(True)
    try:
        yield
    finally:
        reading_for_report.reset(token)


# --- Helpers for the report functions ------------------------------------------------------------------


def report_tz(hospital=None):
    """The time zone periods are cut in: the hospital's when one is chosen, else the chain's."""
    return hospital.tzinfo if hospital is not None else timezone.get_default_timezone()


def day_bounds(date_from, date_to, tz):
    """[start, end) aware datetimes covering the local days date_from..date_to."""
    return (
        datetime.combine(date_from, time.min, tzinfo=tz),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz),
    )


def trunc(period, field_name, tz):
    """Truncate an aware datetime field to the local day, week (Monday) or month; rows carry ``as_date(value)``."""
    from django.db.models.functions import TruncDate

    if period == "day":
        return TruncDate(field_name, tzinfo=tz)
    return LocalPeriodStart(field_name, period=period, tz=tz)


class LocalPeriodStart(Func):
    """The first local day (a DATE) of the week (Monday) or month of an aware datetime column.

    On MariaDB/MySQL this is DATE arithmetic on the one local date, cheaper per row than Django's TruncWeek and
    TruncMonth (a DATE_FORMAT string cast back to DATETIME, then made aware in Python); the figures are the same.
    Elsewhere it falls back to Django's functions."""

    output_field = DateField()

    def __init__(self, expression, *, period, tz):
        super().__init__(expression)
        self.period, self.tz = period, tz

    def as_sql(self, compiler, connection, **extra):
        from django.db.models.functions import TruncMonth, TruncWeek

        function = TruncWeek if self.period == "week" else TruncMonth
        return compiler.compile(function(self.source_expressions[0], tzinfo=self.tz, output_field=DateField()))

    def as_mysql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        local = f"DATE(CONVERT_TZ({sql}, 'UTC', %s))"
        local_params = [*params, str(self.tz)]
        if self.period == "week":
            return f"DATE_SUB({local}, INTERVAL WEEKDAY({local}) DAY)", local_params * 2
        return f"DATE_SUB({local}, INTERVAL DAYOFMONTH({local}) - 1 DAY)", local_params * 2


def as_date(value):
    return value.date() if isinstance(value, datetime) else value


def ratio(part, whole, places=4):
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(1).scaleb(-places))


def money(value):
    return (value or Decimal("0")).quantize(Decimal("0.01"))
