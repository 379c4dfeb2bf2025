"""The registry of reports, shared by ``manage.py report``, the report API and the dashboard.

Each report is one selector-style function in the app that owns its data (``patients.reports``,
``scheduling.reports``, ...; the contract and the helpers they share are in ``hms.reporting``); an entry
here holds the function itself. ``parse_params`` turns raw strings (command options, query parameters) into
validated parameters and raises ``ReportError`` with a message a user can act on. ``run_report`` runs a
report with reads routed to the ``replica`` database when one is configured (see ``hms.db_router``).
"""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from billing import reports as billing_reports
from clinical import reports as clinical_reports
from hms.reporting import report_reads
from hms.validators import out_of_bounds_message
from inventory import reports as inventory_reports
from patients import reports as patients_reports
from reports.policies import own_hospital
from scheduling import reports as scheduling_reports
from staff.models import Department, Hospital

PERIODS = ("day", "week", "month")
FORMATS = ("table", "csv", "json")
DEFAULT_DAYS = 90


class ReportError(ValueError):
    """Bad report parameters (unknown report, bad date, unknown hospital ...); the message says what to fix."""


@dataclass(frozen=True)
class Report:
    name: str
    function: Callable[..., list[dict]]  # the app's report function, e.g. scheduling.reports.appointments
    description: str
    columns: tuple
    default_period: str = "month"
    default_days_back: int = DEFAULT_DAYS  # the default range ends today and starts this many days before
    default_days_ahead: int = 0  # ... or starts today and ends this many days ahead (upcoming reports)


@dataclass
class ReportParams:
    date_from: date
    date_to: date
    hospital: object = None
    department: object = None
    period: str = "month"
    extra: dict = field(default_factory=dict)

    def as_kwargs(self):
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "hospital": self.hospital,
            "department": self.department,
            "period": self.period,
        }


REPORTS = {
    report.name: report
    for report in [
        Report(
            "demographics",
            patients_reports.demographics,
            "Active patients by age band, sex, state and hospital; new registrations per period.",
            ("section", "group", "period", "patients"),
        ),
        Report(
            "appointments",
            scheduling_reports.appointments,
            "Appointment volume per period by hospital, department and doctor; statuses; rates; lead time.",
            ("section", "period", "hospital", "department", "doctor", "group", "value"),
            default_period="week",
        ),
        Report(
            "utilization",
            scheduling_reports.utilization,
            "Per doctor: bookable slot-hours from availability windows versus booked and completed hours.",
            ("doctor", "hospital", "department", "slot_hours", "booked_hours", "completed_hours", "utilization"),
        ),
        Report(
            "revenue",
            billing_reports.revenue,
            "Billed, collected and outstanding per period and hospital; AR aging; payer mix; claim rates.",
            ("section", "period", "hospital", "group", "count", "amount", "share"),
        ),
        Report(
            "clinical",
            clinical_reports.clinical,
            "Top diagnoses by ICD-10 chapter and code; treatment success rates by diagnosis and department.",
            ("section", "group", "department", "count", "successes", "success_rate"),
        ),
        Report(
            "inventory",
            inventory_reports.inventory,
            "Stock value by store, low stock, expiring batches, and dispensed units per item per period.",
            ("section", "period", "store", "item", "quantity", "value", "detail"),
        ),
        Report(
            "no-show-risk",
            scheduling_reports.no_show_risk,
            "Upcoming appointments with a no-show probability from history, and the factors behind it.",
            ("appointment", "start", "patient", "doctor", "hospital", "kind", "lead_days", "probability", "factors"),
            default_days_back=0,
            default_days_ahead=14,
        ),
        Report(
            "no-show-validation",
            scheduling_reports.no_show_validation,
            "How well the no-show model would have predicted the period (AUC and a calibration table).",
            ("section", "group", "appointments", "predicted", "observed"),
        ),
    ]
}


def get_report(name):
    try:
        return REPORTS[name]
    except KeyError:
        raise ReportError(f"Unknown report {name!r}. Known reports: {', '.join(REPORTS)}.") from None


def _parse_date(raw, label):
    try:
        value = date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ReportError(f"{label} {raw!r} is not a date; use YYYY-MM-DD.") from None
    message = out_of_bounds_message(value)
    if message:
        raise ReportError(f"{label} {raw!r}: {message}")
    return value


def parse_params(report, *, date_from=None, date_to=None, hospital=None, department=None, period=None, user=None):
    """Validated ReportParams from raw strings; raises ReportError.

    ``user``: when given and the user is a staff member (not a superuser), the report is limited to
    their own hospital; asking for another hospital is refused.
    """
    today = timezone.localdate()
    end = _parse_date(date_to, "--to") if date_to else today + timedelta(days=report.default_days_ahead)
    if date_from:
        start = _parse_date(date_from, "--from")
    elif report.default_days_ahead:
        start = today
    else:
        start = end - timedelta(days=report.default_days_back)
    if start > end:
        raise ReportError(f"The start date {start} is after the end date {end}.")
    hospital_obj = None
    if hospital:
        hospital_obj = Hospital.objects.filter(code=str(hospital).strip().upper()).first()
        if hospital_obj is None:
            raise ReportError(f"Unknown hospital code {hospital!r}.")
    own = own_hospital(user)
    if own is not None:
        if hospital_obj is not None and hospital_obj.pk != own.pk:
            raise PermissionError(f"You may only see reports of your own hospital ({own.code}).")
        hospital_obj = own
    department_obj = None
    if department:
        departments = Department.objects.filter(code=str(department).strip().upper()).select_related("hospital")
        if hospital_obj is not None:
            departments = departments.filter(hospital=hospital_obj)
        department_obj = departments.first()
        if department_obj is None:
            where = f" at {hospital_obj.code}" if hospital_obj else ""
            raise ReportError(f"Unknown department code {department!r}{where}.")
    period = (period or report.default_period).strip().lower()
    if period not in PERIODS:
        raise ReportError(f"Unknown period {period!r}; use one of {', '.join(PERIODS)}.")
    return ReportParams(start, end, hospital_obj, department_obj, period)


def run_report(name, params):
    """The rows of report ``name`` for ``params``: a list of dicts in the report's column order."""
    report = get_report(name)
    with report_reads():
        rows = report.function(**params.as_kwargs())
    return [{column: row.get(column) for column in report.columns} for row in rows]


# --- Output formats ------------------------------------------------------------------------------------


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def render_rows(rows, columns, fmt):
    if fmt == "json":
        return json.dumps(rows, cls=DjangoJSONEncoder, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return out.getvalue()
    if fmt == "table":
        cells = [[_cell(row.get(c)) for c in columns] for row in rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        for r in cells:
            lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
        if not rows:
            lines.append("(no rows)")
        return "\n".join(lines) + "\n"
    raise ReportError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
