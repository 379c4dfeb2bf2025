"""Clinical API. Rows come from clinical.selectors (a portal patient sees only their own signed records);
every change goes through clinical.services with the requesting user as ``acting_user``. Nothing is deleted.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from clinical import icd10, selectors, services
from clinical.api.serializers import (
    AmendmentSerializer,
    CancelSerializer,
    CriticalResultCallSerializer,
    DiagnosisRemoveSerializer,
    DiagnosisSerializer,
    HistoryEventSerializer,
    ICD10CodeSerializer,
    LabOrderSerializer,
    LabResultCorrectionSerializer,
    LabResultEntrySerializer,
    LabTestSerializer,
    MedicalRecordSerializer,
    PrescriptionSerializer,
    ProcedureCatalogSerializer,
    ProcedureSerializer,
    ResultsInboxSerializer,
    VitalsSerializer,
)
from clinical.filters import (
    CriticalResultCallFilterSet,
    DiagnosisFilterSet,
    LabOrderFilterSet,
    LabTestFilterSet,
    MedicalRecordFilterSet,
    PrescriptionFilterSet,
    ProcedureCatalogFilterSet,
    ProcedureFilterSet,
    ResultsInboxFilterSet,
    VitalsFilterSet,
)
from clinical.models import LabResult, LabTest, ProcedureCatalog
from hms import access
from hms.access_models import AccessKind
from hms.exceptions import Conflict
from hms.pagination import KeysetPagination, StandardPagination
from hms.permissions import action_permissions
from hms.validators import parse_bounded_date
from hms.viewsets import NO_DELETE, ReferenceDataViewSet
from patients.policies import may_read_chart
from patients.selectors import patient_queryset_for

READ_AND_ADD = ["get", "post", "head", "options"]


class ReadAndAddViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rows added through a service and never changed or deleted through the API."""

    http_method_names = READ_AND_ADD
    required_permissions = None  # set per action by action_permissions(...)
    selector = None

    def get_queryset(self):
        return self.selector(self.request.user)

    def add(self, data):
        raise NotImplementedError

    def perform_create(self, serializer):
        serializer.instance = self.add(dict(serializer.validated_data))


