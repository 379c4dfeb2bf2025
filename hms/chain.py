"""Tamper evidence for the audit tables (issue 14): per-table, per-day seals chained by a keyed hash.

What is chained: every django-simple-history table of every app (each ``Historical*`` model, found in the
app registry) and every table handed to ``register(model, order_by=..., day_field=...)`` (the access log).

How: nothing is added to the write path. ``seal(through=day)`` (``manage.py seal_audit``, run daily) reads each
table's rows of the days not sealed yet, up to ``through`` (UTC days), and writes one ``ChainSeal`` per table per
day with rows: the day's rows in id order, each hashed (BLAKE2b-128 over the row's values), the day's hash over
those digests, a manifest (the ids and the first 8 bytes of each digest, to name the row that changed) and an
HMAC over all of it and the table's previous seal (``AUDIT_CHAIN_KEY``). A seal covers the days after the previous
seal up to its own day, so a table's newest seal marks how far it is sealed (a run with no new rows still writes
an empty seal for ``through``).

``verify()`` (``manage.py verify_audit``) walks each table's seals (a deleted or altered seal breaks the HMAC
chain), streams the table in id order once and recomputes every sealed day: a row changed, deleted, or inserted
into a sealed day is found and named (the first per table). Rows of days not sealed yet are counted as pending.
Each run is stored as a ``ChainVerification`` (``latest_verification()`` for the privacy officer's page).
"""

import bisect
import datetime
import hashlib
import hmac
import sys
import time
import zlib
from array import array
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone

from hms.append_only import AppendOnlyModel, AuditRowImmutable  # noqa: F401 (tests import it from here too)
from hms.exceptions import Conflict

GENESIS = "0" * 64
ROW_DIGEST_BYTES = 16  # BLAKE2b-128 per row: what the day's hash and the HMAC cover
MANIFEST_DIGEST_BYTES = 8  # the prefix kept per row in the manifest, only to name the row that changed
BATCH = 5000  # rows per keyset page when streaming a table
SEAL_BATCH, SEAL_BATCH_BYTES = 500, 4_000_000  # seals per INSERT, within MariaDB's 16 MB max_allowed_packet


# --- What is chained --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chained:
    """One chained table: its model, the increasing integer column that orders it, the datetime that dates a row."""

    model: type
    order_by: str
    day_field: str

    @property
    def table(self):
        return self.model._meta.db_table

    @property
    def columns(self):
        """Every column, sorted by name: what a row's hash covers."""
        return sorted(f.column for f in self.model._meta.concrete_fields)

    def column_of(self, name):
        return self.model._meta.get_field(name).column


_registered: dict[str, Chained] = {}


