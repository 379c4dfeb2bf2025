"""Real browser: a double click on a posting button sends the form once, its buttons disabled (issue 12, bug 9)."""

import datetime

import pytest
from django.utils import timezone

from inventory.tests.factories import BatchFactory, PrescriptionFactory, StoreFactory
from staff.tests.factories import StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_dispense_posts_once_and_disables_the_button(browser_login):
    prescription = PrescriptionFactory(quantity=10)
    hospital = prescription.record.appointment.hospital
    store = StoreFactory(hospital=hospital)
    BatchFactory(
        item=prescription.medication,
        store=store,
        quantity=30,
        expiry_date=timezone.localdate() + datetime.timedelta(days=200),
    )
    StaffMemberFactory(role="pharmacist", hospital=hospital, user__username="pharma")
    page = browser_login("pharma")
    page.goto(f"/inventory/prescriptions/{prescription.pk}/dispense/")
    posts = []

    def hold_posts(route):
        if route.request.method == "POST":
            posts.append(route.request.url)  # held: the answer never comes, the page stays as it was clicked
        else:
            route.continue_()

    page.route("**/dispense/", hold_posts)
    # Two clicks in a row, as a double click gives them; read the button before any answer can come.
    # (Playwright's own dblclick() and expect() wait for the held navigation, so the page clicks itself.)
    disabled = page.evaluate(
        """() => {
            const button = document.getElementById("dispense-button");
            button.click();
            button.click();
            return new Promise((resolve) => setTimeout(() => resolve(button.disabled), 100));
        }"""
    )
    page.wait_for_timeout(700)

    assert disabled is True
    assert len(posts) == 1
