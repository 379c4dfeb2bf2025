"""The shared API suite (hms.testing.api) declared for the staff endpoints."""

from hms.roles import PATIENT
from hms.testing.api import APISuite, MethodNotAllowed
from staff.choices import StaffRole
from staff.models import Department, Hospital, StaffMember
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory

NOT_PATIENT_DATA = "reference data: no row belongs to a patient"


class TestHospitalAPI(APISuite):
    url = "/api/v1/hospitals/"
    model = Hospital
    factory = HospitalFactory
    skip = {"other_patient": NOT_PATIENT_DATA}

    def create_payload(self, user):
        return {
            "name": "North Clinic",
            "code": "NTH",
            "address_line1": "1 Main St",
            "city": "Boston",
            "state": "MA",
            "postal_code": "02115",
        }

    def update_payload(self, row, user):
        return {"phone": "(617) 555-0111"}


class TestDepartmentAPI(APISuite):
    url = "/api/v1/departments/"
    model = Department
    factory = DepartmentFactory
    skip = {"other_patient": NOT_PATIENT_DATA}

    def create_payload(self, user):
        return {"hospital": HospitalFactory().pk, "name": "Radiology", "code": "RAD-NEW"}

    def update_payload(self, row, user):
        return {"name": "Renamed department"}


class TestStaffMemberAPI(APISuite):
    url = "/api/v1/staff/"
    model = StaffMember
    factory = StaffMemberFactory
    # The directory (logins, contact details, licenses) is for staff; portal patients find doctors at /doctors/.
    refused_beyond_table = {"view": {PATIENT: "staff.api.views.StaffDirectoryAccess"}}
    skip = {"other_patient": "the staff directory: no row belongs to a patient"}

    def create_payload(self, user):
        department = DepartmentFactory()
        return {
            "username": "nina.new",
            "first_name": "Nina",
            "last_name": "Newhire",
            "password": "Correct-Horse-42",
            "hospital": department.hospital_id,
            "department": department.pk,
            "role": StaffRole.NURSE,
        }

    def update_payload(self, row, user):
        return {"phone": "(617) 555-0177"}


class TestDoctorAPI(APISuite):
    url = "/api/v1/doctors/"
    model = StaffMember
    factory = DoctorFactory
    create = MethodNotAllowed("read-only list of doctors; staff are created at /staff/")
    update = MethodNotAllowed("read-only list of doctors; staff change at /staff/")
    skip = {"other_patient": "doctors are not patient data"}
