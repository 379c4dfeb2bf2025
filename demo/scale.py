"""Data at scale (``manage.py seed_scale``): a chain's years of appointments, loaded in bulk.

The small, rule-heavy part (roles, the demo logins, the first three hospitals and their staff, payers,
insurer logins, the portal patient) is made by the demo's own steps (demo/core.py), through the services.
Everything that grows (patients, policies, doctors, availability, appointments, medical records,
diagnoses, bills, bill lines, claims, payments, stock batches and movements) is written here in bulk:
batches of 50,000 rows as tab-separated text through ``LOAD DATA LOCAL INFILE``, run by a thread of its own
while Python writes the next batch (inside a transaction, as in the tests: multi-row INSERTs of 5,000 rows
on the same connection); ids assigned here; history rows ("+", made by the demo administrator) written
alongside for every model that keeps history; foreign-key and unique checks off for the loading session;
no services, no signals, no per-row ``full_clean``. The data still follows the services' rules:

- every doctor works Mon-Fri 08:00-12:00 and 13:00-17:00 (hospital local time, 30-minute slots; the
  Availability windows are created) and each appointment takes one of those slots, so a doctor's
  appointments never overlap, and a patient never has two at the same time;
- past appointments are mostly completed (some cancelled, some no-shows), future ones scheduled (a
  few cancelled), with the status timestamps the transitions set;
- every completed visit has a signed medical record with one or two billable ICD-10-CM diagnoses;
- about a fifth of the appointments have a bill (numbers ``CODE-YEAR-000123`` drawn from the same
  counters ``billing.services`` uses), with its consultation line (and sometimes a discount), the
  insurance estimate of the patient's primary policy, a claim when a policy covers part, payments;
  totals as ``bill_recalculate`` computes them;
- MRNs come from the patients' counter (``mrn_generate_many``), so later registrations never collide.

Two patients make the timeline figure easy to find: "Thousand Timeline" (``LONG_TIMELINE_NAME``) with
exactly ``--long-timeline`` completed visits and "Ten Timeline" with exactly ``--short-timeline``.
"""

import math
import os
import queue
import random
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone
from faker import Faker

from billing.choices import BillLineKind, BillStatus, ClaimStatus, PaymentMethod
from billing.models import Bill, BillLine, Claim, Payment
from billing.services import CONSULTATION_CODE
from catalog.models import Item, ItemKind
from clinical import icd10
from clinical.demo import CASES, MEDICATIONS, NOTES, OUTCOME_WEIGHTS
from clinical.models import Diagnosis, MedicalRecord
from demo import core
from hms.sequences import next_values
from inventory.choices import StockMovementKind, StoreKind
from inventory.demo import STORES, SUPPLIERS, SUPPLIES
from inventory.models import Batch, StockMovement, Store
from patients.choices import EmergencyContactRelation, PatientSex
from patients.models import InsurancePolicy, Patient
from patients.services import mrn_generate_many
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.demo import CANCEL_REASONS, REASONS
from scheduling.models import Appointment, Availability
from scheduling.services import telemedicine_link
from staff.choices import ROLE_GROUPS, StaffRole
from staff.models import StaffMember

VERSION = "1"  # bump when the data seed_scale makes changes shape (the benchmark rebuilds then)
BATCH_ROWS = 5000
LONG_TIMELINE_NAME = ("Thousand", "Timeline")
SHORT_TIMELINE_NAME = ("Ten", "Timeline")
DAYS_BACK = 548  # about 18 months of past visits
DAYS_AHEAD = 182  # and 6 months of bookings ahead
WINDOWS = [(clock(8), clock(12)), (clock(13), clock(17))]
SLOT_MINUTES = 30
APPOINTMENTS_PER_DOCTOR = 5000  # default doctor count: appointments / this (about 60% of a doctor's slots)
MAX_BOOKED_SHARE = 0.9
MIN_DOCTORS_PER_HOSPITAL = 4
BILL_SHARE = 0.2  # of all appointments
MOVEMENT_SHARE = 0.1  # stock movements per appointment

# Two more hospitals than the demo's three, so the chain spans five US time zones.
EXTRA_HOSPITALS = [
    {
        "code": "PHX",
        "name": "Phoenix Desert Valley Hospital",
        "address_line1": "800 East Camelback Road",
        "city": "Phoenix",
        "state": "AZ",
        "postal_code": "85014",
        "phone": "(602) 555-0100",
        "timezone": "America/Phoenix",
        "area_code": "602",
        "zips": ["85004", "85008", "85014", "85016", "85018"],
        "cities": ["Phoenix", "Tempe", "Scottsdale", "Mesa"],
    },
    {
        "code": "SEA",
        "name": "Seattle Sound Medical Center",
        "address_line1": "1200 Pine Street",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "phone": "(206) 555-0100",
        "timezone": "America/Los_Angeles",
        "area_code": "206",
        "zips": ["98101", "98104", "98109", "98115", "98122"],
        "cities": ["Seattle", "Bellevue", "Redmond", "Renton"],
    },
]
SPECS = {spec["code"]: spec for spec in [*core.HOSPITALS, *EXTRA_HOSPITALS]}
CLAIM_OUTCOMES = [
    (ClaimStatus.PAID, 60),
    (ClaimStatus.APPROVED, 10),
    (ClaimStatus.PARTIALLY_APPROVED, 5),
    (ClaimStatus.DENIED, 5),
    (ClaimStatus.IN_REVIEW, 5),
    (ClaimStatus.SUBMITTED, 10),
    (ClaimStatus.DRAFT, 5),
]


def _naive_utc(value):
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


