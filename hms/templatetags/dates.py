"""Dates the house way, in every template (a builtin: no ``{% load %}``), built from the settings' formats.

- ``{{ day|date }}`` 11/29/2026, ``{{ moment|date:"DATETIME_FORMAT" }}`` 11/29/2026 2:30 PM, ``{{ t|time }}`` 2:30 PM
  are Django's own filters reading hms/settings.py.
- ``|long_day`` Sunday, 11/29/2026 (a day's heading) · ``|short_day`` Sun 11/29/2026
- ``|when_tz`` Sun 11/29/2026 2:30 PM EST (an appointment's time, zone named) · ``|time_tz`` 2:30 PM EST
- ``|as_date`` turns an ISO text (a date or datetime, as JSON documents carry them) back into a date or an
  aware datetime for the filters above; anything else comes back unchanged.
"""

import datetime

from django import template
from django.utils import dateformat, formats
from django.utils.dateparse import parse_date, parse_datetime

register = template.Library()


def _date(value):
    return formats.date_format(value, "DATE_FORMAT")


def _time(value):
    return formats.time_format(value, "TIME_FORMAT")


@register.filter(expects_localtime=True)
def long_day(value):
    if not isinstance(value, datetime.date):
        return ""
    return f"{dateformat.format(value, 'l')}, {_date(value)}"


@register.filter(expects_localtime=True)
def short_day(value):
    if not isinstance(value, datetime.date):
        return ""
    return f"{dateformat.format(value, 'D')} {_date(value)}"


@register.filter(expects_localtime=True)
def time_tz(value):
    if not isinstance(value, datetime.datetime | datetime.time):
        return ""
    return f"{_time(value)} {dateformat.format(value, 'T')}".strip()


@register.filter(expects_localtime=True)
def when_tz(value):
    if not isinstance(value, datetime.datetime):
        return ""
    return f"{short_day(value)} {time_tz(value)}"


@register.filter
def as_date(value):
    if not isinstance(value, str):
        return value
    try:
        parsed = parse_datetime(value) if "T" in value else parse_date(value)
    except ValueError:
        return value
    return parsed or value
