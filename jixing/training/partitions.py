"""Attendance partitioned by the month of its session (PostgreSQL only; issue 19,
docs/scaling.md "Partitioning attendance by month").

``training_attendance`` is ``PARTITION BY RANGE (session_month)``: one partition per month
(``training_attendance_y2026m03``) and a DEFAULT partition for anything outside them. Its primary
key at database level is (id, session_month) — PostgreSQL wants the partition key in every unique
constraint — while Django keeps ``id`` as the model's pk (no foreign key points at attendance;
ids come from the table's identity sequence, so they stay unique). The unique constraint
``attendance_once_per_session`` is (enrollment, session, session_month): ``session_month`` is a
function of the session (jixing/training/fields.py), so it refuses exactly what the old unique
(enrollment, session) refused.

SQLite (development, tests without DATABASE_URL) keeps a plain table: every function here is a
no-op there.

- :func:`rebuild` turns the plain table into the partitioned one and back (the migration).
- :func:`ensure` creates the current month and the next ``ahead`` months (scheduler job
  ``attendance_partitions``, daily); a month whose rows already sit in DEFAULT has them moved.
- :func:`detach_before` detaches closed months for archiving (``manage.py attendance_partitions
  --detach-before YYYY-MM``): the tables stay in the database, outside the live table.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

TABLE = "training_attendance"
DEFAULT = f"{TABLE}_default"
_MONTHLY = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")
# A session whose start moves to another month takes its attendance rows along (the rows move
# partition), so (enrollment, session, session_month) stays as strict as (enrollment, session).
_SESSION_TRIGGER = "training_session_month_follows"


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month``'s (pure)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def month_of_partition(name: str) -> dt.date | None:
    match = _MONTHLY.match(name)
    return dt.date(int(match[1]), int(match[2]), 1) if match else None


def months_to_ensure(today: dt.date, ahead: int) -> list[dt.date]:
    """This month and the next ``ahead`` months (pure)."""
    first = today.replace(day=1)
    return [add_months(first, n) for n in range(ahead + 1)]


@dataclass(frozen=True)
class Partition:
    name: str
    month: dt.date | None  # None for DEFAULT
    rows: int


def is_partitioned(connection: Any) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                       "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace)", [TABLE])
        return bool(cursor.fetchone()[0])


def partitions(connection: Any, *, count_rows: bool = False) -> list[Partition]:
    """The attached partitions, oldest month first, DEFAULT last (estimated row counts unless asked)."""
    if not is_partitioned(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, c.reltuples FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = %s::regclass", [TABLE])
        found = cursor.fetchall()
        result = []
        for name, estimate in found:
            rows = int(max(estimate, 0))
            if count_rows:
                cursor.execute(f'SELECT count(*) FROM "{name}"')
                rows = cursor.fetchone()[0]
            result.append(Partition(name=name, month=month_of_partition(name), rows=rows))
    return sorted(result, key=lambda p: (p.month is None, p.month or dt.date.min))


def _name_indexes(cursor: Any, partition: str) -> None:
    """Give a partition's indexes their parent's name plus the month (``attendance_once_per_session_y2026m03``):
    PostgreSQL reports a violation under the partition's index name, and the check-in action and
    the operators read the rule's name in it (an index backing a constraint renames the constraint)."""
    suffix = "default" if partition == DEFAULT else partition.removeprefix(f"{TABLE}_")
    cursor.execute("SELECT ci.relname, cp.relname FROM pg_inherits i JOIN pg_class ci ON ci.oid = i.inhrelid "
                   "JOIN pg_class cp ON cp.oid = i.inhparent JOIN pg_index x ON x.indexrelid = ci.oid "
                   "WHERE x.indrelid = %s::regclass", [partition])
    for name, parent in cursor.fetchall():
        wanted = f"{parent}_{suffix}"[:63]
        if name != wanted:
            cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{wanted}"')


def _create_month(cursor: Any, month: dt.date) -> None:
    """Create one month's partition; rows of that month already in DEFAULT are moved into it
    (PostgreSQL refuses to create a partition whose rows the DEFAULT partition holds)."""
    lo, hi = month, add_months(month, 1)
    cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{DEFAULT}" WHERE session_month >= %s AND session_month < %s)',
                   [lo, hi])
    moving = bool(cursor.fetchone()[0])
    if moving:
        cursor.execute(f'CREATE TEMP TABLE attendance_moving (LIKE "{TABLE}") ON COMMIT DROP')
        cursor.execute(f'WITH d AS (DELETE FROM "{DEFAULT}" WHERE session_month >= %s AND session_month < %s '
                       f"RETURNING *) INSERT INTO attendance_moving SELECT * FROM d", [lo, hi])
    cursor.execute(f'CREATE TABLE "{partition_name(month)}" PARTITION OF "{TABLE}" FOR VALUES FROM (%s) TO (%s)',
                   [lo.isoformat(), hi.isoformat()])
    _name_indexes(cursor, partition_name(month))
    if moving:
        cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM attendance_moving')
        cursor.execute("DROP TABLE attendance_moving")


def ensure(connection: Any, *, today: dt.date, ahead: int = 3) -> list[str]:
    """Create the missing monthly partitions from ``today``'s month to ``ahead`` months on.
    Returns the names created (nothing on SQLite or an unpartitioned table)."""
    from django.db import transaction

    if not is_partitioned(connection):
        return []
    existing = {p.month for p in partitions(connection)}
    created = []
    for month in months_to_ensure(today, ahead):
        if month in existing:
            continue
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{TABLE}" IN SHARE ROW EXCLUSIVE MODE')
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [partition_name(month)])
            if cursor.fetchone()[0]:  # another run created it meanwhile
                continue
            _create_month(cursor, month)
        created.append(partition_name(month))
    return created


