"""The production server's duties: static files by WhiteNoise, idle logoff without a session write per
request, and roles / staff rows read once per request."""

import datetime
import gzip
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import query_counter
from hms.middleware import LAST_ACTIVITY_KEY
from hms.roles import ADMINISTRATOR, NURSE, forget_roles, has_role, user_roles

pytestmark = pytest.mark.django_db


def session_writes(ctx):
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def session_queries(ctx):
    return [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def group_queries(ctx):
    """Queries reading a user's groups (not the permission query, which joins them in a subquery)."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].split(" FROM ", 1)[-1].startswith(("`auth_group`", '"auth_group"'))
    ]


def staff_member_queries(ctx):
    return [q["sql"] for q in ctx.captured_queries if "FROM `staff_staffmember`" in q["sql"]]


def later(**delta):
    moment = timezone.now() + datetime.timedelta(**delta)
    return mock.patch("django.utils.timezone.now", return_value=moment)


# --- static files ---------------------------------------------------------------------------------------------


def test_whitenoise_serves_collected_static_files_with_debug_off(settings, tmp_path, client):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    # Only what the test reads (the API docs' bundles take seconds to collect and compress).
    call_command("collectstatic", "--noinput", "-i", "drf_spectacular_sidecar", "-i", "rest_framework", verbosity=0)

    response = client.get("/static/admin/css/base.css")
    gzipped = client.get("/static/hms/hms.css", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content) == (tmp_path / "admin/css/base.css").read_bytes()
    assert gzipped.status_code == 200
    assert gzipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(gzipped.streaming_content)) == (tmp_path / "hms/hms.css").read_bytes()


def test_a_static_file_that_was_not_collected_is_not_found(settings, tmp_path, client):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path

    assert client.get("/static/admin/css/base.css").status_code == 404


# --- sessions: idle logoff without a write per request -----------------------------------------------------------


def test_a_second_page_within_a_minute_writes_no_session(client, make_user):
    client.force_login(make_user("Nurse"))
    assert client.get(reverse("patients:search")).status_code == 200

    with query_counter() as ctx:
        response = client.get(reverse("patients:search"))

    assert response.status_code == 200
    assert session_writes(ctx) == []


def test_the_idle_clock_is_renewed_once_a_minute_has_passed(client, make_user):
    client.force_login(make_user("Nurse"))
    client.get(reverse("patients:search"))

    with later(minutes=2), query_counter() as ctx:
        response = client.get(reverse("patients:search"))

    assert response.status_code == 200
    assert len(session_writes(ctx)) == 1
    # Active two minutes ago, the user is still logged in 29 minutes after that request (idle limit 30).
    with later(minutes=2 + 29):
        assert client.get(reverse("patients:search")).status_code == 200


def test_a_user_idle_longer_than_the_limit_is_logged_off(client, make_user, settings):
    client.force_login(make_user("Nurse"))
    assert client.get(reverse("patients:search")).status_code == 200

    with later(seconds=settings.SESSION_COOKIE_AGE + 1):
        response = client.get(reverse("patients:search"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_whose_last_activity_is_older_than_the_limit_is_ended(client, make_user, settings):
    client.force_login(make_user("Nurse"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(timezone.now().timestamp()) - settings.SESSION_COOKIE_AGE - 1
    session.save()

    response = client.get(reverse("patients:search"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_logging_in_starts_the_idle_clock_so_the_next_page_writes_no_session(client, make_user):
    make_user("Receptionist", username="frontdesk")
    client.post(reverse("login"), {"username": "frontdesk", "password": "pw"})
    assert LAST_ACTIVITY_KEY in client.session

    with query_counter() as ctx:
        response = client.get(reverse("patients:search"))

    assert response.status_code == 200
    assert session_writes(ctx) == []


def test_the_api_with_a_token_never_touches_the_session(api_as):
    api = api_as("Receptionist")

    with query_counter() as ctx:
        response = api.get("/api/v1/appointments/")

    assert response.status_code == 200
    assert session_queries(ctx) == []
    assert "sessionid" not in response.cookies


# --- roles and the staff row: once per request -----------------------------------------------------------------


def test_a_page_that_checks_roles_several_times_reads_the_groups_once(client, make_user):
    client.force_login(make_user("Receptionist"))

    with query_counter() as ctx:
        response = client.get(reverse("patients:search"))  # view, scoping selector and navigation ask

    assert response.status_code == 200
    assert len(group_queries(ctx)) == 1


def test_an_api_list_reads_the_groups_once(api_as):
    api = api_as("Receptionist")

    with query_counter() as ctx:
        response = api.get("/api/v1/patients/")

    assert response.status_code == 200
    assert len(group_queries(ctx)) == 1


def test_the_doctors_schedule_reads_their_staff_row_once(client, make_user):
    client.force_login(make_user("Doctor"))

    with query_counter() as ctx:
        response = client.get(reverse("scheduling:my_schedule"))

    assert response.status_code == 200
    assert len(staff_member_queries(ctx)) == 1


def test_roles_are_read_again_after_forget_roles(make_user):
    user = make_user("Nurse")
    assert user_roles(user) == [NURSE]
    user.groups.clear()

    assert has_role(user, NURSE)  # the cached answer, for the rest of this request
    forget_roles(user)
    assert not has_role(user, NURSE)
    assert not has_role(user, ADMINISTRATOR)


def test_roles_and_permissions_of_a_request_cost_one_query(make_user, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from hms.permissions import granted_by_role

    user = get_user_model().objects.get(pk=make_user("Nurse").pk)  # a fresh object, as each request has

    with django_assert_num_queries(1):
        assert user.has_perm("clinical.add_vitals")
        assert not user.has_perm("billing.add_bill")
        assert user_roles(user) == [NURSE]
        assert has_role(user, NURSE)
        assert granted_by_role(user, "clinical.add_vitals")
        assert user.get_all_permissions() >= {"patients.view_patient", "clinical.add_vitals"}


def test_a_superuser_passes_every_permission_check_but_holds_only_the_roles_given(admin_user_obj):
    from hms.permissions import granted_by_role

    assert admin_user_obj.has_perm("clinical.add_vitals")
    assert user_roles(admin_user_obj) == []
    assert not granted_by_role(admin_user_obj, "clinical.add_vitals")
