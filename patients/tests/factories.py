import datetime
from decimal import Decimal

import factory

from patients.choices import AllergySeverity, MedicalHistoryStatus, PatientSex
from patients.models import Allergy, InsurancePolicy, MedicalHistoryEntry, Patient
from staff.tests.factories import HospitalFactory


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


class InsurancePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsurancePolicy

    patient = factory.SubFactory(PatientFactory)
    payer_name = factory.Iterator(["Blue Cross Blue Shield", "Aetna", "UnitedHealthcare", "Cigna"])
    policy_number = factory.Sequence(lambda n: f"POL{n:08d}")
    group_number = "GRP-100"
    coverage_percent = Decimal("80.00")
    copay = Decimal("25.00")
    valid_from = datetime.date(2024, 1, 1)
    valid_to = None
    is_primary = True