class PartitionError(Exception):
    """Refused for a reason the operator must read (the message says which month and why)."""


def detach_before(connection: Any, *, before: dt.date, today: dt.date) -> list[str]:
    """Detach every monthly partition of a month before ``before`` (archiving closed months).

    Refused for the current or a later month, and for a month that still holds attendance of a
    class that is not closed: detached rows no longer count towards anyone's attendance rate.
    Plain ``DETACH PARTITION`` (not CONCURRENTLY: PostgreSQL does not allow that while a DEFAULT
    partition exists); it holds an exclusive lock on the table for a moment."""
    from django.db import transaction

    before = before.replace(day=1)
    if before > today.replace(day=1):
        raise PartitionError(f"--detach-before {before:%Y-%m}: only months before the current one can be detached.")
    targets = [p for p in partitions(connection) if p.month is not None and p.month < before]
    detached = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for part in targets:
            cursor.execute(f'SELECT min(c.code) FROM "{part.name}" a JOIN training_trainingclass c '
                           f"ON c.id = a.training_class_id WHERE c.closed_at IS NULL")
            open_class = cursor.fetchone()[0]
            if open_class:
                raise PartitionError(f"{part.month:%Y-%m}: class {open_class} is not closed; its attendance must stay "
                                     f"in the live table. Nothing was detached.")
        for part in targets:
            cursor.execute(f'ALTER TABLE "{TABLE}" DETACH PARTITION "{part.name}"')
            detached.append(part.name)
    return detached


# ------------------------------------------------------------------ the migration


def _constraints_and_indexes(cursor: Any) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f', 'c') ORDER BY contype, conname", [TABLE])
    constraints = cursor.fetchall()
    owned = {name for name, _kind, _sql in constraints}
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
                   "ORDER BY indexname", [TABLE])
    indexes = [(name, sql) for name, sql in cursor.fetchall() if name not in owned]
    return constraints, indexes


def rebuild(connection: Any, *, partitioned: bool, today: dt.date) -> None:
    """Rebuild ``training_attendance`` as a partitioned table (or back to a plain one), keeping
    every row, column, id, constraint and index name. Runs inside the migration's transaction
    under an exclusive lock: at province size (30–45 M rows) a maintenance window (docs/scaling.md)."""
    if connection.vendor != "postgresql" or is_partitioned(connection) == partitioned:
        return
    from django.db import transaction

    new = f"{TABLE}_rebuilt"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
        # deferred foreign-key checks of rows written earlier in this transaction run now: the
        # old table cannot be dropped while it has pending trigger events
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        constraints, indexes = _constraints_and_indexes(cursor)
        cursor.execute(f'CREATE TABLE "{new}" (LIKE "{TABLE}" INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE '
                       f"INCLUDING COMMENTS)" + (" PARTITION BY RANGE (session_month)" if partitioned else ""))
        if partitioned:
            cursor.execute(f'SELECT DISTINCT session_month FROM "{TABLE}"')
            months = {m.replace(day=1) for (m,) in cursor.fetchall()} | set(months_to_ensure(today, 3))
            for month in sorted(months):
                cursor.execute(f'CREATE TABLE "{partition_name(month)}" PARTITION OF "{new}" '
                               f"FOR VALUES FROM (%s) TO (%s)", [month.isoformat(), add_months(month, 1).isoformat()])
            cursor.execute(f'CREATE TABLE "{DEFAULT}" PARTITION OF "{new}" DEFAULT')
        cursor.execute(f'INSERT INTO "{new}" SELECT * FROM "{TABLE}"')
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(f'ALTER TABLE "{new}" RENAME TO "{TABLE}"')
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        sequence = cursor.fetchone()[0]
        if sequence:
            cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
            cursor.execute(f"SELECT setval('{TABLE}_id_seq', COALESCE((SELECT max(id) FROM \"{TABLE}\"), 0) + 1, false)")
        for name, kind, sql in constraints:
            if kind == "p":
                sql = "PRIMARY KEY (id, session_month)" if partitioned else "PRIMARY KEY (id)"
            cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {sql}')
        for _name, sql in indexes:
            cursor.execute(sql)
        if partitioned:
            cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                           "WHERE i.inhparent = %s::regclass", [TABLE])
            for (part,) in cursor.fetchall():
                _name_indexes(cursor, part)
        cursor.execute(f'ANALYZE "{TABLE}"')


def install_session_trigger(connection: Any) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE OR REPLACE FUNCTION {_SESSION_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE {TABLE} SET session_month = date_trunc('month', NEW.starts_at AT TIME ZONE 'Asia/Shanghai')::date
                 WHERE session_id = NEW.id
                   AND session_month <> date_trunc('month', NEW.starts_at AT TIME ZONE 'Asia/Shanghai')::date;
                RETURN NULL;
            END $$""")
        cursor.execute(f"""
            CREATE TRIGGER {_SESSION_TRIGGER} AFTER UPDATE OF starts_at ON training_trainingsession
            FOR EACH ROW WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at) EXECUTE FUNCTION {_SESSION_TRIGGER}()""")


def drop_session_trigger(connection: Any) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {_SESSION_TRIGGER} ON training_trainingsession")
        cursor.execute(f"DROP FUNCTION IF EXISTS {_SESSION_TRIGGER}()")
