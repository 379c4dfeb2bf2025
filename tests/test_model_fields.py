from django.utils import translation

from hms.model_fields import state_choices
from patients.models import Patient
from staff.models import Hospital


def test_a_state_field_offers_every_state_and_territory_sorted_by_name():
    choices = list(Hospital._meta.get_field("state").choices)
    names = [name for _, name in choices]
    assert ("MA", "Massachusetts") in choices and ("PR", "Puerto Rico") in choices
    assert names == sorted(names) and len(choices) >= 59


def test_the_state_choices_are_worked_out_once_per_language_and_shared_by_every_state_field():
    assert state_choices() is state_choices()
    assert list(Patient._meta.get_field("state").choices) == list(Hospital._meta.get_field("state").choices)
    with translation.override("es"):
        assert dict(state_choices())["MA"]  # another language gets its own list, still complete


def test_a_state_outside_the_list_is_refused_by_the_model(db):
    from django.core.exceptions import ValidationError

    from staff.tests.factories import HospitalFactory

    hospital = HospitalFactory.build(state="XX")
    try:
        hospital.full_clean()
    except ValidationError as error:
        assert "state" in error.message_dict
    else:
        raise AssertionError("a made-up state was accepted")
