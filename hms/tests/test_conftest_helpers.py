"""The root conftest's shared test helpers do what every app's tests rely on them for."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from conftest import counted_get, query_counter

pytestmark = pytest.mark.django_db


def test_query_counter_counts_and_shows_the_queries_run_inside_it():
    get_user_model().objects.count()  # outside: not counted

    with query_counter() as queries:
        get_user_model().objects.count()
        get_user_model().objects.exists()

    assert queries.count == len(queries) == 2
    assert all("auth_user" in sql for sql in queries.sql)


def test_page_as_gives_a_client_logged_in_as_a_new_user_of_that_role(page_as):
    nurse = page_as("Nurse")

    response = nurse.get(reverse("home"))

    assert response.status_code == 302 and response["Location"] == reverse("clinical:vitals_queue")
    assert nurse.user.groups.filter(name="Nurse").exists()


def test_page_as_and_login_log_in_a_user_given(page_as, login, client, make_user):
    user = make_user("Receptionist")

    assert page_as(user).get(reverse("home"))["Location"] == reverse("scheduling:board")
    assert login(user) == user
    assert client.get(reverse("home"))["Location"] == reverse("scheduling:board")


def test_counted_get_answers_the_query_count_and_the_response_and_checks_the_status(page_as):
    client = page_as("Nurse")

    count, response = counted_get(client, reverse("home"), status=302)

    assert count >= 1 and response["Location"] == reverse("clinical:vitals_queue")
    with pytest.raises(AssertionError):
        counted_get(client, reverse("home"))  # a 302 is not the 200 it expects by default
