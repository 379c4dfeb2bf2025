"""manage.py seed_scale outside a transaction (as the command runs): LOAD DATA from a loading thread.

A module of its own: the shared load of test_seed_scale.py lives in a transaction this test must not see.
"""

import pytest
from django.test import Client

from clinical.models import MedicalRecord
from demo import core as demo
from demo import scale
from patients.models import Patient
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_loads_with_load_data_and_history_rows_alike(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    result = scale.run(patients=20, appointments=300, long_timeline=5, short_timeline=2)
    assert Appointment.objects.count() == 300 and Patient.objects.count() == 20
    assert Appointment.history.count() == 300
    assert MedicalRecord.history.count() == MedicalRecord.objects.count() > 0
    assert result.rows >= 300 * 2
    long_, _short = scale.timeline_patients()
    assert long_.appointments.filter(status=AppointmentStatus.COMPLETED).count() == 5
    assert Client().login(username="doctor", password=demo.DEFAULT_PASSWORD)
