#!/usr/bin/env python
"""HMS benchmark (`make bench`): every goal of issue 11 measured at 10k and 1M appointments in one run.

1. Data sets. Two MariaDB databases next to the one in DATABASE_URL: hms_bench_10k (2,000 patients,
   10,000 appointments) and hms_bench_1m (100,000 patients, 1,000,000 appointments), loaded ONCE by
   `manage.py seed_scale`. A table `bench_meta` in each keeps the fingerprint (seed_scale version and
   sizes) and the load's rows/s. Later runs reuse the data: new migrations are applied with `migrate`
   (the data stays), a different seed_scale version or a migration that is no longer in the code
   rebuilds, and `--rebuild` always does.
2. MariaDB settings (SET GLOBAL; printed): a buffer pool that holds the 1M set, and, while loading
   only, innodb_flush_log_at_trx_commit = 2.
3. Figures. Each size is measured in a child process of its own (Django test Client, in-process,
   warm-up request untimed, then the median of --repeat requests); the parent prints one table:
   figure, value at 10k, value at 1M, ratio, goal, met/MISSED, and exits 1 when a goal is missed.

    python scripts/benchmark.py [--rebuild] [--size 10k|1m|both] [--only 1,2,...] [--repeat N]

Run it with the DATABASE_URL of any database on the server (the Makefile's TEST_DB_URL): the
benchmark's databases take their names from it.
"""

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZES = {
    "10k": {"database": "hms_bench_10k", "patients": 2_000, "appointments": 10_000},
    "1m": {"database": "hms_bench_1m", "patients": 100_000, "appointments": 1_000_000},
}
BUFFER_POOL_BYTES = 6 * 1024**3  # the 1M set with its history tables and indexes is about 4 GB
MARIADB_SETTINGS = {"innodb_buffer_pool_size": BUFFER_POOL_BYTES}
LOAD_SETTINGS = {"innodb_flush_log_at_trx_commit": 2}
SLOW_MS = 2000  # a request slower than this is not repeated --repeat times
STATEMENT_SECONDS = 30  # MariaDB kills a statement of the measured requests that runs longer (max_statement_time)
PROJECT_APPS = ["hms", "staff", "patients", "catalog", "scheduling", "clinical", "billing", "inventory"]
FIGURES = {
    1: "API lists and staff pages",
    2: "slot search",
    3: "admin changelists",
    4: "patient timeline",
    5: "reports and dashboard",
    6: "queries per request",
    7: "seed rows/s",
    8: "load test",
}


# --- the parent: databases, settings, the table -----------------------------------------------------------------


def database_url(name):
    parts = urlsplit(os.environ.get("DATABASE_URL", "mysql://hms:hms@127.0.0.1:3306/hms"))
    return urlunsplit(parts._replace(path="/" + name))


def server_connection(database=None):
    import MySQLdb

    parts = urlsplit(os.environ.get("DATABASE_URL", "mysql://hms:hms@127.0.0.1:3306/hms"))
    if parts.scheme not in ("mysql", "mariadb"):
        sys.exit("make bench runs on MariaDB: set DATABASE_URL=mysql://user:password@host:port/name")
    kwargs = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 3306, "user": parts.username or "",
              "passwd": parts.password or "", "charset": "utf8mb4", "autocommit": True}
    if database:
        kwargs["database"] = database
    return MySQLdb.connect(**kwargs)


def query(sql, params=(), database=None):
    connection = server_connection(database)
    try:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        connection.close()


def set_globals(settings):
    before = {}
    for name, value in settings.items():
        before[name] = query(f"SELECT @@GLOBAL.{name}")[0][0]
        query(f"SET GLOBAL {name} = {int(value)}")
    return before


def code_migrations():
    found = set()
    for app in PROJECT_APPS:
        for path in (ROOT / app / "migrations").glob("[0-9]*.py"):
            found.add((app, path.stem))
    return found


def applied_migrations(database):
    rows = query("SELECT app, name FROM django_migrations", database=database)
    return {(app, name) for app, name in rows if app in PROJECT_APPS}


def read_meta(database):
    exists = query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = "
                   "'bench_meta'", [database])[0][0]
    if not exists:
        return {}
    return {key: json.loads(value) for key, value in query("SELECT k, v FROM bench_meta", database=database)}


