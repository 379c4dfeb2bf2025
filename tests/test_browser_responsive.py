"""Every role's pages fit a desk screen (1366 px), a tablet (1024 px) and a phone (375 px): the page never
scrolls sideways (a wide table scrolls inside its own box) and the menu is reachable (on the phone behind the
"Menu" button).

One chromium for the module; each test logs one role in once and walks its start page and main pages at each
width, with tables filled by several rows and long names. A failure names the role, the page and the width.
"""

import datetime
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.choices import BillLineKind, BillStatus
from billing.tests.factories import BillFactory, BillLineFactory
from clinical.choices import LabOrderStatus
from clinical.tests.factories import (
    DiagnosisFactory,
    LabOrderFactory,
    LabResultFactory,
    LabTestFactory,
    MedicalRecordFactory,
    MedicationFactory,
    PrescriptionFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)
from hms.roles import START_PAGES
from inventory.tests.factories import BatchFactory, StockLevelRuleFactory, StoreFactory
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
)
from scheduling.choices import AppointmentStatus as S
from scheduling.tests.factories import AppointmentFactory
from staff.choices import StaffRole
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desk": (1366, 800), "tablet": (1024, 768), "phone": (375, 800)}
LONG = "Wolfeschlegelsteinhausenbergerdorff"  # a real surname, and no place to break it


@pytest.fixture(scope="module")
def chromium():
    """One headless chromium for the whole module (conftest's ``browser_page`` starts one per test)."""
    from conftest import launched_chromium

    with launched_chromium() as browser:
        yield browser


def build_hospital_day():
    """A busy day at one hospital: long names everywhere, a visit under way, results, bills, stock."""
    hospital = HospitalFactory(name="Massachusetts General Hospital for Cardiovascular and Thoracic Medicine")
    department = DepartmentFactory(hospital=hospital, name="Cardiovascular and Thoracic Surgery Outpatient Clinic")
    doctor = DoctorFactory(
        hospital=hospital,
        department=department,
        user__username="doctor",
        user__first_name="Bartholomew-Alexander",
        user__last_name=f"{LONG}-Featherstonehaugh",
        specialty="Interventional Cardiology and Electrophysiology",
    )
    for role, username in [
        (StaffRole.ADMINISTRATOR, "administrator"),
        (StaffRole.NURSE, "nurse"),
        (StaffRole.RECEPTIONIST, "receptionist"),
        (StaffRole.BILLING_CLERK, "clerk"),
        (StaffRole.PHARMACIST, "pharmacist"),
        (StaffRole.LAB_TECHNICIAN, "labtech"),
    ]:
        StaffMemberFactory(
            role=role,
            hospital=hospital,
            department=department,
            user__username=username,
            user__first_name="Christopher-Montgomery",
            user__last_name="Vanderbilt-Rockefeller",
        )
    patient_user = UserFactory(username="patient", groups=["Patient"])
    patient = PatientFactory(
        user=patient_user,
        first_name="Maximiliana-Theodora",
        last_name=f"{LONG}-Featherstonehaugh",
        email=f"maximiliana.theodora.{LONG.lower()}@longmailprovider.example.com",
        address_line1="12345 North Massachusetts Avenue Northwest, Apartment 1234",
        preferred_hospital=hospital,
    )
    for substance in ["Penicillin and other beta-lactam antibiotics", "Sulfonamide antibiotics", "Latex"]:
        AllergyFactory(patient=patient, substance=substance, reaction="Anaphylaxis with generalized urticaria")
    MedicalHistoryEntryFactory(patient=patient, condition="Hypertensive heart disease with heart failure")
    InsurancePolicyFactory(patient=patient, payer_name="Blue Cross Blue Shield of Massachusetts HMO Blue New England")

    now = timezone.now().replace(second=0, microsecond=0)
    statuses = [
        S.COMPLETED,
        S.NO_SHOW,
        S.IN_PROGRESS,
        S.CHECKED_IN,
        S.CHECKED_IN,
        S.SCHEDULED,
        S.SCHEDULED,
        S.CANCELLED,
    ]
    appointments = []
    for index, status in enumerate(statuses):
        someone = patient if index == 2 else PatientFactory(last_name=f"{LONG}{index}", preferred_hospital=hospital)
        appointments.append(
            AppointmentFactory(
                patient=someone,
                doctor=doctor,
                start=now + datetime.timedelta(minutes=15 * index - 30),
                status=status,
                checked_in_at=now if status in (S.CHECKED_IN, S.IN_PROGRESS, S.COMPLETED) else None,
                reason="Follow-up of paroxysmal atrial fibrillation after catheter ablation, with palpitations",
                cancellation_reason="Patient called: transportation fell through" if status == S.CANCELLED else "",
            )
        )
    visit = appointments[2]
    record = MedicalRecordFactory(appointment=visit, patient=patient, doctor=doctor)
    DiagnosisFactory(record=record, code="I48.0", description="Paroxysmal atrial fibrillation")
    DiagnosisFactory(
        record=record, code="I11.0", description="Hypertensive heart disease with heart failure", is_primary=False
    )
    for _ in range(3):
        VitalsFactory(patient=patient, appointment=visit)

    # Last week's signed visit: prescriptions to dispense, results (one critical) and an older pending order.
    earlier = AppointmentFactory(
        patient=patient, doctor=doctor, start=now - datetime.timedelta(days=7), status=S.COMPLETED, checked_in_at=now
    )
    signed = SignedMedicalRecordFactory(appointment=earlier, patient=patient, doctor=doctor)
    DiagnosisFactory(record=signed, code="E11.65", description="Type 2 diabetes mellitus with hyperglycemia")
    store = StoreFactory(hospital=hospital, name="Main Outpatient Pharmacy, Ground Floor, Building A")
    prescriptions = []
    for name in ["Metoprolol succinate extended-release", "Apixaban", "Atorvastatin calcium"]:
        medication = MedicationFactory(name=name, strength="25 mg")
        prescriptions.append(
            PrescriptionFactory(
                record=signed, medication=medication, prescribed_by=doctor.user, frequency="twice daily"
            )
        )
        BatchFactory(item=medication, store=store, quantity=200)
        StockLevelRuleFactory(item=medication, store=store, reorder_level=500)
    glucose = LabTestFactory(name="Glucose, fasting (plasma, enzymatic hexokinase method)")
    for value in ["85", "450", "130"]:
        LabResultFactory(
            order=LabOrderFactory(record=signed, test=glucose, status=LabOrderStatus.RESULTED, resulted_at=now),
            value=Decimal(value),
        )
    pending = [
        LabOrderFactory(record=signed, test=glucose, status=LabOrderStatus.COLLECTED, collected_at=now)
        for _ in range(3)
    ]

    bills = []
    for index in range(4):
        bill = BillFactory(
            hospital=hospital,
            patient=patient,
            status=BillStatus.ISSUED if index else BillStatus.DRAFT,
            issued_at=now if index else None,
        )
        for kind, code, description in [
            (BillLineKind.CONSULTATION, "99214", "Office or other outpatient visit, established patient, moderate"),
            (BillLineKind.PROCEDURE, "93000", "Electrocardiogram, routine, with at least 12 leads; interpretation"),
            (BillLineKind.LAB, "82947", "Glucose; quantitative, blood (except reagent strip)"),
        ]:
            BillLineFactory(bill=bill, kind=kind, code=code, description=description, unit_price=Decimal("1234.56"))
        bills.append(bill)
    from billing import services as billing_services

    for bill in bills:
        billing_services.bill_recalculate(bill=bill, acting_user=doctor.user)
    claim = billing_services.claim_create(bill=bills[1], acting_user=doctor.user)
    return {
        "patient": patient,
        "visit": visit,
        "prescription": prescriptions[0],
        "pending_order": pending[0],
        "bill": bills[1],
        "claim": claim,
    }


