"""Fixtures shared by every app's tests."""

import pytest
from rest_framework.test import APIClient

from staff.choices import StaffRole
from staff.tests.factories import DoctorFactory, StaffMemberFactory, UserFactory

ROLE_TO_STAFF = {
    "Administrator": StaffRole.ADMINISTRATOR,
    "Doctor": StaffRole.DOCTOR,
    "Nurse": StaffRole.NURSE,
    "Receptionist": StaffRole.RECEPTIONIST,
    "Billing Clerk": StaffRole.BILLING_CLERK,
    "Pharmacist": StaffRole.PHARMACIST,
    "Lab Technician": StaffRole.LAB_TECHNICIAN,
}


@pytest.fixture
def make_user(db):
    """make_user("Nurse") -> a user in that role (a StaffMember for staff roles; a bare user for Patient)."""

    def _make(role=None, **kwargs):
        if role is None:
            return UserFactory(**kwargs)
        if role in ROLE_TO_STAFF:
            factory = DoctorFactory if role == "Doctor" else StaffMemberFactory
            member = factory(role=ROLE_TO_STAFF[role], **({"user__" + k: v for k, v in kwargs.items()}))
            return member.user
        return UserFactory(groups=[role], **kwargs)

    return _make


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(make_user):
    """api_as("Receptionist") -> an APIClient authenticated (by token) as a new user of that role."""
    from rest_framework.authtoken.models import Token

    def _client(role_or_user):
        user = make_user(role_or_user) if isinstance(role_or_user, str) else role_or_user
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        client.user = user
        return client

    return _client


@pytest.fixture
def admin_user_obj(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)