def seed_scale_version():
    """demo.scale.VERSION, read from the source (the parent process does not set Django up)."""
    match = re.search(r'^VERSION = "([^"]+)"', (ROOT / "demo" / "scale.py").read_text(), re.MULTILINE)
    return match.group(1) if match else "?"


def fingerprint(size):
    spec = SIZES[size]
    return {"seed_scale": seed_scale_version(), "patients": spec["patients"], "appointments": spec["appointments"]}


def child_env(database):
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url(database), DEBUG="0", DJANGO_SETTINGS_MODULE="hms.settings")
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    return env


def run_child(args, database, *, capture=False):
    command = [PYTHON, *args]
    if capture:
        return subprocess.run(command, cwd=ROOT, env=child_env(database), check=False, capture_output=True, text=True)
    return subprocess.run(command, cwd=ROOT, env=child_env(database), check=False)


def ensure_dataset(size, *, rebuild):
    """Build the data set once; reuse it after; migrate it when the code has new migrations."""
    spec = SIZES[size]
    database = spec["database"]
    query(f"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    meta = read_meta(database)
    wanted = fingerprint(size)
    reason = None
    if rebuild:
        reason = "--rebuild"
    elif meta.get("fingerprint") != wanted:
        reason = "no data set yet" if not meta else f"data set made by {meta.get('fingerprint')}, wanted {wanted}"
    else:
        stale = applied_migrations(database) - code_migrations()
        if stale:
            reason = f"migrations no longer in the code: {sorted(stale)[:3]}"
    if reason:
        print(f"[{size}] building {database} ({reason}) ...", flush=True)
        query(f"DROP DATABASE IF EXISTS `{database}`")
        query(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        if run_child(["manage.py", "migrate", "--noinput", "-v", "0"], database).returncode:
            sys.exit(f"[{size}] migrate failed")
        before = set_globals(LOAD_SETTINGS)
        try:
            done = run_child([str(Path(__file__).resolve()), "--child-build", size], database)
        finally:
            set_globals(before)
        if done.returncode:
            sys.exit(f"[{size}] seed_scale failed")
        return read_meta(database)
    missing = code_migrations() - applied_migrations(database)
    if missing:
        print(f"[{size}] applying {len(missing)} new migration(s) to {database}, keeping the data ...", flush=True)
        started = time.perf_counter()
        if run_child(["manage.py", "migrate", "--noinput", "-v", "0"], database).returncode:
            sys.exit(f"[{size}] migrate failed")
        print(f"[{size}] migrated in {time.perf_counter() - started:.1f} s", flush=True)
        # A migration may add a roll-up table: fill it from the data (idempotent).
        if run_child(["manage.py", "rebuild_rollups"], database).returncode:
            sys.exit(f"[{size}] rebuild_rollups failed")
    else:
        print(f"[{size}] reusing {database} (built {meta.get('seed', {}).get('built_at', '?')})", flush=True)
    return meta


# --- the children: building and measuring, with Django set up on one data set --------------------------------


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hms.settings")
    import django

    django.setup()


def child_build(size):
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from demo import scale

    spec = SIZES[size]

    class Out:
        def write(self, message):
            print(message, flush=True)

    result = scale.run(patients=spec["patients"], appointments=spec["appointments"], stdout=Out(), stderr=Out())
    long_, short = scale.timeline_patients()
    seed = {
        "rows": result.rows, "seconds": round(result.seconds, 1), "rows_per_second": round(result.rows_per_second),
        "setup_seconds": round(result.setup_seconds, 1), "counts": result.counts,
        "long_timeline_patient_id": long_.pk if long_ else None,
        "short_timeline_patient_id": short.pk if short else None,
        "busiest_doctor_id": result.busiest_doctor_id, "built_at": timezone.now().isoformat(timespec="seconds"),
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (k VARCHAR(100) PRIMARY KEY, v LONGTEXT NOT NULL)")
        for key, value in (("seed", seed), ("fingerprint", fingerprint(size))):
            cursor.execute("REPLACE INTO bench_meta (k, v) VALUES (%s, %s)", [key, json.dumps(value)])
    print(f"[{size}] loaded {result.rows:,} rows in {result.seconds:.0f} s: {result.rows_per_second:,.0f} rows/s",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="Reload the data sets even if they are current.")
    parser.add_argument("--size", choices=["10k", "1m", "both"], default="both")
    parser.add_argument("--only", default="", help="Comma-separated figure numbers, e.g. 1,6 (default: all).")
    parser.add_argument("--repeat", type=int, default=7, help="Timed requests per URL (median; default 7).")
    parser.add_argument("--build-only", action="store_true", help="Build or migrate the data sets and stop.")
    parser.add_argument("--child-build", metavar="SIZE", help=argparse.SUPPRESS)
    parser.add_argument("--child-measure", metavar="SIZE", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        return child_build(args.child_build)
    if args.child_measure:
        return child_measure(args)
    sys.path.insert(0, str(ROOT))
    sizes = ["10k", "1m"] if args.size == "both" else [args.size]
    figures = sorted({int(x) for x in args.only.split(",") if x.strip()} or FIGURES)
    previous = set_globals(MARIADB_SETTINGS)
    print("MariaDB settings: " + ", ".join(
        f"{name} = {query(f'SELECT @@GLOBAL.{name}')[0][0]:,} (was {previous[name]:,})" for name in MARIADB_SETTINGS
    ) + f"; while loading: innodb_flush_log_at_trx_commit = {LOAD_SETTINGS['innodb_flush_log_at_trx_commit']}")
    metas = {size: ensure_dataset(size, rebuild=args.rebuild) for size in sizes}
    if args.build_only:
        for size, meta in metas.items():
            seed = meta.get("seed", {})
            print(f"[{size}] {seed.get('rows', 0):,} rows, {seed.get('rows_per_second', 0):,} rows/s, "
                  f"counts {seed.get('counts')}")
        return 0
    results = {}
    for size in sizes:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            out = handle.name
        command = [str(Path(__file__).resolve()), "--child-measure", size, "--out", out, "--repeat", str(args.repeat),
                   "--only", ",".join(map(str, figures))]
        print(f"[{size}] measuring figures {', '.join(map(str, figures))} ...", flush=True)
        done = run_child(command, SIZES[size]["database"])
        try:
            results[size] = json.loads(Path(out).read_text() or "{}")
        except (OSError, ValueError):
            results[size] = {}
        finally:
            Path(out).unlink(missing_ok=True)
        if done.returncode:
            print(f"[{size}] the measuring process failed (exit {done.returncode}); figures it did not reach are "
                  "missing", flush=True)
        results[size].setdefault("seed", metas[size].get("seed", {}))
    return print_table(results, figures, sizes)


# --- measuring (a child process, Django set up on one data set) ------------------------------------------------


class Measurer:
    def __init__(self, repeat):
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.repeat = repeat
        self.results = {}
        self.clients = {}
        self.User = get_user_model()
        self.Client = Client

    def client(self, username):
        if username not in self.clients:
            client = self.Client()
            client.force_login(self.User.objects.get(username=username))
            self.clients[username] = client
        return self.clients[username]

    def get(self, username, url, *, timed=True):
        """Warm-up request (queries counted), then the median of --repeat timed requests; never raises."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = self.client(username)
        started = time.perf_counter()
        try:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            status = response.status_code
        except Exception as error:  # a crashing URL is a result to print, not a reason to stop
            return {"url": url, "status": f"error {type(error).__name__}: {str(error)[:80]}", "ms": None,
                    "queries": None}
        warm_ms = (time.perf_counter() - started) * 1000
        row = {"url": url, "status": status, "queries": len(ctx), "ms": None, "response": response}
        if status != 200 or not timed:
            return row
        repeat = self.repeats_after(warm_ms)
        if not repeat:
            row["ms"] = warm_ms
            return row
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        row["ms"] = statistics.median(timings)
        return row

    def repeats_after(self, warm_ms):
        """--repeat, but a slow page is timed once more at most, a very slow one not again: the run must end."""
        if warm_ms <= SLOW_MS:
            return self.repeat
        return 0 if warm_ms > 5 * SLOW_MS else 1

    def timed(self, function):
        """Median ms of ``function()`` (after one untimed call), or None when it fails."""
        try:
            function()
        except Exception as error:
            print(f"    baseline failed: {type(error).__name__}: {str(error)[:120]}", flush=True)
            return None
        timings = []
        for _ in range(self.repeat):
            started = time.perf_counter()
            function()
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)

    def record(self, key, **values):
        values.pop("response", None)
        self.results[key] = values
        shown = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
        print(f"    {key}: {shown}", flush=True)


def view_ordering(url):
    """The ordering a list URL's view applies: its ``ordering``, else its model's Meta.ordering."""
    from django.urls import resolve

    match = resolve(url.split("?")[0])
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    ordering = getattr(view, "ordering", None)
    if not ordering:
        queryset = getattr(view, "queryset", None)
        ordering = queryset.model._meta.ordering if queryset is not None else []
    return list(ordering or [])


def deep_url(url, queryset, ordering, position, page_size):
    """The URL of the page that starts near ``position``, found the way the list's own ``next`` links go:
    a ``?cursor=`` for the row at ``position`` when hms.pagination offers ``cursor_for_row``, else ``?page=``."""
    from urllib.parse import quote

    from django.urls import resolve

    import hms.pagination

    separator = "&" if "?" in url else "?"
    cursor_for_row = getattr(hms.pagination, "cursor_for_row", None)
    if cursor_for_row is not None:
        match = resolve(url.split("?")[0])
        view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
        fields = [name.lstrip("-") for name in ordering]
        fields += [] if "id" in fields else ["id"]
        row = queryset.order_by(*ordering).values(*fields)[position]
        try:
            return f"{url}{separator}cursor={quote(str(cursor_for_row(view, row)))}"
        except Exception as error:  # not a cursor list (yet): the page number
            print(f"    no cursor for {url}: {type(error).__name__}: {str(error)[:80]}", flush=True)
    return f"{url}{separator}page={position // page_size + 1}"


def measure_lists(m, ctx, figures):
    """Figures 1 and 6: API lists and staff pages against a bare .values() fetch, deep pages, query counts."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db.models import Q

    from billing.models import Bill
    from clinical.models import MedicalRecord
    from inventory.models import StockMovement
    from patients.models import Patient
    from scheduling.models import Appointment

    doctor, portal, today = ctx["doctor"], ctx["portal"], ctx["today"]
    week_end = today + timedelta(days=7)

    def local_days(first, last, tz):
        """start__gte / start__lt bounds of the local days first..last (an indexable range, as the lists use)."""
        return Q(start__gte=datetime.combine(first, dtime.min, tzinfo=tz),
                 start__lt=datetime.combine(last + timedelta(days=1), dtime.min, tzinfo=tz))

    default_tz = ZoneInfo(settings.TIME_ZONE)
    prefix = ctx["prefix"]
    name_q = Q(first_name__istartswith=prefix) | Q(last_name__istartswith=prefix)
    # (key, user, url, model, filter of the same rows, api?)
    lists = [
        ("api appointments", "reception", "/api/v1/appointments/", Appointment, Q(), True),
        ("api appointments ?doctor", "reception", f"/api/v1/appointments/?doctor={doctor.pk}", Appointment,
         Q(doctor=doctor), True),
        ("api appointments ?status", "reception", "/api/v1/appointments/?status=scheduled", Appointment,
         Q(status="scheduled"), True),
        ("api appointments ?date range", "reception",
         f"/api/v1/appointments/?date_from={today}&date_to={week_end}", Appointment,
         local_days(today, week_end, default_tz), True),
        ("api patients", "reception", "/api/v1/patients/", Patient, Q(), True),
        ("api patients ?search", "reception", f"/api/v1/patients/?search={prefix}", Patient, name_q, True),
        ("api bills", "billing", "/api/v1/bills/", Bill, Q(), True),
        ("api medical-records", "doctor", "/api/v1/medical-records/", MedicalRecord, Q(), True),
        ("api inventory movements", "pharmacist", "/api/v1/inventory/movements/", StockMovement, Q(), True),
        ("api own appointments (patient)", "patient", "/api/v1/appointments/", Appointment, Q(patient=portal), True),
        ("page /patients/?q=", "reception", f"/patients/?q={prefix}", Patient, name_q, False),
        ("page /scheduling/board/", "reception", "/scheduling/board/", Appointment,
         Q(hospital=ctx["reception_hospital"]) & local_days(today, today, ctx["reception_hospital"].tzinfo),
         False),
        ("page /scheduling/my-schedule/ week", "doctor", "/scheduling/my-schedule/?view=week", Appointment,
         Q(doctor=ctx["demo_doctor"])
         & local_days(today, week_end - timedelta(days=1), ctx["demo_doctor"].hospital.tzinfo), False),
        ("page /billing/ (bills)", "billing", "/billing/", Bill, Q(status__in=["issued", "partially_paid"]), False),
        ("page /inventory/stock/ (movements)", "pharmacist", "/inventory/stock/", StockMovement, Q(), False),
    ]
    for key, user, url, model, condition, is_api in lists:
        try:
            ordering = view_ordering(url) if is_api else list(model._meta.ordering)
        except Exception:
            ordering = list(model._meta.ordering)
        page_size = 50
        queryset = model.objects.filter(condition)
        row = m.get(user, url)
        bare = m.timed(lambda qs=queryset, o=ordering, n=page_size: list(qs.order_by(*o).values()[:n]))
        result = {"status": row["status"], "ms": row["ms"], "queries": row["queries"], "values_ms": bare}
        if 6 in figures and is_api and row["status"] == 200:
            for size in (10, 100):
                sized = m.get(user, f"{url}{'&' if '?' in url else '?'}page_size={size}", timed=False)
                result[f"queries_{size}"] = sized["queries"]
        if 1 in figures and is_api and key in DEEP_LISTS and row["status"] == 200:
            total = queryset.count()
            position = min(900_000, int(total * 0.9))
            if position > page_size:
                deep = m.get(user, deep_url(url, queryset, ordering, position, page_size))
                result.update(deep_position=position, deep_status=deep["status"], deep_ms=deep["ms"])
        m.record(f"list:{key}", **result)


def measure_floor(m):
    """Figure 1's floor: a logged-in request that reads nothing (a Django page, a DRF endpoint), against
    the bare .values() of 50 appointments, so the table shows how much of "<= 3x" the stack itself takes."""
    from django.test.utils import override_settings

    from scheduling.models import Appointment

    sys.path.insert(0, str(ROOT / "scripts"))
    bare = m.timed(lambda: list(Appointment.objects.order_by("-start", "-id").values()[:50]))
    with override_settings(ROOT_URLCONF="bench_floor_urls"):
        for key, url in (("a page that reads nothing", "/floor/page/"), ("an API that reads nothing", "/floor/api/")):
            row = m.get("reception", url)
            m.record(f"floor:{key}", status=row["status"], ms=row["ms"], queries=row["queries"], values_ms=bare)
    measure_access_log(m)


def measure_access_log(m):
    """Figure 1: the read audit's cost on a list page (issue 14: <= 10%): the same API list (50 records, each a
    row of the access log) with hms.access.AccessLogMiddleware and without it (nothing is then noted)."""
    from django.conf import settings
    from django.test.utils import override_settings

    url = "/api/v1/medical-records/"
    logged = m.get("doctor", url)
    without = [name for name in settings.MIDDLEWARE if name != "hms.access.AccessLogMiddleware"]
    saved = m.clients.pop("doctor", None)  # a test client loads its middleware once: a new one for each setting
    with override_settings(MIDDLEWARE=without):
        bare = m.get("doctor", url)
    m.clients.pop("doctor", None)
    if saved is not None:
        m.clients["doctor"] = saved
    m.record("accesslog:api medical-records", status=logged["status"], ms=logged["ms"], queries=logged["queries"],
             unlogged_ms=bare["ms"], unlogged_queries=bare["queries"])


DEEP_LISTS = {"api appointments", "api patients", "api bills", "api medical-records", "api inventory movements"}


def measure_slots(m, ctx):
    doctor, today = ctx["busiest"], ctx["today"]
    day = today + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for key, url in (
        ("slots 1 day", f"/api/v1/doctors/{doctor.pk}/slots/?date={day}"),
        ("slots 31 days", f"/api/v1/doctors/{doctor.pk}/slots/?date_from={today}&date_to={today + timedelta(days=30)}"),
    ):
        row = m.get("reception", url)
        m.record(f"slots:{key}", status=row["status"], ms=row["ms"], queries=row["queries"])


def measure_admin(m, ctx):
    mrn, prefix = ctx["mrn"], ctx["prefix"]
    changelists = [
        ("appointments", "/admin/scheduling/appointment/", "status__exact=scheduled"),
        ("patients", "/admin/patients/patient/", "is_active__exact=1"),
        ("bills", "/admin/billing/bill/", "status__exact=issued"),
        ("stock movements", "/admin/inventory/stockmovement/", "kind__exact=dispense"),
    ]
    for name, url, condition in changelists:
        for variant, suffix in (("plain", ""), ("search MRN", f"?q={mrn}"), ("search name prefix", f"?q={prefix}"),
                                ("filter", f"?{condition}")):
            row = m.get("admin", url + suffix)
            m.record(f"admin:{name} {variant}", status=row["status"], ms=row["ms"], queries=row["queries"])


def measure_timeline(m, ctx):
    long_, short = ctx["long"], ctx["short"]
    if not (long_ and short):
        print("    no timeline patients in this data set", flush=True)
        return
    for kind, template in (("api", "/api/v1/patients/{}/history/"), ("chart page", "/clinical/patients/{}/chart/")):
        rows = {}
        for label, patient in (("long", long_), ("short", short)):
            row = m.get("doctor", template.format(patient.pk))
            if row["status"] in (403, 404):
                row = m.get("admin", template.format(patient.pk))
            rows[label] = row
        m.record(f"timeline:{kind}", long_ms=rows["long"]["ms"], short_ms=rows["short"]["ms"],
                 status=f"{rows['long']['status']}/{rows['short']['status']}")


def load_baselines():
    """scripts/bench_sql.py's dict of report name -> callable(connection, params), or {} when absent."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_sql
    except ImportError:
        return {}
    for name in ("BASELINES", "SQL", "REPORTS"):
        if isinstance(getattr(bench_sql, name, None), dict):
            return getattr(bench_sql, name)
    for value in vars(bench_sql).values():  # any dict of callables by report name
        if isinstance(value, dict) and value and all(callable(v) for v in value.values()):
            return value
    return {}


def measure_reports(m, ctx):
    from django.db import connection

    from reports import registry

    baselines = load_baselines()
    admin = m.User.objects.get(username="admin")
    for name, report in registry.REPORTS.items():
        row = m.get("admin", f"/api/v1/reports/{name}/")
        sql_ms = None
        if name in baselines:
            params = registry.parse_params(report, user=admin)  # the defaults the API uses
            sql_ms = m.timed(lambda fn=baselines[name], p=params: fn(connection, p))
        m.record(f"report:{name}", status=row["status"], ms=row["ms"], sql_ms=sql_ms,
                 baseline="yes" if name in baselines else "no baseline")
    row = m.get("admin", "/dashboard/")
    sql_ms = None
    if "dashboard" in baselines:  # the dashboard's default: the revenue report's period
        params = registry.parse_params(registry.get_report("revenue"), user=admin)
        sql_ms = m.timed(lambda: baselines["dashboard"](connection, params))
    m.record("report:dashboard", status=row["status"], ms=row["ms"], sql_ms=sql_ms,
             baseline="yes" if "dashboard" in baselines else "no baseline")


def measure_load(m, ctx, size):
    """Figure 8: 20 users for 60 s against the production server on hms_bench_1m (scripts/loadtest.py)."""
    if size != "1m":
        return
    path = ROOT / "scripts" / "loadtest.py"
    if not path.exists():
        m.record("load:test", status="scripts/loadtest.py not there yet")
        return
    sys.path.insert(0, str(ROOT / "scripts"))
    import loadtest

    # The production server as `make serve` runs it: loadtest.start_server (gunicorn, hms/gunicorn.conf.py).
    server = None
    try:
        server = loadtest.start_server(os.environ["DATABASE_URL"], port=free_port())
        outcome = loadtest.run(server.url, users=20, seconds=60)
        m.record("load:test", **{k: outcome.get(k) for k in ("errors", "list_p95_ms", "booking_p95_ms", "bookings",
                                                            "requests")})
    except Exception as error:
        m.record("load:test", status=f"error {type(error).__name__}: {str(error)[:100]}")
    finally:
        if server is not None:
            server.stop()


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_measure(args):
    django_setup()
    from django.db.backends.signals import connection_created

    def bound_statements(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(f"SET SESSION max_statement_time = {STATEMENT_SECONDS}")

    connection_created.connect(bound_statements, weak=False)
    from django.utils import timezone

    from demo import scale
    from patients.models import Patient
    from staff.models import StaffMember

    figures = {int(x) for x in args.only.split(",") if x.strip()}
    m = Measurer(args.repeat)
    meta = {}
    with contextlib.suppress(Exception):  # a data set built by hand has no bench_meta
        meta = read_meta_django()
    seed = meta.get("seed", {})
    long_, short = scale.timeline_patients()
    demo_doctor = StaffMember.objects.select_related("hospital").get(user__username="doctor")
    busiest = StaffMember.objects.filter(pk=seed.get("busiest_doctor_id")).first() or demo_doctor
    ctx = {
        "today": timezone.localdate(),
        "doctor": busiest,
        "busiest": busiest,
        "demo_doctor": demo_doctor,
        "portal": Patient.objects.filter(user__username="patient").first(),
        "reception_hospital": StaffMember.objects.get(user__username="reception").hospital,
        "long": long_,
        "short": short,
        "mrn": (long_ or Patient.objects.order_by("pk").first()).mrn,
        "prefix": "Smi",
    }
    steps = [
        ({1}, lambda: measure_floor(m)),
        ({1, 6}, lambda: measure_lists(m, ctx, figures)),
        ({2}, lambda: measure_slots(m, ctx)),
        ({3}, lambda: measure_admin(m, ctx)),
        ({4}, lambda: measure_timeline(m, ctx)),
        ({5}, lambda: measure_reports(m, ctx)),
        ({8}, lambda: measure_load(m, ctx, args.child_measure)),
    ]
    try:
        for wanted, step in steps:
            if wanted & figures:
                step()
    finally:
        m.results["seed"] = seed
        Path(args.out).write_text(json.dumps(m.results, default=str))
    return 0


def read_meta_django():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT k, v FROM bench_meta")
        return {key: json.loads(value) for key, value in cursor.fetchall()}


# --- the table --------------------------------------------------------------------------------------------------


def fmt(value, unit="ms"):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.0f}{unit}"


def div(a, b):
    return a / b if a is not None and b else None


def print_table(results, figures, sizes):
    """One row per goal: value at 10k, value at 1M, ratio, goal, met/MISSED; returns the exit status.

    Goals comparing the sizes are judged only when both were measured; goals within one size (against
    .values(), deep pages, query counts, timeline, reports against SQL) are judged on the largest one.
    """
    small, big = results.get("10k", {}), results.get("1m", {})
    both = "10k" in sizes and "1m" in sizes
    main = big if "1m" in sizes else small
    rows = []  # (figure, 10k, 1M, ratio, goal, ok: True / False / None = not judged)

    def add(label, v10, v1m, ratio, goal, ok):
        rows.append((label, v10, v1m, ratio, goal, ok))

    def shown(entry, field="ms"):
        if not entry:
            return "-"
        if entry.get(field) is not None:
            return fmt(entry[field])
        return str(entry.get("status", "-"))

    def failed(*entries):
        return any(e and e.get("status") not in (None, 200) and "ms" in e and e.get("ms") is None
                   for e in entries)

    def cross(label, a, b, limit):
        ratio = div(b.get("ms"), a.get("ms")) if both else None
        if failed(a, b):
            add(label, shown(a), shown(b), "-", "answers 200", False)
        else:
            add(label, shown(a), shown(b), fmt(ratio, "x"), f"<= {limit}x 10k",
                (ratio <= limit) if ratio is not None else None)

    keys = [k for k in dict.fromkeys([*small, *big]) if k != "seed"]
    for key in keys:
        a, b, x = small.get(key, {}), big.get(key, {}), main.get(key, {})
        kind, name = key.split(":", 1)
        if kind == "list":
            if 1 in figures:
                cross(f"1 {name}", a, b, 1.5)
                r10, r1m = div(a.get("ms"), a.get("values_ms")), div(b.get("ms"), b.get("values_ms"))
                rx = div(x.get("ms"), x.get("values_ms"))
                add(f"1 {name} vs bare .values()", fmt(r10, "x"), fmt(r1m, "x"), fmt(rx, "x"), "<= 3x",
                    (rx <= 3) if rx is not None else None)
                if "deep_status" in x:
                    r10, r1m = div(a.get("deep_ms"), a.get("ms")), div(b.get("deep_ms"), b.get("ms"))
                    rx = div(x.get("deep_ms"), x.get("ms"))
                    add(f"1 {name} row {x['deep_position']:,} vs first page", fmt(r10, "x") if a else "-",
                        fmt(r1m, "x") if b.get("deep_ms") is not None else str(b.get("deep_status", "-")),
                        fmt(rx, "x"), "<= 1.5x", rx is not None and rx <= 1.5)
            if 6 in figures:
                counts = [e.get(f) for e in (a, b) for f in ("queries", "queries_10", "queries_100")]
                counts = [c for c in counts if c is not None]
                variants = f"10:{x.get('queries_10', '-')} 100:{x.get('queries_100', '-')}"
                add(f"6 queries {name}", fmt(a.get("queries"), ""), fmt(b.get("queries"), ""), variants,
                    "<= 8, same at every size", bool(counts) and max(counts) <= 8 and len(set(counts)) == 1)
        elif kind == "floor":
            rx = div(x.get("ms"), x.get("values_ms"))
            add(f"1 floor: {name} vs bare .values()", shown(a), shown(b), fmt(rx, "x"), "(not a goal)", None)
        elif kind == "accesslog":
            r10, r1m = div(a.get("ms"), a.get("unlogged_ms")), div(b.get("ms"), b.get("unlogged_ms"))
            rx = div(x.get("ms"), x.get("unlogged_ms"))
            add(f"1 access log on {name}: logged vs not", fmt(r10, "x"), fmt(r1m, "x"), fmt(rx, "x"), "<= 1.1x",
                (rx <= 1.1) if rx is not None else None)
        elif kind == "slots":
            cross(f"2 {name}", a, b, 1.5)
        elif kind == "admin":
            cross(f"3 admin {name}", a, b, 2.0)
        elif kind == "timeline":
            r10, r1m = div(a.get("long_ms"), a.get("short_ms")), div(b.get("long_ms"), b.get("short_ms"))
            rx = div(x.get("long_ms"), x.get("short_ms"))
            add(f"4 timeline {name}: 1,000 vs 10 visits", fmt(r10, "x"), fmt(r1m, "x"), fmt(rx, "x"), "<= 2x",
                (rx <= 2) if rx is not None else False)
        elif kind == "report":
            if x.get("baseline") == "no baseline":
                add(f"5 {name}", shown(a), shown(b), "no baseline", "<= 1.5x SQL", None)
            else:
                r10, r1m = div(a.get("ms"), a.get("sql_ms")), div(b.get("ms"), b.get("sql_ms"))
                rx = div(x.get("ms"), x.get("sql_ms"))
                add(f"5 {name} vs SQL", fmt(r10, "x"), fmt(r1m, "x"), fmt(rx, "x"), "<= 1.5x SQL",
                    rx is not None and rx <= 1.5)
            if name == "dashboard":
                add("5 dashboard absolute", shown(a), shown(b), "-", "< 1 s at 1M",
                    (b["ms"] < 1000) if b.get("ms") is not None else (False if b else None))
        elif kind == "load":
            if b.get("errors") is not None:
                add("8 load test errors", "-", fmt(b["errors"], ""), f"{b.get('requests')} requests", "0",
                    b["errors"] == 0)
                ratio = div(b.get("booking_p95_ms"), b.get("list_p95_ms"))
                add("8 booking p95 vs list p95", "-", f"{fmt(b.get('booking_p95_ms'))} / {fmt(b.get('list_p95_ms'))}",
                    fmt(ratio, "x"), "<= 2x", ratio is not None and ratio <= 2)
            else:
                add("8 load test", "-", str(b.get("status", "not run")), "-", "0 errors, booking p95 <= 2x list",
                    None)
    if 7 in figures:
        v10, v1m = small.get("seed", {}).get("rows_per_second"), big.get("seed", {}).get("rows_per_second")
        add("7 seed_scale rows/s", fmt(v10, ""), fmt(v1m, ""), "-", ">= 10,000 (the 1M build)",
            (v1m >= 10_000) if v1m is not None else None)
    widths = [max(len(str(row[i])) for row in [*rows, ("figure", "10k", "1M", "ratio", "goal")]) for i in range(5)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(("figure", "10k", "1M", "ratio", "goal"), widths, strict=True))
          + "  result")
    print("  ".join("-" * w for w in widths) + "  ------")
    for row in rows:
        verdict = {True: "met", False: "MISSED", None: "-"}[row[5]]
        print("  ".join(str(v).ljust(w) for v, w in zip(row[:5], widths, strict=True)) + f"  {verdict}")
    met = sum(1 for row in rows if row[5] is True)
    missed = sum(1 for row in rows if row[5] is False)
    print(f"\n{met} met, {missed} missed, {len(rows) - met - missed} not judged", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
