"""Staff API: shapes of hospitals, departments and staff members. Writes go through the views to services."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator

from hms import serializers
from hms.fields import OptionalEmailField
from staff.models import Department, Hospital, StaffMember

# localflavor's USZipCodeField checks the format only in its form field, so the API checks it here.
zip_code_validator = RegexValidator(r"^\d{5}(?:-\d{4})?$", "Enter a ZIP code in the format XXXXX or XXXXX-XXXX.")


class HospitalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hospital
        fields = [
            "id",
            "name",
            "code",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "phone",
            "timezone",
            "is_active",
        ]
        extra_kwargs = {"postal_code": {"validators": [zip_code_validator]}}


class DepartmentSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "hospital", "hospital_name", "name", "code", "is_active"]


class StaffMemberSerializer(serializers.ModelSerializer):
    """A staff member as read: login name, person, workplace, role and doctor details."""

    username = serializers.CharField(source="user.username", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    full_name = serializers.CharField(read_only=True)
    email = OptionalEmailField(source="user.email", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "hospital",
            "hospital_name",
            "department",
            "department_name",
            "role",
            "phone",
            "is_active",
            "specialty",
            "license_number",
            "consultation_fee",
        ]
        read_only_fields = fields


class StaffMemberCreateSerializer(serializers.ModelSerializer):
    """Input to create a staff member and their login (staff.services.staff_member_create)."""

    username = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = OptionalEmailField(required=False, default="")
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        help_text="Optional; without it the account cannot log in until a password is set.",
    )

    class Meta:
        model = StaffMember
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "password",
            "hospital",
            "department",
            "role",
            "phone",
            "specialty",
            "license_number",
            "consultation_fee",
        ]

    def validate_password(self, password):
        try:
            password_validation.validate_password(password)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc
        return password


class StaffMemberUpdateSerializer(serializers.ModelSerializer):
    """Input to change a staff profile (staff_member_update) and activate/deactivate it (staff_member_set_active)."""

    class Meta:
        model = StaffMember
        fields = [
            "hospital",
            "department",
            "role",
            "phone",
            "specialty",
            "license_number",
            "consultation_fee",
            "is_active",
        ]


class DoctorSerializer(serializers.ModelSerializer):
    """A doctor as patients and schedulers see them."""

    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    full_name = serializers.CharField(read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "specialty",
            "consultation_fee",
            "hospital",
            "hospital_name",
            "department",
            "department_name",
        ]
        read_only_fields = fields
