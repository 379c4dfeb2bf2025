"""Mounted at /api/v1/auth/ (hms/urls.py), beside the router."""

from django.urls import path

from accounts.api import views

urlpatterns = [
    path("token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("tokens/", views.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="api-token-revoke"),
]
