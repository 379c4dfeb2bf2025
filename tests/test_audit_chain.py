"""Tamper evidence (issue 14): seal_audit seals the audit tables day by day, verify_audit names the first altered,
deleted or inserted row of each table (or a deleted or altered seal) and exits non-zero; audit rows cannot be
changed or deleted through the ORM, the admin or the API."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models.signals import pre_delete, pre_save
from django.urls import get_resolver, reverse
from django.utils import timezone

from hms import chain
from hms.chain import AuditRowImmutable, ChainSeal, ChainVerification, chained_tables, latest_verification
from patients.models import Patient
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TABLE = Patient.history.model._meta.db_table  # patients_historicalpatient


def today():
    return timezone.now().astimezone(datetime.UTC).date()


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def history_ids():
    return [row[0] for row in sql(f"SELECT history_id FROM {TABLE} ORDER BY history_id")]


def date_rows(ids, day):
    """Date history rows to ``day`` (noon UTC), as if written then."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    marks = ", ".join(["%s"] * len(ids))
    sql(
        f"UPDATE {TABLE} SET history_date = %s WHERE history_id IN ({marks})",
        [connection.ops.adapt_datetimefield_value(moment), *ids],
    )


@pytest.fixture
def sealed():
    """Five patients' history rows over two days (three days ago and two days ago), sealed through yesterday."""
    PatientFactory.create_batch(5)
    ids = history_ids()
    date_rows(ids[:2], today() - datetime.timedelta(days=3))
    date_rows(ids[2:], today() - datetime.timedelta(days=2))
    call_command("seal_audit")
    return ids


def verify_fails():
    """Run verify_audit, expecting a break; return what it wrote to stderr."""
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError, match="audit trail was altered"):
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    return err.getvalue()


def first_break(table=TABLE):
    verification = latest_verification()
    assert verification is not None and not verification.ok
    return next(b for b in verification.breaks if b["table"] == table)


def test_a_clean_trail_verifies_and_the_run_is_stored_for_the_privacy_officer(sealed, capsys):
    call_command("verify_audit")

    assert "Every audit chain holds" in capsys.readouterr().out
    verification = latest_verification()
    assert verification.ok and verification.breaks == [] and verification.first_break is None
    assert verification.rows_sealed >= len(sealed)
    assert verification.tables == len(chained_tables())
    assert list(ChainSeal.objects.filter(table=TABLE).order_by("day").values_list("day", "row_count")) == [
        (today() - datetime.timedelta(days=3), 2),
        (today() - datetime.timedelta(days=2), 3),
        (today() - datetime.timedelta(days=1), 0),  # the run's last day: sealed through here, no rows
    ]


def test_every_history_table_of_every_app_is_chained():
    tables = {c.table for c in chained_tables()}
    assert {
        TABLE,
        "scheduling_historicalappointment",
        "clinical_historicalmedicalrecord",
        "billing_historicalbill",
    } <= tables


def test_a_history_row_altered_with_raw_sql_is_named(sealed):
    sql(f"UPDATE {TABLE} SET first_name = 'Mallory' WHERE history_id = %s", [sealed[3]])

    err = verify_fails()

    assert first_break() == {
        "table": TABLE,
        "day": (today() - datetime.timedelta(days=2)).isoformat(),
        "id": sealed[3],
        "what": "altered",
    }
    assert f"{TABLE}: first break on" in err and f"id {sealed[3]}: altered" in err


def test_only_the_first_break_of_a_table_is_reported(sealed):
    sql(f"UPDATE {TABLE} SET first_name = 'Mallory' WHERE history_id IN (%s, %s)", [sealed[1], sealed[4]])

    verify_fails()

    assert first_break()["id"] == sealed[1]


def test_a_deleted_history_row_is_caught(sealed):
    sql(f"DELETE FROM {TABLE} WHERE history_id = %s", [sealed[0]])

    verify_fails()

    assert first_break() == {
        "table": TABLE,
        "day": (today() - datetime.timedelta(days=3)).isoformat(),
        "id": sealed[0],
        "what": "deleted",
    }


def copy_row_as_new(history_id, day):
    """Insert a copy of a history row (a new history_id) dated ``day``; returns its id."""
    columns = chain.Chained(Patient.history.model, "history_id", "history_date").columns
    copied = ", ".join(connection.ops.quote_name(c) for c in columns if c != "history_id")
    sql(f"INSERT INTO {TABLE} ({copied}) SELECT {copied} FROM {TABLE} WHERE history_id = %s", [history_id])
    new_id = history_ids()[-1]
    date_rows([new_id], day)
    return new_id


def test_a_row_inserted_into_a_sealed_day_is_caught(sealed):
    new_id = copy_row_as_new(sealed[2], today() - datetime.timedelta(days=2))

    verify_fails()

    assert first_break()["id"] == new_id and first_break()["what"] == "inserted"


def test_a_row_inserted_into_a_sealed_day_that_had_no_rows_is_caught(sealed):
    new_id = copy_row_as_new(sealed[2], today() - datetime.timedelta(days=30))

    verify_fails()

    assert first_break()["id"] == new_id and first_break()["what"] == "inserted"


def test_a_deleted_seal_is_caught(sealed):
    first = ChainSeal.objects.filter(table=TABLE).order_by("day").first()
    sql(f"DELETE FROM {ChainSeal._meta.db_table} WHERE id = %s", [first.pk])

    verify_fails()

    assert "seal deleted" in first_break()["what"]


def test_the_newest_seal_deleted_after_a_verification_is_caught(sealed):
    call_command("verify_audit")
    newest = ChainSeal.objects.filter(table=TABLE).order_by("-day").first()
    sql(f"DELETE FROM {ChainSeal._meta.db_table} WHERE id = %s", [newest.pk])

    verify_fails()

    assert first_break()["what"].startswith("seal deleted: the newest seal verified on")
    assert first_break()["day"] == newest.day.isoformat()


