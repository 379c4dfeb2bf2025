from django.core.management.base import BaseCommand

from inventory.selectors import ledger_mismatches


class Command(BaseCommand):
    help = (
        "Verify that every batch's quantity on hand equals the sum of its stock movements (one aggregate query). "
        "Exits 1 and lists the mismatches when there are any. Changes nothing."
    )

    def handle(self, *args, **options):
        mismatches = ledger_mismatches()
        if not mismatches:
            self.stdout.write(self.style.SUCCESS("Stock ledger OK: every batch matches the sum of its movements."))
            return
        for pk, lot, item_code, store_id, on_hand, ledger in mismatches:
            self.stdout.write(
                f"Batch {pk} ({item_code} lot {lot}, store {store_id}): on hand {on_hand}, ledger sum {ledger}"
            )
        self.stderr.write(f"{len(mismatches)} batch(es) do not match their ledger.")
        raise SystemExit(1)
