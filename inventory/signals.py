"""Signals inventory sends to the apps above it. Receivers live in the receiving app (billing/signals.py).

``prescription_dispensed`` is sent by ``inventory.services.prescription_dispense`` with
``sender=StockMovement``, ``prescription`` (the locked Prescription, its record's patient and appointment
with its hospital loaded), ``movements`` (the dispense movements just written, one per batch used, each with
its ``batch``) and ``acting_user`` (who dispensed). It is sent with ``send()`` *inside* the service's
transaction, after the movements are written: billing adds a charge line per movement to the visit's bill,
and a receiver that raises refuses the dispense (nothing is saved, the stock included).
"""

from django.dispatch import Signal

prescription_dispensed = Signal()
