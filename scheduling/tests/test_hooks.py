"""The completion checks the apps above scheduling register (scheduling.hooks), as appointment_complete runs them."""

import pytest

from hms.exceptions import Conflict
from scheduling import hooks, services
from scheduling.choices import AppointmentStatus
from scheduling.signals import appointment_completed
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_a_registered_check_that_refuses_stops_the_completion_with_its_message_and_nothing_changes():
    appointment = AppointmentFactory(status=AppointmentStatus.IN_PROGRESS)
    seen, sent = [], []

    def needs_a_signature(appointment):
        seen.append(appointment.pk)
        raise Conflict("Sign the record first.", code="unsigned")

    def billing(sender, appointment, **kwargs):
        sent.append(appointment.pk)

    hooks.register_completion_check(needs_a_signature)
    appointment_completed.connect(billing)
    try:
        with pytest.raises(Conflict, match="Sign the record first.") as excinfo:
            services.appointment_complete(appointment=appointment, acting_user=appointment.doctor.user)
    finally:
        appointment_completed.disconnect(billing)

    assert excinfo.value.code == "unsigned"
    assert seen == [appointment.pk]
    assert sent == []
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_PROGRESS and appointment.completed_at is None


def test_every_registered_check_runs_once_in_order_before_the_visit_is_completed():
    appointment = AppointmentFactory(status=AppointmentStatus.IN_PROGRESS)
    calls = []

    def first(appointment):
        calls.append(("first", appointment.status))

    def second(appointment):
        calls.append(("second", appointment.status))

    hooks.register_completion_check(first)
    hooks.register_completion_check(second)
    hooks.register_completion_check(first)  # registering again (a second ready()) adds nothing

    services.appointment_complete(appointment=appointment, acting_user=appointment.doctor.user)

    assert calls == [("first", AppointmentStatus.IN_PROGRESS), ("second", AppointmentStatus.IN_PROGRESS)]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
