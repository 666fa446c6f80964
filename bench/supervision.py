"""Supervision benchmark: full and incremental rule runs at medium and province-like scale on
PostgreSQL, and the R01 overlap query in DuckDB on the same data (exported with COPY), in the
same run, so the figures are ratios measured on this machine.

Scale (this 2-core machine, a few minutes in all):
- medium: 1,000 classes × 30 trainees × 20 sessions ≈ 0.6 M attendance rows;
- large: 5,000 classes ≈ 3.0 M attendance rows, 150,000 enrollments (a province's ~1.5 M
  enrollments is ten times this; the rules are set-based, so time grows about linearly).
A "day" for the incremental run is the calendar day after the last session: one more session
for 1/20 of the classes, attended and recorded now.

Patterns are planted at a known small rate (persons double-booked, proxy devices, brushed
sessions) so the rules have something to find. Uses its own database ``<name>_bench_supervision``
next to DATABASE_URL's, dropped and migrated on every run.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixing python -m bench supervision``.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from typing import Any

from bench._db import fresh_database
from bench._sql import execute as _execute
from bench._sql import insert as _insert

SCALES = {"medium": 1_000, "large": 5_000}  # classes; BENCH_SUPERVISION_SCALES="medium=100,large=300" for a trial
if os.environ.get("BENCH_SUPERVISION_SCALES"):
    SCALES = {k: int(v) for k, v in (part.split("=") for part in os.environ["BENCH_SUPERVISION_SCALES"].split(","))}
TRAINEES_PER_CLASS = 30
SESSIONS_PER_CLASS = 20
ORGANISATIONS = 300


def _log(msg: str) -> None:
    print(f"  {msg}", flush=True)


def _use_dedicated_database() -> str:
    from jixing.plan.management.commands.load_reference import load_reference

    name = fresh_database("supervision")
    load_reference()
    return name


def _base_rows() -> dict[str, Any]:
    """Organisations, a user, projects, teachers: few rows, through the ORM."""
    import datetime as dt
    from decimal import Decimal

    from jixing.accounts.models import Role, User
    from jixing.plan.models import Action, FundSource
    from jixing.registry.models import Organisation, Region

    counties = list(Region.objects.filter(level="county").order_by("code").values_list("code", flat=True))
    orgs = Organisation.objects.bulk_create([
        Organisation(uscc=f"BENCH{i:013d}", name=f"基准机构{i}", kind="private_institution", county_id=counties[i % len(counties)],
                     teacher_count=500, capacity=100_000)
        for i in range(ORGANISATIONS)
    ])
    user = User.objects.create_user(username="bench", password=None, role=Role.INSTITUTION, organisation=orgs[0])
    return {"orgs": orgs, "user": user, "counties": counties, "action": Action.objects.order_by("number").first(),
            "fund": FundSource.objects.order_by("id").first(), "dt": dt, "Decimal": Decimal}


def _grow(base: dict[str, Any], *, first_class: int, classes: int) -> None:
    """Add ``classes`` classes with their persons, enrollments, sessions and attendance, in SQL."""
    from jixing.core import crypto
    from jixing.training.models import TrainingClass, TrainingProject

    dt, Decimal = base["dt"], base["Decimal"]
    orgs, user = base["orgs"], base["user"]
    projects = TrainingProject.objects.bulk_create([
        TrainingProject(code=f"BP{first_class + i:07d}", name="基准项目", action=base["action"], project_type="employment_skill",
                        organiser=orgs[(first_class + i) % len(orgs)], county_id=orgs[(first_class + i) % len(orgs)].county_id,
                        planned_person_times=TRAINEES_PER_CLASS, hours=60, fund_source=base["fund"], created_by=user,
                        status="running")
        for i in range(0, classes, 10)
    ])
    klasses = []
    for i in range(classes):
        n = first_class + i
        project = projects[i // 10]
        start = dt.date(2025, 1, 6) + dt.timedelta(days=(n * 7) % 300)
        klasses.append(TrainingClass(
            project=project, code=f"BC{n:07d}", name="基准班", site_address="基准路1号", county_id=project.county_id,
            latitude=Decimal("36.600000") + Decimal(n % 100) / 100, longitude=Decimal("117.000000") + Decimal(n % 70) / 100,
            capacity=TRAINEES_PER_CLASS + 10, start_date=start, end_date=start + dt.timedelta(days=SESSIONS_PER_CLASS + 10),
        ))
    klasses = TrainingClass.objects.bulk_create(klasses, batch_size=2000)
    lo, hi = klasses[0].pk, klasses[-1].pk

    # one ciphertext reused for all generated persons: the rules never read it, the pages decrypt it
    from jixing.registry.models import Person
    from jixing.training.models import Attendance, Enrollment, Teacher, TrainingSession

    token = crypto.encrypt("370102199001011237", purpose="id_number")
    _insert(Person, {
        "id_number": "%s", "id_number_hash": "md5('p' || c.id || '-' || g)", "name": "'学员' || c.id || '-' || g",
        "birth_date": "DATE '1975-01-01' + CAST((c.id * 31 + g * 17) %% 9000 AS INTEGER)",
        "sex": "CASE WHEN g %% 2 = 0 THEN 'M' ELSE 'F' END", "phone_hash": "md5('phone' || c.id || '-' || g)",
        "household_region_id": "c.county_id", "current_region_id": "c.county_id",
    }, f"FROM training_trainingclass c, generate_series(1, {TRAINEES_PER_CLASS}) g WHERE c.id BETWEEN %s AND %s",
        [token, lo, hi])
    _insert(Person, {
        "id_number": "%s", "id_number_hash": "md5('t' || c.id)", "name": "'教师' || c.id", "birth_date": "DATE '1980-01-01'",
        "sex": "'M'", "phone_hash": "md5('tphone' || c.id)", "household_region_id": "c.county_id",
        "current_region_id": "c.county_id",
    }, "FROM training_trainingclass c WHERE c.id BETWEEN %s AND %s", [token, lo, hi])
    _insert(Enrollment, {"person_id": "p.id", "training_class_id": "c.id", "subsidised": "true",
                         "attendance_rate": "0.95"},
            f"""FROM training_trainingclass c CROSS JOIN generate_series(1, {TRAINEES_PER_CLASS}) g
                JOIN registry_person p ON p.name = '学员' || c.id || '-' || g WHERE c.id BETWEEN %s AND %s""", [lo, hi])
    _insert(Teacher, {"organisation_id": "pr.organiser_id", "person_id": "p.id"},
            """FROM training_trainingclass c JOIN training_trainingproject pr ON pr.id = c.project_id
               JOIN registry_person p ON p.name = '教师' || c.id WHERE c.id BETWEEN %s AND %s""", [lo, hi])
    # sessions: one a day at 09:00 or 14:00 local, 3 hours, taught by the class's own teacher
    _insert(TrainingSession, {"training_class_id": "c.id", "starts_at": "s.t", "ends_at": "s.t + interval '3 hours'",
                              "hours": "3", "teacher_id": "t.id", "topic": "'实操'"},
            f"""FROM training_trainingclass c
                JOIN registry_person tp ON tp.name = '教师' || c.id
                JOIN training_teacher t ON t.person_id = tp.id
                CROSS JOIN LATERAL (
                    SELECT (c.start_date + CAST(g AS INTEGER))::timestamp AT TIME ZONE 'Asia/Shanghai'
                           + CASE WHEN c.id %% 2 = 0 THEN interval '9 hours' ELSE interval '14 hours' END AS t
                    FROM generate_series(0, {SESSIONS_PER_CLASS - 1}) g) s
                WHERE c.id BETWEEN %s AND %s""", [lo, hi])
    _execute("SELECT setseed(0.42)")
    _insert(Attendance, {
        "enrollment_id": "e.id", "session_id": "s.id", "person_id": "e.person_id", "training_class_id": "e.training_class_id",
        "check_in_at": "s.starts_at - random() * interval '20 minutes'",
        "check_out_at": "s.ends_at + random() * interval '15 minutes'", "method": "'qr'",
        "device_id": "'phone-' || e.person_id", "latitude": "c.latitude + (random() - 0.5) * 0.0006",
        "longitude": "c.longitude + (random() - 0.5) * 0.0006", "recorded_at": "s.starts_at + interval '4 hours'",
    }, """FROM training_enrollment e
          JOIN training_trainingclass c ON c.id = e.training_class_id
          JOIN training_trainingsession s ON s.training_class_id = e.training_class_id
          WHERE c.id BETWEEN %s AND %s""", [lo, hi])
    _plant(lo, hi)
    # what was generated is history: the incremental run must not see it as changed today
    for table in ("registry_organisation", "training_trainingproject", "training_trainingclass"):
        _execute(f"UPDATE {table} SET created_at = TIMESTAMPTZ '2025-06-01 08:00+08', "
                 f"updated_at = TIMESTAMPTZ '2025-06-01 08:00+08' WHERE updated_at > now() - interval '1 day'")
    # The steady state autovacuum keeps in production (it vacuums after inserts): the visibility
    # map set, so index-only scans need no heap reads. The day added later stays unvacuumed.
    _execute("VACUUM ANALYZE")


def _plant(lo: int, hi: int) -> None:
    """Known small rates: 1 in 500 classes double-books a trainee into the class two further on,
    which runs at the same hour with overlapping dates (R01); 1 in 400 classes has a proxy device
    signing in 30 trainees within 5 minutes (R03); 1 in 300 classes has a brushed session with
    identical 120-second stays (R04)."""
    from jixing.training.models import Attendance, Enrollment

    _insert(Enrollment, {"person_id": "MIN(e.person_id)", "training_class_id": "c.id + 2", "subsidised": "true",
                         "attendance_rate": "0.9"},
            """FROM training_trainingclass c JOIN training_enrollment e ON e.training_class_id = c.id
               WHERE c.id BETWEEN %s AND %s - 2 AND c.id %% 500 = 0 GROUP BY c.id""", [lo, hi])
    _insert(Attendance, {
        "enrollment_id": "e.id", "session_id": "s.id", "person_id": "e.person_id", "training_class_id": "e.training_class_id",
        "check_in_at": "s.starts_at + interval '2 minutes'", "check_out_at": "s.ends_at", "method": "'qr'",
        "device_id": "'phone-' || e.person_id", "recorded_at": "s.starts_at + interval '4 hours'",
    }, """FROM training_enrollment e JOIN training_trainingsession s ON s.training_class_id = e.training_class_id
          WHERE e.training_class_id BETWEEN %s AND %s AND e.training_class_id %% 500 = 2
            AND e.attendance_rate = 0.9""", [lo, hi])
    _execute("""
        UPDATE training_attendance a SET device_id = 'proxy-' || a.session_id,
               check_in_at = s.starts_at - interval '5 minutes' + (a.person_id %% 30) * interval '10 seconds'
        FROM training_trainingsession s
        WHERE s.id = a.session_id AND a.training_class_id BETWEEN %s AND %s AND a.training_class_id %% 400 = 7
          AND s.starts_at = (SELECT MIN(s2.starts_at) FROM training_trainingsession s2 WHERE s2.training_class_id = a.training_class_id)
    """, [lo, hi])
    _execute("""
        UPDATE training_attendance a SET check_out_at = a.check_in_at + interval '120 seconds'
        FROM training_trainingsession s
        WHERE s.id = a.session_id AND a.training_class_id BETWEEN %s AND %s AND a.training_class_id %% 300 = 11
          AND s.starts_at = (SELECT MAX(s2.starts_at) FROM training_trainingsession s2 WHERE s2.training_class_id = a.training_class_id)
    """, [lo, hi])


def _add_day(*, classes: str = "s.training_class_id %% 20 = 3") -> int:
    """One more calendar day: the day after the last session, a session for 1 in 20 classes (``classes``,
    a condition on the sessions ``s``) at the class's usual hour, attended by its trainees and recorded now."""
    from jixing.training.models import Attendance, TrainingSession

    _insert(TrainingSession, {"training_class_id": "s.training_class_id",
                              "starts_at": "d.day + (MAX(s.starts_at) - date_trunc('day', MAX(s.starts_at)))",
                              "ends_at": "d.day + (MAX(s.ends_at) - date_trunc('day', MAX(s.starts_at)))",
                              "hours": "3", "teacher_id": "MIN(s.teacher_id)",
                              "topic": "'补课'", "created_at": "now()", "updated_at": "now()"},
            """FROM training_trainingsession s
               CROSS JOIN (SELECT date_trunc('day', MAX(starts_at)) + interval '1 day' AS day
                           FROM training_trainingsession) d
               WHERE """ + classes + " GROUP BY s.training_class_id, d.day")
    # fresh statistics for the new sessions: with "no 补课 sessions" still in the planner's view, the
    # insert below probes every attendance partition once per session (minutes at 32 M rows)
    _execute("ANALYZE training_trainingsession")
    return _insert(Attendance, {
        "enrollment_id": "e.id", "session_id": "s.id", "person_id": "e.person_id", "training_class_id": "e.training_class_id",
        "check_in_at": "s.starts_at - random() * interval '20 minutes'",
        "check_out_at": "s.ends_at + random() * interval '15 minutes'", "method": "'qr'",
        "device_id": "'phone-' || e.person_id", "recorded_at": "now()",
    }, """FROM training_trainingsession s JOIN training_enrollment e ON e.training_class_id = s.training_class_id
          WHERE s.topic = '补课' AND NOT EXISTS (SELECT 1 FROM training_attendance a WHERE a.session_id = s.id)""")


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cursor.fetchone()[0])


