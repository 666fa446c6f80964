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
from django.db.models import F, Subquery
from django.utils import timezone

from jixing.training.models import Enrollment, EnrollmentStatus

from .models import (
    CityProgressRollup,
    CountedEnrollment,
    DepartmentTraining,
    LineRollup,
    OrganiserRollup,
    ProgressRollup,
    RollupState,
    SourceRollup,
)

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
    lines: str = ""  # every line counted, comma-joined and sorted
    fund_source: str = ""


# The lines a group's members count toward by definition: group code → target codes.
GroupLines = dict[str, frozenset[str]]
# A person's memberships of those groups: person id → [(group code, valid from, valid to)].
Memberships = dict[int, list[tuple[str, dt.date, dt.date | None]]]


def group_lines() -> GroupLines:
    from jixing.plan.models import Target

    result: dict[str, set[str]] = {}
    for code, group in Target.counted_groups.through.objects.values_list("target__code", "targetgroup__code"):
        result.setdefault(group, set()).add(code)
    return {g: frozenset(codes) for g, codes in result.items()}


def memberships(person_ids: list[int], definitions: GroupLines) -> Memberships:
    """Unarchived memberships of the groups that define lines (never sensitive ones: those are
    sealed and define no line)."""
    from jixing.registry.models import PersonGroup

    result: Memberships = {}
    if not definitions or not person_ids:
        return result
    rows = PersonGroup.objects.filter(
        person_id__in=person_ids, group__code__in=list(definitions), archived_at__isnull=True,
    ).values_list("person_id", "group__code", "valid_from", "valid_to")
    for person_id, code, start, end in rows:
        result.setdefault(person_id, []).append((code, start, end))
    return result


def lines_for(own_line: str, groups: list[str], definitions: GroupLines) -> str:
    """Every line a person-time counts toward: its own line and the lines of its groups, once."""
    lines = {own_line} if own_line else set()
    for group in groups:
        lines |= definitions.get(group, frozenset())
    return ",".join(sorted(lines))


def groups_on(person_id: int, day: dt.date, known: Memberships) -> list[str]:
    return [code for code, start, end in known.get(person_id, []) if start <= day and (end is None or day <= end)]


def _bucket(row: dict, definitions: GroupLines | None = None, known: Memberships | None = None) -> Bucket | None:
    """The bucket an enrollment counts in, or None if it is not a subsidised person-time."""
    if row["status"] != EnrollmentStatus.COMPLETED or not row["subsidised"] or not row["p_subsidised"]:
        return None
    done: dt.date | None = row["completed_on"]
    if done is None:
        return None
    own = row["target"] or ""
    groups = groups_on(row["person_ref"], done, known or {})
    return Bucket(done.replace(day=1), row["county"], row["action"], own, row["organiser"],
                  lines_for(own, groups, definitions or {}), row["fund"] or "")


_PLAIN = ("status", "subsidised", "completed_on")
_FIELDS = {
    "p_subsidised": F("training_class__project__is_subsidised"),
    "county": F("training_class__project__county_id"),
    "action": F("training_class__project__action__number"),
    "target": F("training_class__project__target__code"),
    "organiser": F("training_class__project__organiser_id"),
    "person_ref": F("person_id"),
    "fund": F("training_class__project__fund_source__code"),
}


@dataclass
class Deltas:
    progress: Counter[tuple[dt.date, str, int, str]]
    organisers: Counter[tuple[int, int]]
    lines: Counter[tuple[dt.date, str, str]]
    sources: Counter[tuple[dt.date, str, int, str, str]]

    @classmethod
    def empty(cls) -> Deltas:
        return cls(Counter(), Counter(), Counter(), Counter())

    def add_enrollment(self, b: Bucket, n: int) -> None:
        self.progress[(b.month, b.county_id, b.action_number, b.target_code)] += n
        self.organisers[(b.month.year, b.organiser_id)] += n
        for line in filter(None, b.lines.split(",")):
            self.lines[(b.month, b.county_id, line)] += n
        self.sources[(b.month, b.county_id, b.action_number, b.fund_source, "")] += n

    def add_department(self, record: DepartmentTraining, n: int) -> None:
        month, county, action = record.counted_month, record.county_id, record.action.number
        self.progress[(month, county, action, record.target.code if record.target else "")] += n
        for line in record.line_codes:
            self.lines[(month, county, line)] += n
        self.sources[(month, county, action, record.fund_source.code, record.department.code)] += n


