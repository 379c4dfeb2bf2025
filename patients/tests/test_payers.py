"""Payers: the companies insurance policies are with, and the insurer users who work for one (issue 10, item 1)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from patients.models import InsurancePolicy, InsurerAccount, Payer
from patients.services import insurer_account_assign, payer_create
from patients.tests.factories import InsurancePolicyFactory, InsurerAccountFactory, PatientFactory, PayerFactory
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- policies name their payer by id; the name is read-only output ------------------------------------------------


def test_a_policy_is_written_with_a_payer_id_and_reads_back_its_name(api_as):
    patient = PatientFactory()
    aetna = PayerFactory(name="Aetna")
    client = api_as("Billing Clerk")
    body = {"patient": patient.pk, "policy_number": "A-1", "coverage_percent": "80.00", "valid_from": "2025-01-01"}

    created = client.post("/api/v1/insurance-policies/", {**body, "payer": aetna.pk, "payer_name": "Ignored Inc"})

    assert created.status_code == 201, created.content
    assert (created.json()["payer"], created.json()["payer_name"]) == (aetna.pk, "Aetna")
    assert InsurancePolicy.objects.get().payer == aetna
    detail = client.get(f"/api/v1/patients/{patient.pk}/").json()
    assert [(p["payer"], p["payer_name"]) for p in detail["insurance_policies"]] == [(aetna.pk, "Aetna")]


def test_a_policy_needs_an_existing_active_payer(api_as):
    patient = PatientFactory()
    closed = PayerFactory(name="Closed Mutual", is_active=False)
    client = api_as("Billing Clerk")
    body = {"patient": patient.pk, "policy_number": "A-1", "coverage_percent": "80.00", "valid_from": "2025-01-01"}

    for payer in [None, 999999, closed.pk, "Aetna"]:
        response = client.post("/api/v1/insurance-policies/", {**body, **({"payer": payer} if payer else {})})
        assert response.status_code == 400, payer
        assert "payer" in response.json()
    assert not InsurancePolicy.objects.exists()


def test_the_service_refuses_moving_a_policy_to_an_inactive_payer():
    from patients.services import insurance_policy_update

    policy = InsurancePolicyFactory(payer_name="Aetna")
    closed = PayerFactory(name="Closed Mutual", is_active=False)

    with pytest.raises(ValidationError, match="inactive"):
        insurance_policy_update(policy=policy, acting_user=UserFactory(), payer=closed)
    policy.refresh_from_db()
    assert policy.payer.name == "Aetna"


def test_the_payer_list_shows_all_payers_to_staff_and_its_own_to_an_insurer(api_as):
    aetna, cigna = PayerFactory(name="Aetna"), PayerFactory(name="Cigna")
    insurer = InsurerAccountFactory(payer=aetna).user

    assert {r["name"] for r in api_as("Receptionist").get("/api/v1/payers/").json()["results"]} == {"Aetna", "Cigna"}
    assert [r["id"] for r in api_as(insurer).get("/api/v1/payers/").json()["results"]] == [aetna.pk]
    assert api_as(insurer).get(f"/api/v1/payers/{cigna.pk}/").status_code == 404
    assert api_as("Doctor").get("/api/v1/payers/").status_code == 403
    assert api_as("Administrator").post("/api/v1/payers/", {"name": "New", "code": "NEW"}).status_code == 405


# --- payers and insurer links: services and the back office ---------------------------------------------------------


def test_payer_names_and_codes_are_unique_and_codes_upper_case():
    user = UserFactory()
    payer = payer_create(acting_user=user, name="  Humana ", code="hum")
    assert (payer.name, payer.code) == ("Humana", "HUM")
    assert payer.history.get().history_user == user
    with pytest.raises(ValidationError):
        payer_create(acting_user=user, name="Humana", code="HU2")
    with pytest.raises(ValidationError):
        payer_create(acting_user=user, name="Humana Two", code="HUM")


def test_only_insurer_group_users_are_linked_to_a_payer_and_to_one_payer_only(make_user):
    admin = UserFactory()
    aetna, cigna = PayerFactory(name="Aetna"), PayerFactory(name="Cigna")
    with pytest.raises(ValidationError, match="Insurer group"):
        insurer_account_assign(user=make_user("Billing Clerk"), payer=aetna, acting_user=admin)
    insurer = make_user("Insurer")

    insurer_account_assign(user=insurer, payer=aetna, acting_user=admin)
    insurer_account_assign(user=insurer, payer=cigna, acting_user=admin)

    account = InsurerAccount.objects.get(user=insurer)
    assert account.payer == cigna
    assert [h.payer_id for h in account.history.order_by("history_id")] == [aetna.pk, cigna.pk]
    assert {h.history_user for h in account.history.all()} == {admin}


def test_an_administrator_adds_a_payer_and_links_an_insurer_in_the_admin(admin_client, admin_user, make_user):
    insurer = make_user("Insurer")
    clerk = make_user("Billing Clerk")
    inline = "insurer_accounts"

    def post(user):
        return admin_client.post(
            reverse("admin:patients_payer_add"),
            {
                "name": f"Tufts Health {user.pk}",
                "code": f"TUF{user.pk}",
                "payer_id": "04271",
                "phone": "(800) 555-0120",
                "email": "claims@tufts.example.com",
                "is_active": "on",
                f"{inline}-TOTAL_FORMS": 1,
                f"{inline}-INITIAL_FORMS": 0,
                f"{inline}-MIN_NUM_FORMS": 0,
                f"{inline}-MAX_NUM_FORMS": 1000,
                f"{inline}-0-user": user.pk,
            },
        )

    response = post(insurer)

    assert response.status_code == 302
    payer = Payer.objects.get(code=f"TUF{insurer.pk}")
    assert InsurerAccount.objects.get(user=insurer).payer == payer
    assert payer.history.get().history_user == admin_user
    # A staff user cannot be made an insurer of a payer: the whole form is refused, nothing saved.
    post(clerk)
    assert not Payer.objects.filter(code=f"TUF{clerk.pk}").exists()
    assert not InsurerAccount.objects.filter(user=clerk).exists()


# --- the data migration: payer_name values became payers ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_turns_payer_names_into_payers_and_links_every_policy():
    executor = MigrationExecutor(connection)
    before = [("patients", "0003_payer")]
    after = [("patients", "0004_payers_from_payer_names")]
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        OldPatient = old.get_model("patients", "Patient")
        OldPolicy = old.get_model("patients", "InsurancePolicy")
        OldHistory = old.get_model("patients", "HistoricalInsurancePolicy")
        common = {"coverage_percent": 80, "copay": 0, "valid_from": datetime.date(2024, 1, 1)}
        rows = []
        for n, name in enumerate(["Aetna", " aetna ", "Blue Cross Blue Shield", "Aetna", "Blue  Cross Blue Shield"]):
            patient = OldPatient.objects.create(
                mrn=f"M{n}", first_name="A", last_name=f"B{n}", date_of_birth=datetime.date(1980, 1, 1), sex="female"
            )
            number = f"AET{n}0001-0" if "aetna" in name.lower() else f"X{n}"
            policy = OldPolicy.objects.create(patient=patient, payer_name=name, policy_number=number, **common)
            rows.append(policy.pk)
        OldHistory.objects.create(
            id=rows[0], patient_id=None, payer_name="Aetna", policy_number="AET00001-0", history_date=timezone.now(),
            history_type="+", **common,
        )

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        Payer_ = new.get_model("patients", "Payer")
        Policy_ = new.get_model("patients", "InsurancePolicy")
        History_ = new.get_model("patients", "HistoricalInsurancePolicy")

        payers = {p.name: p for p in Payer_.objects.all()}
        assert set(payers) == {"Aetna", "Blue Cross Blue Shield"}
        # Codes: the letters Aetna's policy numbers start with; Blue Cross Blue Shield's initials.
        assert (payers["Aetna"].code, payers["Blue Cross Blue Shield"].code) == ("AET", "BCBS")
        HistoricalPayer_ = new.get_model("patients", "HistoricalPayer")
        assert HistoricalPayer_.objects.filter(history_type="+").count() == 2
        linked = dict(Policy_.objects.values_list("pk", "payer__name"))
        assert linked == {
            rows[0]: "Aetna",
            rows[1]: "Aetna",
            rows[2]: "Blue Cross Blue Shield",
            rows[3]: "Aetna",
            rows[4]: "Blue Cross Blue Shield",
        }
        assert History_.objects.get(id=rows[0]).payer_id == payers["Aetna"].pk
    finally:
        MigrationExecutor(connection).migrate(leaves)


def test_the_insurance_form_on_the_patient_page_offers_only_active_payers(client, make_user):
    patient = PatientFactory()
    aetna, closed = PayerFactory(name="Aetna"), PayerFactory(name="Closed Mutual", is_active=False)
    client.force_login(make_user("Billing Clerk"))
    url = reverse("patients:insurance_add", args=[patient.pk])
    body = {"policy_number": "X-1", "coverage_percent": "80", "copay": "20.00", "valid_from": "2025-01-01"}

    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    refused = client.post(url, {**body, "payer": closed.pk})

    assert f'value="{aetna.pk}"' in page and "Closed Mutual" not in page
    assert refused.status_code == 400
    assert not InsurancePolicy.objects.exists()
    assert client.post(url, {**body, "payer": aetna.pk}).status_code == 302
    assert InsurancePolicy.objects.get().payer == aetna
