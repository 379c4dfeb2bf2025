"""Demo data: hospitals, departments, staff, one login per role and patients (``manage.py seed_demo``).

How it runs: ``run(context)`` runs ``CORE_STEPS`` in order, then ``APP_HOOKS``: the ``seed(context)``
function of every app's ``demo`` module, in INSTALLED_APPS order, all in one transaction. A later app adds
its own demo data by creating ``<app>/demo.py`` and naming its ``seed`` in ``APP_HOOKS`` below::

    def seed(context):
        rng = context.rng                           # random.Random of this hook: same seed, same data
        for doctor in context.doctors:              # active doctors, user/hospital/department joined
            ...                                     # call the app's services, or context.bulk_create(...)
        return {"appointments": created}            # optional: printed in the summary

What a hook gets (``DemoContext``): ``seed``, ``rng`` (a fresh ``random.Random`` per hook, seeded
from the seed and the app label, so one app's data never shifts another's), ``rng_for(name)`` /
``faker(name)`` for more seeded generators, ``now`` (aware, fixed for the run),
``acting_user`` (alias ``admin_user``: the demo administrator, to record as the author),
``hospitals``, ``departments`` ({(hospital code, department code): Department}), ``doctors``,
``patients`` (active patients by id), ``password``, ``bulk_create(model, objs)`` (bulk insert
plus history rows), ``progress(total=, desc=)`` (a tqdm bar on stderr), ``count(label, value)``
and ``add_login(username, role, start)`` for the summary.

A hook must be safe to run again on the same database (skip what already exists), because
``seed_demo`` may be run more than once.

Rerunning: hospitals, departments and staff are only created when missing; the demo users
are reset (password, names, role, group, active); patients are added only until the
requested number exist (nothing is ever deleted).
"""

import random
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from billing import demo as billing_demo
from billing.models import Bill, Claim
from clinical import demo as clinical_demo
from clinical.choices import PrescriptionStatus
from clinical.models import Prescription
from hms import roles
from hms.audit import audited_save
from inventory import demo as inventory_demo
from patients.choices import AllergySeverity, ConsentKind, EmergencyContactRelation, MedicalHistoryStatus, PatientSex
from patients.models import Allergy, Consent, InsurancePolicy, MedicalHistoryEntry, Patient, Payer
from patients.services import (
    allergy_add,
    insurance_policy_add,
    insurer_account_assign,
    medical_history_add,
    mrn_generate_many,
    patient_register,
    payer_create,
)
from scheduling import demo as scheduling_demo
from scheduling.models import Appointment
from staff import demo as staff_demo
from staff.choices import ROLE_GROUPS, StaffRole
from staff.models import Department, Hospital, Shift, StaffMember
from staff.services import staff_member_create, staff_member_set_active, staff_member_update

DEFAULT_SEED = 42
DEFAULT_PATIENTS = 200
DEFAULT_PASSWORD = "demo"
BATCH_SIZE = 500

# Reference data ------------------------------------------------------------------------------

HOSPITALS = [
    {
        "code": "BOS",
        "name": "Boston Harbor General Hospital",
        "address_line1": "100 Harbor View Avenue",
        "city": "Boston",
        "state": "MA",
        "postal_code": "02114",
        "phone": "(617) 555-0100",
        "timezone": "America/New_York",
        "area_code": "617",
        "zips": ["02114", "02115", "02116", "02118", "02130", "02135"],
        "cities": ["Boston", "Cambridge", "Somerville", "Brookline", "Quincy"],
    },
    {
        "code": "CHI",
        "name": "Chicago Lakeshore Medical Center",
        "address_line1": "2400 South Lakeshore Drive",
        "city": "Chicago",
        "state": "IL",
        "postal_code": "60616",
        "phone": "(312) 555-0100",
        "timezone": "America/Chicago",
        "area_code": "312",
        "zips": ["60601", "60605", "60607", "60614", "60616", "60622"],
        "cities": ["Chicago", "Evanston", "Oak Park", "Cicero"],
    },
    {
        "code": "DEN",
        "name": "Denver Front Range Hospital",
        "address_line1": "1500 Mountain View Boulevard",
        "city": "Denver",
        "state": "CO",
        "postal_code": "80204",
        "phone": "(303) 555-0100",
        "timezone": "America/Denver",
        "area_code": "303",
        "zips": ["80202", "80204", "80206", "80210", "80220"],
        "cities": ["Denver", "Aurora", "Lakewood", "Englewood"],
    },
]

