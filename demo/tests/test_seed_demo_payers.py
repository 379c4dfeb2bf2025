"""manage.py seed_demo: the payers, every policy linked to one, and insurer logins that each work for one payer."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from billing.models import Claim
from demo import core as demo
from patients.models import InsurancePolicy, InsurerAccount, Payer

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass"


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), password=PASSWORD, **options)
    return out.getvalue()


def test_the_demo_payers_hold_every_policy_and_each_insurer_login_works_for_one_payer(monkeypatch):
    monkeypatch.setattr(demo, "app_hooks", lambda: [])
    out = seed(patients=30)
    seed(patients=30)  # a second run duplicates nothing

    names = [name for name, _code in [*demo.PAYERS, demo.MEDICARE]]
    assert sorted(Payer.objects.values_list("name", flat=True)) == sorted(names)
    assert all(payer.phone and payer.code for payer in Payer.objects.all())
    assert not InsurancePolicy.objects.filter(payer__isnull=True).exists()
    assert InsurancePolicy.objects.values("payer").distinct().count() > 1
    User = get_user_model()
    for username, _first, _last, payer_name in demo.DEMO_INSURERS:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == ["Insurer"]
        assert InsurerAccount.objects.get(user=user).payer.name == payer_name
        assert f"\n  {username} " in out
    assert InsurerAccount.objects.count() == len(demo.DEMO_INSURERS)


def test_in_the_whole_demo_each_insurer_sees_only_its_payers_claims():
    seed(patients=40)
    User = get_user_model()
    assert Claim.objects.values("policy__payer").distinct().count() > 1
    for username, _first, _last, payer_name in demo.DEMO_INSURERS:
        client = APIClient()
        client.force_authenticate(User.objects.get(username=username))
        seen, url = [], "/api/v1/claims/?page_size=100"
        while url:
            page = client.get(url).json()
            seen += page["results"]
            url = page.get("next")
        assert seen and {row["payer"] for row in seen} == {payer_name}
        assert len(seen) == Claim.objects.filter(policy__payer__name=payer_name).count()
