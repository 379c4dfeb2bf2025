"""Viewset bases shared by the apps' APIs."""

from rest_framework import viewsets

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class ServiceSavedViewSet(viewsets.ModelViewSet):
    """Reference rows saved through a service (``save_service(instance=..., acting_user=...)``); deactivated,
    never deleted."""

    http_method_names = NO_DELETE
    required_permissions = None
    save_service = None

    def perform_create(self, serializer):
        serializer.instance = type(self).save_service(
            instance=self.queryset.model(**serializer.validated_data), acting_user=self.request.user
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = type(self).save_service(instance=instance, acting_user=self.request.user)
