#!/usr/bin/env python
"""HMS load test: concurrent virtual users read API lists and book appointments on a running server.

    .venv/bin/python scripts/loadtest.py --base-url http://127.0.0.1:8000 --users 20 --seconds 60

Each virtual user is a thread with its own HTTP connection and no think time. It loops, choosing by
weight: the first page of appointments, appointments of its doctor, the first page of patients, its
doctor's free slots for one day (list reads), or booking the next free slot (POST /api/v1/appointments/).

What it needs and creates (through the API, as a client would):
- an API token of a staff user who may list and book (a receptionist): given with --token, or obtained
  from /api/v1/auth/token/ with --username/--password (default: seed_demo's `reception` / `demo`);
- one new patient per virtual user (POST /api/v1/patients/, names "Loadtest ..."), so that its bookings
  never meet an existing appointment of the patient;
- the bookings themselves (real appointments, left in the database).

Bookings never collide by design: virtual user i books only doctor i mod D (D doctors, from
/api/v1/doctors/) on the days d with d mod K == i div D (K = ceil(users / D)), starting
--days-ahead days from today, and only slots the slots API lists as free. So every answer but a
2xx is a real error: any 4xx/5xx or connection error counts in `errors`.

`start_server(database_url, port, workers)` starts gunicorn (hms/gunicorn.conf.py) against a database
that is already migrated and loaded, and waits until it answers; `handle.stop()` ends it. The benchmark
(scripts/benchmark.py) uses both.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import random
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a virtual user does on each turn, by weight.
MIX = {"appointments": 3, "appointments_of_doctor": 2, "patients": 2, "slots": 2, "book": 3}
LIST_KINDS = ("appointments", "appointments_of_doctor", "patients", "slots")
MAX_EMPTY_DAYS = 60  # days a user may skip looking for a free slot before it gives up booking


class LoadTestError(Exception):
    """The load test could not start (no token, no doctors ...)."""


# --- HTTP ---------------------------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP connection (reopened when the server closes it), JSON in and out."""

    def __init__(self, base_url, token=None, timeout=60):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise LoadTestError(f"--base-url must be http(s)://host[:port], not {base_url!r}.")
        self.prefix = parts.path.rstrip("/")
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        self.host = parts.netloc
        self.token = token

    def request(self, method, path, body=None):
        """(status, parsed JSON or None). Raises OSError / http.client errors on connection trouble."""
        headers = {"Accept": "application/json", "Host": self.host}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        url = path if path.startswith("http") else self.prefix + path
        if url.startswith("http"):
            parts = urllib.parse.urlsplit(url)
            url = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):
            try:
                self.connection.request(method, url, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server had already closed: reopen once (never for a POST, which
                # may have been received).
                self.connection.close()
                if attempt == 2 or method != "GET":
                    raise
        if response.will_close:
            self.connection.close()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, parsed

    def close(self):
        self.connection.close()


def obtain_token(base_url, username, password):
    status, body = Client(base_url).request("POST", "/api/v1/auth/token/", {"username": username, "password": password})
    if status != 200 or not body or "token" not in body:
        raise LoadTestError(f"Could not get an API token for {username!r} ({status}): {body}")
    return body["token"]


def _results(body):
    """Rows of a list answer, paginated ({"results": [...]}) or not."""
    if isinstance(body, dict):
        return body.get("results") or []
    return body or []


def list_doctors(client, needed):
    """Active doctors (ids and hospital), following `next` links until `needed` are found or the list ends."""
    doctors, url = [], "/api/v1/doctors/"
    while url and len(doctors) < needed:
        status, body = client.request("GET", url)
        if status != 200:
            raise LoadTestError(f"GET {url} answered {status}: {body}")
        doctors.extend(row["id"] for row in _results(body))
        url = body.get("next") if isinstance(body, dict) else None
    if not doctors:
        raise LoadTestError("The server lists no active doctors; load demo data first (seed_demo or seed_scale).")
    return doctors[:needed]


def _letters(number, length=6):
    out = []
    for _ in range(length):
        number, digit = divmod(number, 26)
        out.append(string.ascii_lowercase[digit])
    return "".join(reversed(out)).capitalize()


def register_patient(client, index, run_id):
    body = {
        "first_name": "Loadtest",
        "last_name": f"{_letters(run_id)} {_letters(index, 3)}",
        "date_of_birth": "1980-01-01",
        "sex": "female",
        "state": "MA",
        "postal_code": "02115",
        "allow_duplicate": True,
    }
    status, answer = client.request("POST", "/api/v1/patients/", body)
    if status != 201:
        raise LoadTestError(f"Could not register a load-test patient ({status}): {answer}")
    return answer["id"]


# --- virtual users ------------------------------------------------------------------------------------------


class VirtualUser(threading.Thread):
    def __init__(self, *, index, base_url, token, doctor, patient, day_class, day_classes, first_day, deadline, seed):
        super().__init__(name=f"vu-{index}", daemon=True)
        self.client = Client(base_url, token)
        self.doctor = doctor
        self.patient = patient
        self.day_class, self.day_classes = day_class, day_classes
        self.first_day = first_day
        self.deadline = deadline
        self.random = random.Random(seed)
        self.samples = {kind: [] for kind in MIX}  # milliseconds of successful requests
        self.errors = []  # (kind, status or exception text)
        self.requests = 0
        self.bookings = 0
        self.free_slots = []
        self.next_day_index = day_class  # days from first_day this user owns: day_class, day_class + K, ...
        self.out_of_slots = False

    def _timed(self, kind, method, path, body=None):
        started = time.perf_counter()
        try:
            status, answer = self.client.request(method, path, body)
        except Exception as exc:  # noqa: BLE001 - a connection error is an error of the run, whatever it is
            self.requests += 1
            self.errors.append((kind, f"{type(exc).__name__}: {exc}"))
            self.client.close()
            return None, None
        elapsed = (time.perf_counter() - started) * 1000
        self.requests += 1
        if status >= 400:
            self.errors.append((kind, f"{status} {method} {path}: {str(answer)[:300]}"))
            return status, None
        self.samples[kind].append(elapsed)
        return status, answer

    def _day(self, index):
        return self.first_day + datetime.timedelta(days=index)

    def _slots(self, kind="slots"):
        """Fetch the free slots of the next day this user owns (a list read); they feed the bookings."""
        day = self._day(self.next_day_index)
        self.next_day_index += self.day_classes
        _, answer = self._timed(kind, "GET", f"/api/v1/doctors/{self.doctor}/slots/?date={day:%Y-%m-%d}")
        if answer is not None:
            self.free_slots.extend(slot["start"] for slot in _results(answer))

    def _book(self):
        tried = 0
        while not self.free_slots and tried < MAX_EMPTY_DAYS and time.monotonic() < self.deadline:
            self._slots()
            tried += 1
        if not self.free_slots:
            self.out_of_slots = True
            return
        start = self.free_slots.pop(0)
        body = {"patient": self.patient, "doctor": self.doctor, "start": start, "reason": "Load test visit"}
        status, _ = self._timed("book", "POST", "/api/v1/appointments/", body)
        if status == 201:
            self.bookings += 1

    def run(self):
        kinds = list(MIX)
        weights = [MIX[kind] for kind in kinds]
        try:
            while time.monotonic() < self.deadline:
                kind = self.random.choices(kinds, weights)[0]
                if kind == "book" and self.out_of_slots:
                    kind = "appointments"
                if kind == "book":
                    self._book()
                elif kind == "slots":
                    # Read a day this user owns without taking its slots away from its own bookings.
                    day = self._day(self.day_class + self.day_classes * self.random.randrange(0, 8))
                    self._timed("slots", "GET", f"/api/v1/doctors/{self.doctor}/slots/?date={day:%Y-%m-%d}")
                elif kind == "appointments":
                    self._timed(kind, "GET", "/api/v1/appointments/")
                elif kind == "appointments_of_doctor":
                    self._timed(kind, "GET", f"/api/v1/appointments/?doctor={self.doctor}")
                else:
                    self._timed(kind, "GET", "/api/v1/patients/")
        finally:
            self.client.close()


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def run(
    base_url,
    users=20,
    seconds=60,
    *,
    token=None,
    username="reception",
    password="demo",
    days_ahead=30,
    seed=11,
):
    """Drive `users` virtual users against `base_url` for `seconds`; returns the figures as a dict:
    errors, requests, bookings, list_p95_ms, booking_p95_ms, list_median_ms, booking_median_ms,
    requests_per_s, per-kind p95s (p95_ms) and up to 10 error_samples."""
    if users < 1 or seconds <= 0:
        raise LoadTestError("users must be 1 or more and seconds more than 0.")
    token = token or obtain_token(base_url, username, password)
    setup = Client(base_url, token)
    doctors = list_doctors(setup, users)
    run_id = int(time.time()) % (26**6)
    patients = [register_patient(setup, index, run_id) for index in range(users)]
    setup.close()

    day_classes = math.ceil(users / len(doctors))
    first_day = datetime.date.today() + datetime.timedelta(days=days_ahead)
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        VirtualUser(
            index=index,
            base_url=base_url,
            token=token,
            doctor=doctors[index % len(doctors)],
            patient=patients[index],
            day_class=index // len(doctors),
            day_classes=day_classes,
            first_day=first_day,
            deadline=deadline,
            seed=seed * 1000 + index,
        )
        for index in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    samples = {kind: [ms for t in threads for ms in t.samples[kind]] for kind in MIX}
    lists = [ms for kind in LIST_KINDS for ms in samples[kind]]
    errors = [error for t in threads for error in t.errors]
    requests = sum(t.requests for t in threads)
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "doctors": len(doctors),
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 1) if elapsed else 0.0,
        "errors": len(errors),
        "bookings": sum(t.bookings for t in threads),
        "list_p95_ms": round(percentile(lists, 0.95), 1),
        "list_median_ms": round(percentile(lists, 0.5), 1),
        "booking_p95_ms": round(percentile(samples["book"], 0.95), 1),
        "booking_median_ms": round(percentile(samples["book"], 0.5), 1),
        "p95_ms": {kind: round(percentile(values, 0.95), 1) for kind, values in samples.items()},
        "counts": {kind: len(values) for kind, values in samples.items()},
        "users_out_of_slots": sum(t.out_of_slots for t in threads),
        "error_samples": [f"{kind}: {text}" for kind, text in errors[:10]],
    }


