"""The administrator's dashboard: key figures and trend charts (``dashboard_data``), from the roll-ups through
the apps' own report functions (``scheduling.reports``, ``billing.reports``), with the revenue report's
parameters (``reports.registry``).

Charts are server-side SVG drawn by ``reports.charts`` (no JavaScript, no CDN); every week and month of the range
is on its chart, a period without data as a zero.
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from billing.reports import money_summary
from hms.reporting import ratio, report_reads
from inventory.selectors import low_stock_rules
from reports.charts import bar_chart, column_chart, fill_periods, line_chart, months_between, weeks_between
from reports.policies import can_view_reports
from reports.registry import ReportError, get_report, parse_params
from scheduling.choices import AppointmentStatus
from scheduling.reports import appointment_day_counts
from staff.models import Hospital

NO_SHOW, COMPLETED = AppointmentStatus.NO_SHOW, AppointmentStatus.COMPLETED


def dashboard_data(params, *, today=None):
    """The dashboard's figures for ``params`` (dates, hospital), as plain values.

    Appointments come from the appointment roll-up and money from the billing roll-ups (``scheduling.rollups``,
    ``billing.rollups``), counted on each hospital's own local days; the payer mix and the low-stock count are
    one aggregate each. Seven queries whatever the number of appointments and bills.
    """
    today = today or timezone.localdate()
    hospital = params.hospital
    with report_reads():
        days = appointment_day_counts(date_from=params.date_from, date_to=params.date_to, hospital=hospital)
        today_counts = appointment_day_counts(date_from=today, date_to=today, hospital=hospital)
        money_figures = money_summary(date_from=params.date_from, date_to=params.date_to, hospital=hospital)
        low_stock = low_stock_rules(hospital=hospital).count()

    per_week = defaultdict(lambda: defaultdict(int))
    totals = defaultdict(int)
    for day, status, n in days:
        per_week[day - timedelta(days=day.weekday())][status] += n
        totals[status] += n
    return {
        "appointments_today": sum(n for _, _, n in today_counts),
        "no_shows_today": sum(n for _, status, n in today_counts if status == NO_SHOW),
        "appointments": sum(totals.values()),
        "no_shows": totals[NO_SHOW],
        "no_show_rate": ratio(totals[NO_SHOW], totals[NO_SHOW] + totals[COMPLETED]),
        "per_week": [(week, sum(counts.values())) for week, counts in sorted(per_week.items())],
        "no_show_rate_per_week": [
            (week, ratio(counts[NO_SHOW], counts[NO_SHOW] + counts[COMPLETED]))
            for week, counts in sorted(per_week.items())
        ],
        **money_figures,
        "low_stock": low_stock,
    }


@login_required
def dashboard(request):
    if not can_view_reports(request.user):
        raise PermissionDenied
    query = request.GET
    error = None
    try:
        params = parse_params(
            get_report("revenue"),
            date_from=query.get("from"),
            date_to=query.get("to"),
            hospital=query.get("hospital"),
            user=request.user,
        )
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ReportError as exc:
        error = str(exc)
        params = parse_params(get_report("revenue"), user=request.user)
    data = dashboard_data(params)

    figures = [
        ("Appointments today", data["appointments_today"]),
        ("No-shows today", data["no_shows_today"]),
        ("Appointments in range", data["appointments"]),
        ("No-shows in range", data["no_shows"]),
        ("No-show rate", _percent(data["no_show_rate"])),
        ("Billed in range", _dollars(data["billed"])),
        ("Collected in range", _dollars(data["collected"])),
        ("Outstanding (all open bills)", _dollars(data["outstanding"])),
        ("Low-stock items", data["low_stock"]),
    ]
    charts = dashboard_charts(data, date_from=params.date_from, date_to=params.date_to)
    own = getattr(request.user, "staff_profile", None)
    hospitals = Hospital.objects.order_by("code")
    if own is not None and not request.user.is_superuser:
        hospitals = hospitals.filter(pk=own.hospital_id)
    return render(
        request,
        "reports/dashboard.html",
        {
            "params": params,
            "error": error,
            "figures": figures,
            "charts": charts,
            "hospitals": hospitals,
        },
    )


def dashboard_charts(data, *, date_from, date_to):
    """[(title, svg)] of the dashboard: every week and month of the range on its chart, an empty one as zero."""
    weeks = weeks_between(date_from, date_to)
    months = months_between(date_from, date_to)
    per_week = fill_periods(weeks, data["per_week"])
    billed = fill_periods(months, data["billed_per_month"])
    rates = fill_periods(weeks, data["no_show_rate_per_week"], empty=None)  # no visits that week: no rate
    return [
        (
            "Appointments per week",
            column_chart([(f"{d:%m/%d}", n) for d, n in per_week], title="Appointments per week (week of)"),
        ),
        (
            "Billed per month",
            column_chart([(f"{d:%b %Y}", v) for d, v in billed], title="Billed per month", fmt="${:,.0f}"),
        ),
        (
            "No-show rate per week",
            line_chart([(f"{d:%m/%d}", v) for d, v in rates], title="No-show rate per week (week of)"),
        ),
        ("Payer mix", bar_chart(data["payer_mix"], title="Payer mix (billed)", fmt="${:,.0f}")),
    ]


def _percent(value):
    return "—" if value is None else f"{float(value):.1%}"


def _dollars(value):
    return f"${value:,.2f}"
