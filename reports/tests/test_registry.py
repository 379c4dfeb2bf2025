"""The registry holds each report's function itself, taken from the reports module of the app that owns the data."""

import dataclasses
import inspect

from reports.registry import REPORTS

DOMAIN_APPS = {"staff", "patients", "scheduling", "clinical", "billing", "inventory"}
REPORT_KEYWORDS = {"date_from", "date_to", "hospital", "department", "period"}


def test_every_report_runs_a_function_of_its_owning_apps_reports_module_taking_the_report_keywords():
    for report in REPORTS.values():
        fields = {field.name: field for field in dataclasses.fields(report)}
        assert "function" in fields, "the entry holds the function itself, not a dotted path imported at run time"
        assert inspect.isfunction(report.function), report.name
        app, module = report.function.__module__.split(".")
        assert module == "reports" and app in DOMAIN_APPS, report.name
        assert set(inspect.signature(report.function).parameters) >= REPORT_KEYWORDS, report.name
