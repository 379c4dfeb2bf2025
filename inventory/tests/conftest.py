import pytest

from inventory.signals import prescription_dispensed


@pytest.fixture
def dispensed_signals():
    """What inventory announced during the test (``prescription_dispensed``): a list of
    (prescription pk, [(batch pk, units taken), ...], acting user), one per dispense."""
    sent = []

    def receiver(sender, prescription, movements, acting_user, **kwargs):
        sent.append((prescription.pk, [(m.batch_id, -m.quantity) for m in movements], acting_user))

    prescription_dispensed.connect(receiver, dispatch_uid="inventory.tests.dispensed_signals")
    yield sent
    prescription_dispensed.disconnect(dispatch_uid="inventory.tests.dispensed_signals")
