import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from hms.env import env_bool, env_database, env_list
from hms.roles import ALL_GROUPS, ROLE_PERMISSIONS, codenames_for, sync_roles
from hms.sequences import next_value


def test_env_bool_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("HMS_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("HMS_FLAG", default=False)
    monkeypatch.setenv("HMS_FLAG", "Yes")
    assert env_bool("HMS_FLAG", default=False) is True


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv("HMS_HOSTS", " a.example , b.example,, ")
    assert env_list("HMS_HOSTS", default=[]) == ["a.example", "b.example"]


def test_database_urls_configure_sqlite_immediate_and_mysql_utf8mb4(monkeypatch):
    monkeypatch.setenv("HMS_DB", "sqlite:////tmp/x.sqlite3")
    assert env_database("HMS_DB", default="")["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    monkeypatch.setenv("HMS_DB", "mysql://u:p@127.0.0.1:3306/hms")
    config = env_database("HMS_DB", default="")
    assert config["OPTIONS"]["charset"] == "utf8mb4"
    assert config["NAME"] == "hms"
    monkeypatch.setenv("HMS_DB", "oracle://u:p@h/x")
    with pytest.raises(ImproperlyConfigured):
        env_database("HMS_DB", default="")


@pytest.mark.django_db
def test_every_role_group_exists_after_migrate_with_its_table_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_GROUPS)
    receptionist = Group.objects.get(name="Receptionist")
    codes = set(receptionist.permissions.values_list("codename", flat=True))
    assert {codename for _, codename in codenames_for(ROLE_PERMISSIONS["Receptionist"])} == codes
    assert "delete_patient" not in codes


@pytest.mark.django_db
def test_sync_roles_restores_a_tampered_group_and_names_no_unknown_permission():
    nurse = Group.objects.get(name="Nurse")
    nurse.permissions.clear()
    assert sync_roles() == []
    assert nurse.permissions.filter(codename="view_patient").exists()
    call_command("sync_roles", verbosity=0)


@pytest.mark.django_db
def test_no_role_may_delete_patient_data():
    for table in ROLE_PERMISSIONS.values():
        for app_label, codename in codenames_for(table):
            if app_label == "patients":
                assert not codename.startswith("delete_"), codename


@pytest.mark.django_db(transaction=True)
def test_sequence_values_are_unique_under_concurrent_callers():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared-cache in-memory test database locks whole tables; the suite runs on MariaDB.")
    results, errors = [], []
    barrier = threading.Barrier(8)

    def worker():
        from django.db import connection as thread_connection
        from django.db import transaction

        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    results.append(next_value("test.concurrent"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, 41))