def summary(result):
    lines = [
        f"{result['users']} users for {result['seconds']} s against {result['doctors']} doctors: "
        f"{result['requests']} requests ({result['requests_per_s']}/s), {result['bookings']} bookings, "
        f"{result['errors']} errors",
        f"  list p95 {result['list_p95_ms']} ms (median {result['list_median_ms']} ms); "
        f"booking p95 {result['booking_p95_ms']} ms (median {result['booking_median_ms']} ms)",
        "  p95 by kind: " + ", ".join(f"{k} {v} ms ({result['counts'][k]})" for k, v in result["p95_ms"].items()),
    ]
    if result["users_out_of_slots"]:
        lines.append(f"  {result['users_out_of_slots']} users found no free slot to book and only read")
    lines.extend(f"  error: {sample}" for sample in result["error_samples"])
    return "\n".join(lines)


# --- the server ---------------------------------------------------------------------------------------------


class Server:
    """A gunicorn started by start_server(); stop() ends it (SIGTERM, then SIGKILL after 30 s)."""

    def __init__(self, process, url, log_path):
        self.process, self.url, self.log_path = process, url, log_path

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_server(database_url, port=8765, workers=None, *, threads=1, log_path=None, wait_seconds=90, env=None):
    """Start gunicorn with hms/gunicorn.conf.py against `database_url` on 127.0.0.1:`port` (`workers`
    processes; default: gunicorn.conf.py's 2 x cores + 1) and return a Server once it answers.
    The database must already be migrated. The access log goes to `log_path` (a temporary file by default)."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "loadtest-only-secret-key",
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        "PORT": str(port),
        "GUNICORN_THREADS": str(threads),
        **(env or {}),
    }
    environment.pop("BIND", None)
    if workers:
        environment["WEB_CONCURRENCY"] = str(workers)
    if log_path is None:
        handle, log_path = tempfile.mkstemp(prefix="hms-gunicorn-", suffix=".log")
        os.close(handle)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(gunicorn), "-c", str(ROOT / "hms" / "gunicorn.conf.py")],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadTestError(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            status, _ = Client(server.url, timeout=5).request("GET", "/login/")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.stop()
    raise LoadTestError(f"gunicorn did not answer within {wait_seconds} s; see {log_path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="A running server, e.g. http://127.0.0.1:8000 (or use --database-url).")
    parser.add_argument(
        "--database-url", help="Start gunicorn against this (migrated, loaded) database for the run, then stop it."
    )
    parser.add_argument("--port", type=int, default=8765, help="Port of the server --database-url starts.")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers of that server.")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--token", help="API token of a staff user who may list and book (else --username).")
    parser.add_argument("--username", default="reception")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--days-ahead", type=int, default=30, help="Book from this many days after today.")
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    args = parser.parse_args(argv)
    if bool(args.base_url) == bool(args.database_url):
        parser.error("give exactly one of --base-url and --database-url")
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users must be 1 or more and --seconds more than 0")
    server = None
    try:
        if args.database_url:
            server = start_server(args.database_url, args.port, args.workers)
        result = run(
            args.base_url or server.url,
            args.users,
            args.seconds,
            token=args.token,
            username=args.username,
            password=args.password,
            days_ahead=args.days_ahead,
        )
    except LoadTestError as exc:
        print(f"loadtest: {exc}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(result, indent=2) if args.json else summary(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
