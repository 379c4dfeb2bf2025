import pytest

from scheduling.signals import appointment_completed


@pytest.fixture
def completions():
    """The appointments whose completion was announced during the test (``appointment_completed``: billing
    creates the bill on it, pinned in billing/tests/test_signals.py)."""
    sent = []

    def receiver(sender, appointment, **kwargs):
        sent.append(appointment.pk)

    appointment_completed.connect(receiver, dispatch_uid="clinical.tests.completions")
    yield sent
    appointment_completed.disconnect(dispatch_uid="clinical.tests.completions")
