"""Who dispenses: inventory.policies, asked by inventory.services.prescription_dispense (API, pages, demo alike)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from clinical.tests.factories import MedicationFactory, PrescriptionFactory
from inventory import services
from inventory.models import StockMovement
from inventory.tests.factories import BatchFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rx():
    prescription = PrescriptionFactory(quantity=10, medication=MedicationFactory(unit_price=Decimal("0.40")))
    store = StoreFactory(hospital=prescription.record.appointment.hospital)
    BatchFactory(item=prescription.medication, store=store, quantity=20)
    return prescription, store


@pytest.mark.parametrize("role", ["Doctor", "Nurse", "Receptionist", "Administrator"])
def test_only_the_pharmacy_dispenses(make_user, rx, role):
    prescription, store = rx

    with pytest.raises(PermissionDenied, match="dispensed by the pharmacy staff"):
        services.prescription_dispense(prescription=prescription, store=store, acting_user=make_user(role))

    assert not StockMovement.objects.filter(prescription=prescription).exists()


def test_a_pharmacist_dispenses(make_user, rx):
    prescription, store = rx

    services.prescription_dispense(prescription=prescription, store=store, acting_user=make_user("Pharmacist"))

    assert StockMovement.objects.filter(prescription=prescription).exists()


def test_the_api_answers_a_nurse_403_like_the_service(api_as, rx):
    prescription, store = rx

    response = api_as("Nurse").post(f"/api/v1/prescriptions/{prescription.pk}/dispense/", {"store": store.pk})

    assert response.status_code == 403
    assert not StockMovement.objects.filter(prescription=prescription).exists()
