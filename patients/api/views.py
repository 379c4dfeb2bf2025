"""Patients API. Rows come from patients.selectors (a portal patient sees only their own record);
every change goes through patients.services with the requesting user as ``acting_user``.
Nothing here is deleted: patients, allergies and policies are deactivated.
"""

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hms.filters import StrictOrderingFilter
from hms.pagination import KeysetPagination
from hms.permissions import action_permissions
from hms.viewsets import NO_DELETE
from patients import services
from patients.api.serializers import (
    AllergySerializer,
    BreakGlassGrantSerializer,
    BreakGlassRequestSerializer,
    ConsentSerializer,
    DuplicatePatientSerializer,
    InsurancePolicySerializer,
    MedicalHistoryEntrySerializer,
    PatientDetailSerializer,
    PatientSerializer,
    PayerSerializer,
)
from patients.filters import (
    AllergyFilterSet,
    InsurancePolicyFilterSet,
    MedicalHistoryEntryFilterSet,
    PatientFilterSet,
    PatientSearchFilter,
    PayerFilterSet,
)
from patients.models import InsurancePolicy, Patient
from patients.selectors import (
    allergy_queryset_for,
    consents_of,
    insurance_policy_queryset_for,
    medical_history_queryset_for,
    patient_queryset_for,
    payer_queryset_for,
)


@extend_schema_view(
    list=extend_schema(description="Search by name or MRN with `?search=` (each word matches the start of a name)."),
    create=extend_schema(
        description="Register a patient; the MRN is generated. A patient with the same name and date of birth "
        "answers 409 with their MRNs unless `allow_duplicate` is true.",
        responses={
            201: PatientDetailSerializer,
            409: OpenApiResponse(DuplicatePatientSerializer, description="Possible duplicate registration."),
        },
    ),
)
class PatientViewSet(viewsets.ModelViewSet):
    audit_patient_field = "self"  # the read audit (hms.access)
    filterset_class = PatientFilterSet
    filter_backends = [DjangoFilterBackend, PatientSearchFilter, StrictOrderingFilter]
    search_fields = ["^first_name", "^last_name", "=mrn"]  # what PatientSearchFilter matches
    ordering_fields = ["last_name", "first_name", "mrn"]
    ordering = ["last_name", "first_name", "mrn", "id"]
    pagination_class = KeysetPagination
    keyset_model = Patient
    http_method_names = NO_DELETE
    required_permissions = None  # set per action by action_permissions(...)

    def get_queryset(self):
        qs = patient_queryset_for(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                "allergies",
                "medical_history",
                Prefetch("insurance_policies", queryset=InsurancePolicy.objects.select_related("payer")),
            )
        return qs

    def get_serializer_class(self):
        return PatientSerializer if self.action == "list" else PatientDetailSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        allow_duplicate = data.pop("allow_duplicate", False)
        serializer.instance = services.patient_register(
            acting_user=self.request.user, allow_duplicate=allow_duplicate, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("allow_duplicate", None)
        serializer.instance = services.patient_update(
            patient=serializer.instance, acting_user=self.request.user, **data
        )

    def _set_active(self, request, active):
        patient = services.patient_set_active(patient=self.get_object(), active=active, acting_user=request.user)
        return Response(PatientDetailSerializer(patient, context=self.get_serializer_context()).data)

    @extend_schema(
        request=BreakGlassRequestSerializer,
        responses={
            201: BreakGlassGrantSerializer,
            400: OpenApiResponse(description="No reason, or one too short."),
            403: OpenApiResponse(description="Not a doctor or nurse (only they are restricted to their patients)."),
        },
    )
    @action(detail=True, methods=["post"], url_path="break-glass", **action_permissions("patients.view_patient"))
    def break_glass(self, request, pk=None):
        """Break the glass: open the full chart of a patient outside your care for BREAK_GLASS_HOURS hours, for a
        reason (required, BREAK_GLASS_REASON_MIN_LENGTH characters at least). The privacy officer reviews it."""
        patient = self.get_object()
        data = BreakGlassRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.break_glass(patient=patient, reason=data.validated_data["reason"], acting_user=request.user)
        return Response(BreakGlassGrantSerializer(grant).data, status=201)

    @extend_schema(
        methods=["GET"], request=None, responses=ConsentSerializer(many=True),
        description="The patient's consents, one per kind recorded (a kind not listed was never given).",
    )
    @extend_schema(
        methods=["POST"], request=ConsentSerializer, responses=ConsentSerializer,
        description="Record a consent granted (`granted: true`) or withdrawn (`false`); each change keeps history.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, required_permissions={
        "GET": ["patients.view_consent"], "POST": ["patients.change_consent"],
    })
    def consents(self, request, pk=None):
        patient = self.get_object()
        if request.method == "GET":
            rows = sorted(consents_of(patient).values(), key=lambda consent: consent.kind)
            return Response(ConsentSerializer(rows, many=True).data)
        data = ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_record(patient=patient, acting_user=request.user, **data.validated_data)
        return Response(ConsentSerializer(consent).data)

    @extend_schema(request=None, responses=PatientDetailSerializer)
    @action(detail=True, methods=["post"], **action_permissions("patients.change_patient"))
    def deactivate(self, request, pk=None):
        """Deactivate the patient (patients are never deleted); their record and history stay."""
        return self._set_active(request, False)

    @extend_schema(request=None, responses=PatientDetailSerializer)
    @action(detail=True, methods=["post"], **action_permissions("patients.change_patient"))
    def reactivate(self, request, pk=None):
        """Reactivate a deactivated patient."""
        return self._set_active(request, True)


