"""Template side of the role table: ``{% load access %}`` then
``{% if request.user|may_read_field:"scheduling.appointment.reason" %}`` (hms.roles.RESTRICTED_FIELDS)."""

from django import template

from hms import roles

register = template.Library()


@register.filter
def may_read_field(user, label):
    return roles.may_read_field(user, label)
