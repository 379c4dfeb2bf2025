"""Stock never goes negative under concurrent dispenses: real threads, own connections, released together."""

import threading
from collections import Counter

import pytest
from django.db import connection

from clinical.tests.factories import MedicalRecordFactory
from inventory import services
from inventory.models import Batch
from inventory.tests.factories import BatchFactory, MedicationFactory, PrescriptionFactory, StoreFactory
from inventory.tests.helpers import assert_ledger_balanced
from staff.choices import StaffRole
from staff.tests.factories import StaffMemberFactory

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_pharmacists_dispensing_three_each_from_twenty_units_oversell_nothing():
    medication = MedicationFactory()
    first = PrescriptionFactory(medication=medication, quantity=3)
    hospital = first.record.appointment.hospital
    prescriptions = [first] + [
        PrescriptionFactory(
            medication=medication, quantity=3, record=MedicalRecordFactory(appointment__doctor__hospital=hospital)
        )
        for _ in range(THREADS - 1)
    ]
    store = StoreFactory(hospital=hospital)
    batch = BatchFactory(item=medication, store=store, quantity=20)
    pharmacist = StaffMemberFactory(role=StaffRole.PHARMACIST).user
    barrier = threading.Barrier(THREADS, timeout=30)
    outcomes, lock = [], threading.Lock()

    def worker(prescription):
        try:
            barrier.wait()
            try:
                services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)
                outcome = "dispensed"
            except Exception as exc:  # noqa: BLE001 - the refusal's code is the outcome
                outcome = getattr(exc, "code", repr(exc))
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in prescriptions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a dispensing thread hung"

    assert Counter(outcomes) == {"dispensed": 6, "insufficient_stock": 4}
    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 2
    assert_ledger_balanced()
