"""The access log and the security events in the API, read-only, for a SIEM: ``/api/v1/access-log/`` and
``/api/v1/security-events/``, newest first by cursor, filtered by patient, MRN, user, kind and time."""

import django_filters
from rest_framework import serializers, viewsets

from hms.access_models import AccessEntry, SecurityEvent
from hms.filters import FilterSet
from hms.pagination import KeysetPagination


class AccessEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessEntry
        fields = [
            "id",
            "at",
            "request_id",
            "user_id",
            "username",
            "user_name",
            "roles",
            "ip",
            "user_agent",
            "method",
            "path",
            "kind",
            "what",
            "object_ids",
            "patient_id",
            "mrn",
            "terms",
            "reason",
        ]
        read_only_fields = fields


class SecurityEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SecurityEvent
        fields = ["id", "at", "kind", "user_id", "username", "actor_username", "ip", "user_agent", "detail"]
        read_only_fields = fields


class AccessEntryFilterSet(FilterSet):
    at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = AccessEntry
        fields = ["patient_id", "mrn", "username", "user_id", "kind", "at"]


class SecurityEventFilterSet(FilterSet):
    at = django_filters.IsoDateTimeFromToRangeFilter()
    kind = django_filters.MultipleChoiceFilter(choices=SecurityEvent._meta.get_field("kind").choices)

    class Meta:
        model = SecurityEvent
        fields = ["username", "user_id", "kind", "at"]


class AuditLogViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = KeysetPagination
    ordering = ["-at", "-id"]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    audit_patient_field = None  # reading the log is not a read of the patients' records


class AccessEntryViewSet(AuditLogViewSet):
    """Who read which patient's data: one row per patient per request (`?mrn=`, `?patient_id=`, `?username=`,
    `?kind=`, `?at_after=` / `?at_before=`), newest first. Nobody changes or deletes a row."""

    queryset = AccessEntry.objects.all()
    serializer_class = AccessEntrySerializer
    filterset_class = AccessEntryFilterSet


class SecurityEventViewSet(AuditLogViewSet):
    """Logins, failed logins, logouts, lockouts, password and role changes, API tokens issued and revoked
    (`?kind=login_failed&kind=lockout`, `?username=`, `?at_after=` / `?at_before=`), newest first."""

    queryset = SecurityEvent.objects.all()
    serializer_class = SecurityEventSerializer
    filterset_class = SecurityEventFilterSet


def register(router):
    router.register("access-log", AccessEntryViewSet, basename="access-log")
    router.register("security-events", SecurityEventViewSet, basename="security-events")
