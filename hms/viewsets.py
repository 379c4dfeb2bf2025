"""The API's shared viewset base: reference data (hospitals, departments, rooms, catalogs, price lists, items,
stores, equipment).

Each is a ModelViewSet that names its ``queryset``, ``serializer_class``, ``filterset_class`` (search and
ordering fields too) and the app's ``save_service`` (or calls its own services in perform_create / perform_update
where they take other arguments); the role permission (hms.permissions) maps each HTTP
method to view/add/change. Nothing is deleted: a row is deactivated (``is_active``) or retired instead.
"""

from django.db import transaction
from rest_framework import viewsets

from hms.audit import apply_changes

# Every method but DELETE: rows are deactivated, never deleted.
NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class ReferenceDataViewSet(viewsets.ModelViewSet):
    """Reference data: listed and read by the roles that view it, created and changed by those that add and change
    it, through ``save_service(instance=..., acting_user=...)`` (full_clean, and a history row naming the acting
    user). An update locks the row, sets the fields sent and saves only if one of them changed."""

    http_method_names = NO_DELETE
    required_permissions = None  # lets @action(..., **action_permissions(...)) name its own permissions
    save_service = None

    def perform_create(self, serializer):
        model = self.get_queryset().model
        serializer.instance = type(self).save_service(
            instance=model(**serializer.validated_data), acting_user=self.request.user
        )

    @transaction.atomic
    def perform_update(self, serializer):
        instance = type(serializer.instance)._default_manager.select_for_update().get(pk=serializer.instance.pk)
        if apply_changes(instance, serializer.validated_data, allowed=set(serializer.fields)):
            instance = type(self).save_service(instance=instance, acting_user=self.request.user)
        serializer.instance = instance

