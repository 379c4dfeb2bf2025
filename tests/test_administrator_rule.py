"""Who is an administrator is one rule (hms.roles.is_administrator): accounts, reports and scheduling ask it."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.policies import is_account_administrator
from hms.roles import is_administrator
from reports.policies import can_view_reports
from scheduling import page_selectors, policies

pytestmark = pytest.mark.django_db

ASKERS = [is_administrator, is_account_administrator, can_view_reports, policies.is_administrator,
          page_selectors.is_administrator]  # fmt: skip


@pytest.mark.parametrize("ask", ASKERS)
def test_the_administrator_role_and_superusers_are_administrators(make_user, ask):
    assert ask(make_user("Administrator"))
    assert ask(make_user(is_superuser=True))


@pytest.mark.parametrize("ask", ASKERS)
def test_other_roles_and_nobody_signed_in_are_not(make_user, ask):
    for user in (make_user("Doctor"), make_user("Patient"), AnonymousUser()):
        assert not ask(user)