class ChartRowViewSet(viewsets.ModelViewSet):
    """A patient's chart rows, scoped by a selector and written by an add/update service pair."""

    http_method_names = NO_DELETE
    selector = None
    add_service = None
    update_service = None
    update_arg = None

    def get_queryset(self):
        return self.selector(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        patient = data.pop("patient")
        serializer.instance = self.add_service(patient=patient, acting_user=self.request.user, **data)

    def perform_update(self, serializer):
        serializer.instance = self.update_service(
            **{self.update_arg: serializer.instance}, acting_user=self.request.user, **serializer.validated_data
        )


class AllergyViewSet(ChartRowViewSet):
    """Allergies. Entered in error or refuted: set ``is_active`` to false."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    serializer_class = AllergySerializer
    filterset_class = AllergyFilterSet
    ordering_fields = ["patient", "substance"]
    ordering = ["patient", "substance", "id"]
    pagination_class = KeysetPagination
    selector = staticmethod(allergy_queryset_for)
    add_service = staticmethod(services.allergy_add)
    update_service = staticmethod(services.allergy_update)
    update_arg = "allergy"


class MedicalHistoryEntryViewSet(ChartRowViewSet):
    """Medical history entries. A condition that ended is marked resolved (``status``)."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    serializer_class = MedicalHistoryEntrySerializer
    filterset_class = MedicalHistoryEntryFilterSet
    ordering_fields = ["patient", "onset_date", "condition"]
    ordering = ["patient", "-onset_date", "condition", "id"]
    pagination_class = KeysetPagination
    selector = staticmethod(medical_history_queryset_for)
    add_service = staticmethod(services.medical_history_add)
    update_service = staticmethod(services.medical_history_update)
    update_arg = "entry"


class InsurancePolicyViewSet(ChartRowViewSet):
    """Insurance policies. One primary policy per patient; ended policies are deactivated (``is_active``)."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    serializer_class = InsurancePolicySerializer
    filterset_class = InsurancePolicyFilterSet
    ordering_fields = ["patient", "is_primary", "valid_from"]
    ordering = ["patient", "-is_primary", "-valid_from", "id"]
    pagination_class = KeysetPagination
    selector = staticmethod(insurance_policy_queryset_for)
    add_service = staticmethod(services.insurance_policy_add)
    update_service = staticmethod(services.insurance_policy_update)
    update_arg = "policy"


class PayerViewSet(viewsets.ReadOnlyModelViewSet):
    """Payers (insurance companies and programs) a policy's ``payer`` names. Administrators keep them in the
    admin; an insurer sees only their own payer."""

    serializer_class = PayerSerializer
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code"]
    filterset_class = PayerFilterSet  # strict, like every list: ?is_active=junk is a 400

    def get_queryset(self):
        return payer_queryset_for(self.request.user)