class Table:
    """Rows of one model (and their history rows), written a batch at a time: LOAD DATA text, or multi-row INSERTs."""

    def __init__(self, loader, model, *, history=None):
        self.loader, self.model = loader, model
        meta = model._meta
        quote = connection.ops.quote_name
        self.fields = list(meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if not f.has_default() and isinstance(f, models.DateTimeField) and not f.null:
                self.defaults[f.attname] = loader.now  # auto_now_add
            else:
                self.defaults[f.attname] = f.get_default()
        self.datetime_positions = [i for i, f in enumerate(self.fields) if isinstance(f, models.DateTimeField)]
        self.converters = [(f.attname, _converter(f)) for f in self.fields]
        self.table = meta.db_table
        self.columns = [f.column for f in self.fields]
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(self.table), ", ".join(map(quote, self.columns)), ", ".join(["%s"] * len(self.fields))
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({quote(meta.pk.column)}) FROM {quote(self.table)}")
            self.next_id = (cursor.fetchone()[0] or 0) + 1
        self.rows = []
        self.history = None
        if history is None:
            history = hasattr(model, "history") and hasattr(model.history, "model")
        if history:
            hmodel = model.history.model
            by_attname = {f.attname: f for f in hmodel._meta.concrete_fields}
            extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
            tracked = [name for name in by_attname if name != "history_id" and name not in extra]
            if sorted(tracked) != sorted(self.attnames):
                raise ValueError(f"{hmodel.__name__} does not track exactly the fields of {model.__name__}.")
            # History rows: the row's own columns in the same order, then the four history columns.
            self.history_attnames = [*self.attnames, *extra]
            self.history_table = hmodel._meta.db_table
            self.history_columns = [by_attname[name].column for name in self.history_attnames]
            self.history_sql = "INSERT INTO {} ({}) VALUES ({})".format(
                quote(self.history_table), ", ".join(map(quote, self.history_columns)),
                ", ".join(["%s"] * len(self.history_columns)),
            )
            self.history = []
        self.inserted = 0

    def reserve(self):
        """The id of a row to add later (when another row must name it first)."""
        self.next_id += 1
        return self.next_id - 1

    def add(self, row, *, history_date=None):
        """Queue one row (a dict by attname; missing fields take their default); returns its id."""
        pk = row.get("id")
        if pk is None:
            pk = row["id"] = self.reserve()
        merged = {**self.defaults, **row}
        loader = self.loader
        when = history_date or loader.now
        if loader.load_data:  # tab-separated text, the history row reusing the row's own text
            line = "\t".join(
                [_NULL if (v := merged[name]) is None else convert(v) for name, convert in self.converters]
            )
            self.rows.append(line)
            if self.history is not None:
                self.history.append(f"{line}\t{_datetime_text(when)}\t{_NULL}\t+\t{loader.user_id}")
        else:
            values = [merged[name] for name in self.attnames]
            for i in self.datetime_positions:
                if values[i] is not None:
                    values[i] = _naive_utc(values[i])
            self.rows.append(values)
            if self.history is not None:
                self.history.append([*values, _naive_utc(when), None, "+", loader.user_id])
        if len(self.rows) >= loader.batch_rows:
            self.flush()
        return pk

    def flush(self):
        if not self.rows:
            return
        count = len(self.rows) + (len(self.history) if self.history else 0)
        if self.loader.load_data:
            self.loader.load(self.table, self.columns, self.rows)
            if self.history:
                self.loader.load(self.history_table, self.history_columns, self.history)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
                if self.history:
                    cursor.executemany(self.history_sql, self.history)
        self.inserted += count
        self.loader.rows += count
        self.rows = []
        if self.history is not None:
            self.history = []

_NULL = "\\N"


def _datetime_text(value):
    text = str(value)
    if text.endswith("+00:00"):
        return text[:-6]
    return str(_naive_utc(value))


def _bool_text(value):
    return "1" if value else "0"


def _converter(field):
    if isinstance(field, models.DateTimeField):
        return _datetime_text
    if isinstance(field, models.BooleanField):
        return _bool_text
    if isinstance(field, (models.CharField, models.TextField)):
        return _text
    return str


def _text(value):
    return value.translate(_TSV_ESCAPES)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass
class Loader:
    now: datetime
    user_id: int
    batch_rows: int = BATCH_ROWS
    load_data: bool = False
    rows: int = 0
    tables: dict = field(default_factory=dict)

    def table(self, model, **kwargs):
        if model not in self.tables:
            self.tables[model] = Table(self, model, **kwargs)
        return self.tables[model]

    def flush(self):
        """Write every queued row, and wait until the loading thread has loaded them all."""
        for table in self.tables.values():
            table.flush()
        if self._queue is not None:
            self._queue.join()
            self._raise_failure()

    # LOAD DATA runs in a thread of its own (its own connection), so that MariaDB loads one batch while
    # Python writes the next: on two cores the load takes about half the time.
    _queue: object = None
    _thread: object = None
    _failure: object = None

    def load(self, table, columns, lines):
        """LOAD DATA LOCAL INFILE of tab-separated lines (the fastest way into MariaDB), in the loading thread."""
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed below, deleted by the loading thread)
            "w", encoding="utf-8", suffix=".tsv", newline="\n", delete=False
        )
        with handle:
            handle.write("\n".join(lines))
            handle.write("\n")
        if self._queue is None:
            self._queue = queue.Queue(maxsize=4)
            self._thread = threading.Thread(target=self._loading, name="seed_scale-loader", daemon=True)
            self._thread.start()
        self._raise_failure()
        self._queue.put((table, columns, handle.name))

    def _loading(self):
        quote = connection.ops.quote_name
        _mysql_session(False)
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    self._queue.task_done()
                    return
                table, columns, path = job
                try:
                    if self._failure is None:
                        with connection.cursor() as cursor:
                            cursor.execute(
                                f"LOAD DATA LOCAL INFILE %s INTO TABLE {quote(table)} CHARACTER SET utf8mb4 "
                                f"({', '.join(map(quote, columns))})",
                                [path],
                            )
                            if cursor.connection.warning_count():
                                cursor.execute("SHOW WARNINGS LIMIT 3")
                                raise ScaleError(f"Loading {table} gave warnings: {cursor.fetchall()}")
                except Exception as error:  # handed to the main thread at its next load or flush
                    self._failure = error
                finally:
                    os.unlink(path)
                    self._queue.task_done()
        finally:
            connection.close()

    def _raise_failure(self):
        if self._failure is not None:
            raise ScaleError(f"Bulk load failed: {self._failure}") from self._failure

    def close(self):
        if self._queue is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = self._thread = None


