#!/usr/bin/env python
"""HMS benchmark: prints response times and query counts of the busiest pages and API lists.

Run with `make bench` (MariaDB database `hms_bench`) or, for SQLite:
    DEBUG=1 DATABASE_URL=sqlite:///bench.sqlite3 .venv/bin/python scripts/benchmark.py --patients 2000

It migrates the database, loads demo data once (seed_demo with --patients N), then requests each
URL --repeat times in-process (Django test client, no network) and prints the median and p95
time and the number of SQL queries of one request. Query counts must not grow with N: run it at
two sizes and compare. It also times sequential bookings and a burst of concurrent bookings of
one slot (exactly one must win).
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hms.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def measure(client, url, repeat):
    timings = []
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx)
    if response.status_code != 200:
        return {"url": url, "status": response.status_code, "queries": queries, "median": 0, "p95": 0}
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return {"url": url, "status": 200, "queries": queries, "median": statistics.median(timings), "p95": p95}


def concurrent_bookings(doctor, patients, start, threads):
    from hms.exceptions import Conflict
    from scheduling.services import appointment_book

    User = get_user_model()
    clerk = User.objects.get(username="reception")
    barrier = threading.Barrier(threads)
    outcomes = []

    def worker(patient):
        try:
            barrier.wait()
            appointment_book(acting_user=clerk, patient=patient, doctor=doctor, start=start, reason="Benchmark")
            outcomes.append("booked")
        except Conflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker, args=(p,)) for p in patients[:threads]]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return outcomes, (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--threads", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from patients.models import Patient
    from scheduling.models import Appointment
    from scheduling.selectors import doctor_free_slot_objects
    from staff.models import StaffMember

    if Patient.objects.count() < args.patients:
        started = time.perf_counter()
        call_command("seed_demo", patients=args.patients, verbosity=0)
        print(f"seed_demo --patients {args.patients}: {time.perf_counter() - started:.1f} s")

    User = get_user_model()
    doctor = StaffMember.objects.doctors().active().select_related("hospital").first()
    patient = Patient.objects.active().first()
    today = timezone.localdate()
    clients = {}
    for username in ("admin", "reception", "doctor", "patient"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client

    print(
        f"\nData: {Patient.objects.count()} patients, {Appointment.objects.count()} appointments, "
        f"{StaffMember.objects.count()} staff; database: {connection.vendor}\n"
    )
    month_later = today + timezone.timedelta(days=30)
    urls = [
        ("reception", "/api/v1/patients/?page_size=50"),
        ("reception", "/api/v1/patients/?search=smi"),
        ("reception", f"/api/v1/patients/{patient.pk}/"),
        ("reception", "/api/v1/appointments/?page_size=50"),
        ("reception", "/api/v1/appointments/?upcoming=true"),
        ("reception", f"/api/v1/doctors/{doctor.pk}/slots/?date={today}"),
        ("reception", f"/api/v1/doctors/{doctor.pk}/slots/?date_from={today}&date_to={month_later}"),
        ("reception", "/api/v1/staff/"),
        ("reception", "/patients/?q=a"),
        ("reception", "/scheduling/board/"),
        ("doctor", "/scheduling/my-schedule/?view=week"),
        ("patient", "/api/v1/appointments/"),
        ("admin", "/admin/patients/patient/"),
        ("admin", "/admin/scheduling/appointment/"),
    ]
    print(f"{'user':<10} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}  url")
    for username, url in urls:
        row = measure(clients[username], url, args.repeat)
        print(
            f"{username:<10} {row['status']:>6} {row['queries']:>7} {row['median']:>10.1f} {row['p95']:>8.1f}  {url}"
        )

    from scheduling.services import appointment_book

    clerk = User.objects.get(username="reception")
    slots = doctor_free_slot_objects(doctor=doctor, date_from=today + timezone.timedelta(days=20),
                              date_to=today + timezone.timedelta(days=40))
    patients = list(Patient.objects.active().order_by("?")[: max(args.threads, 50) + 50])
    booked, started = 0, time.perf_counter()
    for slot, who in zip(slots[:50], patients[:50], strict=False):
        try:
            appointment_book(acting_user=clerk, patient=who, doctor=doctor, start=slot.start, reason="Benchmark")
            booked += 1
        except Exception:  # another benchmark run may have taken the slot or the patient may be busy
            pass
    elapsed = (time.perf_counter() - started) * 1000
    if booked:
        print(f"\nSequential bookings: {booked} in {elapsed:.0f} ms ({elapsed / booked:.1f} ms each)")
    if len(slots) > 60:
        outcomes, elapsed = concurrent_bookings(doctor, patients[50:], slots[60].start, args.threads)
        print(
            f"Concurrent bookings of one slot: {len(outcomes)} requests in {elapsed:.0f} ms -> "
            f"{outcomes.count('booked')} booked, {outcomes.count('refused')} refused"
        )


if __name__ == "__main__":
    main()
