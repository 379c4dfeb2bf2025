"""Receivers of other apps' signals (connected in BillingConfig.ready())."""

from django.dispatch import receiver

from scheduling.signals import appointment_completed


@receiver(appointment_completed, dispatch_uid="billing.bill_for_completed_appointment")
def bill_for_completed_appointment(sender, appointment, **kwargs):
    """A completed visit gets its draft bill; safe to run twice (one bill per appointment)."""
    from billing.services import bill_create_for_appointment

    acting_user = kwargs.get("acting_user") or getattr(appointment, "_history_user", None)
    bill_create_for_appointment(appointment=appointment, acting_user=acting_user)