# code, name, specialty of its doctors (None: no doctors)
DEPARTMENTS = [
    ("CARD", "Cardiology", "Cardiology"),
    ("PED", "Pediatrics", "Pediatrics"),
    ("RAD", "Radiology", "Radiology"),
    ("SURG", "Surgery", "General Surgery"),
    ("PMR", "Physical Medicine", "Physical Medicine and Rehabilitation"),
    ("IM", "Internal Medicine", "Internal Medicine"),
    ("NURS", "Nursing", None),
    ("PHARM", "Pharmacy", None),
    ("LAB", "Laboratory", None),
    ("FRONT", "Front Desk", None),
    ("BILL", "Billing", None),
    ("ADMIN", "Administration", None),
]

DOCTORS_PER_DEPARTMENT = 2
# role -> (department code, how many per hospital) for the staff who are not doctors
OTHER_STAFF = {
    StaffRole.NURSE: ("NURS", 6),
    StaffRole.RECEPTIONIST: ("FRONT", 3),
    StaffRole.BILLING_CLERK: ("BILL", 2),
    StaffRole.PHARMACIST: ("PHARM", 2),
    StaffRole.LAB_TECHNICIAN: ("LAB", 2),
    StaffRole.ADMINISTRATOR: ("ADMIN", 1),
}
CONSULTATION_FEES = [Decimal(fee) for fee in ("120.00", "150.00", "175.00", "200.00", "250.00", "300.00")]

# One login per role, all at the first hospital: username, first, last, role, department, doctor fields.
DEMO_STAFF = [
    ("admin", "Alex", "Morgan", StaffRole.ADMINISTRATOR, "ADMIN", {}),
    (
        "doctor", "Sarah", "Chen", StaffRole.DOCTOR, "CARD",
        {"specialty": "Cardiology", "license_number": "MA-MD-204817", "consultation_fee": Decimal("200.00")},
    ),
    ("nurse", "Emily", "Johnson", StaffRole.NURSE, "NURS", {}),
    ("reception", "Rosa", "Martinez", StaffRole.RECEPTIONIST, "FRONT", {}),
    ("billing", "Kevin", "Walsh", StaffRole.BILLING_CLERK, "BILL", {}),
    ("pharmacist", "Priya", "Patel", StaffRole.PHARMACIST, "PHARM", {}),
    ("labtech", "Marcus", "Lee", StaffRole.LAB_TECHNICIAN, "LAB", {}),
]
DEMO_PATIENT_USERNAME = "patient"
DEMO_USERNAMES = [row[0] for row in DEMO_STAFF] + [DEMO_PATIENT_USERNAME]

