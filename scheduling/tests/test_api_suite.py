"""The shared API suite (hms.testing.api) declared for the scheduling endpoints."""

from hms.roles import DOCTOR
from hms.testing.api import APISuite, MethodNotAllowed
from patients.tests.factories import PatientFactory
from scheduling.choices import RoomKind
from scheduling.models import Appointment, Availability, Equipment, Room, TimeOff
from scheduling.tests.factories import (
    AppointmentFactory,
    AvailabilityFactory,
    EquipmentFactory,
    RoomFactory,
    TimeOffFactory,
)
from staff.tests.factories import DoctorFactory, HospitalFactory


class TestAppointmentAPI(APISuite):
    url = "/api/v1/appointments/"
    model = Appointment
    factory = AppointmentFactory
    patient_factory = PatientFactory
    update = MethodNotAllowed("an appointment changes only through its actions: cancel, reschedule, check-in ...")

    def create_payload(self, user):
        doctor = AvailabilityFactory().doctor  # Mondays 09:00-17:00 at the doctor's hospital
        return {"patient": PatientFactory().pk, "doctor": doctor.pk, "start": "2030-01-07T10:00", "reason": "Checkup"}


class DoctorOwnedSuite(APISuite):
    # Doctors keep their own rows; the suite's row belongs to another doctor (scheduling.api.views._ensure_can_manage).
    own_rows_only = {"change": {DOCTOR: "a doctor changes only their own rows"}}
    skip = {"other_patient": "a doctor's schedule, not a patient's"}


class TestAvailabilityAPI(DoctorOwnedSuite):
    url = "/api/v1/availability/"
    model = Availability
    factory = AvailabilityFactory

    def create_payload(self, user):
        return {
            "doctor": DoctorFactory().pk,
            "weekday": 1,
            "start_time": "09:00",
            "end_time": "12:00",
            "slot_minutes": 30,
            "valid_from": "2030-01-01",
        }

    def update_payload(self, row, user):
        return {"valid_to": "2031-01-01"}


class TestTimeOffAPI(DoctorOwnedSuite):
    url = "/api/v1/time-off/"
    model = TimeOff
    factory = TimeOffFactory

    def create_payload(self, user):
        return {
            "doctor": DoctorFactory().pk,
            "start": "2030-02-04T09:00:00-05:00",
            "end": "2030-02-04T12:00:00-05:00",
            "reason": "Course",
        }

    def update_payload(self, row, user):
        return {"reason": "Workshop"}


class TestRoomAPI(APISuite):
    url = "/api/v1/rooms/"
    model = Room
    factory = RoomFactory

    def create_payload(self, user):
        return {"hospital": HospitalFactory().pk, "name": "Exam 77", "kind": RoomKind.EXAM}

    def update_payload(self, row, user):
        return {"name": "Exam 78"}


class TestEquipmentAPI(APISuite):
    url = "/api/v1/inventory/equipment/"
    model = Equipment
    factory = EquipmentFactory
    skip = {"other_patient": "hospital equipment, not patient data"}  # receptionists book it; patients never read it

    def create_payload(self, user):
        return {"hospital": HospitalFactory().pk, "name": "ECG cart", "asset_tag": "EQ-SUITE"}

    def update_payload(self, row, user):
        return {"name": "ECG cart 2"}
