"""The report API: GET /api/v1/reports/ lists the reports, GET /api/v1/reports/{name}/ returns the rows.

Administrators (and superusers) only. An Administrator who is a staff member sees their own hospital only.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.policies import can_view_reports
from reports.registry import REPORTS, ReportError, parse_params, run_report

REPORT_LIST = inline_serializer(
    "ReportList",
    {
        "results": inline_serializer(
            "ReportInfo",
            {
                "name": serializers.CharField(),
                "description": serializers.CharField(),
                "columns": serializers.ListField(child=serializers.CharField()),
                "url": serializers.URLField(),
            },
            many=True,
        )
    },
)
REPORT_RUN = inline_serializer(
    "ReportRun",
    {
        "report": serializers.CharField(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "hospital": serializers.CharField(allow_null=True, help_text="Hospital code, or null for all."),
        "department": serializers.CharField(allow_null=True, help_text="Department code, or null for all."),
        "period": serializers.CharField(help_text="day, week or month"),
        "columns": serializers.ListField(child=serializers.CharField()),
        "count": serializers.IntegerField(),
        "results": serializers.ListField(child=serializers.DictField(), help_text="One object per row, by column."),
    },
)


class CanViewReports(BasePermission):
    message = "Reports are for administrators."

    def has_permission(self, request, view):
        return can_view_reports(request.user)


class ReportListView(APIView):
    permission_classes = [IsAuthenticated, CanViewReports]

    @extend_schema(operation_id="reports_list", summary="List the reports", responses={200: REPORT_LIST})
    def get(self, request):
        return Response(
            {
                "results": [
                    {
                        "name": report.name,
                        "description": report.description,
                        "columns": list(report.columns),
                        "url": request.build_absolute_uri(f"{report.name}/"),
                    }
                    for report in REPORTS.values()
                ]
            }
        )


class ReportDetailView(APIView):
    permission_classes = [IsAuthenticated, CanViewReports]

    @extend_schema(
        operation_id="reports_run",
        summary="Run a report",
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(REPORTS)),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 90 days before `to`)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive (default: today)."),
            OpenApiParameter("hospital", OpenApiTypes.STR, description="Hospital code."),
            OpenApiParameter("department", OpenApiTypes.STR, description="Department code."),
            OpenApiParameter("period", OpenApiTypes.STR, enum=["day", "week", "month"]),
        ],
        responses={200: REPORT_RUN},
    )
    def get(self, request, name):
        report = REPORTS.get(name)
        if report is None:
            raise NotFound(f"Unknown report {name!r}.")
        query = request.query_params
        try:
            params = parse_params(
                report,
                date_from=query.get("from"),
                date_to=query.get("to"),
                hospital=query.get("hospital"),
                department=query.get("department"),
                period=query.get("period"),
                user=request.user,
            )
        except ReportError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        rows = run_report(name, params)
        return Response(
            {
                "report": name,
                "from": params.date_from,
                "to": params.date_to,
                "hospital": params.hospital.code if params.hospital else None,
                "department": params.department.code if params.department else None,
                "period": params.period,
                "columns": list(report.columns),
                "count": len(rows),
                "results": rows,
            }
        )