ALLERGIES = [
    ("Penicillin", "Hives"),
    ("Amoxicillin", "Rash"),
    ("Sulfonamides", "Rash"),
    ("Aspirin", "Wheezing"),
    ("Ibuprofen", "Stomach upset"),
    ("Codeine", "Nausea"),
    ("Latex", "Contact dermatitis"),
    ("Peanuts", "Anaphylaxis"),
    ("Shellfish", "Swelling of the lips"),
    ("Eggs", "Hives"),
    ("Iodinated contrast", "Flushing"),
    ("Bee stings", "Swelling"),
]
SEVERITY_WEIGHTS = {
    AllergySeverity.MILD: 40,
    AllergySeverity.MODERATE: 40,
    AllergySeverity.SEVERE: 15,
    AllergySeverity.LIFE_THREATENING: 5,
}
CONDITIONS = [
    "Essential hypertension",
    "Type 2 diabetes mellitus",
    "Asthma",
    "Hyperlipidemia",
    "Hypothyroidism",
    "Osteoarthritis of the knee",
    "Gastro-esophageal reflux disease",
    "Major depressive disorder",
    "Generalized anxiety disorder",
    "Migraine",
    "Atrial fibrillation",
    "Chronic kidney disease, stage 3",
    "Chronic obstructive pulmonary disease",
    "Appendectomy",
    "Fracture of the radius",
    "Seasonal allergic rhinitis",
]
STATUS_WEIGHTS = {
    MedicalHistoryStatus.ACTIVE: 35,
    MedicalHistoryStatus.CHRONIC: 35,
    MedicalHistoryStatus.IN_REMISSION: 10,
    MedicalHistoryStatus.RESOLVED: 20,
}
PAYERS = [
    ("Blue Cross Blue Shield", "BCB"),
    ("Aetna", "AET"),
    ("UnitedHealthcare", "UHC"),
    ("Cigna", "CIG"),
    ("Humana", "HUM"),
    ("Medicaid", "MCD"),
]
MEDICARE = ("Medicare", "MCR")
# name -> claims contact of the demo payers (fictional numbers, 555-01xx; example.com addresses)
PAYER_CONTACTS = {
    "Blue Cross Blue Shield": ("00060", "(800) 555-0101", "Boston", "MA", "02110"),
    "Aetna": ("60054", "(800) 555-0102", "Hartford", "CT", "06156"),
    "UnitedHealthcare": ("87726", "(800) 555-0103", "Minnetonka", "MN", "55343"),
    "Cigna": ("62308", "(800) 555-0104", "Bloomfield", "CT", "06002"),
    "Humana": ("61101", "(800) 555-0105", "Louisville", "KY", "40202"),
    "Medicaid": ("SKMA0", "(800) 555-0106", "Boston", "MA", "02108"),
    "Medicare": ("14212", "(800) 555-0107", "Baltimore", "MD", "21244"),
}
# Insurer logins (API users of the Insurer group), each working for one payer: username, first, last, payer.
DEMO_INSURERS = [
    ("insurer", "Dana", "Brooks", "Blue Cross Blue Shield"),
    ("insurer.aetna", "Omar", "Haddad", "Aetna"),
]
COVERAGE_PERCENTS = [Decimal(p) for p in ("70.00", "80.00", "80.00", "90.00", "100.00")]
COPAYS = [Decimal(c) for c in ("0.00", "10.00", "20.00", "25.00", "30.00", "40.00")]


# Context given to every step and hook --------------------------------------------------------