@dataclass
class ScaleResult:
    rows: int = 0
    seconds: float = 0.0
    setup_seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    long_timeline_patient_id: int = None
    short_timeline_patient_id: int = None
    busiest_doctor_id: int = None

    @property
    def rows_per_second(self):
        return self.rows / self.seconds if self.seconds else 0.0


class ScaleError(Exception):
    """Bad arguments (too many appointments for the doctors, ...): the command turns it into a CommandError."""


def _progress(out, message):
    if out is not None:
        out.write(message)


# --- setup: the demo's own steps, two more hospitals --------------------------------------------------------


def _setup(context):
    for step in (
        core.ensure_roles,
        core.ensure_admin_user,
        core.seed_hospitals,
        core.seed_demo_staff,
        core.seed_staff,
        core.seed_payers,
        core.seed_insurer_logins,
        core.seed_portal_patient,
    ):
        step(context)
    core.seed_hospitals(context, EXTRA_HOSPITALS)


class Names:
    """Pools of fake names and streets drawn once, then picked by a seeded random generator (fast)."""

    def __init__(self, seed):
        fake = Faker("en_US")
        fake.seed_instance(f"{seed}:scale-names")
        self.female = [fake.first_name_female() for _ in range(400)]
        self.male = [fake.first_name_male() for _ in range(400)]
        self.other = [fake.first_name_nonbinary() for _ in range(50)]
        self.last = [fake.last_name() for _ in range(1000)]
        self.streets = [fake.street_address() for _ in range(2000)]


# --- doctors and their availability ---------------------------------------------------------------------------


def _scheduled_doctors(context, loader, rng, names, wanted):
    """Active doctors without any window or appointment (free to schedule), topped up in bulk to ``wanted``."""
    busy = set(Availability.objects.values_list("doctor_id", flat=True).distinct())
    busy |= set(Appointment.objects.values_list("doctor_id", flat=True).distinct())
    doctors = [d for d in StaffMember.objects.doctors().active().select_related("user", "hospital")
               .order_by("hospital__code", "user__username") if d.pk not in busy]
    # Every hospital gets its share of the doctors (at least MIN_DOCTORS_PER_HOSPITAL).
    per_hospital = max(MIN_DOCTORS_PER_HOSPITAL, math.ceil(wanted / len(context.hospitals)))
    have = {h.pk: 0 for h in context.hospitals}
    for doctor in doctors:
        have[doctor.hospital_id] = have.get(doctor.hospital_id, 0) + 1
    plan = [h for h in context.hospitals for _ in range(max(0, per_hospital - have[h.pk]))]
    if not plan:
        return doctors
    User = get_user_model()
    users = loader.table(User)
    members = loader.table(StaffMember)
    memberships = loader.table(User.groups.through, history=False)
    group_id = Group.objects.get(name=ROLE_GROUPS[StaffRole.DOCTOR]).pk
    specialties = [(code, specialty) for code, _name, specialty in core.DEPARTMENTS if specialty]
    new_ids = []
    for index, hospital in enumerate(plan):
        spec = SPECS[hospital.code]
        first = rng.choice(names.female if rng.random() < 0.5 else names.male)
        last = rng.choice(names.last)
        user_id = users.reserve()
        username = f"{hospital.code.lower()}.dr{user_id}"
        users.add({
            "id": user_id, "username": username, "first_name": first, "last_name": last,
            "email": f"{username}@hms.example",
            "password": "!" + secrets.token_urlsafe(30), "is_staff": False, "is_active": True,
            "is_superuser": False, "date_joined": loader.now,
        })
        memberships.add({"user_id": user_id, "group_id": group_id})
        code, specialty = specialties[index % len(specialties)]
        new_ids.append(members.add({
            "user_id": user_id, "hospital_id": hospital.pk,
            "department_id": context.departments[hospital.code, code].pk, "role": StaffRole.DOCTOR,
            "phone": core._phone(rng, spec["area_code"]), "is_active": True, "specialty": specialty,
            "license_number": f"{hospital.state}-MD-{rng.randint(100000, 999999)}",
            "consultation_fee": rng.choice(core.CONSULTATION_FEES),
        }))
    loader.flush()
    doctors += list(StaffMember.objects.filter(pk__in=new_ids).select_related("user", "hospital"))
    return doctors


def _windows(loader, doctors, first_day, last_day):
    table = loader.table(Availability)
    for doctor in doctors:
        for weekday in range(5):
            for start, end in WINDOWS:
                table.add({
                    "doctor_id": doctor.pk, "hospital_id": doctor.hospital_id, "weekday": weekday,
                    "start_time": start, "end_time": end, "slot_minutes": SLOT_MINUTES,
                    "valid_from": first_day, "valid_to": last_day,
                })
    table.flush()


