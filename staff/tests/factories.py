import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from staff.choices import ROLE_GROUPS, StaffRole
from staff.models import Department, Hospital, StaffMember


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@hms.example")
    password = factory.django.Password("pw")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """UserFactory(groups=["Nurse"]) puts the user in those role groups."""
        if create and extracted:
            self.groups.add(*[Group.objects.get(name=name) for name in extracted])


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"General Hospital {n}")
    code = factory.Sequence(lambda n: f"H{n:03d}")
    address_line1 = factory.Faker("street_address")
    city = factory.Faker("city")
    state = "MA"
    postal_code = "02115"
    timezone = "America/New_York"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    hospital = factory.SubFactory(HospitalFactory)
    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"D{n:03d}")


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    hospital = factory.SubFactory(HospitalFactory)
    department = factory.SubFactory(DepartmentFactory, hospital=factory.SelfAttribute("..hospital"))
    role = StaffRole.NURSE
    phone = "(617) 555-0100"

    @factory.post_generation
    def role_group(self, create, extracted, **kwargs):
        if create:
            self.user.groups.add(Group.objects.get(name=ROLE_GROUPS[self.role]))


class DoctorFactory(StaffMemberFactory):
    role = StaffRole.DOCTOR
    specialty = "Cardiology"
    license_number = factory.Sequence(lambda n: f"MD-{n:06d}")
    consultation_fee = Decimal("150.00")


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "staff.Shift"

    staff_member = factory.SubFactory(StaffMemberFactory)
    department = factory.SelfAttribute("staff_member.department")
    start = factory.LazyFunction(lambda: _next_monday_at(7))
    end = factory.LazyAttribute(lambda s: s.start + datetime.timedelta(hours=8))


def _next_monday_at(hour):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    return datetime.datetime.combine(monday, datetime.time(hour), tzinfo=ZoneInfo("America/New_York"))