def test_a_seal_altered_to_match_an_altered_row_is_caught(sealed):
    # Whoever deletes a row and lowers the seal's count cannot recompute its keyed hash.
    sql(f"DELETE FROM {TABLE} WHERE history_id = %s", [sealed[0]])
    sql(
        f"UPDATE {ChainSeal._meta.db_table} SET row_count = row_count - 1 WHERE `table` = %s AND row_count > 0", [TABLE]
    )

    verify_fails()

    assert first_break()["what"].startswith("seal altered")


def test_rows_of_days_not_sealed_yet_are_pending_not_broken(sealed, capsys):
    PatientFactory()  # written today: sealed tomorrow

    call_command("verify_audit")

    assert latest_verification().ok and latest_verification().rows_pending >= 1


def test_sealing_again_adds_nothing_and_later_days_chain_on(sealed):
    before = ChainSeal.objects.count()
    call_command("seal_audit")
    assert ChainSeal.objects.count() == before

    PatientFactory()
    call_command("seal_audit", through=today().isoformat(), include_today=True)
    newest = ChainSeal.objects.filter(table=TABLE).order_by("-day")[:2]
    assert newest[0].day == today() and newest[0].prev_hash == newest[1].hash
    call_command("verify_audit")
    assert latest_verification().ok


def test_a_day_not_over_is_not_sealed_unless_asked():
    with pytest.raises(CommandError, match="not over yet"):
        call_command("seal_audit", through=today().isoformat())
    with pytest.raises(CommandError, match="not over yet"):
        call_command("seal_audit", through=(today() + datetime.timedelta(days=1)).isoformat(), include_today=True)
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seal_audit", through="yesterday")
    assert not ChainSeal.objects.exists()


def test_a_registered_table_is_chained_too(monkeypatch, admin_user_obj):
    monkeypatch.setattr(chain, "_registered", {})
    try:
        chain.register(LogEntry, order_by="id", day_field="action_time")
        entry = LogEntry.objects.create(user=admin_user_obj, action_flag=1, object_repr="x", change_message="")
        LogEntry.objects.filter(pk=entry.pk).update(action_time=timezone.now() - datetime.timedelta(days=2))
        call_command("seal_audit")
        assert ChainSeal.objects.get(table="django_admin_log", row_count=1)

        sql("UPDATE django_admin_log SET object_repr = 'y' WHERE id = %s", [entry.pk])
        verify_fails()
        assert first_break("django_admin_log")["id"] == entry.pk
    finally:
        pre_save.disconnect(sender=LogEntry, dispatch_uid="hms.chain.admin.logentry.save")
        pre_delete.disconnect(sender=LogEntry, dispatch_uid="hms.chain.admin.logentry.delete")


# --- Nobody changes or deletes audit rows: ORM (any service), admin, API ------------------------------------------


def test_a_history_row_cannot_be_changed_or_deleted_through_the_orm():
    patient = PatientFactory()
    version = patient.history.first()
    version.first_name = "Mallory"
    with pytest.raises(AuditRowImmutable), transaction.atomic():
        version.save()
    with pytest.raises(AuditRowImmutable), transaction.atomic():
        version.delete()
    assert patient.history.first().first_name == patient.first_name


def test_seals_and_verifications_cannot_be_changed_or_deleted_through_the_orm(sealed):
    seal = ChainSeal.objects.first()
    seal.row_count = 0
    with pytest.raises(AuditRowImmutable):
        seal.save()
    with pytest.raises(AuditRowImmutable):
        seal.delete()
    with pytest.raises(AuditRowImmutable):
        ChainSeal.objects.all().delete()
    with pytest.raises(AuditRowImmutable):
        ChainSeal.objects.update(row_count=0)
    call_command("verify_audit")
    with pytest.raises(AuditRowImmutable):
        ChainVerification.objects.all().delete()
    with pytest.raises(AuditRowImmutable):
        latest_verification().delete()


@pytest.mark.parametrize("model", [ChainSeal, ChainVerification], ids=lambda m: m.__name__)
def test_a_superuser_cannot_change_or_delete_seals_or_verifications_in_the_admin(sealed, admin_client, model):
    call_command("verify_audit")
    row = model.objects.first()
    opts = model._meta
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])

    assert admin_client.get(change).status_code == 200  # view only
    assert admin_client.post(change, {"ok": "on", "row_count": "0"}).status_code == 403
    assert (
        admin_client.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])).status_code == 403
    )
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def test_no_api_endpoint_writes_audit_rows_and_none_serves_seals_verifications_or_history_tables():
    """The access log and security events are read by the privacy officer's SIEM endpoints (read-only viewsets);
    seals, verification runs and history tables are not served at all."""
    chained = {c.model for c in chained_tables()}
    never_served = {m for m in chained if m.__name__.startswith("Historical")} | {ChainSeal, ChainVerification}
    exposed, writable, read_only = [], [], []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            view = getattr(pattern.callback, "cls", None)
            queryset = getattr(view, "queryset", None)
            if queryset is None or queryset.model not in chained | never_served:
                continue
            route = prefix + str(pattern.pattern)
            if queryset.model in never_served:
                exposed.append(route)
            actions = set(getattr(pattern.callback, "actions", None) or {})
            if actions & {"post", "put", "patch", "delete"}:
                writable.append(route)
            else:
                read_only.append(route)

    walk(get_resolver().url_patterns)
    assert exposed == []
    assert writable == []
    assert read_only, "the access log's read-only endpoints were expected among the routes"
