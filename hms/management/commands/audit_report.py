"""Who saw a patient's record, or what a user saw: the access log as CSV or JSON (changes nothing)."""

import csv
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hms.access_api import AccessEntrySerializer
from hms.access_selectors import access_entries
from hms.validators import parse_bounded_date

COLUMNS = AccessEntrySerializer.Meta.fields


class Command(BaseCommand):
    help = "The access log of one patient (--patient MRN) or one user (--user NAME), within --from/--to days."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--patient", metavar="MRN", help="Who saw this patient's record.")
        who.add_argument("--user", metavar="NAME", help="What this user (username) saw.")
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="First day (local).")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="Last day (local).")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, **options):
        dates = {}
        for name in ("date_from", "date_to"):
            if options[name]:
                try:
                    dates[name] = parse_bounded_date(options[name])
                except ValidationError as exc:
                    raise CommandError(f"--{name[5:]}: {' '.join(exc.messages)}") from None
        if len(dates) == 2 and dates["date_from"] > dates["date_to"]:
            raise CommandError("--from comes after --to.")
        entries = access_entries(mrn=options["patient"] or "", username=options["user"] or "", **dates)
        rows = (AccessEntrySerializer(entry).data for entry in entries.iterator(chunk_size=2000))
        if options["format"] == "json":
            self.stdout.write(json.dumps(list(rows), default=str, indent=1))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
