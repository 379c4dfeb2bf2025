"""Signals scheduling sends to other apps. Receivers live in the receiving app (e.g. billing/signals.py).

``appointment_completed`` is sent by ``scheduling.services.appointment_complete`` with
``sender=Appointment``, ``appointment=<the completed Appointment>`` and ``acting_user=<who completed it>``
(passed explicitly: receivers record it on what they write, never read it off the appointment). It is sent with
``send()`` *inside* the service's transaction, after the appointment row is saved: a receiver
that writes (billing creates the bill) commits or rolls back together with the completion,
and a receiver that raises refuses the completion. Receivers must be safe to run twice for one
appointment and must put outside effects (email, HTTP) in ``transaction.on_commit``.
"""

from django.dispatch import Signal

appointment_completed = Signal()
