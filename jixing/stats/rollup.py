"""Incremental maintenance of the progress rollups.

``refresh()`` looks at enrollments changed since the last watermark (minus a safety margin
for transactions that committed late), computes each one's bucket (or none), diffs it
against ``CountedEnrollment`` and applies exact deltas. Re-processing is idempotent, so the
margin never double counts. ``rebuild()`` recounts everything set-based (initial load,
repair); tests assert refresh and rebuild always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from jixing.training.models import Enrollment, EnrollmentStatus

from .models import CountedEnrollment, OrganiserRollup, ProgressRollup, RollupState

STATE = "progress"
SAFETY_MARGIN = dt.timedelta(minutes=10)
# With nothing newer than the watermark, the margin is re-scanned at most this often, so a
# dashboard refresh is one indexed EXISTS and a late commit shows within a minute.
MARGIN_RESCAN = dt.timedelta(seconds=60)
_LOCK_ID = 7_301_002
_BATCH = 5000


@dataclass(frozen=True)
class Bucket:
    month: dt.date
    county_id: str
    action_number: int
    target_code: str
    organiser_id: int


def _bucket(row: dict) -> Bucket | None:
    """The bucket an enrollment counts in, or None if it is not a subsidised person-time."""
    if row["status"] != EnrollmentStatus.COMPLETED or not row["subsidised"] or not row["p_subsidised"]:
        return None
    done: dt.date | None = row["completed_on"]
    if done is None:
        return None
    return Bucket(done.replace(day=1), row["county"], row["action"], row["target"] or "", row["organiser"])


_PLAIN = ("status", "subsidised", "completed_on")
_FIELDS = {
    "p_subsidised": F("training_class__project__is_subsidised"),
    "county": F("training_class__project__county_id"),
    "action": F("training_class__project__action__number"),
    "target": F("training_class__project__target__code"),
    "organiser": F("training_class__project__organiser_id"),
}


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _apply(deltas: Counter[Bucket]) -> None:
    progress: Counter[tuple[dt.date, str, int, str]] = Counter()
    organisers: Counter[tuple[int, int]] = Counter()
    for b, n in deltas.items():
        progress[(b.month, b.county_id, b.action_number, b.target_code)] += n
        organisers[(b.month.year, b.organiser_id)] += n
    for (month, county, action, target), n in progress.items():
        if n == 0:
            continue
        updated = ProgressRollup.objects.filter(
            month=month, county_id=county, action_number=action, target_code=target
        ).update(count=F("count") + n)
        if not updated:
            ProgressRollup.objects.create(
                month=month, county_id=county, city_code=county[:4] + "00", action_number=action, target_code=target, count=n
            )
    for (year, organiser), n in organisers.items():
        if n == 0:
            continue
        if not OrganiserRollup.objects.filter(year=year, organiser_id=organiser).update(count=F("count") + n):
            OrganiserRollup.objects.create(year=year, organiser_id=organiser, count=n)


def refresh(*, now: dt.datetime | None = None) -> int:
    """Bring the rollups up to date; returns how many enrollments changed buckets."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock()
        state, _ = RollupState.objects.select_for_update().get_or_create(name=STATE)
        if state.watermark is None:
            rebuild(locked=True)
            return -1
        fresh = Enrollment.objects.filter(updated_at__gt=state.watermark).exists()
        if not fresh and state.margin_scanned_at and now - state.margin_scanned_at < MARGIN_RESCAN:
            return 0
        since = state.watermark - SAFETY_MARGIN
        changed = 0
        rows = Enrollment.objects.filter(updated_at__gt=since).values("id", "updated_at", *_PLAIN, **_FIELDS).order_by()
        high = state.watermark
        batch: list[dict] = []
        for row in rows.iterator(chunk_size=_BATCH):
            batch.append(row)
            high = max(high, row["updated_at"])
            if len(batch) >= _BATCH:
                changed += _process(batch)
                batch = []
        if batch:
            changed += _process(batch)
        state.watermark = min(high, now) if high > state.watermark else state.watermark
        state.margin_scanned_at = now
        state.save(update_fields=["watermark", "margin_scanned_at"])
    return changed