def _hospital_slots(hospital, first_day, last_day, now):
    """(start, end) in UTC of every slot of the standard windows at this hospital, none straddling now."""
    tz = hospital.tzinfo
    step = timedelta(minutes=SLOT_MINUTES)
    slots = []
    day = first_day
    while day <= last_day:
        if day.weekday() < 5:
            for open_at, close_at in WINDOWS:
                cursor = datetime.combine(day, open_at)
                close = datetime.combine(day, close_at)
                while cursor + step <= close:
                    start = cursor.replace(tzinfo=tz).astimezone(UTC)
                    end = (cursor + step).replace(tzinfo=tz).astimezone(UTC)
                    if not (start < now < end):
                        slots.append((start, end))
                    cursor += step
        day += timedelta(days=1)
    return slots


# --- patients ----------------------------------------------------------------------------------------------------


def _patients(context, loader, rng, names, count, today):
    """``count`` patients (the two timeline patients first) and their policies; returns ids by hospital."""
    table = loader.table(Patient)
    policies = loader.table(InsurancePolicy)
    hospitals = context.hospitals
    payers = [context.payers[name] for name, _code in core.PAYERS]
    medicare = context.payers[core.MEDICARE[0]]
    prefixes = {context.payers[name].pk: code for name, code in [*core.PAYERS, core.MEDICARE]}
    mrns = mrn_generate_many(count) if count else []
    by_hospital = {h.pk: [] for h in hospitals}
    primary = {}  # patient id -> (policy id, coverage percent, copay)
    special = []
    sexes = [PatientSex.FEMALE, PatientSex.MALE, PatientSex.OTHER, PatientSex.UNKNOWN]
    for index, mrn in enumerate(mrns):
        hospital = hospitals[0] if index < 2 else rng.choices(hospitals, weights=[5, 3, 2, 3, 3][: len(hospitals)])[0]
        spec = SPECS[hospital.code]
        sex = rng.choices(sexes, weights=[49, 48, 2, 1])[0]
        pool = names.female if sex == PatientSex.FEMALE else names.male if sex == PatientSex.MALE else names.other
        first, last = rng.choice(pool), rng.choice(names.last)
        if index < 2:
            first, last = LONG_TIMELINE_NAME if index == 0 else SHORT_TIMELINE_NAME
        age = min(99, int(rng.triangular(0, 95, 42)))
        registered = loader.now - timedelta(days=DAYS_BACK + rng.randint(1, 3000))
        pk = table.add({
            "mrn": mrn, "first_name": first, "last_name": last,
            "date_of_birth": today - timedelta(days=age * 365 + rng.randint(0, 364)),
            "sex": sex, "phone": core._phone(rng, spec["area_code"]),
            "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.com" if rng.random() < 0.8 else "",
            "address_line1": rng.choice(names.streets), "city": rng.choice(spec["cities"]), "state": spec["state"],
            "postal_code": rng.choice(spec["zips"]),
            "emergency_contact_name": f"{rng.choice(names.female + names.male)} {last}",
            "emergency_contact_relation": rng.choice(EmergencyContactRelation.values),
            "emergency_contact_phone": core._phone(rng, spec["area_code"]),
            "preferred_hospital_id": hospital.pk, "is_active": True, "registered_at": registered,
            "registered_by_id": loader.user_id,
        }, history_date=registered)
        if index < 2:
            special.append(pk)
        else:
            by_hospital[hospital.pk].append(pk)
        if rng.random() < 0.85:
            count_policies = 2 if rng.random() < 0.1 else 1
            for n in range(count_policies):
                payer = medicare if n == 0 and age >= 65 and rng.random() < 0.7 else rng.choice(payers)
                coverage, copay = rng.choice(core.COVERAGE_PERCENTS), rng.choice(core.COPAYS)
                policy_id = policies.add({
                    "patient_id": pk, "payer_id": payer.pk,
                    "policy_number": f"{prefixes[payer.pk]}{rng.randint(10**8, 10**9 - 1)}-{n}",
                    "group_number": f"GRP-{rng.randint(1000, 9999)}", "coverage_percent": coverage,
                    "copay": copay, "valid_from": today - timedelta(days=DAYS_BACK + rng.randint(30, 2000)),
                    "valid_to": None, "is_primary": n == 0, "is_active": True,
                }, history_date=registered)
                if n == 0:
                    primary[pk] = (policy_id, coverage, copay)
    loader.flush()
    return by_hospital, special, primary


# --- appointments ------------------------------------------------------------------------------------------------


def _split(total, weights, caps):
    """Integers summing to ``total`` in proportion to weights, none above its cap (the rest spread to others)."""
    shares = [0] * len(weights)
    left, open_ = total, list(range(len(weights)))
    while left > 0 and open_:
        weight_sum = sum(weights[i] for i in open_)
        given = 0
        for i in open_:
            want = max(1, int(left * weights[i] / weight_sum))
            take = min(want, caps[i] - shares[i], left - given)
            if take > 0:
                shares[i] += take
                given += take
            if given >= left:
                break
        left -= given
        open_ = [i for i in open_ if shares[i] < caps[i]]
        if given == 0:
            break
    if left > 0:
        raise ScaleError(
            f"{total} appointments do not fit the doctors' slots ({sum(caps)} at most); ask for more --doctors."
        )
    return shares


def _past_status(rng):
    roll = rng.random()
    if roll < 0.55:
        return AppointmentStatus.COMPLETED
    if roll < 0.82:
        return AppointmentStatus.CANCELLED
    return AppointmentStatus.NO_SHOW