def pages_of(role, day):
    """(page name, url) of the pages a role works in, start page first."""
    patient, visit, bill = day["patient"], day["visit"], day["bill"]
    search = f"/patients/?q={LONG[:6]}"
    return {
        "Administrator": [
            ("start page", "/"),
            ("patient search", search),
            ("patient record", f"/patients/{patient.pk}/"),
            ("board", "/scheduling/board/"),
            ("doctor schedules", "/scheduling/my-schedule/"),
            ("bills", "/billing/"),
            ("roster", "/staff/roster/"),
        ],
        "Doctor": [
            ("start page", "/"),
            ("visit", f"/clinical/visits/{visit.pk}/"),
            ("patient chart", f"/clinical/patients/{patient.pk}/chart/"),
            ("week schedule", "/scheduling/my-schedule/?view=week"),
            ("availability", "/scheduling/availability/"),
        ],
        "Nurse": [
            ("start page", "/"),
            ("patient search", search),
            ("patient record", f"/patients/{patient.pk}/"),
            ("vitals", f"/clinical/visits/{visit.pk}/vitals/"),
            ("board", "/scheduling/board/"),
        ],
        "Receptionist": [
            ("start page", "/"),
            ("booking", f"/scheduling/book/?patient={patient.pk}"),
            ("patient registration", "/patients/register/"),
            ("patient record", f"/patients/{patient.pk}/"),
            ("reschedule", f"/scheduling/appointments/{visit.pk + 3}/reschedule/"),
        ],
        "Billing Clerk": [
            ("start page", "/"),
            ("bill detail", f"/billing/bills/{bill.pk}/"),
            ("invoice", f"/billing/bills/{bill.pk}/invoice/"),
            ("claim document", f"/billing/claims/{day['claim'].pk}/document/"),
        ],
        "Pharmacist": [
            ("start page", "/"),
            ("dispensing queue", "/inventory/queue/"),
            ("dispense", f"/inventory/prescriptions/{day['prescription'].pk}/dispense/"),
            ("stock", "/inventory/stock/"),
        ],
        "Lab Technician": [
            ("start page", "/"),
            ("results tab", "/clinical/lab/worklist/?status=resulted"),
            ("result entry", f"/clinical/lab/orders/{day['pending_order'].pk}/result/"),
        ],
        "Patient": [
            ("start page", "/"),
            ("my appointments", "/scheduling/my-appointments/"),
            ("my health history", "/clinical/my-history/"),
            ("my bills", "/billing/my-bills/"),
            ("my invoice", f"/billing/my-bills/{bill.pk}/"),
        ],
        "Insurer": [("start page", "/")],
    }[role]


