"""manage.py icd10 QUERY: look up billable ICD-10-CM codes (by code start or words) from the offline code list."""

from django.core.management.base import BaseCommand, CommandError

from clinical import icd10


class Command(BaseCommand):
    help = "Search billable ICD-10-CM codes by code start (E11, e11.6) or words (type 2 diabetes). Changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="+", help="A code start or words of the description.")
        parser.add_argument("--limit", type=int, default=20, help="Show at most this many codes (default 20).")

    def handle(self, *args, query, limit, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        text = " ".join(query).strip()
        if not text:
            raise CommandError("Give a code or words to search for.")
        rows = icd10.search(text)
        for code, description in rows[:limit]:
            self.stdout.write(f"{code:<9} {description}")
        shown = min(limit, len(rows))
        self.stdout.write(f"{shown} of {len(rows)} billable code{'s' if len(rows) != 1 else ''} shown.")