def _duckdb_r01(min_seconds: int) -> dict[str, float]:
    """Export attendance and sessions with COPY, load them into DuckDB, run R01's own query text."""
    import duckdb
    from django.db import connection

    from jixing.supervision.rules.r01_person_overlap import _unique_pairs, candidate_query, pair_query

    tmp = tempfile.mkdtemp(prefix="bench-sup-")
    started = time.monotonic()
    raw = connection.connection if connection.connection else None
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    exports = {
        "att": "SELECT id, person_id, training_class_id, session_id, check_in_at AT TIME ZONE 'UTC', "
               "check_out_at AT TIME ZONE 'UTC', recorded_at AT TIME ZONE 'UTC' FROM training_attendance",
        "ses": "SELECT id, training_class_id, starts_at AT TIME ZONE 'UTC', ends_at AT TIME ZONE 'UTC' FROM training_trainingsession",
    }
    with raw.cursor() as cur:
        for name, query in exports.items():
            with open(os.path.join(tmp, f"{name}.csv"), "wb") as out, cur.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for chunk in copy:
                    out.write(chunk)
    exported = time.monotonic() - started
    db = duckdb.connect()
    started = time.monotonic()
    db.execute(f"""CREATE TABLE att AS SELECT * FROM read_csv('{tmp}/att.csv', header=false, columns={{
        'id': 'BIGINT', 'person_id': 'BIGINT', 'training_class_id': 'BIGINT', 'session_id': 'BIGINT',
        'check_in_at': 'TIMESTAMP', 'check_out_at': 'TIMESTAMP', 'recorded_at': 'TIMESTAMP'}})""")
    db.execute(f"""CREATE TABLE ses AS SELECT * FROM read_csv('{tmp}/ses.csv', header=false, columns={{
        'id': 'BIGINT', 'training_class_id': 'BIGINT', 'starts_at': 'TIMESTAMP', 'ends_at': 'TIMESTAMP'}})""")
    loaded = time.monotonic() - started
    started = time.monotonic()
    candidates = [r[0] for r in db.execute(candidate_query("att", "ses", incremental=False)).fetchall()]
    pairs = 0
    for i in range(0, len(candidates), 500):
        ids = candidates[i:i + 500]
        query = pair_query("att", "ses", len(ids), vendor="duckdb").replace("%s", "?")
        pairs += len(_unique_pairs(db.execute(query, [*ids, min_seconds]).fetchall()))
    seconds = time.monotonic() - started
    for name in exports:
        os.remove(os.path.join(tmp, f"{name}.csv"))
    os.rmdir(tmp)
    return {"export_s": exported, "load_s": loaded, "query_s": seconds, "pairs": pairs}


