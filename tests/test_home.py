"""The start page sends each role where its work begins; login and logout through the real forms."""

import pytest
from django.urls import reverse

from hms.roles import START_PAGES
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "start_page"),
    [
        ("Administrator", "dashboard"),
        ("Doctor", "scheduling:my_schedule"),
        ("Nurse", "clinical:vitals_queue"),
        ("Receptionist", "scheduling:board"),
        ("Billing Clerk", "billing:outstanding"),
        ("Pharmacist", "inventory:dashboard"),
        ("Lab Technician", "clinical:lab_worklist"),
        ("Patient", "portal:profile"),
        ("Insurer", "billing:claims_queue"),
    ],
)
def test_home_sends_each_role_to_its_start_page(client, make_user, role, start_page):
    assert START_PAGES[role] == start_page
    client.force_login(make_user(role))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(start_page)


def test_an_administrator_who_is_also_a_superuser_lands_on_the_dashboard(client, make_user):
    """The demo administrator is both: their role's start page wins, the back office is one click away."""
    admin = make_user("Administrator", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.get(reverse("home"))
    dashboard = client.get(response["Location"])

    assert response["Location"] == reverse("dashboard")
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert f'id="back-office-link" href="{reverse("admin:index")}"' in body
    assert f'<a href="{reverse("admin:index")}">Back office</a>' in body  # and in the menu


def test_an_insurer_lands_on_its_claims_queue_not_on_a_refusal(client, make_user):
    client.force_login(make_user("Insurer"))

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain == [(reverse("billing:claims_queue"), 302)]
    assert response.status_code == 200
    assert "No role assigned" not in response.content.decode()


def test_home_sends_a_superuser_to_the_back_office(client, admin_user_obj):
    client.force_login(admin_user_obj)

    response = client.get(reverse("home"))

    assert response["Location"] == reverse("admin:index")


def test_home_tells_a_user_without_a_role_to_ask_for_one(client, make_user):
    client.force_login(make_user())

    response = client.get(reverse("home"))

    assert response.status_code == 403
    assert "No role assigned" in response.content.decode()


def test_home_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_logging_in_through_the_form_lands_on_the_role_start_page(client, make_user):
    make_user("Receptionist", username="frontdesk")

    response = client.post(reverse("login"), {"username": "frontdesk", "password": "pw"}, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302), (reverse("scheduling:board"), 302)]
    assert response.status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client):
    UserFactory(username="frontdesk")

    response = client.post(reverse("login"), {"username": "frontdesk", "password": "nope"})

    assert response.status_code == 200
    assert "didn't match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_out_ends_the_session(client, make_user):
    client.force_login(make_user("Nurse"))

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert client.get(reverse("patients:search")).status_code == 302
