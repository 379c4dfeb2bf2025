"""manage.py report NAME [--from DATE] [--to DATE] [--hospital CODE] [--department CODE] [--format ...]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.registry import FORMATS, PERIODS, REPORTS, ReportError, get_report, parse_params, render_rows, run_report


class Command(BaseCommand):
    help = (
        "Print a report (read only) as a table, CSV or JSON. `report --list` names the reports. "
        "`report no-show-risk --validate` shows how well the no-show model predicted the period."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="The report to run; see --list.")
        parser.add_argument("--list", action="store_true", help="List the reports with one line each.")
        parser.add_argument("--from", dest="date_from", help="First day (YYYY-MM-DD); default 90 days before --to.")
        parser.add_argument("--to", dest="date_to", help="Last day (YYYY-MM-DD), inclusive; default today.")
        parser.add_argument("--hospital", help="Hospital code, e.g. BOS.")
        parser.add_argument("--department", help="Department code (within --hospital when given).")
        parser.add_argument("--period", help=f"Grouping of trends: {', '.join(PERIODS)}.")
        parser.add_argument("--format", default="table", help=f"Output format: {', '.join(FORMATS)} (default table).")
        parser.add_argument("--output", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--validate", action="store_true", help="With no-show-risk: validate the model on the period instead."
        )

    def handle(self, *args, **options):
        if options["list"]:
            width = max(len(name) for name in REPORTS)
            for report in REPORTS.values():
                self.stdout.write(f"{report.name.ljust(width)}  {report.description}")
            return
        name = options["name"]
        if not name:
            raise CommandError("Name a report, or use --list to see them.")
        if options["validate"]:
            if name != "no-show-risk":
                raise CommandError("--validate applies to the no-show-risk report only.")
            name = "no-show-validation"
        fmt = (options["format"] or "table").lower()
        if fmt not in FORMATS:
            raise CommandError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
        try:
            report = get_report(name)
            params = parse_params(
                report,
                date_from=options["date_from"],
                date_to=options["date_to"],
                hospital=options["hospital"],
                department=options["department"],
                period=options["period"],
            )
            rows = run_report(name, params)
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        text = render_rows(rows, list(report.columns), fmt)
        if options["output"]:
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {options['output']}: {exc.strerror}.") from exc
            if fmt == "table" or options["verbosity"] > 1:
                self.stderr.write(f"{len(rows)} rows written to {options['output']}.")
            return
        self.stdout.write(text, ending="")
