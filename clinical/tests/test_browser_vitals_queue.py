"""Real browser: the nurse logs in onto the vitals queue, opens a waiting patient's vitals form, and once vitals
are taken the patient leaves the queue."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinical.tests.factories import VitalsFactory
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nurse_starts_on_the_vitals_queue_and_a_patient_leaves_it_once_vitals_are_taken(browser_login, screenshot):
    hospital = HospitalFactory()
    doctor = DoctorFactory(hospital=hospital, department=DepartmentFactory(hospital=hospital, name="Cardiology"))
    StaffMemberFactory(
        role="nurse", hospital=hospital, department=DepartmentFactory(hospital=hospital), user__username="nurse"
    )
    now = timezone.now().replace(second=0, microsecond=0)
    waiting = AppointmentFactory(
        doctor=doctor, start=now, status=AppointmentStatus.CHECKED_IN, checked_in_at=now,
        patient__first_name="Ada", patient__last_name="Lovelace",
    )  # fmt: skip

    page = browser_login("nurse")

    expect(page).to_have_url(re.compile(r"/clinical/vitals/queue/$"))
    expect(page.locator(f"#queue-{waiting.pk}")).to_contain_text("Lovelace, Ada")
    screenshot("vitals_queue")
    page.locator(f"#queue-{waiting.pk}").get_by_role("link", name="Record vitals").click()
    expect(page).to_have_url(re.compile(rf"/clinical/visits/{waiting.pk}/vitals/$"))

    VitalsFactory(patient=waiting.patient, appointment=waiting)
    page.goto("/clinical/vitals/queue/")
    expect(page.locator("#vitals-queue")).to_contain_text("Nobody is waiting for vitals.")
