"""Staff API: hospitals and departments (reference data), the staff directory and the doctors list.

Nothing here is deleted: hospitals, departments and staff members are deactivated (``is_active``).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from hms.roles import is_portal_patient
from hms.viewsets import NO_DELETE, ReferenceDataViewSet
from staff.api.serializers import (
    DepartmentSerializer,
    DoctorSerializer,
    HospitalSerializer,
    StaffMemberCreateSerializer,
    StaffMemberSerializer,
    StaffMemberUpdateSerializer,
)
from staff.filters import DepartmentFilterSet, DoctorFilterSet, HospitalFilterSet, StaffMemberFilterSet
from staff.models import Department, Hospital, StaffMember
from staff.services import (
    department_save,
    hospital_save,
    staff_member_create,
    staff_member_update,
)


class HospitalViewSet(ReferenceDataViewSet):
    queryset = Hospital.objects.all()
    serializer_class = HospitalSerializer
    save_service = staticmethod(hospital_save)
    filterset_class = HospitalFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code", "state"]
    save_service = staticmethod(hospital_save)


class DepartmentViewSet(ReferenceDataViewSet):
    queryset = Department.objects.select_related("hospital")
    serializer_class = DepartmentSerializer
    save_service = staticmethod(department_save)
    filterset_class = DepartmentFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code"]
    save_service = staticmethod(department_save)


class StaffDirectoryAccess(BasePermission):
    """The staff directory (logins, contact details, licenses) is for staff; portal patients see /doctors/."""

    message = "The staff directory is for hospital staff."

    def has_permission(self, request, view):
        return not is_portal_patient(request.user)


@extend_schema_view(
    create=extend_schema(request=StaffMemberCreateSerializer, responses={201: StaffMemberSerializer}),
    update=extend_schema(request=StaffMemberUpdateSerializer, responses=StaffMemberSerializer),
    partial_update=extend_schema(request=StaffMemberUpdateSerializer, responses=StaffMemberSerializer),
)
class StaffMemberViewSet(viewsets.ModelViewSet):
    """Staff members with their login. Created with a role group; deactivated (``is_active``) to leave."""

    queryset = StaffMember.objects.select_related("user", "hospital", "department")
    serializer_class = StaffMemberSerializer
    filterset_class = StaffMemberFilterSet
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    ordering_fields = ["role", "hospital__name"]
    http_method_names = NO_DELETE

    def get_permissions(self):
        return [*super().get_permissions(), StaffDirectoryAccess()]

    def get_serializer_class(self):
        if self.action == "create":
            return StaffMemberCreateSerializer
        if self.action in ("update", "partial_update"):
            return StaffMemberUpdateSerializer
        return StaffMemberSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = staff_member_create(acting_user=request.user, **serializer.validated_data)
        output = StaffMemberSerializer(member, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        member = self.get_object()
        serializer = self.get_serializer(member, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        member = staff_member_update(member=member, acting_user=request.user, **serializer.validated_data)
        return Response(StaffMemberSerializer(member, context=self.get_serializer_context()).data)


class DoctorViewSet(viewsets.ReadOnlyModelViewSet):
    """Active doctors, for finding one by name, specialty, hospital or department."""

    queryset = StaffMember.objects.active().doctors().select_related("user", "hospital", "department")
    serializer_class = DoctorSerializer
    filterset_class = DoctorFilterSet
    search_fields = ["user__first_name", "user__last_name", "specialty"]
    ordering_fields = ["specialty", "consultation_fee"]
    required_permissions = None  # lets @action(..., **action_permissions(...)) name its own permissions
