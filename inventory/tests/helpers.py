"""Assertions and set-ups shared by the inventory tests (and billing's tests of dispensing charges)."""

from decimal import Decimal

from inventory.selectors import ledger_mismatches
from inventory.tests.factories import MedicationFactory, PrescriptionFactory, StoreFactory


def assert_ledger_balanced():
    """Every batch's quantity on hand equals the sum of its movements."""
    assert ledger_mismatches() == []


def prescription_with_pharmacy():
    """A prescription of 10 tablets at $0.40, and the pharmacy of the hospital of the visit."""
    prescription = PrescriptionFactory(quantity=10, medication=MedicationFactory(unit_price=Decimal("0.40")))
    return prescription, StoreFactory(hospital=prescription.record.appointment.hospital)
