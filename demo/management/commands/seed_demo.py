"""manage.py seed_demo: load the demo data (hospitals, staff, one login per role, patients).

The data is built by demo/core.py: its CORE_STEPS, then ``<app>.demo.seed(context)`` of every
app in its APP_HOOKS (see the demo.core docstring for how to add one).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo import core
from hms import rollups


class Command(BaseCommand):
    help = (
        "Load demo data: hospitals in several states, their departments and staff, one login per role "
        "(admin, doctor, nurse, reception, billing, pharmacist, labtech, patient) and N patients with "
        "allergies, medical history and insurance. The same --seed gives the same data. "
        "Safe to run again: hospitals, departments and staff are created only when missing, the demo "
        "logins are reset to --password, and patients are added only until N exist (a second run with "
        "the same N adds none; a larger N adds the difference). Nothing is deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--patients", type=int, default=core.DEFAULT_PATIENTS, metavar="N",
            help=f"How many patients the database should hold, the demo patient included "
            f"(default {core.DEFAULT_PATIENTS}).",
        )
        parser.add_argument(
            "--seed", type=int, default=core.DEFAULT_SEED, metavar="S",
            help=f"Random seed; the same seed gives the same data (default {core.DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--password", default=core.DEFAULT_PASSWORD, metavar="P",
            help=f"Password of every demo login (default {core.DEFAULT_PASSWORD!r}).",
        )

    def handle(self, *args, patients, seed, password, **options):
        if patients < 0:
            raise CommandError("--patients must be 0 or more.")
        if not password:
            raise CommandError("--password must not be empty.")
        context = core.DemoContext(
            seed=seed,
            password=password,
            patient_target=patients,
            stdout=self.stdout,
            stderr=self.stderr,
            verbosity=options["verbosity"],
        )
        with transaction.atomic():
            core.run(context)
            rollups.rebuild_all()  # bulk-inserted rows bypass the services that keep the roll-ups (issue 11)
        self.report(context)

    def report(self, context):
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (seed {context.seed})."))
        for note in context.notes:
            self.stdout.write(f"  {note}")
        width = max(len(label) for label, _ in context.summary)
        for label, value in context.summary:
            self.stdout.write(f"  {label:<{width}}  {value}")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Demo logins (password: {context.password})"))
        for username, role, start in context.logins:
            self.stdout.write(f"  {username:<12} {role:<16} {start}")
