"""The page helpers every app's pages share (hms.pages): who may open a page, and a refusal shown on a form."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpResponse
from django.test import RequestFactory

from hms.exceptions import Conflict
from hms.pages import add_form_errors, portal_page, refusal_message, staff_page, tell_outcome

pytestmark = pytest.mark.django_db


@staff_page("patients.view_patient", "patients.view_allergy")
def chart(request):
    return HttpResponse("chart")


@portal_page
def my_bills(request):
    return HttpResponse("mine")


def get(view, user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return view(request)


def test_a_staff_page_opens_for_a_role_holding_every_permission_it_names(make_user):
    assert get(chart, make_user("Nurse")).status_code == 200


def test_a_staff_page_refuses_a_role_missing_one_of_its_permissions(make_user):
    with pytest.raises(PermissionDenied):
        get(chart, make_user("Billing Clerk"))  # reads patients, not their allergies


def test_a_staff_page_refuses_a_portal_patient_even_with_the_permissions(make_user):
    patient = make_user("Patient")
    assert patient.has_perm("patients.view_patient") and patient.has_perm("patients.view_allergy")
    with pytest.raises(PermissionDenied):
        get(chart, patient)


def test_pages_send_anonymous_visitors_to_the_login_page():
    for view in (chart, my_bills):
        response = get(view, AnonymousUser())
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_portal_page_opens_for_a_patient_and_refuses_staff(make_user):
    assert get(my_bills, make_user("Patient")).status_code == 200
    with pytest.raises(PermissionDenied):
        get(my_bills, make_user("Receptionist"))


class VisitForm(forms.Form):
    weight = forms.DecimalField()
    note = forms.CharField(required=False)


def test_a_refusal_puts_each_fields_error_on_that_field_and_the_rest_on_the_form():
    form = VisitForm({"weight": "70"})
    assert form.is_valid()

    add_form_errors(form, ValidationError({"weight": "Too heavy.", "appointment": "Already completed."}))

    assert form.errors["weight"] == ["Too heavy."]
    assert form.non_field_errors() == ["Already completed."]


def test_a_refusal_without_fields_is_shown_on_the_form_as_a_whole():
    form = VisitForm({"weight": "70"})
    form.is_valid()

    add_form_errors(form, Conflict("The visit is already signed."))

    assert form.non_field_errors() == ["The visit is already signed."]


def test_a_refusal_shown_elsewhere_adds_only_the_forms_own_field_errors():
    form = VisitForm({"weight": "70"})
    form.is_valid()

    add_form_errors(form, ValidationError({"weight": "Too heavy.", "store": "Inactive."}), shown_elsewhere=True)
    add_form_errors(form, Conflict("Not enough stock."), shown_elsewhere=True)

    assert form.errors == {"weight": ["Too heavy."]}


def test_refusal_message_says_what_was_refused_in_a_sentence():
    assert refusal_message(Conflict("Already paid.")) == "Already paid."
    assert refusal_message(ValidationError(["First.", "Second."])) == "First. Second."
    assert refusal_message(PermissionDenied("Only your own.")) == "Only your own."
    assert refusal_message(PermissionDenied()) == "You may not do this."
    assert refusal_message(IntegrityError("duplicate key")).startswith("This change conflicts with existing data")


def _post():
    request = RequestFactory().post("/somewhere/")
    request._messages = CookieStorage(request)
    return request


def test_tell_outcome_runs_the_call_and_says_it_was_done():
    request = _post()

    result = tell_outcome(request, lambda: 42, refused="Not signed", done=lambda n: f"Signed {n} records.")

    assert result == 42
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [("success", "Signed 42 records.")]


def test_tell_outcome_shows_a_refusal_with_its_reason_and_answers_none():
    request = _post()

    def refuse():
        raise Conflict("The record is already signed.")

    assert tell_outcome(request, refuse, refused="The record was not signed", done="Signed.") is None
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "The record was not signed: The record is already signed.")
    ]
