"""manage.py seed_scale: a chain's years of data (100k patients, 1M appointments...) loaded in bulk.

See demo/scale.py for what is made and how it stays valid.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo import core, scale


class Command(BaseCommand):
    help = (
        "Load data at scale in bulk (>= 10,000 rows/s on MariaDB): five hospitals in five US time zones, "
        "doctors with Mon-Fri availability, N patients with insurance, M appointments over about 18 months "
        "past and 6 months ahead (no doctor overlaps), signed records with diagnoses for completed visits, "
        "bills with lines, claims and payments for about a fifth of them, stock movements; history rows "
        "included. Creates the demo logins (admin, doctor, nurse, reception, billing, pharmacist, labtech, "
        "patient; password --password). Two patients for the timeline figure: 'Thousand Timeline' "
        "(--long-timeline completed visits) and 'Ten Timeline' (--short-timeline). Refuses a database that "
        "already has patients or appointments unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=2000, metavar="N", help="Patients to add (default 2000).")
        parser.add_argument(
            "--appointments", type=int, default=10000, metavar="M", help="Appointments to add (default 10000)."
        )
        parser.add_argument(
            "--doctors", type=int, default=None, metavar="D",
            help="Doctors to schedule (default: about one per 5,000 appointments, at most 250; "
            "more when the slots would not fit).",
        )
        parser.add_argument("--seed", type=int, default=core.DEFAULT_SEED, metavar="S", help="Random seed.")
        parser.add_argument(
            "--password", default=core.DEFAULT_PASSWORD, metavar="P", help="Password of the demo logins."
        )
        parser.add_argument(
            "--long-timeline", type=int, default=1000, metavar="K",
            help="Completed visits of the patient 'Thousand Timeline' (default 1000).",
        )
        parser.add_argument(
            "--short-timeline", type=int, default=10, metavar="K",
            help="Completed visits of the patient 'Ten Timeline' (default 10).",
        )
        parser.add_argument(
            "--batch-rows", type=int, default=scale.BATCH_ROWS, metavar="B",
            help=f"Rows per multi-row INSERT (default {scale.BATCH_ROWS}).",
        )
        parser.add_argument(
            "--force", action="store_true",
            help="Add to a database that already has patients or appointments "
            "(doctors with a schedule are left alone).",
        )

    def handle(self, *args, patients, appointments, doctors, seed, password, long_timeline, short_timeline,
               batch_rows, force, **options):
        if patients < 0 or appointments < 0:
            raise CommandError("--patients and --appointments must be 0 or more.")
        if appointments and patients < 3:
            raise CommandError("Appointments need patients: give --patients 3 or more.")
        if doctors is not None and not 1 <= doctors <= 2000:
            raise CommandError("--doctors must be between 1 and 2000.")
        if long_timeline < 0 or short_timeline < 0:
            raise CommandError("--long-timeline and --short-timeline must be 0 or more.")
        if batch_rows < 1:
            raise CommandError("--batch-rows must be 1 or more.")
        if not password:
            raise CommandError("--password must not be empty.")
        if not force and not scale.database_is_empty():
            raise CommandError(
                "This database already has patients or appointments; seed_scale loads an empty one. "
                "Use --force to add to it anyway."
            )
        self.stdout.write(f"seed_scale: {patients:,} patients, {appointments:,} appointments (seed {seed})")
        try:
            result = scale.run(
                patients=patients, appointments=appointments, seed=seed, password=password, doctors=doctors,
                long_timeline=long_timeline, short_timeline=short_timeline, stdout=self.stdout,
                stderr=self.stderr, batch_rows=batch_rows,
            )
        except scale.ScaleError as error:
            raise CommandError(str(error)) from error
        for label, value in result.counts.items():
            self.stdout.write(f"  {label:<36} {value:>12,}")
        if result.long_timeline_patient_id:
            self.stdout.write(
                f"  timeline patients: 'Thousand Timeline' id {result.long_timeline_patient_id} "
                f"({long_timeline} visits), 'Ten Timeline' id {result.short_timeline_patient_id} "
                f"({short_timeline} visits)"
            )
        if result.busiest_doctor_id:
            self.stdout.write(f"  busiest doctor: staff member id {result.busiest_doctor_id}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.rows:,} rows in {result.seconds:.1f} s: {result.rows_per_second:,.0f} rows/s "
                f"(setup through the services {result.setup_seconds:.1f} s included)."
            )
        )
        # The roll-ups the dashboard and reports read are filled from the loaded rows (not counted in rows/s).
        started = time.perf_counter()
        call_command("rebuild_rollups", stdout=self.stdout)
        self.stdout.write(f"Roll-ups rebuilt in {time.perf_counter() - started:.1f} s.")
        self.stdout.write(f"Demo logins (password: {password}): " + ", ".join(core.DEMO_USERNAMES))
        self.result = result