def register(model, *, order_by="id", day_field=None):
    """Chain ``model``'s table too (call it from an ``AppConfig.ready()``). ``order_by``: an increasing integer
    field (the primary key); ``day_field``: the DateTimeField that dates a row (found when the model has one)."""
    if day_field is None:
        found = [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
        if len(found) != 1:
            raise ValueError(f"{model._meta.label}: name the day_field (datetime fields: {found}).")
        day_field = found[0]
    chained = Chained(model=model, order_by=order_by, day_field=day_field)
    chained.column_of(order_by), chained.column_of(day_field)  # fail loudly on a wrong name
    _registered[chained.table] = chained
    _guard(model)
    return model


def is_history_model(model):
    return model.__name__.startswith("Historical") and hasattr(model, "instance_type")


def chained_tables():
    """Every chained table, sorted by table name: the simple-history tables, then those registered."""
    found = {}
    for model in apps.get_models():
        if is_history_model(model):
            found[model._meta.db_table] = Chained(model=model, order_by=model._meta.pk.name, day_field="history_date")
    found.update(_registered)
    return [found[table] for table in sorted(found)]


# --- Audit rows are append-only in code: a save of an existing row or a delete is refused ----------------------


def refuse_change(sender, instance, **kwargs):
    if not instance._state.adding:
        raise AuditRowImmutable(f"{sender._meta.verbose_name} rows are audit records: they are never changed.")


def refuse_delete(sender, instance, **kwargs):
    raise AuditRowImmutable(f"{sender._meta.verbose_name} rows are audit records: they are never deleted.")


def _guard(model):
    uid = f"hms.chain.{model._meta.label_lower}"
    pre_save.connect(refuse_change, sender=model, dispatch_uid=uid + ".save")
    pre_delete.connect(refuse_delete, sender=model, dispatch_uid=uid + ".delete")


def guard_chained_tables():
    """Connected from HmsConfig.ready(): every history model refuses a change or a delete through the ORM."""
    for chained in chained_tables():
        _guard(chained.model)


# --- The stored seals and verification runs ---------------------------------------------------------------------


class ChainSeal(AppendOnlyModel):
    """The seal of one table's rows of one UTC day (and of the empty days since the table's previous seal)."""

    table = models.CharField(max_length=64)
    day = models.DateField()
    row_count = models.PositiveIntegerField()
    columns = models.TextField(help_text="The columns hashed, comma-separated.")
    day_hash = models.CharField(max_length=64, help_text="SHA-256 over the day's row digests, in id order.")
    manifest = models.BinaryField(help_text="zlib: the row ids (delta-coded) and an 8-byte prefix of each digest.")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["table", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "day"],
                name="hms_chainseal_one_per_table_day",
                violation_error_message="This table's day is sealed already.",
            )
        ]

    def __str__(self):
        return f"{self.table} {self.day} ({self.row_count} rows)"


class ChainVerification(AppendOnlyModel):
    """One run of ``verify_audit``: whether every chain held, and the first break of each broken table."""

    checked_at = models.DateTimeField(default=timezone.now, db_index=True)
    ok = models.BooleanField()
    tables = models.PositiveIntegerField()
    seals = models.PositiveIntegerField()
    rows_sealed = models.PositiveBigIntegerField()
    rows_pending = models.PositiveBigIntegerField(help_text="Rows of days not sealed yet.")
    breaks = models.JSONField(default=list, help_text="The first break of each broken table.")
    head = models.CharField(max_length=64, help_text="SHA-256 over every table's newest seal: note it off-site.")
    heads = models.JSONField(default=dict, help_text="Each table's newest seal: the next run checks it is still there.")
    seconds = models.FloatField()

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self):
        return f"{timezone.localtime(self.checked_at):%Y-%m-%d %H:%M} {'ok' if self.ok else 'BROKEN'}"

    @property
    def first_break(self):
        return self.breaks[0] if self.breaks else None


def latest_verification():
    """The newest verification run, or None: for the privacy officer's page."""
    return ChainVerification.objects.order_by("-checked_at", "-id").first()


# --- Hashing ------------------------------------------------------------------------------------------------------


