"""Who is a portal patient (hms.roles.is_portal_patient): a question about roles, asked by every app from staff
up (the staff directory refuses portal patients without importing patients)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from hms.roles import PATIENT, RECEPTIONIST, is_portal_patient

pytestmark = pytest.mark.django_db


def _user(name, *groups, **kwargs):
    user = User.objects.create_user(name, **kwargs)
    user.groups.set([Group.objects.get(name=group) for group in groups])
    return user


def test_only_a_user_whose_one_role_is_patient_is_a_portal_patient():
    assert is_portal_patient(_user("pat", PATIENT)) is True
    assert is_portal_patient(_user("both", PATIENT, RECEPTIONIST)) is False  # staff who are patients too
    assert is_portal_patient(_user("desk", RECEPTIONIST)) is False
    assert is_portal_patient(_user("none")) is False
    assert is_portal_patient(_user("root", PATIENT, is_superuser=True)) is False
    assert is_portal_patient(AnonymousUser()) is False
