"""The administrator's dashboard: key figures and trend charts (``dashboard_data``), from the appointment
roll-up and the report functions (hms.reporting).

Charts are server-side SVG drawn by ``bar_chart`` / ``line_chart`` below: no JavaScript, no CDN.
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from hms.api_reports import can_view_reports
from hms.reporting import ReportError, get_report, parse_params, ratio, report_reads
from scheduling.choices import AppointmentStatus
from staff.models import Hospital

NO_SHOW, COMPLETED = AppointmentStatus.NO_SHOW, AppointmentStatus.COMPLETED

WIDTH, HEIGHT, PAD = 520, 200, 30


def _scale(values):
    top = max([float(v) for v in values if v is not None] + [0.0])
    return top or 1.0


def bar_chart(points, *, title, fmt="{:,.0f}"):
    """An SVG bar chart of [(label, value)]."""
    if not points:
        return mark_safe(f'<p class="muted">{escape(title)}: no data in this range.</p>')
    top = _scale(v for _, v in points)
    step = (WIDTH - 2 * PAD) / len(points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 40}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(points):
        value = float(value or 0)
        bar = (HEIGHT - PAD) * value / top
        x = PAD + index * step
        parts.append(
            f'<rect class="bar" x="{x + step * 0.1:.1f}" y="{HEIGHT - bar:.1f}" width="{step * 0.8:.1f}" '
            f'height="{bar:.1f}"><title>{escape(label)}: {escape(fmt.format(value))}</title></rect>'
        )
        if len(points) <= 16 or index % max(len(points) // 8, 1) == 0:
            parts.append(
                f'<text class="label" x="{x + step / 2:.1f}" y="{HEIGHT + 14}" text-anchor="middle">'
                f"{escape(_short(label, step))}</text>"
            )
    parts.append(f'<text class="label" x="2" y="{PAD - 8}">{escape(fmt.format(top))}</text>')
    parts.append(f'<line class="axis" x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH - PAD}" y2="{HEIGHT}"/></svg>')
    return mark_safe("".join(parts))


def _short(label, step):
    """A bar's label cut to fit its width (about 6 px a character); the full label is in the tooltip."""
    room = max(int(step / 6), 3)
    return label if len(label) <= room else label[: room - 1] + "…"


def line_chart(points, *, title, fmt="{:.0%}"):
    """An SVG line chart of [(label, value or None)]; missing values break nothing, they are skipped."""
    known = [(label, v) for label, v in points if v is not None]
    if not known:
        return mark_safe(f'<p class="muted">{escape(title)}: no data in this range.</p>')
    top = _scale(v for _, v in known)
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    coords = []
    for index, (label, value) in enumerate(points):
        if value is None:
            continue
        coords.append((PAD + index * step, HEIGHT - (HEIGHT - PAD) * float(value) / top, label, float(value)))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 40}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        '<polyline class="line" fill="none" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords) + '"/>',
    ]
    for x, y, label, value in coords:
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{escape(label)}: '
            f"{escape(fmt.format(value))}</title></circle>"
        )
    parts.append(f'<text class="label" x="2" y="{PAD - 8}">{escape(fmt.format(top))}</text>')
    parts.append(f'<text class="label" x="{PAD}" y="{HEIGHT + 14}">{escape(points[0][0])}</text>')
    parts.append(
        f'<text class="label" x="{WIDTH - PAD}" y="{HEIGHT + 14}" text-anchor="end">{escape(points[-1][0])}</text>'
    )
    parts.append(f'<line class="axis" x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH - PAD}" y2="{HEIGHT}"/></svg>')
    return mark_safe("".join(parts))


def dashboard_data(params, *, today=None):
    """The dashboard's figures for ``params`` (dates, hospital), as plain values.

    Appointments come from the appointment roll-up and money from the billing roll-ups (``scheduling.rollups``,
    ``billing.rollups``), counted on each hospital's own local days; the payer mix and the low-stock count are
    one aggregate each. Seven queries whatever the number of appointments and bills.
    """
    from billing.reports import money_summary
    from inventory.selectors import low_stock_rules
    from scheduling.reports import appointment_day_counts

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
    charts = [
        (
            "Appointments per week",
            bar_chart([(d.strftime("%m/%d"), n) for d, n in data["per_week"]], title="Appointments per week"),
        ),
        (
            "Billed per month",
            bar_chart(
                [(d.strftime("%b %Y"), v) for d, v in data["billed_per_month"]],
                title="Billed per month",
                fmt="${:,.0f}",
            ),
        ),
        (
            "No-show rate per week",
            line_chart(
                [(d.strftime("%m/%d"), v) for d, v in data["no_show_rate_per_week"]], title="No-show rate per week"
            ),
        ),
        ("Payer mix", bar_chart(data["payer_mix"], title="Payer mix (billed)", fmt="${:,.0f}")),
    ]
    own = getattr(request.user, "staff_profile", None)
    hospitals = Hospital.objects.order_by("code")
    if own is not None and not request.user.is_superuser:
        hospitals = hospitals.filter(pk=own.hospital_id)
    return render(
        request,
        "hms/dashboard.html",
        {
            "params": params,
            "error": error,
            "figures": figures,
            "charts": charts,
            "hospitals": hospitals,
        },
    )


def _percent(value):
    return "—" if value is None else f"{float(value):.1%}"


def _dollars(value):
    return f"${value:,.2f}"
