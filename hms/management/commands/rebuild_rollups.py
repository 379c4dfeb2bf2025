"""manage.py rebuild_rollups [--check] [NAME ...]: rebuild (or check) the roll-up tables (hms.rollups)."""

from django.core.management.base import BaseCommand, CommandError

from hms.rollups import ROLLUPS


class Command(BaseCommand):
    help = (
        "Rebuild the roll-ups (daily totals the dashboard and reports read: appointments, bills, payments) from "
        "the raw rows; safe to run again. Run it after bulk loads (seed_scale) or after changing a hospital's time "
        "zone. With --check, change nothing: compare each roll-up with the raw rows and exit non-zero when one "
        "differs. Names limit the work to those roll-ups."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME", help=f"Roll-ups to work on: {', '.join(ROLLUPS)}.")
        parser.add_argument("--check", action="store_true", help="Compare only; exit 1 when a roll-up differs.")

    def handle(self, *args, names=(), check=False, **options):
        unknown = [name for name in names if name not in ROLLUPS]
        if unknown:
            raise CommandError(f"Unknown roll-up {unknown[0]!r}; known: {', '.join(ROLLUPS)}.")
        chosen = list(names) or list(ROLLUPS)
        if not check:
            for name in chosen:
                rows = ROLLUPS[name][0]()
                self.stdout.write(self.style.SUCCESS(f"{name}: rebuilt, {rows} rows."))
            return
        failed = []
        for name in chosen:
            diffs = ROLLUPS[name][1]()
            if diffs:
                failed.append(f"{name} ({len(diffs)} rows)")
                for key, stored, raw in diffs[:20]:
                    self.stderr.write(f"{name} {key}: roll-up {stored}, raw {raw}")
            else:
                self.stdout.write(f"{name}: equals the raw rows.")
        if failed:
            raise CommandError(
                f"Roll-ups differ from the raw rows: {', '.join(failed)}; run manage.py rebuild_rollups."
            )