class MedicalRecordViewSet(viewsets.ModelViewSet):
    """Medical records, one per appointment. POST opens the record of a checked-in, in-progress or completed
    appointment (the appointment's doctor only); PATCH edits a draft; `sign` makes it final; `amend` changes a
    signed record with a reason (every version stays in history)."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    serializer_class = MedicalRecordSerializer
    filterset_class = MedicalRecordFilterSet
    ordering_fields = ["opened_at"]
    ordering = ["-opened_at", "-id"]
    pagination_class = KeysetPagination
    http_method_names = NO_DELETE
    required_permissions = None

    def get_queryset(self):
        return selectors.record_queryset_for(self.request.user)

    def _respond(self, record, code=status.HTTP_200_OK):
        record = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(record).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        record = services.record_open_for_appointment(
            appointment=data["appointment"],
            acting_user=request.user,
            chief_complaint=data.get("chief_complaint", ""),
            clinical_notes=data.get("clinical_notes", ""),
        )
        return self._respond(record, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        record = services.record_update_notes(
            record=serializer.instance, acting_user=request.user, **serializer.validated_data
        )
        return self._respond(record)

    @extend_schema(request=None, responses=MedicalRecordSerializer)
    @action(detail=True, methods=["post"], **action_permissions("clinical.change_medicalrecord"))
    def sign(self, request, pk=None):
        """Sign the record (it needs a diagnosis); afterwards it changes only by amendment."""
        return self._respond(services.record_sign(record=self.get_object(), acting_user=request.user))

    @extend_schema(
        request=AmendmentSerializer,
        responses={
            200: MedicalRecordSerializer,
            400: OpenApiResponse(description="No reason, nothing that changes, or an unknown outcome."),
            403: OpenApiResponse(description="Only the doctor of the visit amends its record."),
            404: OpenApiResponse(description="No such record, or not one you may see."),
            409: OpenApiResponse(description="The record is not signed yet: edit it instead (PATCH)."),
        },
    )
    @action(detail=True, methods=["post"], **action_permissions("clinical.change_medicalrecord"))
    def amend(self, request, pk=None):
        """Amend a signed record: give the reason and the fields that change. Each amendment is kept
        (`amendments`: author, reason, time, and each field's original, previous and new text)."""
        serializer = AmendmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason")
        record = services.record_amend(record=self.get_object(), reason=reason, acting_user=request.user, **data)
        return self._respond(record)


class DiagnosisViewSet(ReadAndAddViewSet):
    """Diagnoses (billable ICD-10-CM codes) of medical records."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    serializer_class = DiagnosisSerializer
    filterset_class = DiagnosisFilterSet
    ordering_fields = ["added_at"]
    ordering = ["-added_at", "-id"]
    pagination_class = KeysetPagination
    selector = staticmethod(selectors.diagnosis_queryset_for)

    def add(self, data):
        return services.diagnosis_add(acting_user=self.request.user, **data)

    @extend_schema(
        request=DiagnosisRemoveSerializer,
        responses={
            200: DiagnosisSerializer,
            403: OpenApiResponse(description="Only the doctor of the visit removes its diagnoses."),
            404: OpenApiResponse(description="No such diagnosis (or already removed), or not one you may see."),
            409: OpenApiResponse(description="The record is signed: amend it instead."),
        },
    )
    @action(detail=True, methods=["post"], **action_permissions("clinical.change_diagnosis"))
    def remove(self, request, pk=None):
        """Remove a diagnosis from an unsigned record, with an optional reason. It is kept (marked removed, in
        history) and no longer listed or counted; the earliest remaining diagnosis becomes primary."""
        serializer = DiagnosisRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        diagnosis = services.diagnosis_remove(
            diagnosis=self.get_object(), reason=serializer.validated_data["reason"], acting_user=request.user
        )
        return Response(self.get_serializer(diagnosis).data)


class ProcedureViewSet(ReadAndAddViewSet):
    """Procedures done in visits, from the procedure catalog (code, description and price copied)."""

    audit_patient_field = "record__patient"  # the read audit (hms.access)

    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilterSet
    ordering_fields = ["added_at"]
    ordering = ["-added_at", "-id"]
    pagination_class = KeysetPagination
    selector = staticmethod(selectors.procedure_queryset_for)

    def add(self, data):
        return services.procedure_add(acting_user=self.request.user, **data)


class PrescriptionViewSet(ReadAndAddViewSet):
    """Prescriptions. A recorded allergy to the medication answers 409 unless `allergy_override_reason` is given."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    serializer_class = PrescriptionSerializer
    filterset_class = PrescriptionFilterSet
    ordering_fields = ["prescribed_at"]
    ordering = ["-prescribed_at", "-id"]
    pagination_class = KeysetPagination
    selector = staticmethod(selectors.prescription_queryset_for)

    def add(self, data):
        return services.prescription_create(acting_user=self.request.user, **data)

    @extend_schema(request=CancelSerializer, responses=PrescriptionSerializer)
    @action(detail=True, methods=["post"], **action_permissions("clinical.change_prescription"))
    def cancel(self, request, pk=None):
        """Cancel an active prescription, with a reason."""
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prescription = services.prescription_cancel(
            prescription=self.get_object(), reason=serializer.validated_data["reason"], acting_user=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=prescription.pk)).data)


class LabOrderViewSet(ReadAndAddViewSet):
    """Lab orders: ordered -> collected -> resulted. No clinical notes here (lab technicians read this)."""

    audit_patient_field = "record__patient"  # the read audit (hms.access)

    serializer_class = LabOrderSerializer
    filterset_class = LabOrderFilterSet
    ordering_fields = ["ordered_at"]
    ordering = ["-ordered_at", "-id"]
    pagination_class = KeysetPagination
    selector = staticmethod(selectors.lab_order_queryset_for)

    def add(self, data):
        return services.lab_order_create(acting_user=self.request.user, **data)

    def _respond(self, order):
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(request=None, responses=LabOrderSerializer)
    @action(detail=True, methods=["post"], **action_permissions("clinical.add_labresult"))
    def collect(self, request, pk=None):
        """The sample was taken."""
        return self._respond(services.lab_order_collect(order=self.get_object(), acting_user=request.user))

    @extend_schema(request=LabResultEntrySerializer, responses=LabOrderSerializer)
    @action(detail=True, methods=["post"], **action_permissions("clinical.add_labresult"))
    def result(self, request, pk=None):
        """Enter the result of a collected order; it is flagged low/normal/high/critical from the reference range."""
        serializer = LabResultEntrySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.lab_result_enter(
            order=self.get_object(), acting_user=request.user, **serializer.validated_data
        )
        return self._respond(result.order)

    @extend_schema(
        request=LabResultCorrectionSerializer,
        responses={
            200: LabOrderSerializer,
            400: OpenApiResponse(description="No value or reason, or a value the test cannot physically give."),
            403: OpenApiResponse(description="Your role does not correct lab results (the lab does)."),
            404: OpenApiResponse(description="No such lab order, or not one you may see."),
            409: OpenApiResponse(description="The order has no result yet, or the value is the one already saved."),
        },
    )
    @action(detail=True, methods=["post"], **action_permissions("clinical.change_labresult"))
    def correct(self, request, pk=None):
        """Correct the saved result with a reason: the value is replaced, the flag recomputed, and the earlier
        value and flag are kept (`previous_value`, `previous_flag`, and the history) and shown as corrected."""
        order = self.get_object()
        serializer = LabResultCorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = order.result
        except LabResult.DoesNotExist:
            raise Conflict("This lab order has no result yet; enter the result instead.", code="not_resulted") from None
        services.lab_result_correct(result=result, acting_user=request.user, **serializer.validated_data)
        return self._respond(order)


