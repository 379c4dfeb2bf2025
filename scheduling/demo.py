"""Demo data for scheduling: rooms, weekday availability and a few weeks of appointments.

``seed(ctx)`` is called by ``manage.py seed_demo`` with a context holding ``rng`` (random.Random),
``doctors``, ``patients``, ``hospitals``, ``admin_user`` and ``now`` (aware). Demo rows are
bulk-created with their history rows; they bypass the services on purpose (past visits cannot
be booked), but follow the same rules: on slots, no overlaps, consistent status timestamps.
"""

from datetime import datetime, time, timedelta

from simple_history.utils import bulk_create_with_history

from scheduling.choices import AppointmentKind, AppointmentStatus, RoomKind
from scheduling.models import Appointment, Availability, Room
from scheduling.selectors import window_slots
from scheduling.services import telemedicine_link

ROOMS = [
    ("Exam 1", RoomKind.EXAM),
    ("Exam 2", RoomKind.EXAM),
    ("Exam 3", RoomKind.EXAM),
    ("Consultation 1", RoomKind.CONSULTATION),
    ("Imaging 1", RoomKind.IMAGING),
    ("Therapy 1", RoomKind.THERAPY),
    ("OR 1", RoomKind.OPERATING),
]
REASONS = [
    "Annual check-up",
    "Follow-up visit",
    "Chest pain on exertion",
    "Persistent cough",
    "Blood pressure review",
    "Knee pain after a fall",
    "Headaches for two weeks",
    "Diabetes follow-up",
    "Medication review",
    "Skin rash",
    "Shortness of breath",
    "Post-operative check",
    "Back pain",
    "Fever and sore throat",
]
CANCEL_REASONS = ["Patient asked to reschedule", "Patient feels better", "Doctor unavailable", "Transport problem"]
WEEKS_BACK = 4
WEEKS_AHEAD = 4
BOOKED_SHARE = 0.2
DEMO_DOCTOR = "doctor"  # the demo login whose day (and the board's) has a visit in every state
WEEKEND_CLINIC = {5: (time(9), time(14)), 6: (time(9), time(14))}  # Saturday and Sunday
# The demo doctor's day, slot by slot from the first: whatever the time the demo is loaded, today shows a visit in
# every state (the times of what has happened are kept between local midnight and now).
TODAY_STATES = [
    AppointmentStatus.COMPLETED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
    AppointmentStatus.IN_PROGRESS,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.SCHEDULED,
]
TODAY_CANCELLED = 8  # also a cancelled visit, at the time of the slot of this index (a cancelled one frees it)


def _seed_rooms(ctx):
    existing = set(Room.objects.values_list("hospital_id", "name"))
    rooms = [
        Room(hospital=hospital, name=name, kind=kind)
        for hospital in ctx.hospitals
        for name, kind in ROOMS
        if (hospital.pk, name) not in existing
    ]
    return bulk_create_with_history(rooms, Room, default_user=ctx.admin_user)


def _seed_availability(ctx):
    """Mon-Fri 09:00-17:00, 30-minute slots, from five weeks ago (the past visits) to ten weeks from today; the
    demo doctor also keeps a weekend clinic (WEEKEND_CLINIC), so the demo has a day of visits whatever the day."""
    have_windows = set(Availability.objects.values_list("doctor_id", "weekday"))
    windows = []
    for doctor in ctx.doctors:
        today = ctx.now.astimezone(doctor.hospital.tzinfo).date()
        if doctor.user.username == DEMO_DOCTOR:
            for weekday, (start, end) in WEEKEND_CLINIC.items():
                if (doctor.pk, weekday) not in have_windows:
                    windows.append(
                        Availability(
                            doctor=doctor,
                            hospital=doctor.hospital,
                            weekday=weekday,
                            start_time=start,
                            end_time=end,
                            slot_minutes=30,
                            valid_from=today - timedelta(weeks=WEEKS_BACK + 1),
                            valid_to=today + timedelta(weeks=10),
                        )
                    )
        if any((doctor.pk, weekday) in have_windows for weekday in range(5)):
            continue
        for weekday in range(5):
            windows.append(
                Availability(
                    doctor=doctor,
                    hospital=doctor.hospital,
                    weekday=weekday,
                    start_time=time(9),
                    end_time=time(17),
                    slot_minutes=30,
                    valid_from=today - timedelta(weeks=WEEKS_BACK + 1),
                    valid_to=today + timedelta(weeks=10),
                )
            )
    return bulk_create_with_history(windows, Availability, default_user=ctx.admin_user)


