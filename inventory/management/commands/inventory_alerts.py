from django.core.management.base import BaseCommand, CommandError

from inventory.choices import AlertKind
from inventory.selectors import DEFAULT_ALERT_DAYS, inventory_alerts
from staff.models import Hospital


class Command(BaseCommand):
    help = (
        "Print low-stock and expiry alerts (expired, or expiring within --days days). "
        "Exits 0 when there are none and 1 when there are, for cron. Changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=DEFAULT_ALERT_DAYS, help=f"Expiry horizon (default {DEFAULT_ALERT_DAYS})."
        )
        parser.add_argument("--hospital", help="Only this hospital's stores (its code, e.g. BOS).")

    def handle(self, *args, days, hospital=None, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        selected = None
        if hospital:
            selected = Hospital.objects.filter(code=hospital.upper()).first()
            if selected is None:
                raise CommandError(f"No hospital with code {hospital}.")
        alerts = inventory_alerts(days=days, hospital=selected)
        if not alerts:
            self.stdout.write(self.style.SUCCESS(f"No inventory alerts (expiry horizon {days} days)."))
            return
        for alert in alerts:
            self.stdout.write(f"[{AlertKind(alert.kind).label}] {alert.message}")
        self.stdout.write(f"{len(alerts)} alert(s).")
        raise SystemExit(1)