class VitalsViewSet(ReadAndAddViewSet):
    """Vital signs. BMI is derived from weight and height of the same set. Implausible values answer 400."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    serializer_class = VitalsSerializer
    filterset_class = VitalsFilterSet
    ordering_fields = ["recorded_at"]
    ordering = ["-recorded_at", "-id"]
    pagination_class = KeysetPagination
    selector = staticmethod(selectors.vitals_queryset_for)

    def add(self, data):
        return services.vitals_record(acting_user=self.request.user, **data)


class ProcedureCatalogViewSet(ReferenceDataViewSet):
    """Procedures that visits record and bills charge; deactivated (`is_active`), never deleted."""

    queryset = ProcedureCatalog.objects.all()
    serializer_class = ProcedureCatalogSerializer
    filterset_class = ProcedureCatalogFilterSet
    search_fields = ["code", "description"]
    save_service = staticmethod(services.catalog_save)


class LabTestViewSet(ReferenceDataViewSet):
    """Lab tests doctors order, with their units and ranges; deactivated (`is_active`), never deleted."""

    queryset = LabTest.objects.all()
    serializer_class = LabTestSerializer
    filterset_class = LabTestFilterSet
    search_fields = ["code", "name"]
    save_service = staticmethod(services.catalog_save)


class ICD10ViewSet(viewsets.ViewSet):
    """Billable ICD-10-CM codes from the CMS code list: `?search=` a code start (E11, e11.6) or words
    (type 2 diabetes). Read-only, paginated."""

    required_permissions = {"*": ["clinical.view_diagnosis"]}
    pagination_class = StandardPagination

    @extend_schema(
        parameters=[OpenApiParameter("search", OpenApiTypes.STR, description="Code start or words.")],
        responses=ICD10CodeSerializer(many=True),
    )
    def list(self, request):
        rows = [{"code": code, "description": text} for code, text in icd10.search(request.query_params.get("search"))]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ICD10CodeSerializer(page, many=True).data)


class PatientHistoryView(APIView):
    """A patient's clinical timeline, newest first: visits, diagnoses, prescriptions, lab results, vitals.
    A portal patient sees their own, without unsigned drafts; another patient's answers 404."""

    required_permissions = {"*": ["clinical.view_medicalrecord"]}
    pagination_class = KeysetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind",
                {"type": "array", "items": {"type": "string", "enum": list(selectors.HISTORY_KINDS)}},
                style="form",
                explode=False,
                description="Comma-separated kinds to include (all when absent).",
            ),
            OpenApiParameter("date_after", OpenApiTypes.DATE),
            OpenApiParameter("date_before", OpenApiTypes.DATE),
        ],
        responses=HistoryEventSerializer(many=True),
    )
    def get(self, request, pk):
        patient = get_object_or_404(patient_queryset_for(request.user), pk=pk)
        if not may_read_chart(request.user, patient.pk):
            raise PermissionDenied(
                {
                    "detail": "You have no care relationship with this patient: demographics only. In an emergency, "
                    "break the glass (POST the reason to break_glass; the privacy officer reviews it).",
                    "code": "chart_restricted",
                    "break_glass": reverse("patients-break-glass", args=[patient.pk], request=request),
                }
            )
        access.note(request, kind=AccessKind.API_LIST, what="clinical.timeline", patients=[patient])
        params = request.query_params
        kinds = [k.strip() for k in params.get("kind", "").split(",") if k.strip()]
        unknown = set(kinds) - set(selectors.HISTORY_KINDS)
        if unknown:
            raise ValidationError({"kind": f"Choose from: {', '.join(selectors.HISTORY_KINDS)}."})
        dates = {}
        for name in ("date_after", "date_before"):
            raw = params.get(name)
            if raw:
                try:
                    dates[name] = parse_bounded_date(raw)
                except ValidationError as exc:
                    raise ValidationError({name: exc.messages}) from None

        def fetch(position, backwards, size):
            events, more = selectors.patient_history_page(
                user=request.user,
                patient=patient,
                size=size,
                kinds=kinds or None,
                date_from=dates.get("date_after"),
                date_to=dates.get("date_before"),
                position=position,
                backwards=backwards,
            )
            return events, [selectors.history_position(e) for e in events], more

        paginator = self.pagination_class()
        page = paginator.paginate_by(request, selectors.HISTORY_KEYS, fetch)
        return paginator.get_paginated_response(HistoryEventSerializer(page, many=True).data)