def _plan_appointments(rng, doctors, slots_by_hospital, shares, patients_by_hospital, all_patients, now):
    """[start, end, doctor, patient id, status] of every appointment, sorted by start."""
    plan = []
    taken = set()  # (patient id, slot start): all slots are 30 minutes on the half hour, so equal start = overlap
    for doctor, share in zip(doctors, shares, strict=True):
        if not share:
            continue
        slots = slots_by_hospital[doctor.hospital_id]
        local = patients_by_hospital.get(doctor.hospital_id) or all_patients
        for index in rng.sample(range(len(slots)), share):
            start, end = slots[index]
            for _attempt in range(20):
                patient = rng.choice(local) if rng.random() < 0.85 else rng.choice(all_patients)
                key = (patient, start)
                if key not in taken:
                    taken.add(key)
                    break
            else:
                continue
            if end <= now:
                status = _past_status(rng)
            else:
                status = AppointmentStatus.CANCELLED if rng.random() < 0.1 else AppointmentStatus.SCHEDULED
            plan.append([start, end, doctor, patient, status])
    plan.sort(key=lambda row: (row[0], row[2].pk))
    return plan, taken


def _give_visits(rng, plan, taken, patient_id, count, *, status=AppointmentStatus.COMPLETED):
    """Make ``patient_id`` the patient of exactly ``count`` appointments of ``status`` (distinct times)."""
    candidates = [row for row in plan if row[4] == status]
    rng.shuffle(candidates)
    chosen, starts = [], set()
    for row in candidates:
        if row[0] in starts:
            continue
        starts.add(row[0])
        chosen.append(row)
        if len(chosen) == count:
            break
    if len(chosen) < count:
        raise ScaleError(
            f"Only {len(chosen)} {status} visits at distinct times to give one patient {count}; "
            "ask for more --appointments or a smaller timeline."
        )
    for row in chosen:
        taken.discard((row[3], row[0]))
        row[3] = patient_id
        taken.add((patient_id, row[0]))
    return chosen


def _portal_patient_visits(rng, plan, taken, patient_id, past, future):
    """Give the portal patient some past visits and upcoming bookings (no clashes with their own)."""
    already = {start for (pid, start) in taken if pid == patient_id}
    for status, count in ((AppointmentStatus.COMPLETED, past), (AppointmentStatus.SCHEDULED, future)):
        candidates = [row for row in plan if row[4] == status and row[0] not in already]
        for row in rng.sample(candidates, min(count, len(candidates))):
            if row[0] in already:
                continue
            taken.discard((row[3], row[0]))
            row[3] = patient_id
            already.add(row[0])
            taken.add((patient_id, row[0]))


