"""Demo data for clinical records: catalogs, and a signed medical record for every completed visit.

``seed(ctx)`` runs after scheduling's hook (``manage.py seed_demo``). Catalog entries are created when
missing (by code). Completed appointments without a record get one: complaint, notes, outcome, one or
two real ICD-10-CM diagnoses, a procedure, often a prescription (never one the patient is allergic to),
sometimes lab results, and the vitals of the visit. Past results were acknowledged by their doctor and critical
ones phoned through by the lab; the demo doctor's latest visits get a few unacknowledged results (normal,
abnormal, critical) and one critical the lab has still to call, so the results inbox shows its loop.
Rows are bulk-created with their history rows (the
demo administrator as author); safe to run again (visits that have a record are skipped).
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from catalog.models import Item, ItemKind
from clinical import icd10
from clinical.choices import LabOrderStatus, LabResultFlag, PrescriptionStatus, TreatmentOutcome
from clinical.models import (
    FLAG_PRIORITY,
    CriticalResultCall,
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
    Vitals,
)
from patients.models import Allergy
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment
from staff.models import StaffMember

PROCEDURES = [
    ("99213", "Office visit, established patient, low complexity", "110.00"),
    ("99214", "Office visit, established patient, moderate complexity", "165.00"),
    ("93000", "Electrocardiogram, routine, with interpretation", "65.00"),
    ("36415", "Collection of venous blood by venipuncture", "12.00"),
    ("94010", "Spirometry", "85.00"),
    ("97110", "Therapeutic exercises, each 15 minutes", "45.00"),
]
# code, name, unit, reference low/high, critical low/high, price
LAB_TESTS = [
    ("HBA1C", "Hemoglobin A1c", "%", "4.0", "5.6", None, "14.0", "28.00"),
    ("GLU", "Glucose, fasting", "mg/dL", "70", "99", "40", "400", "15.00"),
    ("HGB", "Hemoglobin", "g/dL", "12.0", "17.5", "7.0", "20.0", "12.00"),
    ("K", "Potassium", "mmol/L", "3.5", "5.1", "2.8", "6.2", "14.00"),
    ("LDL", "LDL cholesterol", "mg/dL", "0", "129", None, None, "22.00"),
    ("TSH", "Thyroid stimulating hormone", "mIU/L", "0.4", "4.0", None, None, "30.00"),
]
# The most a test can physically give, where the unit sets it (a percentage); the least is 0 (the default).
PHYSICAL_MAX = {"HBA1C": "100"}
# code, name, form, strength, unit, category, unit price
MEDICATIONS = [
    ("RX-METF-500", "Metformin", "tablet", "500 mg", "tablet", "Biguanides", "0.20"),
    ("RX-LISI-10", "Lisinopril", "tablet", "10 mg", "tablet", "ACE inhibitors", "0.15"),
    ("RX-AMLO-5", "Amlodipine", "tablet", "5 mg", "tablet", "Calcium channel blockers", "0.18"),
    ("RX-OMEP-20", "Omeprazole", "capsule", "20 mg", "capsule", "Proton pump inhibitors", "0.30"),
    ("RX-AMOX-500", "Amoxicillin", "capsule", "500 mg", "capsule", "Penicillins", "0.35"),
    ("RX-IBUP-400", "Ibuprofen", "tablet", "400 mg", "tablet", "NSAIDs", "0.10"),
    ("RX-ATOR-20", "Atorvastatin", "tablet", "20 mg", "tablet", "Statins", "0.25"),
    ("RX-ALBU-90", "Albuterol", "inhaler", "90 mcg/puff", "inhaler", "Bronchodilators", "18.50"),
]
# A visit's story: complaint, ICD-10-CM codes, medication codes to choose from, lab test codes, procedure.
CASES = [
    ("Diabetes follow-up", ["E11.9"], ["RX-METF-500"], ["HBA1C", "GLU"], "99214"),
    ("Blood pressure review", ["I10"], ["RX-LISI-10", "RX-AMLO-5"], ["K"], "99213"),
    ("Sore throat and cough", ["J06.9"], ["RX-AMOX-500", "RX-IBUP-400"], [], "99213"),
    ("Back pain", ["M54.50"], ["RX-IBUP-400"], [], "99213"),
    ("Heartburn after meals", ["K21.9"], ["RX-OMEP-20"], ["HGB"], "99213"),
    ("Chest pain on exertion", ["I20.9", "I10"], ["RX-ATOR-20"], ["LDL"], "93000"),
    ("Shortness of breath", ["J45.909"], ["RX-ALBU-90"], [], "94010"),
    ("Fatigue", ["R53.83"], [], ["TSH", "HGB"], "99214"),
]
NOTES = {
    TreatmentOutcome.RESOLVED: "Symptoms resolved. No further follow-up needed.",
    TreatmentOutcome.IMPROVED: "Improving on treatment. Review in 4 weeks.",
    TreatmentOutcome.UNCHANGED: "No change since the last visit. Treatment adjusted.",
    TreatmentOutcome.WORSENED: "Symptoms worse. Referred for further work-up.",
}
OUTCOME_WEIGHTS = [
    (TreatmentOutcome.IMPROVED, 5),
    (TreatmentOutcome.RESOLVED, 3),
    (TreatmentOutcome.UNCHANGED, 2),
    (TreatmentOutcome.WORSENED, 1),
]


def _catalogs(ctx):
    procedures = {p.code: p for p in ProcedureCatalog.objects.filter(code__in=[row[0] for row in PROCEDURES])}
    missing = [
        ProcedureCatalog(code=code, description=text, price=Decimal(price))
        for code, text, price in PROCEDURES
        if code not in procedures
    ]
    if missing:
        ctx.bulk_create(ProcedureCatalog, missing)
    tests = {t.code: t for t in LabTest.objects.filter(code__in=[row[0] for row in LAB_TESTS])}
    missing = [
        LabTest(
            code=code,
            name=name,
            unit=unit,
            reference_low=Decimal(low),
            reference_high=Decimal(high),
            critical_low=Decimal(clow) if clow else None,
            critical_high=Decimal(chigh) if chigh else None,
            physical_max=Decimal(PHYSICAL_MAX[code]) if code in PHYSICAL_MAX else None,
            price=Decimal(price),
        )
        for code, name, unit, low, high, clow, chigh, price in LAB_TESTS
        if code not in tests
    ]
    if missing:
        ctx.bulk_create(LabTest, missing)
    items = {i.code: i for i in Item.objects.filter(code__in=[row[0] for row in MEDICATIONS])}
    missing = [
        Item(
            kind=ItemKind.MEDICATION,
            code=code,
            name=name,
            form=form,
            strength=strength,
            unit=unit,
            category=category,
            unit_price=Decimal(price),
        )
        for code, name, form, strength, unit, category, price in MEDICATIONS
        if code not in items
    ]
    if missing:
        ctx.bulk_create(Item, missing)
    return (
        {p.code: p for p in ProcedureCatalog.objects.all()},
        {t.code: t for t in LabTest.objects.all()},
        {i.code: i for i in Item.objects.filter(code__in=[row[0] for row in MEDICATIONS])},
    )


def _value_for(rng, test):
    """A plausible result: mostly in range, sometimes a little out, rarely critical."""
    low, high = float(test.reference_low), float(test.reference_high)
    span = high - low
    roll = rng.random()
    if roll < 0.7:
        value = rng.uniform(low, high)
    elif roll < 0.95:
        value = rng.choice([rng.uniform(low - span * 0.3, low), rng.uniform(high, high + span * 0.5)])
    elif test.critical_high is not None:
        value = float(test.critical_high) + rng.uniform(0, span * 0.2)
    else:
        value = high + span
    return Decimal(str(round(max(value, 0), 1)))


def seed(ctx):
    rng, admin = ctx.rng, ctx.admin_user
    procedures, tests, medications = _catalogs(ctx)
    for case in CASES:  # the demo only uses real, billable codes
        assert all(icd10.is_billable(code) for code in case[1]), case
    visits = list(
        Appointment.objects.filter(status=AppointmentStatus.COMPLETED, medical_record__isnull=True)
        .select_related("doctor__user", "patient")
        .order_by("start", "id")
    )
    if not visits:
        return {"medical records": 0}

    stories = {}
    records = []
    for visit in visits:
        story = case_for(rng, visit.doctor.specialty)
        outcome = rng.choices([o for o, _ in OUTCOME_WEIGHTS], weights=[w for _, w in OUTCOME_WEIGHTS])[0]
        stories[visit.pk] = (story, outcome)
        signed_at = (visit.completed_at or visit.end) + timedelta(minutes=rng.randint(5, 90))
        records.append(
            MedicalRecord(
                appointment=visit,
                patient_id=visit.patient_id,
                doctor_id=visit.doctor_id,
                chief_complaint=story[0],
                clinical_notes=f"{story[0]}. Examined. {NOTES[outcome]}",
                outcome=outcome,
                opened_at=visit.started_at or visit.start,
                opened_by=visit.doctor.user,
                signed_at=signed_at,
                signed_by=visit.doctor.user,
            )
        )
    ctx.bulk_create(MedicalRecord, records)
    records = list(
        MedicalRecord.objects.filter(appointment_id__in=[v.pk for v in visits]).select_related("appointment")
    )
    allergies = {}
    patient_ids = {r.patient_id for r in records}
    for allergy in Allergy.objects.filter(patient_id__in=patient_ids, is_active=True).only("patient_id", "substance"):
        allergies.setdefault(allergy.patient_id, []).append(allergy.substance.lower())

    diagnoses, performed, prescriptions, orders, vitals = [], [], [], [], []
    results_for = []  # (order index, test, moment)
    for record in records:
        (complaint, codes, meds, labs, procedure_code), outcome = stories[record.appointment_id]
        doctor_user_id = record.signed_by_id
        at = record.opened_at + timedelta(minutes=5)
        for index, code in enumerate(codes):
            diagnoses.append(
                Diagnosis(
                    record=record,
                    patient_id=record.patient_id,
                    code=code,
                    description=icd10.description(code),
                    is_primary=index == 0,
                    added_by_id=doctor_user_id,
                    added_at=at,
                )
            )
        entry = procedures[procedure_code]
        performed.append(
            Procedure(
                record=record,
                catalog_entry=entry,
                code=entry.code,
                description=entry.description,
                unit_price=entry.price,
                added_by_id=doctor_user_id,
                added_at=at,
            )
        )
        patient_allergies = allergies.get(record.patient_id, [])
        safe = [
            medications[code]
            for code in meds
            if not any(
                s in target or target in s
                for s in patient_allergies
                for target in (medications[code].name.lower(), medications[code].category.lower())
            )
        ]
        if safe and rng.random() < 0.8:
            medication = rng.choice(safe)
            prescriptions.append(
                Prescription(
                    record=record,
                    patient_id=record.patient_id,
                    medication=medication,
                    **prescription_terms(rng, medication),
                    instructions="Take with food." if rng.random() < 0.5 else "",
                    status=PrescriptionStatus.DISPENSED if rng.random() < 0.6 else PrescriptionStatus.ACTIVE,
                    prescribed_by_id=doctor_user_id,
                    prescribed_at=at,
                )
            )
        for code in labs:
            if rng.random() < 0.75:
                test = tests[code]
                collected = at + timedelta(minutes=rng.randint(10, 60))
                resulted = collected + timedelta(hours=rng.randint(2, 30))
                # Nothing happens after now: a recent visit's sample is still to be taken or its result awaited.
                status = (
                    LabOrderStatus.RESULTED if resulted <= ctx.now
                    else LabOrderStatus.COLLECTED if collected <= ctx.now
                    else LabOrderStatus.ORDERED
                )  # fmt: skip
                orders.append(
                    LabOrder(
                        record=record,
                        test=test,
                        status=status,
                        ordered_by_id=doctor_user_id,
                        ordered_at=at,
                        collected_by=admin if status != LabOrderStatus.ORDERED else None,
                        collected_at=collected if status != LabOrderStatus.ORDERED else None,
                        resulted_at=resulted if status == LabOrderStatus.RESULTED else None,
                    )
                )
                if status == LabOrderStatus.RESULTED:
                    results_for.append((len(orders) - 1, test, resulted))
        height = Decimal(rng.randint(150, 195))
        systolic = rng.randint(105, 165)
        vitals.append(
            Vitals(
                patient_id=record.patient_id,
                appointment_id=record.appointment_id,
                systolic_bp=systolic,
                diastolic_bp=rng.randint(60, min(100, systolic - 20)),
                heart_rate=rng.randint(55, 100),
                temperature_c=Decimal(str(round(rng.uniform(36.1, 38.2), 1))),
                respiratory_rate=rng.randint(12, 20),
                spo2=rng.randint(94, 100),
                weight_kg=Decimal(str(round(rng.uniform(50, 110), 1))),
                height_cm=height,
                recorded_by=admin,
                recorded_at=record.opened_at - timedelta(minutes=10),
            )
        )
    ctx.bulk_create(Diagnosis, diagnoses)
    ctx.bulk_create(Procedure, performed)
    ctx.bulk_create(Prescription, prescriptions)
    ctx.bulk_create(Vitals, vitals)
    ctx.bulk_create(LabOrder, orders)
    saved_orders = {
        (o.record_id, o.test_id): o for o in LabOrder.objects.filter(record__in=records).select_related("test")
    }
    doctors = {r.pk: (r.doctor_id, r.signed_by_id) for r in records}
    patients = {r.pk: r.patient_id for r in records}
    results = []
    for index, test, resulted in results_for:
        order = saved_orders[(orders[index].record_id, test.pk)]
        value = _value_for(rng, test)
        flag = test.flag_for(value)
        doctor_id, doctor_user_id = doctors[order.record_id]
        # Past results were seen: acknowledged by the ordering doctor within a day (never after now).
        seen = min(resulted + timedelta(hours=rng.randint(1, 20)), ctx.now)
        results.append(
            LabResult(
                order=order,
                value=value,
                unit=test.unit,
                flag=flag,
                flag_priority=FLAG_PRIORITY[flag],
                doctor_id=doctor_id,
                patient_id=patients[order.record_id],
                resulted_by=admin,
                resulted_at=resulted,
                acknowledged=seen > resulted,
                acknowledged_at=seen if seen > resulted else None,
                acknowledged_by_id=doctor_user_id if seen > resulted else None,
            )
        )
    ctx.bulk_create(LabResult, results)
    inbox = _demo_inbox(ctx, records, tests)
    _phone_past_criticals(ctx, exclude=inbox["not called"])
    return {
        "medical records": len(records),
        "diagnoses": len(diagnoses),
        "prescriptions": len(prescriptions),
        "lab results": len(results) + len(inbox["results"]),
        "vitals": len(vitals),
        "results awaiting the demo doctor": len(inbox["results"]),
    }


# --- Prescriptions that fit the prescriber (issue 12) -------------------------------------------------------------
# seed() takes each visit's story from case_for(rng, visit.doctor.specialty) and each prescription's dose,
# frequency, days and quantity from prescription_terms(rng, medication).

# The visit stories (CASES, by complaint) each specialty sees; a specialty not listed sees any of them.
CASES_BY_SPECIALTY = {
    "Cardiology": ["Blood pressure review", "Chest pain on exertion"],
    "Pediatrics": ["Sore throat and cough", "Shortness of breath"],
    "Radiology": ["Fatigue"],  # a work-up: tests, no prescription
    "General Surgery": ["Back pain", "Heartburn after meals"],
    "Physical Medicine and Rehabilitation": ["Back pain"],
    "Internal Medicine": ["Diabetes follow-up", "Blood pressure review", "Heartburn after meals", "Fatigue"],
}
DOSES_PER_DAY = {"once daily": 1, "twice daily": 2, "three times daily": 3}
# Medications not taken a whole unit a dose: code -> (dose, doses one unit holds), e.g. an inhaler of 200 puffs.
DOSE_PER_UNIT = {"RX-ALBU-90": ("2 puffs", 100)}
COURSE_DAYS = {"RX-AMOX-500": [7, 10], "RX-IBUP-400": [5, 7, 10]}  # short courses; the rest 30 or 90 days


def case_for(rng, specialty):
    """A visit story (one of CASES) that a doctor of ``specialty`` sees."""
    names = CASES_BY_SPECIALTY.get(specialty)
    cases = [case for case in CASES if names is None or case[0] in names]
    return rng.choice(cases or CASES)


def prescription_terms(rng, medication):
    """dose, frequency, duration_days and quantity of a prescription of ``medication`` that add up: the quantity is
    the units the course needs (doses a day x days, in whole units of the item: tablets, capsules, inhalers)."""
    frequency = rng.choice(list(DOSES_PER_DAY))
    days = rng.choice(COURSE_DAYS.get(medication.code, [30, 90]))
    doses = DOSES_PER_DAY[frequency] * days
    dose, per_unit = DOSE_PER_UNIT.get(medication.code, (f"1 {medication.unit}", 1))
    return {"dose": dose, "frequency": frequency, "duration_days": days, "quantity": -(-doses // per_unit)}


# The demo doctor's inbox: test code, value, phoned through by the lab. Unacknowledged, newest last: a critical
# potassium not yet called, a critical glucose the lab called, a high glucose, a low hemoglobin, a normal TSH.
DEMO_INBOX = [
    ("TSH", "2.1", False),
    ("HGB", "10.9", False),
    ("GLU", "182", False),
    ("GLU", "452", True),
    ("K", "6.9", False),
]


def _demo_inbox(ctx, records, tests):
    """Results of the demo doctor's latest visits they have not acknowledged yet, so the demo shows the loop:
    critical first on the start page's banner, one critical still in the lab's "To call" queue."""
    done = {"results": [], "not called": set()}
    doctor = StaffMember.objects.filter(user__username="doctor").first()
    mine = sorted((r for r in records if doctor and r.doctor_id == doctor.pk), key=lambda r: r.opened_at)
    if not mine:
        return done
    lab = get_user_model().objects.filter(username="labtech").first() or ctx.admin_user
    orders, planned = [], []
    for index, (code, value, _) in enumerate(DEMO_INBOX):
        record = mine[-1 - index % len(mine)]
        test = tests[code]
        ordered = record.opened_at + timedelta(minutes=10 + index)
        resulted = max(min(ordered + timedelta(hours=2), ctx.now - timedelta(minutes=40 - 5 * index)), ordered)
        orders.append(
            LabOrder(
                record=record,
                test=test,
                status=LabOrderStatus.RESULTED,
                ordered_by_id=record.signed_by_id,
                ordered_at=ordered,
                collected_by=lab,
                collected_at=ordered,
                resulted_at=resulted,
            )
        )
        planned.append((record, test, Decimal(value), resulted))
    ctx.bulk_create(LabOrder, orders)
    ids = {(o.record_id, o.test_id, o.ordered_at): o.pk for o in LabOrder.objects.filter(record__in=mine)}
    results = []
    for (record, test, value, resulted), order in zip(planned, orders, strict=True):
        flag = test.flag_for(value)
        results.append(
            LabResult(
                order_id=ids[(record.pk, test.pk, order.ordered_at)],
                value=value,
                unit=test.unit,
                flag=flag,
                flag_priority=FLAG_PRIORITY[flag],
                doctor_id=record.doctor_id,
                patient_id=record.patient_id,
                resulted_by=lab,
                resulted_at=resulted,
            )
        )
    ctx.bulk_create(LabResult, results)
    saved = list(LabResult.objects.filter(order_id__in=[r.order_id for r in results]).order_by("order_id"))
    by_order = {r.order_id: r for r in saved}
    for result, (_, _, called) in zip(results, DEMO_INBOX, strict=True):
        if not called:
            done["not called"].add(by_order[result.order_id].pk)
    done["results"] = saved
    return done


def _phone_past_criticals(ctx, *, exclude):
    """Every critical result the lab has not phoned through yet gets its call (a quarter hour after the result),
    except those in ``exclude``; each result then points at its call."""
    lab = get_user_model().objects.filter(username="labtech").first() or ctx.admin_user
    waiting = list(
        LabResult.objects.filter(flag_priority=FLAG_PRIORITY[LabResultFlag.CRITICAL], last_call__isnull=True)
        .exclude(pk__in=exclude)
        .select_related("doctor__user")
    )
    if not waiting:
        return
    calls = [
        CriticalResultCall(
            result=result,
            called_to=f"{result.doctor} (ordering doctor)",
            called_at=min(result.resulted_at + timedelta(minutes=15), ctx.now),
            called_by=lab,
            read_back_confirmed=True,
            value=result.value,
        )
        for result in waiting
    ]
    ctx.bulk_create(CriticalResultCall, calls)
    latest = {c.result_id: c.pk for c in CriticalResultCall.objects.filter(result__in=waiting).order_by("called_at")}
    for result in waiting:
        result.last_call_id = latest[result.pk]
    LabResult.objects.bulk_update(waiting, ["last_call"])