USERNAMES = {
    "Administrator": "administrator",
    "Doctor": "doctor",
    "Nurse": "nurse",
    "Receptionist": "receptionist",
    "Billing Clerk": "clerk",
    "Pharmacist": "pharmacist",
    "Lab Technician": "labtech",
    "Patient": "patient",
    "Insurer": "insurer",
}
ROLES = [
    pytest.param(role, marks=pytest.mark.skipif(role not in START_PAGES, reason=f"no {role} start page yet"))
    for role in USERNAMES
]


def page_problems(page, *, width):
    """What is wrong with the page as shown: sideways scroll, and the menu out of reach."""
    problems = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    if scroll > inner:
        culprits = page.evaluate(
            """(inner) => Array.from(document.querySelectorAll('body *'))
                 .filter(e => e.getBoundingClientRect().right > inner + 1 && e.closest('table') === null)
                 .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''))""",
            inner,
        )
        problems.append(f"the page scrolls sideways ({scroll} px wide in a {inner} px window; {', '.join(culprits)})")
    nav_link = page.locator(".mainnav a").first
    if width < 800:
        if nav_link.is_visible():
            problems.append("the menu is open before the Menu button is pressed")
        page.get_by_text("Menu", exact=True).click()
        if not nav_link.is_visible():
            problems.append("the Menu button does not open the menu")
        elif page.evaluate("document.documentElement.scrollWidth") > inner:
            problems.append("the open menu makes the page scroll sideways")
    elif not nav_link.is_visible():
        problems.append("the menu is not shown")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_pages_fit_the_screen_and_keep_the_menu_in_reach(chromium, live_server, role):
    """One login per role; every page at every width (a failure names the role, the page and the width)."""
    day = build_hospital_day()
    if role == "Insurer":
        from patients.tests.factories import InsurerAccountFactory

        InsurerAccountFactory(user__username="insurer")
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login/")
        page.fill("#id_username", USERNAMES[role])
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        failures = []
        for width, height in WIDTHS.values():
            page.set_viewport_size({"width": width, "height": height})
            for name, url in pages_of(role, day):
                response = page.goto(url)
                if response.status >= 400:
                    failures.append(f"{role} · {name} ({url}) · {width} px: answered {response.status}")
                    continue
                if os.environ.get("HMS_SCREENSHOTS"):  # to look at them: HMS_SCREENSHOTS=/some/folder
                    shot = f"responsive_{role}_{name}_{width}.png".replace(" ", "-").lower()
                    page.screenshot(path=os.path.join(os.environ["HMS_SCREENSHOTS"], shot), full_page=True)
                for problem in page_problems(page, width=width):
                    failures.append(f"{role} · {name} ({url}) · {width} px: {problem}")
        assert not failures, "\n".join(failures)
    finally:
        context.close()


def test_on_a_phone_without_javascript_the_menu_opens_and_wide_tables_scroll_in_their_box(chromium, live_server):
    build_hospital_day()
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 800}, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login/")
        page.fill("#id_username", "nurse")
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.goto("/scheduling/board/")
        assert page.locator("#board tbody tr").count() >= 8
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate("(t => t.scrollWidth > t.clientWidth)(document.getElementById('board'))")  # scrolls
        patients = page.get_by_role("link", name="Patients", exact=True)
        assert not patients.is_visible()

        page.get_by_text("Menu", exact=True).click()  # no script runs: the CSS checkbox opens it
        assert patients.is_visible()
        page.get_by_text("Menu", exact=True).click()
        assert not patients.is_visible()

        page.focus("#menu-toggle")  # from the keyboard: Space on the menu button, then Tab into the menu
        page.keyboard.press("Space")
        assert patients.is_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Patients"
    finally:
        context.close()