def _key():
    secret = getattr(settings, "AUDIT_CHAIN_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"hms.audit-chain:" + secret.encode()).digest()


def _mac(key, *, prev_hash, table, day, row_count, columns, day_hash, manifest):
    message = "\n".join(
        [prev_hash, table, day.isoformat(), str(row_count), columns, day_hash, hashlib.sha256(manifest).hexdigest()]
    )
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


class _Day:
    """The running digest of one day's rows."""

    __slots__ = ("ids", "prefixes", "hasher", "count")

    def __init__(self):
        self.ids = array("q")
        self.prefixes = bytearray()
        self.hasher = hashlib.sha256()
        self.count = 0

    def add(self, row_id, row):
        digest = hashlib.blake2b(repr(row).encode(), digest_size=ROW_DIGEST_BYTES).digest()
        self.ids.append(row_id)
        self.prefixes += digest[:MANIFEST_DIGEST_BYTES]
        self.hasher.update(digest)
        self.count += 1

    def manifest(self):
        deltas = array("q", (b - a for a, b in zip([0, *self.ids][:-1], self.ids, strict=True)))
        if sys.byteorder == "big":
            deltas.byteswap()
        return zlib.compress(deltas.tobytes() + bytes(self.prefixes), 6)


def _read_manifest(blob, count):
    raw = zlib.decompress(bytes(blob))
    deltas = array("q")
    deltas.frombytes(raw[: 8 * count])
    if sys.byteorder == "big":
        deltas.byteswap()
    ids, total = [], 0
    for delta in deltas:
        total += delta
        ids.append(total)
    return ids, raw[8 * count :]


def _day_of(value):
    """The UTC day of a datetime as the driver returns it (naive UTC on MySQL, aware on PostgreSQL, text on SQLite)."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.date()


def _utc_midnight(day):
    return connection.ops.adapt_datetimefield_value(
        datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    )


def _stream(chained, columns, *, ids=None):
    """The table's rows (``columns``) in ``order_by`` order, by keyset pages; or just the rows of ``ids``.

    The values are hashed as the driver returns them: on MySQL / MariaDB as text (``CAST(... AS CHAR)``)."""
    qn = connection.ops.quote_name
    key = chained.column_of(chained.order_by)
    if connection.vendor == "mysql":
        # Every value as the server's text (the key aside): MySQLdb parses each datetime in Python, half the time.
        picked = ", ".join(qn(c) if c == key else f"CAST({qn(c)} AS CHAR)" for c in columns)
    else:
        picked = ", ".join(qn(c) for c in columns)
    select = f"SELECT {picked} FROM {qn(chained.table)}"
    at = columns.index(key)
    with connection.cursor() as cursor:
        if ids is not None:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{select} WHERE {qn(key)} IN ({marks}) ORDER BY {qn(key)}", chunk)
                yield from cursor.fetchall()
            return
        last = None
        while True:
            if last is None:
                cursor.execute(f"{select} ORDER BY {qn(key)} LIMIT {BATCH}")
            else:
                cursor.execute(f"{select} WHERE {qn(key)} > %s ORDER BY {qn(key)} LIMIT {BATCH}", [last])
            rows = cursor.fetchall()
            yield from rows
            if len(rows) < BATCH:
                return
            last = rows[-1][at]


def _ids_between(chained, after, through):
    """Ids of the rows dated after the day ``after`` up to the end of ``through`` (over the date's index)."""
    qn = connection.ops.quote_name
    key, day = chained.column_of(chained.order_by), chained.column_of(chained.day_field)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn(key)} FROM {qn(chained.table)} WHERE {qn(day)} >= %s AND {qn(day)} < %s",
            [_utc_midnight(after + datetime.timedelta(days=1)), _utc_midnight(through + datetime.timedelta(days=1))],
        )
        return sorted(row[0] for row in cursor.fetchall())


# --- Sealing ------------------------------------------------------------------------------------------------------


@dataclass
class Sealed:
    table: str
    seals: int = 0
    rows: int = 0
    refused: str = ""


def default_through():
    """Yesterday (UTC): a daily run at 00:30 UTC seals the day that just ended."""
    return timezone.now().astimezone(datetime.UTC).date() - datetime.timedelta(days=1)


def seal(*, through=None, include_today=False, progress=None):
    """Seal every chained table's days up to ``through`` (UTC; default yesterday). A day still being written
    (today) is refused unless ``include_today``: its later rows would read as inserted into a sealed day."""
    today = timezone.now().astimezone(datetime.UTC).date()
    through = through or default_through()
    if through > today or (through == today and not include_today):
        raise Conflict(f"Only days that have ended can be sealed: {through} is not over yet (UTC).")
    key = _key()
    results = []
    for chained in chained_tables():
        try:
            result = _seal_table(chained, through, key)
        except IntegrityError:
            result = Sealed(table=chained.table, refused="another seal run sealed it at the same time")
        results.append(result)
        if progress:
            progress(result)
    return results


