"""The benchmark's floor (scripts/benchmark.py, figure 1): what a request costs that reads nothing.

Mounted only inside the benchmark's measuring process (override_settings(ROOT_URLCONF=...)), behind
the project's whole middleware stack and session login, so the figures show the fixed cost of any
page or API request on this machine: the part of "<= 3x a bare .values() fetch" no query plan can
remove."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


@login_required
def page(request):
    return HttpResponse("ok")


class Api(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("floor/page/", page), path("floor/api/", Api.as_view())]
