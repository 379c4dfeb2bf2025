"""manage.py verify_audit [--table T ...]: walk every audit chain; exit 1 at a break (hms.chain)."""

from django.core.management.base import BaseCommand, CommandError

from hms.chain import verify
from hms.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Verify the audit tables against their seals (manage.py seal_audit): every seal's chain, then every "
        "sealed row. Prints the first altered, inserted or deleted entry of each broken table (table, day, id, "
        "what) and exits 1; exits 0 with a summary when every chain holds. Rows of days not sealed yet are counted "
        "as pending. Each run is stored for the privacy officer (ChainVerification)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--table", action="append", default=[], help="Only this table (repeatable).")

    def handle(self, *args, table=(), **options):
        def progress(result):
            status = "ok" if not result.first_break else "BROKEN"
            self.stdout.write(
                f"{result.table}: {result.rows_sealed} rows sealed in {result.seals} seals, "
                f"{result.rows_pending} pending: {status}"
            )

        try:
            verification, _ = verify(tables=table, progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        rows = verification.rows_sealed + verification.rows_pending
        speed = rows / verification.seconds if verification.seconds else 0
        summary = (
            f"{verification.tables} tables, {verification.seals} seals, {verification.rows_sealed} rows sealed, "
            f"{verification.rows_pending} pending; {verification.seconds:.1f} s ({speed:,.0f} rows/s). "
            f"Head {verification.head}."
        )
        if verification.ok:
            self.stdout.write(self.style.SUCCESS(f"Every audit chain holds: {summary}"))
            return
        for found in verification.breaks:
            self.stderr.write(
                f"{found['table']}: first break on {found['day']}, id {found['id'] or '-'}: {found['what']}"
            )
        raise CommandError(f"The audit trail was altered: {len(verification.breaks)} table(s) broken. {summary}")
