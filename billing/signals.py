"""Receivers of other apps' signals (connected in BillingConfig.ready())."""

from django.dispatch import receiver

from scheduling.signals import appointment_completed


@receiver(appointment_completed, dispatch_uid="billing.bill_for_completed_appointment")
def bill_for_completed_appointment(sender, appointment, acting_user, **kwargs):
    """A completed visit gets its draft bill, recorded as made by whoever completed it (the signal's
    ``acting_user``); safe to run twice (one bill per appointment)."""
    from billing.services import bill_create_for_appointment

    bill_create_for_appointment(appointment=appointment, acting_user=acting_user)
