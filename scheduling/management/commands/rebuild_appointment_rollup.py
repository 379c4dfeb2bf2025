"""manage.py rebuild_appointment_rollup [--check]: rebuild (or check) the appointment roll-up."""

from django.core.management.base import BaseCommand, CommandError

from scheduling import rollups


class Command(BaseCommand):
    help = (
        "Rebuild the appointment roll-up (appointments per local day, hospital, status, kind and lead bucket) "
        "from the appointments; safe to run again. Run it after bulk loads or after changing a hospital's time "
        "zone. With --check, change nothing: compare the roll-up with the appointments and exit non-zero when "
        "they differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; exit 1 when the roll-up differs.")

    def handle(self, *args, check=False, **options):
        if check:
            diffs = rollups.differences()
            if diffs:
                for key, stored, raw in diffs[:20]:
                    day, hospital_id, status, kind, bucket = key
                    self.stderr.write(
                        f"{day} hospital {hospital_id} {status}/{kind}/{bucket}: roll-up {stored}, appointments {raw}"
                    )
                raise CommandError(
                    f"The appointment roll-up differs from the appointments in {len(diffs)} row(s); "
                    "run manage.py rebuild_appointment_rollup."
                )
            self.stdout.write("The appointment roll-up equals the appointments.")
            return
        rows = rollups.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Appointment roll-up rebuilt: {rows} rows."))