@transaction.atomic
def _seal_table(chained, through, key):
    result = Sealed(table=chained.table)
    last = ChainSeal.objects.filter(table=chained.table).order_by("-day").first()
    if last is not None and last.day >= through:
        return result
    columns = chained.columns
    at_key, at_day = (
        columns.index(chained.column_of(chained.order_by)),
        columns.index(chained.column_of(chained.day_field)),
    )
    days: dict[datetime.date, _Day] = {}
    rows = (
        _stream(chained, columns)
        if last is None
        else _stream(chained, columns, ids=_ids_between(chained, last.day, through))
    )
    for row in rows:
        day = _day_of(row[at_day])
        if day > through or (last is not None and day <= last.day):
            continue
        if day not in days:
            days[day] = _Day()
        days[day].add(row[at_key], row)
    if not days or max(days) < through:
        days[through] = _Day()
    prev_hash = last.hash if last else GENESIS
    column_text = ",".join(columns)
    pending, pending_bytes = [], 0
    for day in sorted(days):
        acc = days.pop(day)
        manifest = acc.manifest()
        day_hash = acc.hasher.hexdigest()
        seal_hash = _mac(
            key,
            prev_hash=prev_hash,
            table=chained.table,
            day=day,
            row_count=acc.count,
            columns=column_text,
            day_hash=day_hash,
            manifest=manifest,
        )
        pending.append(
            ChainSeal(
                table=chained.table,
                day=day,
                row_count=acc.count,
                columns=column_text,
                day_hash=day_hash,
                manifest=manifest,
                prev_hash=prev_hash,
                hash=seal_hash,
            )
        )
        pending_bytes += len(manifest)
        if len(pending) >= SEAL_BATCH or pending_bytes >= SEAL_BATCH_BYTES:
            ChainSeal.objects.bulk_create(pending)
            pending, pending_bytes = [], 0
        prev_hash = seal_hash
        result.seals += 1
        result.rows += acc.count
    ChainSeal.objects.bulk_create(pending)
    return result


# --- Verifying ----------------------------------------------------------------------------------------------------


@dataclass
class Checked:
    table: str
    seals: int = 0
    rows_sealed: int = 0
    rows_pending: int = 0
    head: str = GENESIS
    head_day: datetime.date | None = None
    first_break: dict | None = None


def _break(table, day, row_id, what):
    return {"table": table, "day": day.isoformat() if day else None, "id": row_id, "what": what}


def _locate(stored_ids, stored_prefixes, acc):
    """The first row where the sealed manifest and the rows now differ: (id, what)."""
    now_ids, now_prefixes, n = acc.ids, bytes(acc.prefixes), MANIFEST_DIGEST_BYTES
    i = j = 0
    while i < len(stored_ids) and j < len(now_ids):
        if stored_ids[i] == now_ids[j]:
            if stored_prefixes[i * n : (i + 1) * n] != now_prefixes[j * n : (j + 1) * n]:
                return stored_ids[i], "altered"
            i, j = i + 1, j + 1
        elif stored_ids[i] < now_ids[j]:
            return stored_ids[i], "deleted"
        else:
            return now_ids[j], "inserted"
    if i < len(stored_ids):
        return stored_ids[i], "deleted"
    if j < len(now_ids):
        return now_ids[j], "inserted"
    return None, "altered (the day's hash differs; the manifest names no row)"