# --- The results inbox and the lab's calls of critical results ------------------------------------------------


class ResultsInboxViewSet(viewsets.ReadOnlyModelViewSet):
    """The requesting doctor's results inbox: results of the tests they ordered, critical first, then abnormal,
    then normal, newest first; `?acknowledged=false` for those still to acknowledge, `?flag=critical`.
    `acknowledge` records who saw a result and when. Anyone who is not a doctor is refused (403)."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    serializer_class = ResultsInboxSerializer
    filterset_class = ResultsInboxFilterSet
    ordering = selectors.INBOX_ORDERING
    ordering_fields = ["flag_priority"]
    pagination_class = KeysetPagination
    required_permissions = None

    def get_queryset(self):
        return selectors.results_inbox(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # Junk in the query is a 400 naming it, for anyone; then only a doctor has an inbox.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if selectors.inbox_doctor(request.user) is None:
            raise PermissionDenied("The results inbox is a doctor's: it lists the results of the tests they ordered.")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={
            200: ResultsInboxSerializer,
            403: OpenApiResponse(description="Not the doctor who ordered the test (or not a doctor)."),
            404: OpenApiResponse(description="No such result in your inbox."),
            409: OpenApiResponse(description="Already acknowledged (code `already_acknowledged`)."),
        },
    )
    @action(detail=True, methods=["post"], **action_permissions("clinical.view_labresult"))
    def acknowledge(self, request, pk=None):
        """Acknowledge the result: you have seen it. Who and when are kept (and in its history); a correction of
        the result makes it unacknowledged again."""
        result = services.lab_result_acknowledge(result=self.get_object(), acting_user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=result.pk)).data)


class CriticalResultCallViewSet(ReadAndAddViewSet):
    """The lab's calls of critical results, newest first. POST records one (lab roles only): whom the result was
    phoned to (`called_to`, required), when (`called_at`, default now, never in the future), whether it was read
    back. 409 when the result is not critical or its value was already phoned through. `to-call` lists the
    critical results nobody has phoned through yet, oldest first."""

    audit_patient_field = "result__patient"  # the read audit (hms.access)

    serializer_class = CriticalResultCallSerializer
    filterset_class = CriticalResultCallFilterSet
    ordering_fields = ["called_at"]
    ordering = ["-called_at", "-id"]
    pagination_class = KeysetPagination
    selector = staticmethod(selectors.critical_result_call_queryset_for)

    def add(self, data):
        return services.lab_result_call_record(acting_user=self.request.user, **data)

    @extend_schema(responses=ResultsInboxSerializer(many=True), filters=False)
    @action(
        detail=False,
        methods=["get"],
        url_path="to-call",
        filterset_class=None,
        ordering=selectors.TO_CALL_ORDERING,
        ordering_fields=[],
        **action_permissions("clinical.add_criticalresultcall"),
    )
    def to_call(self, request):
        """Critical results still to phone through (for their current value), oldest first."""
        page = self.paginate_queryset(selectors.results_to_call(user=request.user))
        return self.get_paginated_response(ResultsInboxSerializer(page, many=True).data)
