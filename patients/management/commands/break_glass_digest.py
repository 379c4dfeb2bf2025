"""The day's break-glass grants, for the privacy officer: printed, and emailed to PRIVACY_OFFICER_EMAILS
(through EMAIL_BACKEND) when any are set. Changes nothing."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from patients.selectors import break_glass_grants_between


def digest_text(day, grants):
    lines = [f"Break-glass access on {day:%Y-%m-%d}: {len(grants)} grant{'s' if len(grants) != 1 else ''}."]
    for grant in grants:
        started = timezone.localtime(grant.started_at)
        who = grant.user.get_full_name() or grant.user.get_username()
        lines.append(
            f"- {started:%H:%M} {who} opened {grant.patient.last_name}, {grant.patient.first_name} "
            f"(MRN {grant.patient.mrn}) until {timezone.localtime(grant.expires_at):%H:%M}: {grant.reason}"
        )
    if grants:
        lines.append("Review them on the break-glass reviews page (/patients/break-glass/).")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print (and email to PRIVACY_OFFICER_EMAILS) the break-glass grants of a day (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day, YYYY-MM-DD (default: yesterday, in the server's time zone).")

    def handle(self, *args, **options):
        raw = options.get("date")
        if raw:
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                raise CommandError("--date must be a day written YYYY-MM-DD.") from None
            if not date(2000, 1, 1) <= day <= timezone.localdate() + timedelta(days=1):
                raise CommandError("--date must be a day between 2000-01-01 and tomorrow.")
        else:
            day = timezone.localdate() - timedelta(days=1)
        tz = timezone.get_current_timezone()
        start = datetime.combine(day, time.min, tzinfo=tz)
        grants = list(break_glass_grants_between(start, start + timedelta(days=1)))
        text = digest_text(day, grants)
        self.stdout.write(text)
        recipients = settings.PRIVACY_OFFICER_EMAILS
        if recipients:
            send_mail(f"Break-glass digest for {day:%Y-%m-%d} ({len(grants)})", text, None, recipients)
            self.stdout.write(f"Emailed to {', '.join(recipients)}.")