def verify_table(chained, key=None, *, seen_head=None):
    """Recompute one table's chain; ``first_break`` is the earliest problem (seal order, then id), or None.

    ``seen_head``: the table's newest seal when it was last verified ({"day", "hash", "checked_at"}): it must still
    be there (the newest seal has no successor whose chain would show it deleted)."""
    key = key or _key()
    table = chained.table
    result = Checked(table=table)
    seals = list(ChainSeal.objects.filter(table=table).order_by("day"))
    result.seals = len(seals)
    days = [s.day for s in seals]
    current = chained.columns
    at_key, at_day = (
        current.index(chained.column_of(chained.order_by)),
        current.index(chained.column_of(chained.day_field)),
    )
    picks, schema_breaks = [], {}
    for s in seals:
        wanted = s.columns.split(",")
        missing = [c for c in wanted if c not in current]
        if missing:
            schema_breaks[s.day] = f"sealed column(s) {', '.join(missing)} no longer in the table"
            picks.append(None)
        else:
            picks.append(None if wanted == current else tuple(current.index(c) for c in wanted))
    accs = [_Day() for _ in seals]
    index_of = {day: i for i, day in enumerate(days)}
    last_day = days[-1] if days else None
    for row in _stream(chained, current):
        day = _day_of(row[at_day])
        i = index_of.get(day)
        if i is None:
            if last_day is None or day > last_day:
                result.rows_pending += 1
                continue
            i = bisect.bisect_left(days, day)  # a day with no rows when sealed: covered by the next seal
        pick = picks[i]
        accs[i].add(row[at_key], row if pick is None else tuple(row[p] for p in pick))
    prev_hash = GENESIS
    for s, acc in zip(seals, accs, strict=True):
        result.rows_sealed += acc.count
        if result.first_break:
            continue
        if s.prev_hash != prev_hash:
            result.first_break = _break(table, s.day, None, "seal deleted or altered: the chain breaks before this day")
            continue
        expected = _mac(
            key,
            prev_hash=s.prev_hash,
            table=table,
            day=s.day,
            row_count=s.row_count,
            columns=s.columns,
            day_hash=s.day_hash,
            manifest=bytes(s.manifest),
        )
        if not hmac.compare_digest(expected, s.hash):
            result.first_break = _break(table, s.day, None, "seal altered: its hash does not match its content")
            continue
        prev_hash = s.hash
        if s.day in schema_breaks:
            result.first_break = _break(table, s.day, None, schema_breaks[s.day])
            continue
        if acc.count != s.row_count or acc.hasher.hexdigest() != s.day_hash:
            stored_ids, stored_prefixes = _read_manifest(s.manifest, s.row_count)
            row_id, what = _locate(stored_ids, stored_prefixes, acc)
            result.first_break = _break(table, s.day, row_id, what)
    if seals:
        result.head, result.head_day = seals[-1].hash, seals[-1].day
    if not result.first_break and seen_head and seen_head["hash"] not in {s.hash for s in seals}:
        result.first_break = _break(
            table,
            datetime.date.fromisoformat(seen_head["day"]),
            None,
            f"seal deleted: the newest seal verified on {seen_head['checked_at']} is gone",
        )
    return result


def verify(*, tables=None, progress=None, record=True):
    """Verify every chained table (or those named); store the outcome as a ChainVerification unless ``record``
    is off. Returns (verification, [Checked per table])."""
    started = time.monotonic()
    chosen = chained_tables()
    if tables:
        unknown = set(tables) - {c.table for c in chosen}
        if unknown:
            raise Conflict(f"Not a chained table: {', '.join(sorted(unknown))}.")
        chosen = [c for c in chosen if c.table in tables]
    key = _key()
    previous = latest_verification()
    seen = previous.heads if previous else {}
    checked = []
    for chained in chosen:
        result = verify_table(chained, key, seen_head=seen.get(chained.table))
        checked.append(result)
        if progress:
            progress(result)
    head = hashlib.sha256("\n".join(f"{c.table}:{c.head}" for c in checked).encode()).hexdigest()
    verification = ChainVerification(
        ok=not any(c.first_break for c in checked),
        tables=len(checked),
        seals=sum(c.seals for c in checked),
        rows_sealed=sum(c.rows_sealed for c in checked),
        rows_pending=sum(c.rows_pending for c in checked),
        breaks=[c.first_break for c in checked if c.first_break],
        head=head,
        heads={
            **seen,
            **{
                c.table: {"day": c.head_day.isoformat(), "hash": c.head, "checked_at": timezone.now().isoformat()}
                for c in checked
                if c.head_day
            },
        },
        seconds=round(time.monotonic() - started, 3),
    )
    if record:
        verification.save()
    return verification, checked