def _process(rows: list[dict]) -> int:
    ids = [r["id"] for r in rows]
    counted = {c.enrollment_id: c for c in CountedEnrollment.objects.filter(enrollment_id__in=ids)}
    deltas: Counter[Bucket] = Counter()
    to_create: list[CountedEnrollment] = []
    to_delete: list[int] = []
    changed = 0
    for row in rows:
        new = _bucket(row)
        old_row = counted.get(row["id"])
        old = (
            Bucket(old_row.month, old_row.county_id, old_row.action_number, old_row.target_code, old_row.organiser_id)
            if old_row else None
        )
        if new == old:
            continue
        changed += 1
        if old is not None:
            deltas[old] -= 1
            to_delete.append(row["id"])
        if new is not None:
            deltas[new] += 1
            to_create.append(CountedEnrollment(
                enrollment_id=row["id"], month=new.month, county_id=new.county_id,
                action_number=new.action_number, target_code=new.target_code, organiser_id=new.organiser_id,
            ))
    if to_delete:
        CountedEnrollment.objects.filter(enrollment_id__in=to_delete).delete()
    if to_create:
        CountedEnrollment.objects.bulk_create(to_create, batch_size=_BATCH)
    _apply(deltas)
    return changed


def rebuild(*, locked: bool = False) -> None:
    """Recount everything set-based (INSERT … SELECT … GROUP BY)."""
    with transaction.atomic():
        if not locked:
            _lock()
        started = timezone.now()
        ProgressRollup.objects.all().delete()
        OrganiserRollup.objects.all().delete()
        CountedEnrollment.objects.all().delete()
        month = "DATE_TRUNC('month', e.completed_on)::date" if connection.vendor == "postgresql" else "DATE(e.completed_on, 'start of month')"
        qn = connection.ops.quote_name
        sql_counted = f"""
            INSERT INTO {qn(CountedEnrollment._meta.db_table)}
                (enrollment_id, month, county_id, action_number, target_code, organiser_id)
            SELECT e.id, {month}, p.county_id, a.number, COALESCE(t.code, ''), p.organiser_id
            FROM training_enrollment e
            JOIN training_trainingclass c ON c.id = e.training_class_id
            JOIN training_trainingproject p ON p.id = c.project_id
            JOIN plan_action a ON a.id = p.action_id
            LEFT JOIN plan_target t ON t.id = p.target_id
            WHERE e.status = %s AND e.subsidised AND p.is_subsidised AND e.completed_on IS NOT NULL
        """
        city = "SUBSTRING(county_id, 1, 4) || '00'" if connection.vendor == "postgresql" else "SUBSTR(county_id, 1, 4) || '00'"
        year = "EXTRACT(YEAR FROM month)::int" if connection.vendor == "postgresql" else "CAST(STRFTIME('%Y', month) AS INTEGER)"
        with connection.cursor() as cursor:
            cursor.execute(sql_counted, [EnrollmentStatus.COMPLETED])
            cursor.execute(f"""
                INSERT INTO {qn(ProgressRollup._meta.db_table)} (month, county_id, city_code, action_number, target_code, count)
                SELECT month, county_id, {city}, action_number, target_code, COUNT(*)
                FROM {qn(CountedEnrollment._meta.db_table)}
                GROUP BY month, county_id, action_number, target_code
            """)
            cursor.execute(f"""
                INSERT INTO {qn(OrganiserRollup._meta.db_table)} (year, organiser_id, count)
                SELECT {year}, organiser_id, COUNT(*) FROM {qn(CountedEnrollment._meta.db_table)}
                GROUP BY {year}, organiser_id
            """)
        RollupState.objects.update_or_create(name=STATE, defaults={"watermark": started})


def recount() -> dict[tuple[dt.date, str, int, str], int]:
    """From-scratch recount straight from enrollments (for tests and `verify_rollups`)."""
    counts: Counter[tuple[dt.date, str, int, str]] = Counter()
    for row in Enrollment.objects.values("id", *_PLAIN, **_FIELDS).iterator(chunk_size=_BATCH):
        b = _bucket(row)
        if b is not None:
            counts[(b.month, b.county_id, b.action_number, b.target_code)] += 1
    return dict(counts)


def current() -> dict[tuple[dt.date, str, int, str], int]:
    return {
        (r.month, r.county_id, r.action_number, r.target_code): r.count
        for r in ProgressRollup.objects.filter(count__gt=0)
    }


def recount_organisers() -> dict[tuple[int, int], int]:
    counts: Counter[tuple[int, int]] = Counter()
    for row in Enrollment.objects.values("id", *_PLAIN, **_FIELDS).iterator(chunk_size=_BATCH):
        b = _bucket(row)
        if b is not None:
            counts[(b.month.year, b.organiser_id)] += 1
    return dict(counts)


def current_organisers() -> dict[tuple[int, int], int]:
    return {(r.year, r.organiser_id): r.count for r in OrganiserRollup.objects.filter(count__gt=0)}
