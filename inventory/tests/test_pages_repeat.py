"""A dispense form sent twice (double click, second tab, reload) never dispenses twice, and the pharmacist whose
first dispense went through is told it is already dispensed (issue 12, bug 9)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinical.choices import PrescriptionStatus
from inventory.models import Batch, StockMovement
from inventory.tests.factories import BatchFactory, PrescriptionFactory, StoreFactory
from inventory.tests.helpers import assert_ledger_balanced

pytestmark = pytest.mark.django_db


def _rx_with_stock(quantity, on_hand):
    prescription = PrescriptionFactory(quantity=quantity)
    store = StoreFactory(hospital=prescription.record.appointment.hospital)
    batch = BatchFactory(
        item=prescription.medication,
        store=store,
        quantity=on_hand,
        expiry_date=timezone.localdate() + datetime.timedelta(days=200),
    )
    return prescription, store, batch


def _form_as_drawn(client, prescription):
    """The dispense form as the browser would post it: prefilled units and the hidden fields."""
    form = client.get(reverse("inventory:dispense", args=[prescription.pk])).context["form"]
    data = {"store": form.initial["store"], "dispensed_before": form.initial["dispensed_before"]}
    for _batch, field in form.rows():
        data[field.html_name] = field.initial
    return data


def _messages(client, response):
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


def test_a_completed_dispense_posted_again_by_the_same_pharmacist_is_already_dispensed(client, make_user):
    client.force_login(make_user("Pharmacist"))
    prescription, _store, batch = _rx_with_stock(quantity=10, on_hand=30)
    url = reverse("inventory:dispense", args=[prescription.pk])
    data = _form_as_drawn(client, prescription)

    client.get(client.post(url, data)["Location"])  # dispensed, and the answer read
    again = client.post(url, data)

    assert again.status_code == 302 and again["Location"] == reverse("inventory:queue")
    [message] = _messages(client, again)
    assert message.startswith("Already dispensed: you dispensed") and "the prescription is complete" in message
    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 20
    assert StockMovement.objects.filter(prescription=prescription).count() == 1
    assert_ledger_balanced()


def test_a_partial_dispense_posted_twice_dispenses_once(client, make_user):
    client.force_login(make_user("Pharmacist"))
    prescription, _store, batch = _rx_with_stock(quantity=20, on_hand=8)  # only 8 of 20 can go now
    url = reverse("inventory:dispense", args=[prescription.pk])
    data = _form_as_drawn(client, prescription)

    client.get(client.post(url, data)["Location"])
    BatchFactory(item=prescription.medication, store=batch.store, quantity=50)  # a delivery arrives meanwhile
    again = client.post(url, data)

    assert again.status_code == 302 and again["Location"] == url
    [message] = _messages(client, again)
    assert message.startswith("Already dispensed") and "12 still to dispense" in message
    assert -sum(m.quantity for m in StockMovement.objects.filter(prescription=prescription, kind="dispense")) == 8
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE


def test_a_stale_form_after_another_pharmacists_dispense_is_refused_and_shows_what_is_left(client, make_user):
    prescription, _store, _batch = _rx_with_stock(quantity=20, on_hand=8)
    url = reverse("inventory:dispense", args=[prescription.pk])
    client.force_login(make_user("Pharmacist"))
    stale = _form_as_drawn(client, prescription)
    colleague = make_user("Pharmacist")
    client.force_login(colleague)
    client.post(url, _form_as_drawn(client, prescription))
    client.force_login(make_user("Pharmacist"))

    response = client.post(url, stale)

    assert response.status_code == 409
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Not dispensed: Since this page was opened" in text
    assert response.context["form"].initial["dispensed_before"] == 8  # the re-drawn form can be sent
    assert StockMovement.objects.filter(prescription=prescription).count() == 1


def test_a_cancelled_prescription_is_still_refused_not_already_dispensed(client, make_user):
    client.force_login(make_user("Pharmacist"))
    prescription, _store, _batch = _rx_with_stock(quantity=10, on_hand=30)
    data = _form_as_drawn(client, prescription)
    prescription.status = PrescriptionStatus.CANCELLED
    prescription.save()

    response = client.post(reverse("inventory:dispense", args=[prescription.pk]), data)

    assert response.status_code == 409
    assert "cannot be dispensed" in " ".join(str(m) for m in response.context["messages"])


def test_the_service_refuses_a_dispense_drawn_before_another_one_and_saves_nothing(make_user):
    from hms.exceptions import Conflict
    from inventory import services

    prescription, store, batch = _rx_with_stock(quantity=20, on_hand=30)
    pharmacist = make_user("Pharmacist")
    services.prescription_dispense(prescription=prescription, store=store, quantity=5, acting_user=pharmacist)

    with pytest.raises(Conflict) as refused:
        services.prescription_dispense(
            prescription=prescription, store=store, quantity=5, expected_dispensed=0, acting_user=pharmacist
        )

    assert refused.value.code == "dispensed_since" and "5 of 20" in refused.value.message
    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 25
    services.prescription_dispense(
        prescription=prescription, store=store, quantity=5, expected_dispensed=5, acting_user=pharmacist
    )
    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 20
