"""Server-side SVG charts (the dashboard's): no JavaScript, no CDN, readable on paper and on a phone.

- ``column_chart`` — a series over time (one column per week or month): a y-axis with numbered ticks and grid
  lines, the x-axis labelled, each column's value written above it and in its tooltip.
- ``bar_chart`` — categories (payers, departments, doctors): one horizontal bar per category under its full name
  (long names wrap onto a second line, never cut), the value at the end of the bar.
- ``line_chart`` — a rate over time; periods without a value are skipped (no rate is not a rate of zero).

A series over time is given with every period present: ``fill_periods`` / ``weeks_between`` /
``months_between`` turn "no rows that month" into a zero column instead of a missing one.
"""

import math
import textwrap
from datetime import timedelta

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 560
LEFT, RIGHT, TOP = 64, 12, 22  # room for the y-axis numbers, the right edge, the values above the columns
PLOT = 180  # height of the plotting area
BOTTOM = 34  # room for the x-axis labels
MAX_LABELS = 12  # x-axis labels on one chart; with more periods every n-th is labelled
MAX_VALUES = 16  # values written above the columns horizontally; with more they are written upright
LABEL_CHARS = 62  # a category name longer than this wraps onto the next line


def nice_ticks(top, *, count=4, min_step=1):
    """Round tick values from 0 to at least ``top``: steps of 1, 2 or 5 times a power of ten."""
    top = max(float(top or 0), 0.0)
    if top <= 0:
        return [0, min_step]
    raw = max(top / count, min_step)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw - 1e-12)
    steps = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def weeks_between(date_from, date_to):
    """The Mondays of the weeks that touch [date_from, date_to], in order."""
    monday = date_from - timedelta(days=date_from.weekday())
    weeks = []
    while monday <= date_to:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def months_between(date_from, date_to):
    """The first days of the months that touch [date_from, date_to], in order."""
    month = date_from.replace(day=1)
    months = []
    while month <= date_to:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def fill_periods(periods, points, *, empty=0):
    """[(period, value)] with one entry per period in ``periods``; a period without a point gets ``empty``."""
    known = dict(points)
    return [(period, known.get(period, empty)) for period in periods]


def _svg_open(title, height):
    return [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]


def _y_axis(ticks, fmt, y_of):
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line class="gridline" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y + 3.5:.1f}" text-anchor="end">{escape(fmt.format(tick))}</text>'
        )
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{TOP + PLOT}" x2="{WIDTH - RIGHT}" y2="{TOP + PLOT}"/>')
    return parts


def _x_labels(labels, x_of):
    every = max(math.ceil(len(labels) / MAX_LABELS), 1)
    return [
        f'<text class="label" x="{x_of(index):.1f}" y="{TOP + PLOT + 14}" text-anchor="middle">{escape(label)}</text>'
        for index, label in enumerate(labels)
        if index % every == 0
    ]


def column_chart(points, *, title, fmt="{:,.0f}", min_step=1):
    """An SVG column chart of [(label, value)] in order (periods); a value of 0 is drawn as a zero column."""
    if not points:
        return mark_safe(f'<p class="muted">{escape(title)}: no data in this range.</p>')
    values = [float(value or 0) for _, value in points]
    ticks = nice_ticks(max(values), min_step=min_step)
    top = ticks[-1]
    step = (WIDTH - LEFT - RIGHT) / len(points)

    def y_of(value):
        return TOP + PLOT - PLOT * value / top

    def x_of(index):
        return LEFT + index * step + step / 2

    parts = _svg_open(title, TOP + PLOT + BOTTOM)
    parts += _y_axis(ticks, fmt, y_of)
    upright = len(points) > MAX_VALUES
    for index, ((label, _), value) in enumerate(zip(points, values, strict=True)):
        text = escape(fmt.format(value))
        y = y_of(value)
        parts.append(
            f'<rect class="bar" x="{LEFT + index * step + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
            f'height="{TOP + PLOT - y:.1f}" data-label="{escape(label)}" data-value="{value:g}">'
            f"<title>{escape(label)}: {text}</title></rect>"
        )
        if upright:
            place = f'transform="translate({x_of(index) + 3:.1f},{y - 3:.1f}) rotate(-90)"'
        else:
            place = f'x="{x_of(index):.1f}" y="{y - 4:.1f}" text-anchor="middle"'
        parts.append(f'<text class="value" {place}>{text}</text>')
    parts += _x_labels([label for label, _ in points], x_of)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(points, *, title, fmt="{:,.0f}"):
    """An SVG chart of [(category, value)]: a horizontal bar per category under its full name, value at its end."""
    if not points:
        return mark_safe(f'<p class="muted">{escape(title)}: no data in this range.</p>')
    values = [float(value or 0) for _, value in points]
    top = max(values) or 1.0
    room = WIDTH - 8 - 90  # the longest bar leaves room for its value
    rows, height = [], 8
    for (label, _), value in zip(points, values, strict=True):
        lines = textwrap.wrap(str(label), LABEL_CHARS) or [""]
        rows.append((label, lines, value, height))
        height += 14 * len(lines) + 24
    parts = _svg_open(title, height + 4)
    for label, lines, value, y in rows:
        text = escape(fmt.format(value))
        tspans = "".join(
            f'<tspan x="8" dy="{0 if n == 0 else 14}">{escape(line)}</tspan>' for n, line in enumerate(lines)
        )
        parts.append(f'<text class="label category" x="8" y="{y + 10}">{tspans}</text>')
        bar_y = y + 14 * len(lines) + 2
        width = room * value / top
        parts.append(
            f'<rect class="bar" x="8" y="{bar_y}" width="{width:.1f}" height="14" data-label="{escape(label)}" '
            f'data-value="{value:g}"><title>{escape(label)}: {text}</title></rect>'
        )
        parts.append(f'<text class="value" x="{8 + width + 5:.1f}" y="{bar_y + 11}">{text}</text>')
    parts.append(f'<line class="axis" x1="8" y1="4" x2="8" y2="{height}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(points, *, title, fmt="{:.0%}", min_step=0.01):
    """An SVG line chart of [(label, value or None)] in order; a period without a value is skipped, not zero."""
    known = [value for _, value in points if value is not None]
    if not known:
        return mark_safe(f'<p class="muted">{escape(title)}: no data in this range.</p>')
    ticks = nice_ticks(max(float(v) for v in known), min_step=min_step)
    top = ticks[-1]
    step = (WIDTH - LEFT - RIGHT) / len(points)

    def y_of(value):
        return TOP + PLOT - PLOT * value / top

    def x_of(index):
        return LEFT + index * step + step / 2

    coords = [(x_of(i), y_of(float(v)), label, float(v)) for i, (label, v) in enumerate(points) if v is not None]
    parts = _svg_open(title, TOP + PLOT + BOTTOM)
    parts += _y_axis(ticks, fmt, y_of)
    parts.append(
        '<polyline class="line" fill="none" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords) + '"/>'
    )
    show_values = len(coords) <= MAX_VALUES
    for x, y, label, value in coords:
        text = escape(fmt.format(value))
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3" data-label="{escape(label)}" data-value="{value:g}">'
            f"<title>{escape(label)}: {text}</title></circle>"
        )
        if show_values:
            parts.append(f'<text class="value" x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle">{text}</text>')
    parts += _x_labels([label for label, _ in points], x_of)
    parts.append("</svg>")
    return mark_safe("".join(parts))