def _appointment(ctx, *, doctor, patient, slot, status, kind):
    rng, now = ctx.rng, ctx.now
    booked_at = min(slot.start - timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 8)), now)
    appointment = Appointment(
        patient=patient,
        doctor=doctor,
        hospital=slot.window.hospital,
        start=slot.start,
        end=slot.end,
        kind=kind,
        reason=rng.choice(REASONS),
        status=status,
        booked_by=ctx.admin_user,
        booked_at=booked_at,
    )
    if kind == AppointmentKind.TELEMEDICINE:
        appointment.telemedicine_url = telemedicine_link()
    if status == AppointmentStatus.COMPLETED:
        appointment.checked_in_at = slot.start - timedelta(minutes=rng.randint(5, 20))
        appointment.started_at = slot.start + timedelta(minutes=rng.randint(0, 10))
        appointment.completed_at = slot.end
    elif status == AppointmentStatus.NO_SHOW:
        appointment.no_show_at = slot.start + timedelta(minutes=20)
    elif status == AppointmentStatus.CANCELLED:
        appointment.cancelled_at = booked_at + (min(slot.start, now) - booked_at) * rng.random()
        appointment.cancellation_reason = rng.choice(CANCEL_REASONS)
    return appointment


def _past_status(rng):
    roll = rng.random()
    if roll < 0.75:
        return AppointmentStatus.COMPLETED
    if roll < 0.87:
        return AppointmentStatus.CANCELLED
    return AppointmentStatus.NO_SHOW


def _seed_appointments(ctx, windows_by_doctor):
    rng, now = ctx.rng, ctx.now
    patients = list(ctx.patients)
    if not patients:
        return []
    taken = set()  # (patient id, start): all demo slots are 30 minutes on the half hour, so equal starts = overlap
    appointments = []
    free_future = []
    for doctor in ctx.doctors:
        windows = windows_by_doctor.get(doctor.pk, [])
        today = now.astimezone(doctor.hospital.tzinfo).date()
        slots = window_slots(windows, today - timedelta(weeks=WEEKS_BACK), today + timedelta(weeks=WEEKS_AHEAD))
        demo_doctor = doctor.user.username == DEMO_DOCTOR
        for slot in slots:
            if slot.start < now < slot.end:
                continue
            if demo_doctor and slot.start.astimezone(doctor.hospital.tzinfo).date() == today:
                continue  # the demo doctor's day is made by _today_appointments
            if rng.random() > BOOKED_SHARE:
                if slot.start > now:
                    free_future.append((doctor, slot))
                continue
            patient = rng.choice(patients)
            if (patient.pk, slot.start) in taken:
                continue
            taken.add((patient.pk, slot.start))
            if slot.end <= now:
                status = _past_status(rng)
            else:
                status = AppointmentStatus.CANCELLED if rng.random() < 0.12 else AppointmentStatus.SCHEDULED
            kind = AppointmentKind.TELEMEDICINE if rng.random() < 0.15 else AppointmentKind.IN_PERSON
            appointments.append(_appointment(ctx, doctor=doctor, patient=patient, slot=slot, status=status, kind=kind))
    # Every portal patient has something upcoming to look at.
    upcoming = {a.patient_id for a in appointments if a.status == AppointmentStatus.SCHEDULED}
    free_future.sort(key=lambda pair: pair[1].start)
    for patient in patients:
        if patient.user_id is None or patient.pk in upcoming:
            continue
        for index, (doctor, slot) in enumerate(free_future):
            if slot.start - now > timedelta(days=1) and (patient.pk, slot.start) not in taken:
                taken.add((patient.pk, slot.start))
                appointments.append(
                    _appointment(
                        ctx,
                        doctor=doctor,
                        patient=patient,
                        slot=slot,
                        status=AppointmentStatus.SCHEDULED,
                        kind=AppointmentKind.IN_PERSON,
                    )
                )
                del free_future[index]
                break
    return bulk_create_with_history(appointments, Appointment, batch_size=500, default_user=ctx.admin_user)