def _pg_r01_sql(min_seconds: int) -> tuple[float, int]:
    """R01's two statements on PostgreSQL, as the rule runs them (work_mem as the engine sets it)."""
    from django.db import transaction

    from jixing.supervision import sql
    from jixing.supervision.engine import _tune_session
    from jixing.supervision.rules.r01_person_overlap import _unique_pairs, candidate_query, pair_query
    from jixing.training.models import Attendance, TrainingSession

    att, ses = sql.table(Attendance), sql.table(TrainingSession)
    with transaction.atomic():
        _tune_session()
        started = time.monotonic()
        candidates = [r[0] for r in sql.fetch(candidate_query(att, ses, incremental=False))]
        pairs = 0
        for i in range(0, len(candidates), 500):
            ids = candidates[i:i + 500]
            pairs += len(_unique_pairs(sql.fetch(pair_query(att, ses, len(ids)), [*ids, min_seconds])))
        return time.monotonic() - started, pairs


def _stage(name: str, results: list[dict[str, Any]]) -> None:
    from jixing.supervision.engine import run_rules

    attendance = _count("training_attendance")
    _log(f"[{name}] {attendance:,} attendance rows, {_count('training_enrollment'):,} enrollments, "
         f"{_count('training_trainingsession'):,} sessions")
    report = run_rules(full=True).as_dict()
    per_rule = {code: r["seconds"] for code, r in report["rules"].items()}
    _log(f"[{name}] full run {report['seconds']:.1f}s, {report['created']} findings; per rule: "
         + ", ".join(f"{c} {s:.1f}s" for c, s in per_rule.items()))
    added = _add_day()
    _execute("ANALYZE training_attendance")
    report_inc = run_rules().as_dict()
    _log(f"[{name}] incremental daily run over {added:,} new attendance rows: {report_inc['seconds']:.2f}s "
         f"({report_inc['created']} new findings); per rule: "
         + ", ".join(f"{c} {r['seconds']:.2f}s" for c, r in report_inc["rules"].items()))
    min_seconds = 10 * 60
    pg_seconds, pg_pairs = _pg_r01_sql(min_seconds)
    duck = _duckdb_r01(min_seconds)
    ratio = pg_seconds / duck["query_s"] if duck["query_s"] else float("inf")
    _log(f"[{name}] R01 overlap query: PostgreSQL {pg_seconds:.2f}s ({pg_pairs} pairs), DuckDB {duck['query_s']:.2f}s "
         f"({duck['pairs']} pairs; COPY export {duck['export_s']:.1f}s, load {duck['load_s']:.1f}s) "
         f"→ PostgreSQL/DuckDB = {ratio:.2f} (goal ≤ 3)")
    if pg_pairs != duck["pairs"]:
        _log(f"[{name}] WARNING: the engines disagree on the number of pairs")
    results.append({"scale": name, "attendance": attendance, "full_s": report["seconds"],
                    "incremental_s": report_inc["seconds"], "r01_pg_s": pg_seconds, "r01_duckdb_s": duck["query_s"],
                    "ratio": ratio})


def main() -> None:
    db = _use_dedicated_database()
    _log(f"database {db} (dropped, migrated)")
    base = _base_rows()
    results: list[dict[str, Any]] = []
    made = 0
    for name, classes in SCALES.items():
        started = time.monotonic()
        _grow(base, first_class=made, classes=classes - made)
        made = classes
        _log(f"[{name}] generated in {time.monotonic() - started:.1f}s")
        _stage(name, results)
    with open(os.path.join(tempfile.gettempdir(), "bench-supervision.csv"), "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(results[0]))
        writer.writeheader()
        writer.writerows(results)
