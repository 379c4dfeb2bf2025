"""The dashboard's charts: numbered axes, each value on its bar, full names, and every period of the range drawn
(a month or a week without data is a zero column, not a gap)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services as billing_services
from billing.choices import BillStatus
from billing.tests.factories import BillFactory, BillLineFactory
from hms import rollups as hms_rollups
from reports.charts import bar_chart, column_chart, fill_periods, line_chart, months_between, nice_ticks, weeks_between
from staff.tests.factories import HospitalFactory

pytestmark = pytest.mark.django_db


def columns(svg):
    """{label: value} of a chart's bars, as drawn."""
    return {label: float(value) for label, value in re.findall(r'data-label="([^"]*)" data-value="([^"]*)"', svg)}


def chart_of(html, title):
    """The <svg> of the dashboard chart called ``title``."""
    start = html.index(f'aria-label="{title}')
    return html[html.rindex("<svg", 0, start) : html.index("</svg>", start)]


def issued_bill(hospital, when, amount):
    bill = BillFactory(hospital=hospital, status=BillStatus.ISSUED, issued_at=when, service_date=when.date())
    BillLineFactory(bill=bill, unit_price=amount)
    billing_services.bill_recalculate(bill=bill, acting_user=None)
    return bill


def test_a_month_without_bills_is_drawn_as_a_zero_column_between_the_months_with_bills(client, admin_user_obj):
    hospital = HospitalFactory()
    first = (timezone.localdate().replace(day=1) - datetime.timedelta(days=70)).replace(day=1)
    second = (first + datetime.timedelta(days=32)).replace(day=1)  # left empty
    third = (second + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    issued_bill(hospital, datetime.datetime.combine(first, datetime.time(10), tzinfo=tz), Decimal("1200.00"))
    issued_bill(hospital, datetime.datetime.combine(third, datetime.time(10), tzinfo=tz), Decimal("300.00"))
    hms_rollups.rebuild_all()
    client.force_login(admin_user_obj)

    html = client.get(
        "/dashboard/", {"from": first.isoformat(), "to": (third + datetime.timedelta(days=5)).isoformat()}
    )
    billed = columns(chart_of(html.content.decode(), "Billed per month"))

    assert billed == {f"{first:%b %Y}": 1200.0, f"{second:%b %Y}": 0.0, f"{third:%b %Y}": 300.0}
    assert list(billed) == [f"{first:%b %Y}", f"{second:%b %Y}", f"{third:%b %Y}"]  # in calendar order


def test_a_week_without_appointments_is_drawn_as_a_zero_column(client, admin_user_obj):
    client.force_login(admin_user_obj)

    html = client.get("/dashboard/", {"from": "2026-09-07", "to": "2026-09-27"}).content.decode()

    assert columns(chart_of(html, "Appointments per week")) == {"09/07": 0.0, "09/14": 0.0, "09/21": 0.0}


def test_every_week_and_month_touching_the_range_is_a_period():
    assert weeks_between(datetime.date(2026, 9, 2), datetime.date(2026, 9, 14)) == [
        datetime.date(2026, 8, 31),
        datetime.date(2026, 9, 7),
        datetime.date(2026, 9, 14),
    ]
    assert months_between(datetime.date(2026, 11, 30), datetime.date(2027, 1, 1)) == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
    ]
    assert fill_periods([1, 2, 3], [(3, 5), (1, 2)]) == [(1, 2), (2, 0), (3, 5)]
    assert fill_periods([1, 2], [(1, 0.5)], empty=None) == [(1, 0.5), (2, None)]


def test_a_column_chart_has_a_numbered_y_axis_and_each_value_written_on_its_column():
    svg = column_chart([("Sep 2026", 12345), ("Oct 2026", 0)], title="Billed", fmt="${:,.0f}")

    ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)
    values = re.findall(r'<text class="value"[^>]*>([^<]*)</text>', svg)
    labels = re.findall(r'<text class="label"[^>]*>([^<]*)</text>', svg)
    assert ticks == ["$0", "$5,000", "$10,000", "$15,000"]
    assert values == ["$12,345", "$0"]
    assert labels == ["Sep 2026", "Oct 2026"]


def test_long_category_names_are_shown_in_full_never_cut():
    name = "Blue Cross Blue Shield of Massachusetts HMO Blue New England Preferred Provider Organization"
    svg = bar_chart([(name, Decimal("5000")), ("Self-pay", Decimal("200"))], title="Payer mix", fmt="${:,.0f}")

    shown = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg))
    assert name in shown and "Self-pay" in shown
    assert "…" not in svg
    assert re.findall(r'<text class="value"[^>]*>([^<]*)</text>', svg) == ["$5,000", "$200"]


def test_a_rate_chart_labels_its_axis_in_percent_and_skips_periods_without_a_rate():
    svg = line_chart([("09/07", 0.1), ("09/14", None), ("09/21", 0.25)], title="No-show rate")

    assert re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg) == ["0%", "10%", "20%", "30%"]
    assert svg.count("<circle") == 2
    assert re.findall(r'<text class="label"[^>]*>([^<]*)</text>', svg) == ["09/07", "09/14", "09/21"]


def test_nice_ticks_are_round_and_reach_the_top_value():
    assert nice_ticks(340) == [0, 100, 200, 300, 400]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0, 1]  # an all-zero chart still has an axis
