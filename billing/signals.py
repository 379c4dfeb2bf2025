"""Receivers of other apps' signals (connected in BillingConfig.ready())."""

from django.dispatch import receiver

from inventory.signals import prescription_dispensed
from scheduling.signals import appointment_completed


@receiver(appointment_completed, dispatch_uid="billing.bill_for_completed_appointment")
def bill_for_completed_appointment(sender, appointment, acting_user, **kwargs):
    """A completed visit gets its draft bill, recorded as made by whoever completed it (the signal's
    ``acting_user``); safe to run twice (one bill per appointment)."""
    from billing.services import bill_create_for_appointment

    bill_create_for_appointment(appointment=appointment, acting_user=acting_user)


@receiver(prescription_dispensed, dispatch_uid="billing.charge_for_dispensed_medication")
def charge_for_dispensed_medication(sender, prescription, movements, acting_user, **kwargs):
    """Each batch dispensed adds a charge line (the item's price) to the visit's bill, in the dispense's
    transaction: if billing refuses, the dispense is refused too."""
    from billing.services import bill_add_charge

    appointment = prescription.record.appointment
    item = prescription.medication
    for movement in movements:
        bill_add_charge(
            patient=prescription.record.patient,
            hospital=appointment.hospital,
            kind="medication",
            code=item.code,
            description=f"{item} · lot {movement.batch.lot_number}",
            quantity=-movement.quantity,
            unit_price=item.unit_price,
            appointment=appointment,
            source=f"inventory.stockmovement:{movement.pk}",
            acting_user=acting_user,
        )
