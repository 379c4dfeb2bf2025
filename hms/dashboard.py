"""The administrator's dashboard: key figures and trend charts, all from the report functions (hms.reporting).

Charts are server-side SVG drawn by ``bar_chart`` / ``line_chart`` below: no JavaScript, no CDN.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from hms.api_reports import can_view_reports
from hms.reporting import ReportError, get_report, parse_params, run_report
from staff.models import Hospital

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


def _rows(name, params, **overrides):
    from dataclasses import replace

    return run_report(name, replace(params, **overrides))


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
    today = timezone.localdate()

    appointments = _rows("appointments", params, period="week")
    today_appointments = _rows("appointments", params, date_from=today, date_to=today, period="day")
    revenue = _rows("revenue", params, period="month")
    inventory = _rows("inventory", params, period="month")

    def status_count(rows, status):
        return next((r["value"] for r in rows if r["section"] == "status" and r["group"] == status), 0)

    def rate(rows, group):
        return next((r["value"] for r in rows if r["section"] == "rate" and r["group"] == group), None)

    per_week = defaultdict(int)
    for row in appointments:
        if row["section"] == "volume":
            per_week[row["period"]] += row["value"]
    billed_per_month = defaultdict(Decimal)
    for row in revenue:
        if row["section"] == "billed":
            billed_per_month[row["period"]] += row["amount"]
    no_show_points = [
        (r["period"].strftime("%m/%d"), r["value"]) for r in appointments if r["section"] == "period_rate"
    ]
    payer_mix = [(r["group"], r["amount"]) for r in revenue if r["section"] == "payer_mix"]

    figures = [
        ("Appointments today", sum(r["value"] for r in today_appointments if r["section"] == "status")),
        ("No-shows today", status_count(today_appointments, "no_show")),
        ("Appointments in range", sum(r["value"] for r in appointments if r["section"] == "status")),
        ("No-shows in range", status_count(appointments, "no_show")),
        ("No-show rate", _percent(rate(appointments, "no_show_rate"))),
        ("Billed in range", _dollars(sum((r["amount"] for r in revenue if r["section"] == "billed"), Decimal(0)))),
        (
            "Collected in range",
            _dollars(sum((r["amount"] for r in revenue if r["section"] == "collected"), Decimal(0))),
        ),
        (
            "Outstanding (all open bills)",
            _dollars(sum((r["amount"] for r in revenue if r["section"] == "aging"), Decimal(0))),
        ),
        ("Low-stock items", sum(1 for r in inventory if r["section"] == "low_stock")),
    ]
    charts = [
        (
            "Appointments per week",
            bar_chart([(d.strftime("%m/%d"), n) for d, n in sorted(per_week.items())], title="Appointments per week"),
        ),
        (
            "Billed per month",
            bar_chart(
                [(d.strftime("%b %Y"), v) for d, v in sorted(billed_per_month.items())],
                title="Billed per month",
                fmt="${:,.0f}",
            ),
        ),
        ("No-show rate per week", line_chart(no_show_points, title="No-show rate per week")),
        ("Payer mix", bar_chart(payer_mix, title="Payer mix (billed)", fmt="${:,.0f}")),
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
