"""hms.pages.submit_form: the one way a page's form calls a service (patients' and clinical's form pages use it)."""

from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from hms.exceptions import Conflict
from hms.pages import submit_form


class NameForm(forms.Form):
    name = forms.CharField()


def _post(data):
    return RequestFactory().post("/", data)


def test_before_a_post_nothing_is_called_and_the_page_is_a_200():
    calls = []
    outcome = submit_form(RequestFactory().get("/"), NameForm(), calls.append)
    assert (outcome.done, outcome.status, calls) == (False, 200, [])


def test_an_invalid_form_is_a_400_and_the_service_is_not_called():
    calls = []
    outcome = submit_form(_post({}), NameForm({}), calls.append)
    assert (outcome.done, outcome.status, calls) == (False, 400, [])


def test_a_field_refusal_lands_on_its_field_with_a_400():
    def refuse(form):
        raise ValidationError({"name": "Taken."})

    form = NameForm({"name": "Ann"})
    outcome = submit_form(_post({"name": "Ann"}), form, refuse)
    assert (outcome.done, outcome.status) == (False, 400)
    assert form.errors == {"name": ["Taken."]}


def test_a_conflict_is_a_409_shown_on_the_form():
    def refuse(form):
        raise Conflict("Not now.")

    form = NameForm({"name": "Ann"})
    outcome = submit_form(_post({"name": "Ann"}), form, refuse)
    assert (outcome.done, outcome.status) == (False, 409)
    assert form.non_field_errors() == ["Not now."]


def test_a_refusal_outside_refusals_is_left_to_the_view():
    def refuse(form):
        raise Conflict("Duplicate.")

    form = NameForm({"name": "Ann"})
    try:
        submit_form(_post({"name": "Ann"}), form, refuse, refusals=(ValidationError,))
    except Conflict as exc:
        assert exc.message == "Duplicate."
    else:
        raise AssertionError("the Conflict should reach the view")


def test_a_success_is_done_with_what_the_service_answered():
    outcome = submit_form(_post({"name": "Ann"}), NameForm({"name": "Ann"}), lambda form: form.cleaned_data["name"])
    assert (outcome.done, outcome.result, outcome.status) == (True, "Ann", 200)