def lock() -> None:
    """Serialise rollup writers (PostgreSQL advisory lock for the transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


_lock = lock


def _apply(deltas: Counter[Bucket]) -> None:
    d = Deltas.empty()
    for b, n in deltas.items():
        d.add_enrollment(b, n)
    apply_deltas(d)


def apply_department(records: list[DepartmentTraining], *, sign: int = 1) -> None:
    """Add (or, ``sign=-1``, take away) counted department records; the caller holds a
    transaction (the import's commit)."""
    _lock()
    d = Deltas.empty()
    for record in records:
        d.add_department(record, sign)
    apply_deltas(d)


def city_of(county: str) -> str:
    return county[:4] + "00"


def apply_deltas(d: Deltas) -> None:
    progress, organisers = d.progress, d.organisers
    for (month, county, line), n in d.lines.items():
        if n and not LineRollup.objects.filter(month=month, county_id=county, target_code=line).update(count=F("count") + n):
            LineRollup.objects.create(month=month, county_id=county, city_code=county[:4] + "00", target_code=line, count=n)
    for (month, county, action, fund, dept), n in d.sources.items():
        if n and not SourceRollup.objects.filter(month=month, county_id=county, action_number=action, fund_source=fund,
                                                 department=dept).update(count=F("count") + n):
            SourceRollup.objects.create(month=month, county_id=county, city_code=county[:4] + "00", action_number=action,
                                        fund_source=fund, department=dept, count=n)
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
    cities: Counter[tuple[dt.date, str, int, str]] = Counter()
    for (month, county, action, target), n in progress.items():
        cities[(month, city_of(county), action, target)] += n
    for (month, city, action, target), n in cities.items():
        if n and not CityProgressRollup.objects.filter(
                month=month, city_code=city, action_number=action, target_code=target).update(count=F("count") + n):
            CityProgressRollup.objects.create(month=month, city_code=city, action_number=action, target_code=target, count=n)
    for (year, organiser), n in organisers.items():
        if n == 0:
            continue
        if not OrganiserRollup.objects.filter(year=year, organiser_id=organiser).update(count=F("count") + n):
            OrganiserRollup.objects.create(year=year, organiser_id=organiser, count=n)


def refresh(*, now: dt.datetime | None = None) -> int:
    """Bring the rollups up to date; returns how many enrollments changed buckets."""
    now = now or timezone.now()
    if _nothing_to_do(now):
        return 0
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


def _nothing_to_do(now: dt.datetime) -> bool:
    """The watermark check in one round trip, without the lock: no enrollment changed since the
    watermark and the margin was re-scanned recently. A refresh running meanwhile is not waited
    for (its changes show on the next read); anything else takes the locked path, which checks again."""
    # The latest change, read backwards from the updated_at index (uncorrelated: an EXISTS against
    # the watermark column is planned as a sequential scan, a second over 1.5 M enrollments).
    latest = Enrollment.objects.order_by("-updated_at").values("updated_at")[:1]
    state = (RollupState.objects.filter(name=STATE, watermark__isnull=False, margin_scanned_at__gt=now - MARGIN_RESCAN)
             .annotate(latest=Subquery(latest)).values_list("watermark", "latest").first())
    return state is not None and (state[1] is None or state[1] <= state[0])


def _process(rows: list[dict]) -> int:
    ids = [r["id"] for r in rows]
    counted = {c.enrollment_id: c for c in CountedEnrollment.objects.filter(enrollment_id__in=ids)}
    definitions = group_lines()
    known = memberships([r["person_ref"] for r in rows if r["status"] == EnrollmentStatus.COMPLETED], definitions)
    deltas: Counter[Bucket] = Counter()
    to_create: list[CountedEnrollment] = []
    to_delete: list[int] = []
    changed = 0
    for row in rows:
        new = _bucket(row, definitions, known)
        old_row = counted.get(row["id"])
        old = (
            Bucket(old_row.month, old_row.county_id, old_row.action_number, old_row.target_code, old_row.organiser_id,
                   old_row.lines, old_row.fund_source)
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
                lines=new.lines, fund_source=new.fund_source, person_id=row["person_ref"],
            ))
    if to_delete:
        CountedEnrollment.objects.filter(enrollment_id__in=to_delete).delete()
    if to_create:
        CountedEnrollment.objects.bulk_create(to_create, batch_size=_BATCH)
    _apply(deltas)
    return changed


_ROLLUP_TABLES = (CountedEnrollment, ProgressRollup, CityProgressRollup, OrganiserRollup, LineRollup, SourceRollup)


