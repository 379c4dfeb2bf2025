"""manage.py seal_audit [--through YYYY-MM-DD] [--include-today]: seal the audit tables' ended days (hms.chain)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from hms.chain import default_through, seal
from hms.exceptions import DomainError


def _day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--through takes a date as YYYY-MM-DD, not {text!r}.") from exc


class Command(BaseCommand):
    help = (
        "Seal every audit table (each simple-history table, and those registered with hms.chain.register) up to "
        "the end of a UTC day: one chained seal per table per day with rows, covering the days not sealed yet. "
        "Run daily after midnight UTC (cron: 30 0 * * *); safe to run again. manage.py verify_audit checks them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--through", help="Last UTC day to seal (YYYY-MM-DD); default yesterday.")
        parser.add_argument(
            "--include-today",
            action="store_true",
            help="Allow --through today (only when nothing writes: rows written later today would read as inserted).",
        )

    def handle(self, *args, through=None, include_today=False, **options):
        through = _day(through) if through else default_through()
        started = time.monotonic()

        def progress(result):
            if result.refused:
                self.stderr.write(f"{result.table}: not sealed, {result.refused}.")
            elif result.seals:
                self.stdout.write(f"{result.table}: {result.rows} rows sealed in {result.seals} seals.")

        try:
            results = seal(through=through, include_today=include_today, progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        seconds = time.monotonic() - started
        rows = sum(r.rows for r in results)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sealed through {through} (UTC): {rows} rows in {sum(r.seals for r in results)} new seals over "
                f"{len(results)} tables, {seconds:.1f} s ({rows / seconds if seconds else 0:,.0f} rows/s)."
            )
        )
        if any(r.refused for r in results):
            raise CommandError("Some tables were not sealed (see above); run seal_audit again.")
