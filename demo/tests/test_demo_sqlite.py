"""make demo's database is SQLite: every role's start page and the pages built on compound queries (the
chart timeline, patient search, the doctor's work, the bills admin search) answer 200 there too. The
rest of the suite runs on MariaDB, so this is the one check of the SQLite first look."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PAGES = {
    "admin": ["/dashboard/", "/admin/billing/bill/?q=Smi", "/admin/patients/patient/?q=Smi"],
    "doctor": ["/", "/scheduling/my-schedule/", "/clinical/patients/{patient}/chart/", "/clinical/results/",
               "/api/v1/patients/{patient}/history/", "/patients/?q=a"],
    "nurse": ["/", "/clinical/patients/{todays_patient}/chart/"],
    "reception": ["/", "/patients/?q=a", "/scheduling/book/?q=a"],
    "billing": ["/"],
    "pharmacist": ["/"],
    "labtech": ["/"],
    "insurer": ["/"],
    "privacy": ["/", "/privacy/failed-logins/", "/patients/break-glass/"],
    "patient": ["/", "/clinical/my-history/"],
}  # fmt: skip

CHECK = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from patients.models import Patient
pages = json.loads(sys.argv[1])
from datetime import timedelta
from django.utils import timezone
# Minimum necessary: the demo doctor reads the charts of their own patients, the nurse those of today's visits.
patient = Patient.objects.filter(medical_records__doctor__user__username="doctor").order_by("pk").first().pk
todays_patient = Patient.objects.filter(
    appointments__doctor__user__username="doctor",
    appointments__start__range=(timezone.now() - timedelta(hours=12), timezone.now() + timedelta(hours=12)),
).order_by("pk").first().pk
answers = {}
for username, urls in pages.items():
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    for url in urls:
        url = url.format(patient=patient, todays_patient=todays_patient)
        response = client.get(url, follow=True)
        # A page that ends anywhere else (the two-factor set-up, the login) did not answer what was asked.
        landed = response.redirect_chain[-1][0] if response.redirect_chain else url
        elsewhere = "two-factor" in landed or landed.startswith("/login")
        answers[f"{username} {url}"] = landed if elsewhere else response.status_code
print(json.dumps(answers))
"""


def test_every_role_starts_and_the_compound_query_pages_answer_on_the_demos_sqlite(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "SECRET_KEY": "test-only",
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "hms.settings",
        "TWO_FACTOR_REQUIRED_ROLES": "",  # as make demo sets it (Makefile DEMO_ENV): every demo login gets in
    }
    env.pop("DATABASE_REPLICA_URL", None)

    def run(*args):
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    run(sys.executable, "manage.py", "migrate", "--noinput")
    run(sys.executable, "manage.py", "seed_demo", "--patients", "12", "--password", "demo-pass")
    answers = json.loads(run(sys.executable, "-c", CHECK, json.dumps(PAGES)).strip().splitlines()[-1])

    assert answers and all(status == 200 for status in answers.values()), {
        page: status for page, status in answers.items() if status != 200
    }
