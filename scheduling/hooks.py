"""Checks the apps above scheduling add to its actions, without scheduling importing them.

``completion_checks``: callables ``check(appointment)`` that ``appointment_complete`` runs, in order, on the
locked appointment before completing it; a check refuses by raising (Conflict, ValidationError) and nothing is
saved. An app registers its check in its ``AppConfig.ready()`` with ``register_completion_check``: clinical
adds "an open medical record with at least one diagnosis" (clinical.services.record_ready_for_completion).
"""

from collections.abc import Callable

completion_checks: list[Callable] = []


def register_completion_check(check: Callable) -> None:
    """Add ``check(appointment)`` to what completing a visit requires (once: registering again is a no-op)."""
    if check not in completion_checks:
        completion_checks.append(check)


def run_completion_checks(appointment) -> None:
    """Run every registered completion check; the first that refuses raises."""
    for check in completion_checks:
        check(appointment)