def _today_appointments(ctx, windows_by_doctor):
    """The demo doctor's visits of today (local), one in every state (TODAY_STATES), on the slots of their windows;
    none when they have some today already. Statuses follow the slots whatever the time: what has happened (check-in,
    start, end, no-show) is dated between local midnight and now."""
    doctor = next((d for d in ctx.doctors if d.user.username == DEMO_DOCTOR), None)
    patients = list(ctx.patients[:200])
    if doctor is None or not patients:
        return []
    tz, now = doctor.hospital.tzinfo, ctx.now
    today = now.astimezone(tz).date()
    midnight = datetime.combine(today, time.min, tzinfo=tz)
    if Appointment.objects.filter(doctor=doctor, start__gte=midnight, start__lt=midnight + timedelta(days=1)).exists():
        return []
    slots = window_slots(windows_by_doctor.get(doctor.pk, []), today, today)[: len(TODAY_STATES)]
    # (patient, start) of the day's visits: all demo slots are 30 minutes on the half hour, so equal starts = overlap
    taken = set(
        Appointment.objects.filter(start__gte=midnight - timedelta(days=1), start__lt=midnight + timedelta(days=2))
        .values_list("patient_id", "start")
    )
    rng = ctx.rng_for("scheduling.today")

    def happened(moment):  # between local midnight and now, whatever the time of the slot
        return max(midnight + timedelta(minutes=1), min(moment, now))

    def patient_for(slot):
        for _ in range(50):
            patient = rng.choice(patients)
            if (patient.pk, slot.start) not in taken:
                taken.add((patient.pk, slot.start))
                return patient
        return None

    appointments = []
    plan = [(slot, state) for slot, state in zip(slots, TODAY_STATES, strict=False)]
    if len(slots) > TODAY_CANCELLED:
        plan.append((slots[TODAY_CANCELLED], AppointmentStatus.CANCELLED))
    for slot, state in plan:
        patient = patient_for(slot)
        if patient is None:
            continue
        appointment = _appointment(
            ctx, doctor=doctor, patient=patient, slot=slot, status=state, kind=AppointmentKind.IN_PERSON
        )
        appointment.booked_at = happened(slot.start - timedelta(days=rng.randint(1, 14)))
        if state in (AppointmentStatus.COMPLETED, AppointmentStatus.IN_PROGRESS, AppointmentStatus.CHECKED_IN):
            appointment.checked_in_at = happened(slot.start - timedelta(minutes=rng.randint(5, 20)))
        if state in (AppointmentStatus.COMPLETED, AppointmentStatus.IN_PROGRESS):
            appointment.started_at = max(appointment.checked_in_at, happened(slot.start + timedelta(minutes=2)))
        if state == AppointmentStatus.COMPLETED:
            appointment.completed_at = max(appointment.started_at, happened(slot.end))
        if state == AppointmentStatus.NO_SHOW:
            appointment.no_show_at = happened(slot.start + timedelta(minutes=20))
        if state == AppointmentStatus.CANCELLED:
            appointment.cancelled_at = happened(slot.start - timedelta(hours=20))
            appointment.cancellation_reason = rng.choice(CANCEL_REASONS)
        appointments.append(appointment)
    return bulk_create_with_history(appointments, Appointment, default_user=ctx.admin_user)


def seed(ctx):
    """Create rooms, availability and appointments; return how many of each were created."""
    rooms = _seed_rooms(ctx)
    windows = _seed_availability(ctx)
    doctor_ids = [doctor.pk for doctor in ctx.doctors]
    windows_by_doctor = {}
    for window in Availability.objects.filter(doctor_id__in=doctor_ids).select_related("hospital"):
        windows_by_doctor.setdefault(window.doctor_id, []).append(window)
    if Appointment.objects.filter(doctor_id__in=doctor_ids).exists():
        appointments = []  # seeded before: leave the schedule alone (but for the demo doctor's day, below)
    else:
        appointments = _seed_appointments(ctx, windows_by_doctor)
    appointments += _today_appointments(ctx, windows_by_doctor)
    return {"rooms": len(rooms), "availability windows": len(windows), "appointments": len(appointments)}