def rebuild(*, locked: bool = False) -> None:
    """Recount everything set-based (INSERT … SELECT … GROUP BY)."""
    with transaction.atomic():
        if not locked:
            _lock()
        started = timezone.now()
        ProgressRollup.objects.all().delete()
        CityProgressRollup.objects.all().delete()
        OrganiserRollup.objects.all().delete()
        LineRollup.objects.all().delete()
        SourceRollup.objects.all().delete()
        CountedEnrollment.objects.all().delete()
        month = "DATE_TRUNC('month', e.completed_on)::date" if connection.vendor == "postgresql" else "DATE(e.completed_on, 'start of month')"
        qn = connection.ops.quote_name
        sql_counted = f"""
            INSERT INTO {qn(CountedEnrollment._meta.db_table)}
                (enrollment_id, month, county_id, action_number, target_code, organiser_id, lines, fund_source, person_id)
            SELECT e.id, {month}, p.county_id, a.number, COALESCE(t.code, ''), p.organiser_id, COALESCE(t.code, ''), f.code,
                   e.person_id
            FROM training_enrollment e
            JOIN training_trainingclass c ON c.id = e.training_class_id
            JOIN training_trainingproject p ON p.id = c.project_id
            JOIN plan_action a ON a.id = p.action_id
            JOIN plan_fundsource f ON f.id = p.fund_source_id
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
                INSERT INTO {qn(CityProgressRollup._meta.db_table)} (month, city_code, action_number, target_code, count)
                SELECT month, city_code, action_number, target_code, SUM(count)
                FROM {qn(ProgressRollup._meta.db_table)}
                GROUP BY month, city_code, action_number, target_code
            """)
            cursor.execute(f"""
                INSERT INTO {qn(OrganiserRollup._meta.db_table)} (year, organiser_id, count)
                SELECT {year}, organiser_id, COUNT(*) FROM {qn(CountedEnrollment._meta.db_table)}
                GROUP BY {year}, organiser_id
            """)
        _rebuild_lines_and_sources()
        RollupState.objects.update_or_create(name=STATE, defaults={"watermark": started})
        if connection.vendor == "postgresql":
            # Every row is new: without fresh statistics the planner takes the rollups for empty
            # tables (a sort where a hash aggregate belongs) until autovacuum comes round.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(qn(m._meta.db_table) for m in _ROLLUP_TABLES)}")


def _rebuild_lines_and_sources() -> None:
    """The group lines of counted enrollments (only persons in a line-defining group need a
    look), then the line and source rollups from the counted rows and department records."""
    definitions = group_lines()
    if definitions:
        person_ids = list(CountedEnrollment.objects.filter(
            person__memberships__group__code__in=list(definitions),
        ).values_list("person_id", flat=True).distinct())
        for i in range(0, len(person_ids), _BATCH):
            chunk = person_ids[i:i + _BATCH]
            known = memberships(chunk, definitions)
            changed = []
            for c in CountedEnrollment.objects.filter(person_id__in=chunk).annotate(done=F("enrollment__completed_on")):
                lines = lines_for(c.target_code, groups_on(c.person_id, c.done, known), definitions)
                if lines != c.lines:
                    c.lines = lines
                    changed.append(c)
            CountedEnrollment.objects.bulk_update(changed, ["lines"], batch_size=_BATCH)
    d = Deltas.empty()
    rows = CountedEnrollment.objects.values_list("month", "county_id", "action_number", "lines", "fund_source")
    for month, county, action, lines, fund in rows.iterator(chunk_size=_BATCH):
        for line in filter(None, lines.split(",")):
            d.lines[(month, county, line)] += 1
        d.sources[(month, county, action, fund, "")] += 1
    for record in DepartmentTraining.objects.counted().select_related("action", "target", "fund_source", "department"):
        d.add_department(record, 1)
        # the department record's share of the per-action rollup was deleted with the rest
    apply_deltas(Deltas(d.progress, Counter(), d.lines, d.sources))


def recount() -> dict[tuple[dt.date, str, int, str], int]:
    """From-scratch recount straight from enrollments (for tests and `verify_rollups`)."""
    return dict(+_recount().progress)


def _recount() -> Deltas:
    d = Deltas.empty()
    definitions = group_lines()
    rows = list(Enrollment.objects.values("id", *_PLAIN, **_FIELDS))
    known = memberships([r["person_ref"] for r in rows], definitions)
    for row in rows:
        b = _bucket(row, definitions, known)
        if b is not None:
            d.add_enrollment(b, 1)
    for record in DepartmentTraining.objects.counted().select_related("action", "target", "fund_source", "department"):
        d.add_department(record, 1)
    return d


def recount_lines() -> dict[tuple[dt.date, str, str], int]:
    """From scratch: person-times per (month, county, line) (tests, ``verify_rollups``)."""
    return dict(+_recount().lines)


def current_lines() -> dict[tuple[dt.date, str, str], int]:
    return {(r.month, r.county_id, r.target_code): r.count for r in LineRollup.objects.filter(count__gt=0)}


def recount_sources() -> dict[tuple[dt.date, str, int, str, str], int]:
    return dict(+_recount().sources)


def current_sources() -> dict[tuple[dt.date, str, int, str, str], int]:
    return {(r.month, r.county_id, r.action_number, r.fund_source, r.department): r.count
            for r in SourceRollup.objects.filter(count__gt=0)}


def current_cities() -> dict[tuple[dt.date, str, int, str], int]:
    return {(r.month, r.city_code, r.action_number, r.target_code): r.count
            for r in CityProgressRollup.objects.filter(count__gt=0)}


def cities_of(counties: dict[tuple[dt.date, str, int, str], int]) -> dict[tuple[dt.date, str, int, str], int]:
    """County buckets (``current()`` / ``recount()``) summed per city, to compare with ``current_cities()``."""
    result: Counter[tuple[dt.date, str, int, str]] = Counter()
    for (month, county, action, target), n in counties.items():
        result[(month, city_of(county), action, target)] += n
    return dict(+result)


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