class _ProgressStream:
    """Lets tqdm write through a command's OutputWrapper without a newline after every refresh."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.write(text, style_func=lambda text: text, ending="")  # no newline, no error colour

    def flush(self):
        self.out.flush()

    def isatty(self):
        return self.out.isatty()


@dataclass
class DemoContext:
    seed: int
    password: str
    patient_target: int
    stdout: object
    stderr: object
    acting_user: object = None
    now: datetime = field(default_factory=timezone.now)
    rng: random.Random = None  # set to a fresh generator before each app hook
    hospitals: list = field(default_factory=list)
    departments: dict = field(default_factory=dict)  # (hospital code, department code) -> Department
    payers: dict = field(default_factory=dict)  # payer name -> Payer
    summary: list = field(default_factory=list)  # (label, value) printed at the end
    logins: list = field(default_factory=list)  # (username, role, what to open first)
    notes: list = field(default_factory=list)
    verbosity: int = 1

    def rng_for(self, name):
        """A random generator of its own for one step: same seed and name, same numbers."""
        return random.Random(f"{self.seed}:{name}")

    @property
    def admin_user(self):
        return self.acting_user

    @cached_property
    def doctors(self):
        return list(
            StaffMember.objects.doctors()
            .active()
            .select_related("user", "hospital", "department__hospital")
            .order_by("hospital__code", "user__username")
        )

    @property
    def patients(self):
        return Patient.objects.active().order_by("pk")

    def faker(self, name):
        fake = Faker("en_US")
        fake.seed_instance(f"{self.seed}:{name}")
        return fake

    def bulk_create(self, model, objs):
        """bulk_create that also writes the history rows, made by the demo administrator."""
        return bulk_create_with_history(objs, model, batch_size=BATCH_SIZE, default_user=self.acting_user)

    @contextmanager
    def progress(self, *, total, desc, unit="row"):
        bar = tqdm(total=total, desc=desc, unit=unit, file=_ProgressStream(self.stderr), disable=None, leave=False)
        try:
            yield bar
        finally:
            bar.close()

    def count(self, label, value):
        self.summary.append((label, value))

    def add_login(self, username, role, start):
        self.logins.append((username, role, start))


# Core steps ------------------------------------------------------------------------------------


def ensure_roles(context):
    roles.sync_roles()


def ensure_admin_user(context):
    """The demo administrator exists first: every later row is recorded as made by them."""
    User = get_user_model()
    user = User.objects.filter(username="admin").first() or User(username="admin")
    user.first_name, user.last_name, user.email = "Alex", "Morgan", "admin@hms.example"
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(context.password)
    user.save()
    context.acting_user = user


def seed_hospitals(context, specs=None):
    """The hospitals of ``specs`` (default: the demo's) with every department, made once."""
    for spec in HOSPITALS if specs is None else specs:
        hospital = Hospital.objects.filter(code=spec["code"]).first()
        if hospital is None:
            fields = {k: v for k, v in spec.items() if k not in ("area_code", "zips", "cities")}
            hospital = audited_save(Hospital(**fields), acting_user=context.acting_user)
        context.hospitals.append(hospital)
        existing = {d.code: d for d in hospital.departments.all()}
        for code, name, _specialty in DEPARTMENTS:
            department = existing.get(code) or audited_save(
                Department(hospital=hospital, code=code, name=name), acting_user=context.acting_user
            )
            department.hospital = hospital
            context.departments[hospital.code, code] = department


def _hospital_spec(code):
    return next(spec for spec in HOSPITALS if spec["code"] == code)


def _phone(rng, area_code):
    return f"({area_code}) 555-01{rng.randint(0, 99):02d}"  # 555-0100..0199: reserved for fiction


def _ensure_staff_login(context, *, username, first_name, last_name, role, profile):
    """Create the login and staff profile, or bring an existing one back to this role and password."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        return staff_member_create(
            acting_user=context.acting_user,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@hms.example",
            password=context.password,
            **profile,
        )
    user.first_name, user.last_name, user.email, user.is_active = first_name, last_name, f"{username}@hms.example", True
    user.set_password(context.password)
    user.save()
    member = StaffMember.objects.filter(user=user).first()
    if member is None:
        member = audited_save(StaffMember(user=user, **profile), acting_user=context.acting_user)
    else:
        member = staff_member_update(member=member, acting_user=context.acting_user, **profile)
        member = staff_member_set_active(member=member, active=True, acting_user=context.acting_user)
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return member


def seed_demo_staff(context):
    hospital = context.hospitals[0]
    for username, first_name, last_name, role, department_code, doctor_fields in DEMO_STAFF:
        profile = {
            "hospital": hospital,
            "department": context.departments[hospital.code, department_code],
            "role": role,
            "phone": f"({_hospital_spec(hospital.code)['area_code']}) 555-0150",
            "specialty": "",
            "license_number": "",
            "consultation_fee": None,
            **doctor_fields,
        }
        _ensure_staff_login(
            context, username=username, first_name=first_name, last_name=last_name, role=role, profile=profile
        )
        context.add_login(username, ROLE_GROUPS[role], start_page(ROLE_GROUPS[role]))


def start_page(role):
    try:
        return reverse(roles.START_PAGES[role])
    except (KeyError, NoReverseMatch):
        return "/"


def _username(first_name, last_name, prefix, taken):
    base = re.sub(r"[^a-z]", "", f"{first_name[0]}{last_name}".lower())
    username, n = f"{prefix}.{base}", 1
    while username in taken:
        n += 1
        username = f"{prefix}.{base}{n}"
    taken.add(username)
    return username


def seed_staff(context):
    """The rest of each hospital's staff: doctors in every clinical department and every other role."""
    User = get_user_model()
    taken = set(User.objects.values_list("username", flat=True))
    created = 0
    for hospital in context.hospitals:
        if StaffMember.objects.filter(hospital=hospital).exclude(user__username__in=DEMO_USERNAMES).exists():
            continue  # this hospital was staffed by an earlier run
        rng, fake = context.rng_for(f"staff:{hospital.code}"), context.faker(f"staff:{hospital.code}")
        area_code = _hospital_spec(hospital.code)["area_code"]
        plan = [
            (StaffRole.DOCTOR, code, specialty)
            for code, _name, specialty in DEPARTMENTS
            if specialty
            for _ in range(DOCTORS_PER_DEPARTMENT)
        ]
        plan += [(role, code, None) for role, (code, count) in OTHER_STAFF.items() for _ in range(count)]
        for role, department_code, specialty in plan:
            first_name, last_name = fake.first_name(), fake.last_name()
            profile = {
                "hospital": hospital,
                "department": context.departments[hospital.code, department_code],
                "role": role,
                "phone": _phone(rng, area_code),
            }
            if role == StaffRole.DOCTOR:
                profile["specialty"] = specialty
                profile["license_number"] = f"{hospital.state}-MD-{rng.randint(100000, 999999)}"
                profile["consultation_fee"] = rng.choice(CONSULTATION_FEES)
            username = _username(first_name, last_name, hospital.code.lower(), taken)
            staff_member_create(
                acting_user=context.acting_user,
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@hms.example",
                password=None,  # only the demo logins can sign in
                **profile,
            )
            created += 1
    if created:
        context.notes.append(f"{created} staff members created.")


def seed_payers(context):
    """The insurance companies and programs the demo policies are with (kept when they exist)."""
    existing = {payer.name: payer for payer in Payer.objects.all()}
    for name, code in [*PAYERS, MEDICARE]:
        payer = existing.get(name)
        if payer is None:
            payer_id, phone, city, state, postal_code = PAYER_CONTACTS[name]
            slug = re.sub(r"[^a-z]", "", name.lower())
            payer = payer_create(
                acting_user=context.acting_user, name=name, code=code, payer_id=payer_id, phone=phone,
                email=f"claims@{slug}.example.com", city=city, state=state, postal_code=postal_code,
            )
        context.payers[name] = payer


def seed_insurer_logins(context):
    """One API login per demo insurer, in group Insurer and linked to its payer: it sees only that payer's claims."""
    User = get_user_model()
    for username, first_name, last_name, payer_name in DEMO_INSURERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name, user.email = first_name, last_name, f"{username}@example.com"
        user.is_active, user.is_staff, user.is_superuser = True, False, False
        user.set_password(context.password)
        user.save()
        user.groups.add(Group.objects.get(name=roles.INSURER))
        insurer_account_assign(user=user, payer=context.payers[payer_name], acting_user=context.acting_user)
        context.add_login(username, roles.INSURER, f"{start_page(roles.INSURER)} ({payer_name} only)")


def seed_privacy_officer_login(context):
    """The privacy login: the Privacy Officer reads the access log, break-glass reviews and failed logins."""
    User = get_user_model()
    user = User.objects.filter(username="privacy").first() or User(username="privacy")
    user.first_name, user.last_name, user.email = "Priya", "Shah", "privacy@example.com"
    user.is_active, user.is_staff, user.is_superuser = True, False, False
    user.set_password(context.password)
    user.save()
    user.groups.add(Group.objects.get(name=roles.PRIVACY_OFFICER))
    context.add_login("privacy", roles.PRIVACY_OFFICER, start_page(roles.PRIVACY_OFFICER))


def seed_portal_patient(context):
    """The patient demo login: a portal user in group Patient, linked to a full patient record."""
    User = get_user_model()
    user = User.objects.filter(username=DEMO_PATIENT_USERNAME).first() or User(username=DEMO_PATIENT_USERNAME)
    user.first_name, user.last_name, user.email = "Jordan", "Rivera", "patient@example.com"
    user.is_active, user.is_staff, user.is_superuser = True, False, False
    user.set_password(context.password)
    user.save()
    user.groups.add(Group.objects.get(name=roles.PATIENT))
    context.add_login(DEMO_PATIENT_USERNAME, roles.PATIENT, start_page(roles.PATIENT))
    if Patient.objects.filter(user=user).exists():
        return
    hospital, acting_user = context.hospitals[0], context.acting_user
    patient = patient_register(
        acting_user=acting_user,
        allow_duplicate=True,
        user=user,
        first_name="Jordan",
        last_name="Rivera",
        date_of_birth=date(1984, 7, 9),
        sex=PatientSex.MALE,
        phone="(617) 555-0177",
        email="patient@example.com",
        address_line1="42 Beacon Street",
        city="Boston",
        state="MA",
        postal_code="02108",
        emergency_contact_name="Maya Rivera",
        emergency_contact_relation=EmergencyContactRelation.SPOUSE,
        emergency_contact_phone="(617) 555-0178",
        preferred_hospital=hospital,
    )
    # Clinical facts are recorded by a clinician: the demo doctor took this history.
    clinician = get_user_model().objects.get(username="doctor")
    allergy_add(
        patient=patient, acting_user=clinician, substance="Penicillin", reaction="Hives",
        severity=AllergySeverity.SEVERE, noted_on=date(2009, 5, 2),
    )
    medical_history_add(
        patient=patient, acting_user=clinician, condition="Asthma", onset_date=date(1992, 3, 1),
        status=MedicalHistoryStatus.CHRONIC,
    )
    medical_history_add(
        patient=patient, acting_user=clinician, condition="Essential hypertension", onset_date=date(2019, 10, 14),
        status=MedicalHistoryStatus.ACTIVE, notes="Home readings around 140/90.",
    )
    insurance_policy_add(
        patient=patient, acting_user=acting_user, payer=context.payers["Blue Cross Blue Shield"],
        policy_number="BCB482913377",
        group_number="GRP-2040", coverage_percent=Decimal("80.00"), copay=Decimal("25.00"),
        valid_from=date(2023, 1, 1), is_primary=True,
    )


def reserve_mrns(count):
    """``count`` fresh MRNs at once, drawn from the counter patient_register uses."""
    return mrn_generate_many(count) if count > 0 else []


def _email_part(text):
    return re.sub(r"[^a-z]", "", text.lower())


def build_patient(rng, fake, *, mrn, spec, hospital, today, registered_by):
    sex = rng.choices(
        [PatientSex.FEMALE, PatientSex.MALE, PatientSex.OTHER, PatientSex.UNKNOWN], weights=[49, 48, 2, 1]
    )[0]
    if sex == PatientSex.FEMALE:
        first_name = fake.first_name_female()
    elif sex == PatientSex.MALE:
        first_name = fake.first_name_male()
    else:
        first_name = fake.first_name_nonbinary()
    last_name = fake.last_name()
    age = min(99, int(rng.triangular(0, 95, 42)))
    date_of_birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
    email = f"{_email_part(first_name)}.{_email_part(last_name)}{rng.randint(1, 99)}@example.com"
    has_email = rng.random() < 0.8
    return Patient(
        mrn=mrn,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        sex=sex,
        phone=_phone(rng, spec["area_code"]),
        email=email if has_email else "",
        address_line1=fake.street_address(),
        city=rng.choice(spec["cities"]),
        state=spec["state"],
        postal_code=rng.choice(spec["zips"]),
        emergency_contact_name=fake.name(),
        emergency_contact_relation=rng.choice(EmergencyContactRelation.values),
        emergency_contact_phone=_phone(rng, spec["area_code"]),
        preferred_hospital=hospital,
        registered_by=registered_by,
    )


def _day_between(rng, start, end):
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def build_chart(rng, patient, today, payers_by_name):
    """Allergies, history and insurance of one new patient: some have none of each."""
    allergies, history, policies = [], [], []
    if rng.random() < 0.35:
        for substance, reaction in rng.sample(ALLERGIES, rng.randint(1, 3)):
            severity = rng.choices(list(SEVERITY_WEIGHTS), weights=list(SEVERITY_WEIGHTS.values()))[0]
            noted_on = _day_between(rng, patient.date_of_birth, today) if rng.random() < 0.7 else None
            allergies.append(
                Allergy(patient=patient, substance=substance, reaction=reaction, severity=severity, noted_on=noted_on)
            )
    if rng.random() < 0.6:
        for condition in rng.sample(CONDITIONS, rng.randint(1, 4)):
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            onset = _day_between(rng, patient.date_of_birth, today) if rng.random() < 0.9 else None
            history.append(MedicalHistoryEntry(patient=patient, condition=condition, onset_date=onset, status=status))
    if rng.random() < 0.85:  # the rest pay for themselves
        age = patient.age_on(today)
        payers = [MEDICARE] if age >= 65 and rng.random() < 0.7 else PAYERS
        count = 2 if rng.random() < 0.15 else 1
        for index in range(count):
            payer_name, prefix = rng.choice(payers if index == 0 else PAYERS + [MEDICARE])
            valid_from = today - timedelta(days=rng.randint(30, 5 * 365))
            valid_to = valid_from + timedelta(days=rng.randint(365, 3 * 365)) if rng.random() < 0.3 else None
            if index == 0 and valid_to and valid_to < today:
                valid_to = None  # the primary policy is valid today
            policies.append(
                InsurancePolicy(
                    patient=patient,
                    payer=payers_by_name[payer_name],
                    policy_number=f"{prefix}{rng.randint(10**8, 10**9 - 1)}-{index}",
                    group_number=f"GRP-{rng.randint(1000, 9999)}",
                    coverage_percent=rng.choice(COVERAGE_PERCENTS),
                    copay=rng.choice(COPAYS),
                    valid_from=valid_from,
                    valid_to=valid_to,
                    is_primary=index == 0,
                )
            )
    return allergies, history, policies


def seed_patients(context):
    """Top the patients up to the requested number, in bulk (history rows included)."""
    existing = Patient.objects.count()
    missing = context.patient_target - existing
    if missing <= 0:
        context.notes.append(f"{existing} patients exist already (asked for {context.patient_target}): none added.")
        return
    # Seeded by how many exist, so a top-up run draws new people rather than the first run's again.
    rng, fake = context.rng_for(f"patients:{existing}"), context.faker(f"patients:{existing}")
    today = timezone.localdate()
    hospitals = [(hospital, _hospital_spec(hospital.code)) for hospital in context.hospitals]
    weights = [5, 3, 2][: len(hospitals)]
    mrns = reserve_mrns(missing)
    with context.progress(total=missing, desc="Patients", unit="patient") as bar:
        for start in range(0, missing, BATCH_SIZE):
            patients = []
            for mrn in mrns[start : start + BATCH_SIZE]:
                hospital, spec = rng.choices(hospitals, weights=weights)[0]
                patients.append(
                    build_patient(
                        rng, fake, mrn=mrn, spec=spec, hospital=hospital, today=today,
                        registered_by=context.acting_user,
                    )
                )
            patients = context.bulk_create(Patient, patients)
            allergies, history, policies = [], [], []
            for patient in patients:
                rows = build_chart(rng, patient, today, context.payers)
                allergies += rows[0]
                history += rows[1]
                policies += rows[2]
            context.bulk_create(Allergy, allergies)
            context.bulk_create(MedicalHistoryEntry, history)
            context.bulk_create(InsurancePolicy, policies)
            bar.update(len(patients))
    context.notes.append(f"{missing} patients added.")


# How often demo patients gave each consent (patients.Consent; no row: never asked, i.e. not given).
CONSENT_RATES = {
    ConsentKind.EMAIL_REMINDERS: 0.8,
    ConsentKind.SMS_REMINDERS: 0.6,
    ConsentKind.SHARING: 0.7,
    ConsentKind.RESEARCH: 0.2,
}


def seed_consents(context):
    """Consents of the patients who have none recorded yet (in bulk, history rows included): most agreed to
    reminders, a few to research, a few withdrew one. The portal patient agreed to reminders."""
    rng = context.rng_for("consents")
    now = timezone.now()
    pending = Patient.objects.filter(consents__isnull=True).values_list("pk", flat=True).order_by("pk")
    portal = set(Patient.objects.filter(user__username=DEMO_PATIENT_USERNAME).values_list("pk", flat=True))
    added = 0
    for start in range(0, len(ids := list(pending)), BATCH_SIZE):
        rows = []
        for patient_id in ids[start : start + BATCH_SIZE]:
            for kind, rate in CONSENT_RATES.items():
                draw = 0 if patient_id in portal else rng.random()
                if draw < rate:
                    rows.append(Consent(patient_id=patient_id, kind=kind, granted=True, changed_at=now,
                                        changed_by=context.acting_user))
                elif draw < rate + 0.05:
                    rows.append(Consent(patient_id=patient_id, kind=kind, granted=False, changed_at=now,
                                        changed_by=context.acting_user, note="Withdrawn at the desk"))
        context.bulk_create(Consent, rows)
        added += len(rows)
    if added:
        context.notes.append(f"{added} consents recorded.")


def summarise(context):
    staff = StaffMember.objects.all()
    context.summary[:0] = [
        ("Hospitals", ", ".join(f"{h.code} {h.city} {h.state} ({h.timezone})" for h in context.hospitals)),
        ("Departments", Department.objects.count()),
        ("Staff members", f"{staff.count()} ({staff.doctors().count()} doctors)"),
        ("Patients", Patient.objects.count()),
        ("Allergies", Allergy.objects.count()),
        ("Medical history entries", MedicalHistoryEntry.objects.count()),
        ("Payers", Payer.objects.count()),
        ("Insurance policies", InsurancePolicy.objects.count()),
        ("Patients without insurance", Patient.objects.filter(insurance_policies__isnull=True).count()),
    ]
    context.summary.extend(_totals())


def _totals():
    """Rows several steps add to, counted once every step has run: (label, figure) for the summary's end."""
    bills = Bill.objects.all()
    prescriptions = Prescription.objects.all()
    return [
        ("Shifts", Shift.objects.count()),
        ("Appointments", Appointment.objects.count()),
        (
            "Prescriptions",
            f"{prescriptions.count()} ({prescriptions.filter(status=PrescriptionStatus.DISPENSED).count()} dispensed)",
        ),
        ("Bills", f"{bills.count()} ({bills.filter(appointment__isnull=False).count()} of visits)"),
        ("Claims", Claim.objects.count()),
    ]


CORE_STEPS = [
    ensure_roles,
    ensure_admin_user,
    seed_hospitals,
    seed_demo_staff,
    seed_staff,
    seed_payers,
    seed_insurer_logins,
    seed_privacy_officer_login,
    seed_portal_patient,
    seed_patients,
    seed_consents,
]


# (app label, seed function) of every app with a ``demo`` module, in INSTALLED_APPS order: each builds on the
# rows of the ones before. The label also seeds the hook's random generator, so keep it the app's label.
APP_HOOKS = [
    ("staff", staff_demo.seed),
    ("scheduling", scheduling_demo.seed),
    ("clinical", clinical_demo.seed),
    ("billing", billing_demo.seed),
    ("inventory", inventory_demo.seed),
]


def app_hooks():
    """The hooks ``run`` calls after the core steps (``APP_HOOKS``; tests replace this function)."""
    return list(APP_HOOKS)


@contextmanager
def _timed(context, name):
    started = time.monotonic()
    yield
    if context.verbosity >= 2:
        context.stdout.write(f"  {name}: {time.monotonic() - started:.1f} s")


def run(context):
    for step in CORE_STEPS:
        with _timed(context, step.__name__):
            step(context)
    for label, hook in app_hooks():
        context.rng = context.rng_for(f"app:{label}")
        with _timed(context, f"{label}.demo.seed"):
            result = hook(context)
        if isinstance(result, dict):
            context.count(label, ", ".join(f"{value} {name}" for name, value in result.items()) + " added")
    summarise(context)
    return context
