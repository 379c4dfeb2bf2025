"""Reads of the access log and the security events, shared by the privacy officer's pages, the API (for a SIEM)
and ``manage.py audit_report``. Each filter walks an index of hms.access_models newest first."""

import datetime

from django.utils import timezone

from hms.access_models import AccessEntry, SecurityEvent, SecurityEventKind

FAILED_LOGIN_KINDS = (SecurityEventKind.LOGIN_FAILED, SecurityEventKind.LOCKOUT)


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _in_days(queryset, date_from=None, date_to=None):
    if date_from:
        queryset = queryset.filter(at__gte=_day_start(date_from))
    if date_to:
        queryset = queryset.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return queryset


def access_entries(*, mrn="", patient_id=None, username="", date_from=None, date_to=None):
    """Who saw what, newest first: of one patient (MRN or id), by one user, within days (local dates)."""
    qs = AccessEntry.objects.all()
    if mrn:
        qs = qs.filter(mrn=mrn.strip())
    if patient_id:
        qs = qs.filter(patient_id=patient_id)
    if username:
        qs = qs.filter(username=username.strip())
    return _in_days(qs, date_from, date_to).order_by("-at", "-id")


def security_events(*, kinds=None, username="", date_from=None, date_to=None):
    qs = SecurityEvent.objects.all()
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if username:
        qs = qs.filter(username=username.strip())
    return _in_days(qs, date_from, date_to).order_by("-at", "-id")


def disclosures_of(patient_id):
    """A patient's accounting of disclosures: who (other than the patient) read their record, newest first."""
    return AccessEntry.objects.filter(patient_id=patient_id).order_by("-at", "-id")
