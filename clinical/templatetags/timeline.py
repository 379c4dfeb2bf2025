"""The timeline's words on pages (``{% load timeline %}``): ``{{ event|timeline_summary }}``, the same text the API
gives as ``summary`` (clinical.timeline_text)."""

from django import template

from clinical.timeline_text import summary

register = template.Library()


@register.filter
def timeline_summary(event):
    return summary(event)
