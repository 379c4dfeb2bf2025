import datetime
from decimal import Decimal

import factory

from patients.choices import AllergySeverity, MedicalHistoryStatus, PatientSex
from patients.models import Allergy, InsurancePolicy, InsurerAccount, MedicalHistoryEntry, Patient, Payer
from staff.tests.factories import HospitalFactory, UserFactory


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"T{n:07d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=95)
    sex = factory.Iterator([PatientSex.FEMALE, PatientSex.MALE])
    phone = "(617) 555-0199"
    email = factory.LazyAttribute(lambda p: f"{p.first_name.lower()}.{p.last_name.lower()}@example.com")
    address_line1 = factory.Faker("street_address")
    city = factory.Faker("city")
    state = "MA"
    postal_code = "02115"
    emergency_contact_name = factory.Faker("name")
    emergency_contact_relation = "spouse"
    emergency_contact_phone = "(617) 555-0123"
    preferred_hospital = factory.SubFactory(HospitalFactory)


class AllergyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allergy

    patient = factory.SubFactory(PatientFactory)
    substance = factory.Iterator(["Penicillin", "Peanuts", "Latex", "Sulfonamides", "Aspirin"])
    reaction = "Hives"
    severity = AllergySeverity.MODERATE


class MedicalHistoryEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalHistoryEntry

    patient = factory.SubFactory(PatientFactory)
    condition = factory.Iterator(["Hypertension", "Type 2 diabetes", "Asthma", "Appendectomy"])
    onset_date = datetime.date(2015, 6, 1)
    status = MedicalHistoryStatus.ACTIVE


PAYER_CODES = {"Blue Cross Blue Shield": "BCB", "Aetna": "AET", "UnitedHealthcare": "UHC", "Cigna": "CIG"}


class PayerFactory(factory.django.DjangoModelFactory):
    """A payer, found by name when it exists: PayerFactory(name="Aetna") twice is one payer."""

    class Meta:
        model = Payer
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Payer {n}")
    code = factory.LazyAttributeSequence(lambda p, n: PAYER_CODES.get(p.name) or f"P{n:05d}")
    phone = "(800) 555-0111"
    email = "claims@payer.example.com"
    is_active = True


class InsurerAccountFactory(factory.django.DjangoModelFactory):
    """An Insurer-group user working for a payer: InsurerAccountFactory(payer__name="Aetna").user."""

    class Meta:
        model = InsurerAccount

    user = factory.SubFactory(UserFactory, groups=["Insurer"])
    payer = factory.SubFactory(PayerFactory)


class InsurancePolicyFactory(factory.django.DjangoModelFactory):
    """A policy; ``payer_name="Aetna"`` is a shortcut for the payer of that name (created when missing)."""

    class Meta:
        model = InsurancePolicy

    class Params:
        payer_name = factory.Iterator(["Blue Cross Blue Shield", "Aetna", "UnitedHealthcare", "Cigna"])

    patient = factory.SubFactory(PatientFactory)
    payer = factory.SubFactory(PayerFactory, name=factory.SelfAttribute("..payer_name"))
    policy_number = factory.Sequence(lambda n: f"POL{n:08d}")
    group_number = "GRP-100"
    coverage_percent = Decimal("80.00")
    copay = Decimal("25.00")
    valid_from = datetime.date(2024, 1, 1)
    valid_to = None
    is_primary = True