def _write_visits(loader, rng, plan, *, now, receptionists, billing_users, primary, bill_share, hospitals, out):
    """Appointments, records, diagnoses, bills (lines, claims, payments): all in bulk, with history."""
    appointments = loader.table(Appointment)
    records = loader.table(MedicalRecord)
    diagnoses = loader.table(Diagnosis)
    bills, lines = loader.table(Bill), loader.table(BillLine)
    claims, payments = loader.table(Claim), loader.table(Payment)
    descriptions = {code: icd10.description(code) for case in CASES for code in case[1]}
    outcomes = [o for o, _ in OUTCOME_WEIGHTS]
    outcome_weights = [w for _, w in OUTCOME_WEIGHTS]
    claim_statuses = [s for s, _ in CLAIM_OUTCOMES]
    claim_weights = [w for _, w in CLAIM_OUTCOMES]
    tz_by_hospital = {h.pk: h.tzinfo for h in hospitals}
    code_by_hospital = {h.pk: h.code for h in hospitals}
    minute = timedelta(minutes=1)
    pending_bills = []  # filled in order of creation; numbered at the end
    report_every = max(1, len(plan) // 10)
    for n, (start, end, doctor, patient_id, status) in enumerate(plan, start=1):
        booked_at = min(start - timedelta(days=rng.randint(1, 45), minutes=rng.randint(0, 600)), now - minute)
        row = {
            "patient_id": patient_id, "doctor_id": doctor.pk, "hospital_id": doctor.hospital_id,
            "start": start, "end": end, "reason": rng.choice(REASONS), "status": status,
            "booked_by_id": rng.choice(receptionists), "booked_at": booked_at,
            "kind": AppointmentKind.IN_PERSON,
        }
        if rng.random() < 0.1:
            row["kind"] = AppointmentKind.TELEMEDICINE
            row["telemedicine_url"] = telemedicine_link()
        if status == AppointmentStatus.COMPLETED:
            row["checked_in_at"] = start - timedelta(minutes=rng.randint(5, 20))
            row["started_at"] = start + timedelta(minutes=rng.randint(0, 10))
            row["completed_at"] = end
        elif status == AppointmentStatus.NO_SHOW:
            row["no_show_at"] = start + timedelta(minutes=20)
        elif status == AppointmentStatus.CANCELLED:
            row["cancelled_at"] = booked_at + (min(start, now) - booked_at) * rng.random()
            row["cancellation_reason"] = rng.choice(CANCEL_REASONS)
        appointment_id = appointments.add(row, history_date=booked_at)
        if status == AppointmentStatus.COMPLETED:
            complaint, codes, _meds, _labs, _procedure = rng.choice(CASES)
            outcome = rng.choices(outcomes, weights=outcome_weights)[0]
            doctor_user = doctor.user_id
            record_id = records.add({
                "appointment_id": appointment_id, "patient_id": patient_id, "doctor_id": doctor.pk,
                "chief_complaint": complaint, "clinical_notes": NOTES[outcome], "outcome": outcome,
                "opened_at": row["started_at"], "opened_by_id": doctor_user,
                "signed_at": end, "signed_by_id": doctor_user,
            }, history_date=end)
            for index, code in enumerate(codes):
                diagnoses.add({
                    "record_id": record_id, "patient_id": patient_id, "code": code, "description": descriptions[code],
                    "is_primary": index == 0, "added_by_id": doctor_user,
                    "added_at": row["started_at"] + timedelta(minutes=5 + index),
                }, history_date=end)
            if rng.random() < bill_share:
                created = min(end + timedelta(minutes=rng.randint(5, 120)), now - minute)
                pending_bills.append((created, appointment_id, doctor, patient_id, start))
        if n % report_every == 0:
            _progress(out, f"  appointments: {n:,} of {len(plan):,} ({loader.rows:,} rows so far)")

    # Bills in order of creation, numbered from the counters billing.services uses (per hospital and year).
    pending_bills.sort(key=lambda b: (b[0], b[1]))
    wanted = {}
    for created, _aid, doctor, _pid, _start in pending_bills:
        key = (code_by_hospital[doctor.hospital_id], created.astimezone(tz_by_hospital[doctor.hospital_id]).year)
        wanted[key] = wanted.get(key, 0) + 1
    numbers = {key: iter(next_values(f"billing.bill.{key[0]}.{key[1]}", count)) for key, count in wanted.items()}
    for created, appointment_id, doctor, patient_id, start in pending_bills:
        tz = tz_by_hospital[doctor.hospital_id]
        code = code_by_hospital[doctor.hospital_id]
        key = (code, created.astimezone(tz).year)
        number = f"{code}-{key[1]}-{next(numbers[key]):06d}"
        clerk = rng.choice(billing_users)
        fee = doctor.consultation_fee or Decimal("150.00")
        total = fee
        bill_lines = [(BillLineKind.CONSULTATION, CONSULTATION_CODE, f"Consultation · {doctor}"[:300], fee, "",
                       f"scheduling.appointment:{appointment_id}")]
        if rng.random() < 0.1 and fee > 10:
            bill_lines.append((BillLineKind.ADJUSTMENT, "", "Prompt-pay discount", Decimal("-10.00"),
                               "Prompt-pay discount", ""))
            total -= Decimal("10.00")
        bill = {
            "number": number, "hospital_id": doctor.hospital_id, "patient_id": patient_id,
            "appointment_id": appointment_id, "service_date": start.astimezone(tz).date(),
            "created_at": created, "created_by_id": clerk, "total": total,
        }
        issued = min(created + timedelta(minutes=rng.randint(1, 30)), now)
        void = rng.random() < 0.02
        policy = primary.get(patient_id)
        covered = Decimal("0.00")
        if policy:
            base = max(Decimal("0.00"), total - policy[2])
            covered = min(total, (base * policy[1] / Decimal(100)).quantize(Decimal("0.01")))
            bill["policy_id"] = policy[0]
        paid = insurance_paid = Decimal("0.00")
        bill_id = bill["id"] = bills.reserve()
        later = []  # (table, row, history date) written after the bill
        if void:
            bill.update(status=BillStatus.VOID, voided_at=issued, voided_by_id=clerk,
                        void_reason="Visit billed under the wrong patient")
        else:
            bill.update(issued_at=issued, issued_by_id=clerk)
            if policy and covered > 0:
                outcome = rng.choices(claim_statuses, weights=claim_weights)[0]
                claim = {"bill_id": bill_id, "policy_id": policy[0], "status": outcome, "created_at": issued,
                         "created_by_id": clerk}
                if outcome != ClaimStatus.DRAFT:
                    claim.update(claimed_amount=covered, submission_count=1,
                                 submitted_at=min(issued + timedelta(hours=1), now))
                if outcome not in (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED):
                    claim["reviewed_at"] = min(issued + timedelta(days=3), now)
                if outcome in (ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.PARTIALLY_APPROVED,
                               ClaimStatus.DENIED):
                    claim["adjudicated_at"] = min(issued + timedelta(days=10), now)
                    if outcome == ClaimStatus.DENIED:
                        claim.update(approved_amount=Decimal("0.00"),
                                     adjudication_reason="Missing prior authorization")
                    elif outcome == ClaimStatus.PARTIALLY_APPROVED and covered > Decimal("1.00"):
                        claim.update(approved_amount=(covered * Decimal("0.70")).quantize(Decimal("0.01")),
                                     adjudication_reason="Paid at the contracted rate")
                    else:
                        claim["status"] = outcome if outcome != ClaimStatus.PARTIALLY_APPROVED else ClaimStatus.APPROVED
                        claim["approved_amount"] = covered
                    covered = min(total, claim["approved_amount"])
                if outcome == ClaimStatus.PAID:
                    paid_at = min(issued + timedelta(days=20), now)
                    payment_id = payments.reserve()
                    later.append((payments, {
                        "id": payment_id, "bill_id": bill_id, "amount": claim["approved_amount"],
                        "method": PaymentMethod.INSURANCE, "reference": f"EFT-{bill_id:08d}",
                        "received_by_id": clerk, "received_at": paid_at,
                    }, paid_at))
                    claim.update(paid_at=paid_at, payment_id=payment_id)
                    paid += claim["approved_amount"]
                    insurance_paid += claim["approved_amount"]
                later.append((claims, claim, issued))
            due = total - covered
            roll = rng.random()
            if due > 0 and roll < 0.8:
                amount = due if roll < 0.65 else (due / 2).quantize(Decimal("0.01"))
                if amount > 0:
                    received = min(issued + timedelta(days=rng.randint(0, 30)), now)
                    later.append((payments, {
                        "bill_id": bill_id, "amount": amount,
                        "method": rng.choice([PaymentMethod.CARD, PaymentMethod.CARD, PaymentMethod.CASH]),
                        "reference": f"POS-{bill_id}", "received_by_id": clerk, "received_at": received,
                    }, received))
                    paid += amount
            balance = total - paid
            status = BillStatus.PAID if balance <= 0 else BillStatus.PARTIALLY_PAID if paid > 0 else BillStatus.ISSUED
            bill.update(status=status, insurance_covered=covered, patient_due=total - covered, amount_paid=paid,
                        insurance_paid=insurance_paid, balance=balance)
        if void:
            bill.update(insurance_covered=covered, patient_due=total - covered, balance=total)
        bills.add(bill, history_date=created)
        for kind, code, description, price, reason, source in bill_lines:
            lines.add({
                "bill_id": bill_id, "kind": kind, "code": code, "description": description, "quantity": 1,
                "unit_price": price, "amount": price, "reason": reason, "source": source,
                "created_at": created, "created_by_id": clerk,
            }, history_date=created)
        for table, row, when in later:
            table.add(row, history_date=when)
    loader.flush()
    return len(pending_bills)


# --- inventory -----------------------------------------------------------------------------------------------------


def _inventory(context, loader, rng, movements_wanted, now, pharmacists):
    """Stores and items, and for each stocked item a ledger of receipts and dispenses over the past months."""
    items = {i.code: i for i in Item.objects.all()}
    item_table = loader.table(Item)
    for code, name, form, strength, unit, category, price in MEDICATIONS:
        if code not in items:
            item_table.add({"kind": ItemKind.MEDICATION, "code": code, "name": name, "form": form,
                            "strength": strength, "unit": unit, "category": category, "unit_price": Decimal(price)})
    for code, name, unit, category, price in SUPPLIES:
        if code not in items:
            item_table.add({"kind": ItemKind.SUPPLY, "code": code, "name": name, "unit": unit,
                            "category": category, "unit_price": Decimal(price)})
    stores_table = loader.table(Store)
    have = set(Store.objects.values_list("hospital_id", "code"))
    for hospital in context.hospitals:
        for code, name, kind in STORES:
            if (hospital.pk, code) not in have:
                stores_table.add({"hospital_id": hospital.pk, "code": code, "name": name, "kind": kind})
    loader.flush()
    stocked = set(Batch.objects.values_list("store_id", flat=True).distinct())
    stores = [s for s in Store.objects.filter(hospital__in=context.hospitals).order_by("pk") if s.pk not in stocked]
    medications = list(Item.objects.filter(kind=ItemKind.MEDICATION, is_active=True).order_by("code"))
    supplies = list(Item.objects.filter(kind=ItemKind.SUPPLY, is_active=True).order_by("code"))
    pairs = [(store, item) for store in stores
             for item in (medications if store.kind == StoreKind.PHARMACY else supplies)]
    if not pairs:
        return 0
    batches, movements = loader.table(Batch), loader.table(StockMovement)
    per_pair = max(1, movements_wanted // len(pairs))
    first = now - timedelta(days=DAYS_BACK)
    span = (now - first).total_seconds() - 3600
    made = 0
    for store, item in pairs:
        user = pharmacists.get(store.hospital_id, loader.user_id)
        moments = sorted(first + timedelta(seconds=rng.random() * span) for _ in range(per_pair))
        batch, left, lot = None, 0, 0
        for moment in moments:
            quantity = rng.randint(1, 5)
            if batch is None or left < quantity:
                if batch is not None:
                    batch["quantity_on_hand"] = left
                    batches.add(batch, history_date=batch["received_at"])
                lot += 1
                received = moment - timedelta(minutes=30)
                size = rng.choice([200, 300, 500])
                batch = {
                    "id": batches.reserve(), "item_id": item.pk, "store_id": store.pk,
                    "lot_number": f"{store.pk}-{item.pk}-{lot:05d}",
                    "expiry_date": (received + timedelta(days=730)).date(),
                    "unit_cost": (item.unit_price * Decimal("0.6")).quantize(Decimal("0.01")),
                    "supplier": rng.choice(SUPPLIERS), "received_at": received,
                }
                left = size
                movements.add({"batch_id": batch["id"], "kind": StockMovementKind.RECEIPT, "quantity": size,
                               "note": "Delivery", "created_by_id": user, "created_at": received})
                made += 1
            left -= quantity
            movements.add({"batch_id": batch["id"], "kind": StockMovementKind.DISPENSE, "quantity": -quantity,
                           "note": "Ward issue" if store.kind != StoreKind.PHARMACY else "Over-the-counter sale",
                           "created_by_id": user, "created_at": moment})
            made += 1
        if batch is not None:
            batch["quantity_on_hand"] = left
            batches.add(batch, history_date=batch["received_at"])
    batches.flush()
    movements.flush()
    return made


# --- the whole run ---------------------------------------------------------------------------------------------


def _enable_load_data():
    """On MariaDB/MySQL outside a transaction, reconnect with LOAD DATA LOCAL allowed; whether it is."""
    if connection.vendor != "mysql" or connection.in_atomic_block:
        return False  # inside a test's transaction: multi-row INSERTs on the same connection
    options = connection.settings_dict.setdefault("OPTIONS", {})
    if not options.get("local_infile"):
        options["local_infile"] = 1
        connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@local_infile")
        return bool(cursor.fetchone()[0])


def _mysql_session(enable):
    if connection.vendor != "mysql":
        return
    with connection.cursor() as cursor:
        value = 1 if enable else 0
        cursor.execute(f"SET SESSION foreign_key_checks = {value}, unique_checks = {value}")


def run(*, patients, appointments, seed=core.DEFAULT_SEED, password=core.DEFAULT_PASSWORD, doctors=None,
        long_timeline=1000, short_timeline=10, stdout=None, stderr=None, batch_rows=BATCH_ROWS):
    """Load the data set; returns a ScaleResult (rows inserted, seconds, rows/s, the timeline patients)."""
    started = time.perf_counter()
    load_data = _enable_load_data()
    rng = random.Random(f"{seed}:scale")
    now = timezone.now().replace(second=0, microsecond=0)
    context = core.DemoContext(seed=seed, password=password, patient_target=0, stdout=stdout, stderr=stderr, now=now)
    patients_before = Patient.objects.count()
    _setup(context)
    result = ScaleResult()
    result.setup_seconds = time.perf_counter() - started
    _progress(stdout, f"Setup (roles, logins, {len(context.hospitals)} hospitals, staff, payers): "
                      f"{result.setup_seconds:.1f} s")
    loader = Loader(now=now, user_id=context.acting_user.pk, batch_rows=batch_rows * (10 if load_data else 1),
                    load_data=load_data)
    names = Names(seed)
    today = now.date()
    first_day, last_day = today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)
    slots_by_hospital = {h.pk: _hospital_slots(h, first_day, last_day, now) for h in context.hospitals}
    per_doctor_cap = int(min(len(s) for s in slots_by_hospital.values()) * MAX_BOOKED_SHARE)
    wanted = doctors or max(1, min(250, math.ceil(appointments / APPOINTMENTS_PER_DOCTOR)))
    wanted = max(wanted, math.ceil(appointments / per_doctor_cap) if per_doctor_cap else 1)
    _mysql_session(False)
    try:
        with transaction.atomic():
            staff = _scheduled_doctors(context, loader, rng, names, wanted)
            _windows(loader, staff, first_day, last_day)
            _progress(stdout, f"Doctors: {len(staff)} with availability windows")
            to_add = max(0, patients - (Patient.objects.count() - patients_before))
            by_hospital, special, primary = _patients(context, loader, rng, names, to_add, today)
            all_patients = [pid for ids in by_hospital.values() for pid in ids]
            portal = (Patient.objects.filter(user__username=core.DEMO_PATIENT_USERNAME)
                      .values_list("pk", flat=True).first())
            if portal is not None:
                all_patients.append(portal)
            _progress(stdout, f"Patients: {to_add:,} added ({loader.rows:,} rows so far)")
            if not all_patients and appointments:
                raise ScaleError("Appointments need patients: ask for --patients 3 or more.")
            weights = [1.8 if d.user.username == "doctor" else rng.uniform(0.7, 1.3) for d in staff]
            caps = [int(len(slots_by_hospital[d.hospital_id]) * MAX_BOOKED_SHARE) for d in staff]
            shares = _split(appointments, weights, caps) if appointments else [0] * len(staff)
            plan, taken = _plan_appointments(rng, staff, slots_by_hospital, shares, by_hospital, all_patients, now)
            if special and appointments:
                _give_visits(rng, plan, taken, special[0], long_timeline)
                _give_visits(rng, [r for r in plan if r[3] != special[0]], taken, special[1], short_timeline)
                result.long_timeline_patient_id, result.short_timeline_patient_id = special
            if portal is not None and appointments:
                _portal_patient_visits(rng, [r for r in plan if r[3] not in special], taken, portal, 8, 3)
            del taken
            User = get_user_model()
            receptionists = list(User.objects.filter(staff_profile__role=StaffRole.RECEPTIONIST)
                                 .values_list("pk", flat=True)) or [loader.user_id]
            billing_users = list(User.objects.filter(staff_profile__role=StaffRole.BILLING_CLERK)
                                 .values_list("pk", flat=True)) or [loader.user_id]
            completed = sum(1 for row in plan if row[4] == AppointmentStatus.COMPLETED)
            bill_share = min(1.0, BILL_SHARE * len(plan) / completed) if completed else 0
            bills = _write_visits(loader, rng, plan, now=now, receptionists=receptionists, billing_users=billing_users,
                                  primary=primary, bill_share=bill_share, hospitals=context.hospitals, out=stdout)
            pharmacists = dict(StaffMember.objects.filter(role=StaffRole.PHARMACIST, is_active=True)
                               .values_list("hospital_id", "user_id"))
            movements = _inventory(context, loader, rng, int(len(plan) * MOVEMENT_SHARE), now, pharmacists)
            loader.flush()
    finally:
        loader.close()
        _mysql_session(True)
    counts = {"appointments": len(plan), "completed visits (signed records)": completed, "bills": bills,
              "stock movements": movements, "doctors scheduled": len(staff), "patients added": to_add}
    busiest = {}
    for row in plan:
        busiest[row[2].pk] = busiest.get(row[2].pk, 0) + 1
    result.busiest_doctor_id = max(busiest, key=busiest.get) if busiest else None
    result.counts = counts
    result.rows = loader.rows
    result.seconds = time.perf_counter() - started
    return result


def timeline_patients():
    """(patient with the long timeline, patient with the short one), as seed_scale made them (or None)."""
    long_ = Patient.objects.filter(first_name=LONG_TIMELINE_NAME[0], last_name=LONG_TIMELINE_NAME[1]).first()
    short = Patient.objects.filter(first_name=SHORT_TIMELINE_NAME[0], last_name=SHORT_TIMELINE_NAME[1]).first()
    return long_, short


def database_is_empty():
    return not (Patient.objects.exists() or Appointment.objects.exists())


