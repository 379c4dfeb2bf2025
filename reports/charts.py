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
RIGHT, TOP = 12, 22  # room at the right edge, and above the columns for their values
PLOT = 180  # height of the plotting area
BOTTOM = 34  # room for the x-axis labels
# Text is measured for the phone, where the chart is drawn at about 60% and its type is larger (charts.css):
# a character takes about CHAR units of the viewBox.
CHAR = 9
LABEL_CHARS = 40  # a category name longer than this wraps onto the next line
MAX_VALUES = 26  # values are written on up to this many columns (the tooltip always has it)


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


class _Axes:
    """The frame of a chart over periods: a y-axis from 0 to the top tick (wide enough for its longest number)
    and one slot per period along the x-axis."""

    def __init__(self, labels, top_value, *, fmt, min_step):
        self.labels, self.fmt = labels, fmt
        self.ticks = nice_ticks(top_value, min_step=min_step)
        self.left = max(len(fmt.format(tick)) for tick in self.ticks) * CHAR + 12
        self.step = (WIDTH - self.left - RIGHT) / len(labels)

    def y(self, value):
        return TOP + PLOT - PLOT * value / self.ticks[-1]

    def x(self, index):
        return self.left + index * self.step + self.step / 2

    def draw(self):
        left, base = self.left, TOP + PLOT
        parts = []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(f'<line class="gridline" x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
            parts.append(
                f'<text class="tick" x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">'
                f"{escape(self.fmt.format(tick))}</text>"
            )
        parts.append(f'<line class="axis" x1="{left:.1f}" y1="{TOP}" x2="{left:.1f}" y2="{base}"/>')
        parts.append(f'<line class="axis" x1="{left:.1f}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>')
        # x-axis labels: every n-th when they would not fit side by side
        every = max(math.ceil((max(len(label) for label in self.labels) * CHAR + 8) / self.step), 1)
        parts += [
            f'<text class="label" x="{self.x(index):.1f}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>'
            for index, label in enumerate(self.labels)
            if index % every == 0
        ]
        return parts


def column_chart(points, *, title, fmt="{:,.0f}", min_step=1):
    """An SVG column chart of [(label, value)] in order (periods); a value of 0 is drawn as a zero column."""
    if not points:
        return mark_safe(f'<p class="muted">{escape(title)}: no data in this range.</p>')
    values = [float(value or 0) for _, value in points]
    axes = _Axes([label for label, _ in points], max(values), fmt=fmt, min_step=min_step)
    base, step = TOP + PLOT, axes.step
    parts = _svg_open(title, TOP + PLOT + BOTTOM) + axes.draw()
    texts = [fmt.format(value) for value in values]
    upright = max(len(text) for text in texts) * CHAR * 0.8 > step  # too wide to sit across the column
    for index, ((label, _), value, text) in enumerate(zip(points, values, texts, strict=True)):
        text, x, y = escape(text), axes.x(index), axes.y(value)
        parts.append(
            f'<rect class="bar" x="{x - step * 0.35:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
            f'height="{base - y:.1f}" data-label="{escape(label)}" data-value="{value:g}">'
            f"<title>{escape(label)}: {text}</title></rect>"
        )
        if len(points) > MAX_VALUES:
            continue  # too narrow to write on: the tooltip has it
        css = "value"
        if not upright:
            place = f'x="{x:.1f}" y="{y - 4:.1f}" text-anchor="middle"'
        elif base - y > len(text) * CHAR:  # inside a tall column, reading upwards
            css, place = "value inside", f'transform="translate({x + 4:.1f},{base - 4:.1f}) rotate(-90)"'
        else:  # above a short one
            place = f'transform="translate({x + 4:.1f},{y - 3:.1f}) rotate(-90)"'
        parts.append(f'<text class="{css}" {place}>{text}</text>')
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
    axes = _Axes([label for label, _ in points], max(float(v) for v in known), fmt=fmt, min_step=min_step)
    coords = [(axes.x(i), axes.y(float(v)), label, float(v)) for i, (label, v) in enumerate(points) if v is not None]
    parts = _svg_open(title, TOP + PLOT + BOTTOM) + axes.draw()
    parts.append(
        '<polyline class="line" fill="none" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords) + '"/>'
    )
    show_values = max(len(fmt.format(v)) for _, _, _, v in coords) * CHAR * 0.8 <= axes.step  # side by side
    for x, y, label, value in coords:
        text = escape(fmt.format(value))
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3" data-label="{escape(label)}" data-value="{value:g}">'
            f"<title>{escape(label)}: {text}</title></circle>"
        )
        if show_values:
            parts.append(f'<text class="value" x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle">{text}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
