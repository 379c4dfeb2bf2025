"""The apps' dependency order, lowest line first: the one list of it (README "Dependency order",
hms/tests/test_import_order.py).

An app imports only from apps on lower lines, never from a sibling on its own line nor from a higher line;
imports inside functions, ``importlib.import_module("app...")`` and ``apps.get_model("app", ...)`` count, and
every ForeignKey / OneToOneField / ManyToManyField points to its own app or a lower line. An upward need is met
by a signal the lower app defines and sends, or a hook registry the lower app defines and the upper app fills
in its ``AppConfig.ready()``. URL includes and ``INSTALLED_APPS`` (strings) are not imports.
"""

LAYERS: list[tuple[str, ...]] = [
    ("hms",),  # the base: settings, URLs, roles, permissions, audit, exceptions, shared helpers
    ("accounts",),  # logins: lockout, API tokens, two-factor, password reset, security headers
    ("staff",),  # hospitals, departments, staff members
    ("patients", "catalog"),  # patients; the item master (medications, supplies, kinds of equipment)
    ("scheduling",),  # availability, rooms, equipment, appointments
    ("clinical",),  # records, diagnoses, prescriptions, lab orders and results
    ("inventory",),  # stores, batches, the stock ledger, dispensing
    ("billing",),  # bills, payments, refunds, claims
    ("reports", "demo"),  # reporting and the dashboard; seed_demo / seed_scale orchestration
    ("tests",),  # system-wide tests that walk every app (the top-level tests/ package, the root conftest.py)
]

LINE_OF: dict[str, int] = {app: line for line, apps in enumerate(LAYERS) for app in apps}


def may_depend_on(app: str, other: str) -> bool:
    """Whether ``app`` may import from (or point a model field at) ``other``: its own app or a lower line.
    Apps outside the list (Django's, third-party) are always allowed."""
    if app == other or app not in LINE_OF or other not in LINE_OF:
        return True
    return LINE_OF[other] < LINE_OF[app]


def order_text() -> str:
    """The order as the README writes it: ``hms ← staff ← patients, catalog ← ...`` (lowest first)."""
    return " ← ".join(", ".join(apps) for apps in LAYERS)
