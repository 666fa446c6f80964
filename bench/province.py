"""Province-scale data: three years of the action (2025-01 → 2027-12) in Shandong's 16 cities,
generated into a database made by ``migrate`` (issue 19, build 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_province \\
        .venv/bin/python -m bench.province generate --scale small      # → jx_province_small

``--scale`` is ``tiny`` (≈ 300 enrollments, the test), ``small`` (50 k), ``medium`` (300 k) or
``province`` (1.5 M enrollments, ≈ 34 M attendance rows); the database is DATABASE_URL's name with
``_<scale>`` appended, except ``province`` which uses the name itself. It is dropped and
re-created. ``python -m bench province`` (``make bench``) generates ``small`` into
``<name>_bench_province`` and measures it (``JIXING_BENCH_PROVINCE_SCALE`` for another size).

The shape, every row derived from its id so that nothing is looked up while loading:

- institutions spread over the 136 counties of the 16 cities, five projects each, spread over
  the ten actions (with each action's per-year target, as bench/stats.py), three classes per
  project of 20–40 trainees; classes start on a Monday, their start weeks run from January 2025
  to November 2027 in class-id order; each has 20–30 three-hour sessions on consecutive
  weekdays, mornings (08:30) for even class ids and afternoons (14:00) for odd ones;
- persons: 0.8 per enrollment (a fifth of them train twice, ≈ 1.7 years apart), with real,
  distinct ID numbers (valid check digit) and phones, encrypted and blind-indexed by the app's
  own ``core.crypto`` exactly as ``Person.set_id_number``/``set_phone`` store them, sent by COPY;
- enrollments: 85 % completed (0–2 sessions missed), 10 % not completed (40 % attended),
  5 % withdrawn (3 sessions); 90 % subsidised and eligible;
- attendance: one row per attended session (≈ 34 M at province scale), QR or face, check-in up
  to 20 minutes early, check-out up to 15 minutes late, near the class's site;
- the planted patterns of bench/supervision.py, at its rates: 1 in 500 classes double-books a
  trainee into the class two further on (same hours, same weeks: R01), 1 in 400 has a proxy
  device signing 30 trainees within 5 minutes at its first session (R03), 1 in 300 a brushed
  last session of identical 120-second stays (R04).

Derived rows (everything but persons) are written by ``INSERT … SELECT`` on the server — faster
than COPY from a client, since nothing crosses the wire — with explicit ids, sequences reset after.
Attendance's monthly partitions are created first (``partitions.ensure``); the big tables
(``LOADED_WITHOUT_INDEXES``) lose their foreign keys and secondary indexes for the load and get
them back after (as pg_restore does; each foreign key is validated over all rows when it is added
back; primary keys, unique and check constraints stay on throughout). Then VACUUM ANALYZE, the
stats rollups (``stats.rollup.rebuild``: the app's set-based recount for an initial load or a
repair) and the load-test accounts (``var/province-accounts.txt``). Each phase's time is printed and returned.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._sql import column_defaults, drop_secondary, execute, reset_sequence, restore
from bench._sql import insert as _insert_sql

SCALES = {"tiny": 300, "small": 50_000, "medium": 300_000, "province": 1_500_000}  # enrollments, about
SLOTS = 40  # enrollment ids per class: class c's are (c-1)*SLOTS+1 … (c-1)*SLOTS+size(c)
SESSION_SLOTS = 30  # session ids per class, the same way
CLASSES_PER_PROJECT = 3
PROJECTS_PER_ORG = 5
TEACHERS_PER_ORG = 5
FIRST_MONDAY = dt.date(2025, 1, 6)
WEEKS = 149  # start weeks: the last class (≤ 30 weekday sessions = 6 weeks) ends before 2028
# what was generated is history: created/updated/recorded no later than this, so the incremental
# supervision run and the rollup refresh see only what happens after the load
LOADED_AT = "TIMESTAMPTZ '2026-11-30 20:00+08'"
ACCOUNTS_FILE = "province-accounts.txt"
NOTES = Path("/work/notes")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宁凤云海燕波"


def size_sql(c: str) -> str:
    return f"(20 + ({c} * 13) % 21)"  # 20–40 trainees, 30 on average


def sessions_sql(c: str) -> str:
    return f"(20 + ({c} * 7) % 11)"  # 20–30 sessions


@dataclass(frozen=True)
class Shape:
    classes: int
    projects: int
    organisations: int
    persons: int  # trainees; the teachers' persons follow them

    @classmethod
    def for_enrollments(cls, enrollments: int) -> Shape:
        classes = max(6, enrollments // 30)
        projects = -(-classes // CLASSES_PER_PROJECT)
        return cls(classes=classes, projects=projects, organisations=max(16, -(-projects // PROJECTS_PER_ORG)),
                   persons=max(SLOTS * 2, enrollments * 4 // 5))

    def org_of_class(self, c: int) -> int:
        return ((c - 1) // CLASSES_PER_PROJECT) % self.organisations + 1


def _log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


class Phases:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        started = time.monotonic()
        result = fn()
        self.seconds[name] = round(time.monotonic() - started, 1)
        _log(f"{name}: {self.seconds[name]:.1f}s" + (f" ({result:,} rows)" if isinstance(result, int) else ""))
        return result


# --- databases ---------------------------------------------------------------------------------

def database_name(scale: str) -> str:
    import dj_database_url

    base = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"]
    return base if scale == "province" else f"{base}_{scale}"


def _admin_params() -> dict[str, Any]:
    from django.db import connections

    params = connections["default"].get_connection_params()
    return {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}


def recreate(name: str, *, template: str | None = None) -> None:
    """Drop and create ``name`` (a jx_… database of this helper), point Django at it, migrate
    (from ``template``, an already migrated database, when given: migrating takes minutes here)."""
    import psycopg
    from django.core.management import call_command

    with psycopg.connect(dbname="postgres", autocommit=True, **_admin_params()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    use(name)
    call_command("migrate", verbosity=0)


def use(name: str) -> None:
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def insert(model: Any, values: dict[str, str], rest: str) -> int:
    return _insert_sql(model, values, rest, raw=True)  # "%" is SQL's modulo here


# --- generation --------------------------------------------------------------------------------

def _reference() -> dict[str, Any]:
    from django.db import connection

    from jixing.accounts.models import Role, User
    from jixing.plan.management.commands.load_reference import load_reference
    from jixing.registry.models import Region

    load_reference()
    by_city: dict[str, list[str]] = {}
    for code in Region.objects.filter(level="county", code__startswith="37").order_by("code").values_list("code", flat=True):
        by_city.setdefault(code[:4], []).append(code)
    # round robin over the cities: any 16 consecutive institutions are in 16 different cities
    counties = [c for rank in range(max(map(len, by_city.values()))) for city in sorted(by_city)
                for c in by_city[city][rank:rank + 1]]
    user = User.objects.create_user(username="bench-generator", password=None, role=Role.SYSTEM_ADMIN)
    execute("CREATE TEMP TABLE gen_county (code text, i int)", raw=True)
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO gen_county VALUES (%s, %s)", list(zip(counties, range(len(counties)), strict=True)))
    return {"counties": counties, "user": user.pk}


def _organisations(shape: Shape, ref: dict[str, Any]) -> int:
    from jixing.registry.models import Organisation

    n = len(ref["counties"])
    return insert(Organisation, {
        "id": "g", "created_at": LOADED_AT, "updated_at": LOADED_AT,
        "uscc": "'P' || lpad(g::text, 17, '0')", "name": "'省级基准培训机构' || g",
        "kind": "CASE WHEN g % 10 = 0 THEN 'vocational_college' ELSE 'private_institution' END",
        "county_id": "gc.code", "enrolled_students": "CASE WHEN g % 10 = 0 THEN 3000 END",
        "teacher_count": str(TEACHERS_PER_ORG * 4), "capacity": "2000", "address": "'基准路' || g || '号'",
    }, f"FROM generate_series(1, {shape.organisations}) g JOIN gen_county gc ON gc.i = (g - 1) % {n}")


def _projects(shape: Shape, ref: dict[str, Any]) -> int:
    from jixing.training.models import TrainingProject

    return insert(TrainingProject, {
        "id": "g", "created_at": LOADED_AT, "updated_at": LOADED_AT,
        "code": "'XM-P-' || lpad(g::text, 7, '0')", "name": "'省级基准项目' || g",
        "action_id": "a.id",
        "target_id": "(SELECT t.id FROM plan_target t WHERE t.action_id = a.id AND t.unit = 'person_times_per_year' "
                     "ORDER BY t.id LIMIT 1)",
        "project_type": "'employment_skill'", "organiser_id": "o.id", "county_id": "o.county_id",
        "occupation_id": "(SELECT id FROM registry_occupation ORDER BY id OFFSET g % (SELECT count(*) FROM registry_occupation) LIMIT 1)",
        "level_id": "3 + g % 3", "planned_person_times": "120", "hours": "90",
        "fund_source_id": "(SELECT min(id) FROM plan_fundsource)", "is_subsidised": "g % 25 <> 0",
        "status": "'running'", "created_by_id": str(ref["user"]), "approved_at": LOADED_AT,
    }, f"""FROM generate_series(1, {shape.projects}) g
           JOIN registry_organisation o ON o.id = (g - 1) % {shape.organisations} + 1
           JOIN plan_action a ON a.number = 1 + g % 10""")


def _classes(shape: Shape) -> int:
    from jixing.training.models import TrainingClass

    n = sessions_sql("g")
    start = f"(DATE '{FIRST_MONDAY}' + 7 * ((g - 1)::bigint * {WEEKS} / {shape.classes})::int)"
    end = f"({start} + (({n} - 1) / 5) * 7 + ({n} - 1) % 5)"
    return insert(TrainingClass, {
        "id": "g", "created_at": LOADED_AT, "updated_at": LOADED_AT, "project_id": "p.id",
        "code": "'BJ-P-' || lpad(g::text, 8, '0')", "name": "'省级基准班' || g", "site_address": "'基准路' || p.organiser_id || '号'",
        "county_id": "p.county_id",
        # the site: in Shandong (34.4–38.4 N, 114.8–122.7 E), one per institution
        "latitude": "round((34.6 + (p.organiser_id % 37) * 0.1)::numeric, 6)",
        "longitude": "round((115.0 + (p.organiser_id % 71) * 0.1)::numeric, 6)",
        "capacity": str(SLOTS), "start_date": start, "end_date": end,
        "filing_status": "'accepted'", "filed_at": f"({start} - 10)::timestamp AT TIME ZONE 'Asia/Shanghai'",
        "filing_days_ahead": "10", "filing_decided_at": f"({start} - 8)::timestamp AT TIME ZONE 'Asia/Shanghai'",
        # closed three days after the last session, or not yet (the future part of the action)
        "closed_at": f"CASE WHEN {end} + 3 < DATE '2026-11-30' THEN ({end} + 3)::timestamp AT TIME ZONE 'Asia/Shanghai' END",
    }, f"FROM generate_series(1, {shape.classes}) g "
       f"JOIN training_trainingproject p ON p.id = (g - 1) / {CLASSES_PER_PROJECT} + 1")


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + (
        GIVEN[(i // 2000) % len(GIVEN)] if i % 3 else "")


def _persons(shape: Shape, ref: dict[str, Any]) -> int:
    """Trainees and teachers, with real distinct ID numbers and phones, encrypted by the app's
    ``core.crypto`` as ``Person.set_id_number``/``set_phone`` store them, streamed by COPY."""
    from django.db import connection

    from jixing.core import crypto
    from jixing.registry.idgen import make_id_number

    counties = ref["counties"]
    total = shape.persons + shape.organisations * TEACHERS_PER_ORG
    seen: set[str] = set()
    columns = ("id", "created_at", "updated_at", "archive_reason", "id_number", "id_number_hash", "name", "birth_date",
               "sex", "phone", "phone_hash", "household_region_id", "current_region_id", "education", "employment_status")
    educations = ["junior", "senior", "college", "bachelor"]

    from jixing.registry.models import Education

    educations = [e for e in educations if e in Education.values] or [""]
    loaded = "2026-11-30 20:00:00+08"
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY registry_person ({', '.join(columns)}) FROM STDIN") as copy:
        for pid in range(1, total + 1):
            if pid <= shape.persons:  # lives where the class of its first enrollment slot is
                klass = (pid - 1) // SLOTS % shape.classes + 1
                county = counties[(shape.org_of_class(klass) - 1) % len(counties)]
            else:
                county = counties[(pid - shape.persons - 1) // TEACHERS_PER_ORG % len(counties)]
            # 18–47 years old in 2025; 1 in 1,000 past retirement age (R06's planted rate)
            birth = dt.date(1955 if pid % 1000 == 0 else 1978, 1, 1) + dt.timedelta(days=(pid * 7919) % 10_500)
            sequence = (pid * 37) % 1000
            number = make_id_number(county, birth, sequence)
            while number in seen:
                sequence = (sequence + 1) % 1000
                number = make_id_number(county, birth, sequence)
            seen.add(number)
            phone = f"1{3 + pid % 7}{pid % 10}{pid:08d}"[-11:]
            copy.write_row((
                pid, loaded, loaded, "", crypto.encrypt(number, purpose="id_number"),
                crypto.blind_index(number, purpose="id_number"), _name(pid), birth,
                "M" if int(number[16]) % 2 else "F", crypto.encrypt(phone, purpose="phone"),
                crypto.blind_index(phone, purpose="phone"), county, county, educations[pid % len(educations)], "unknown",
            ))
    return total


def _teachers(shape: Shape) -> int:
    from jixing.training.models import Teacher

    return insert(Teacher, {
        "id": "g", "created_at": LOADED_AT, "updated_at": LOADED_AT,
        "organisation_id": f"(g - 1) / {TEACHERS_PER_ORG} + 1", "person_id": f"{shape.persons} + g",
    }, f"FROM generate_series(1, {shape.organisations * TEACHERS_PER_ORG}) g")


def _session_start(c: str, i: str) -> str:
    return (f"(({c}.start_date + ({i})::int / 5 * 7 + ({i})::int % 5)::timestamp "
            f"+ CASE WHEN {c}.id % 2 = 0 THEN interval '8 hours 30 minutes' ELSE interval '14 hours' END) "
            "AT TIME ZONE 'Asia/Shanghai'")


def _sessions(shape: Shape) -> int:
    from jixing.training.models import TrainingSession

    return insert(TrainingSession, {
        "id": f"(c.id - 1) * {SESSION_SLOTS} + i + 1", "created_at": LOADED_AT, "updated_at": LOADED_AT,
        "training_class_id": "c.id", "starts_at": _session_start("c", "i"),
        "ends_at": f"{_session_start('c', 'i')} + interval '3 hours'", "hours": "3",
        "teacher_id": f"(pr.organiser_id - 1) * {TEACHERS_PER_ORG} + 1 + c.id % {TEACHERS_PER_ORG}",
        "topic": "'第' || (i + 1) || '课'",
    }, f"""FROM training_trainingclass c JOIN training_trainingproject pr ON pr.id = c.project_id
           CROSS JOIN LATERAL generate_series(0, {sessions_sql('c.id')} - 1) i""")


# enrollment kinds by a hash of its id: 85 % completed, 10 % not completed, 5 % withdrawn
KIND = "((e_id * 2654435761) % 100)"


def _attended(kind: str, e: str, n: str) -> str:
    """How many of the class's ``n`` sessions the enrollment attends."""
    return (f"CASE WHEN {kind} < 85 THEN {n} - {e} % 3 WHEN {kind} < 95 THEN {n} * 4 / 10 ELSE 3 END")


def _enrollments(shape: Shape) -> int:
    from jixing.training.models import Enrollment

    n = sessions_sql("c.id")
    kind = KIND
    end = "c.end_date"
    return insert(Enrollment, {
        "id": "e_id", "created_at": "(c.start_date - 14)::timestamp AT TIME ZONE 'Asia/Shanghai'",
        "updated_at": f"LEAST(({end} + 1)::timestamp AT TIME ZONE 'Asia/Shanghai', {LOADED_AT})",
        "person_id": f"(e_id - 1) % {shape.persons} + 1", "training_class_id": "c.id",
        "status": f"CASE WHEN {kind} < 85 THEN 'completed' WHEN {kind} < 95 THEN 'not_completed' ELSE 'withdrawn' END",
        "subsidised": "e_id % 10 <> 0", "eligible": "e_id % 10 <> 0", "eligibility": "'[]'::jsonb",
        "eligibility_checked_at": "(c.start_date - 14)::timestamp AT TIME ZONE 'Asia/Shanghai'",
        "attendance_rate": f"round(({_attended(kind, 'e_id', n)})::numeric / {n}, 3)",
        "completed_on": f"CASE WHEN {kind} < 85 THEN {end} END",
    }, f"""FROM training_trainingclass c
           CROSS JOIN LATERAL (SELECT (c.id - 1) * {SLOTS} + j + 1 AS e_id
                               FROM generate_series(0, {size_sql('c.id')} - 1) j) s""")


def _attendance_sql(shape: Shape, lo: int, hi: int) -> str:
    """Attendance of classes lo..hi; the R03/R04 plants are written in place."""
    n = sessions_sql("c.id")
    kind = KIND.replace("e_id", "e.id")
    start = _session_start("c", "i")
    attended = (f"CASE WHEN {kind} < 85 THEN (i * 31 + e.id) % {n} >= e.id % 3 "
                f"ELSE i < ({_attended(kind, 'e.id', n)}) END")
    proxy = "c.id % 400 = 7 AND i = 0"
    brushed = f"c.id % 300 = 11 AND i = {n} - 1"
    check_in = (f"CASE WHEN {proxy} THEN {start} - interval '5 minutes' + (e.person_id % 30) * interval '10 seconds' "
                f"ELSE {start} - ((e.id * 7 + i * 13) % 1200) * interval '1 second' END")
    from jixing.training.models import Attendance

    exprs = column_defaults(Attendance, {
        "enrollment_id": "e.id", "session_id": f"(c.id - 1) * {SESSION_SLOTS} + i + 1", "person_id": "e.person_id",
        "training_class_id": "c.id", "check_in_at": check_in,
        "check_out_at": (f"CASE WHEN {brushed} THEN ({check_in}) + interval '120 seconds' "
                         f"ELSE {start} + interval '3 hours' + ((e.id * 11 + i * 17) % 900) * interval '1 second' END"),
        "method": "CASE WHEN c.id % 3 = 0 THEN 'face' ELSE 'qr' END",
        "device_id": f"CASE WHEN {proxy} THEN 'proxy-' || ((c.id - 1) * {SESSION_SLOTS} + 1) ELSE 'phone-' || e.person_id END",
        "latitude": "c.latitude + ((e.id % 11) - 5) * 0.00005", "longitude": "c.longitude + ((e.id % 13) - 6) * 0.00005",
        "face_score": "CASE WHEN c.id % 3 = 0 THEN 0.93 END", "credited_hours": "3",
        "recorded_at": f"LEAST({start} + interval '4 hours', {LOADED_AT})", "provenance": "'captured'",
    }, session_starts_at=start)
    return (f"INSERT INTO training_attendance ({', '.join(exprs)}) SELECT {', '.join(exprs.values())} "
            f"FROM training_trainingclass c JOIN training_enrollment e ON e.training_class_id = c.id "
            f"CROSS JOIN LATERAL generate_series(0, {n} - 1) i "
            f"WHERE c.id BETWEEN {lo} AND {hi} AND {attended}")


def _attendance(shape: Shape) -> int:
    from django.db import transaction

    batch = 2_000  # classes per statement (≈ 1.4 M rows), committed one by one, with progress
    rows = 0
    started = time.monotonic()
    for lo in range(1, shape.classes + 1, batch):
        hi = min(lo + batch - 1, shape.classes)
        with transaction.atomic():
            rows += execute(_attendance_sql(shape, lo, hi), raw=True)
        if shape.classes > batch:
            _log(f"    attendance classes {lo:,}–{hi:,}: {rows:,} rows, {rows / (time.monotonic() - started):,.0f} rows/s")
    return rows


def _partitions() -> list[str]:
    from django.db import connection

    from jixing.training import partitions

    first = dt.date(2025, 1, 1)
    return partitions.ensure(connection, today=first, ahead=35)  # 2025-01 … 2027-12


def _plant_double_booking() -> int:
    """R01: 1 in 500 classes enrolls its first trainee in the class two further on too (same
    weekday hours, start weeks at most one apart) and that trainee attends it as well."""
    from django.db import connection

    from jixing.training.models import Attendance, Enrollment

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM training_enrollment")
        before = cursor.fetchone()[0]
    made = insert(Enrollment, {
        "created_at": LOADED_AT, "updated_at": LOADED_AT, "person_id": "e.person_id", "training_class_id": "c.id + 2",
        "subsidised": "true", "eligible": "true", "eligibility": "'[]'::jsonb", "attendance_rate": "0.5",
    }, f"""FROM training_trainingclass c JOIN training_enrollment e ON e.id = (c.id - 1) * {SLOTS} + 1
           WHERE c.id % 500 = 0 AND EXISTS (SELECT 1 FROM training_trainingclass c2 WHERE c2.id = c.id + 2)
           ON CONFLICT DO NOTHING""")
    insert(Attendance, {
        "enrollment_id": "e.id", "session_id": "s.id", "person_id": "e.person_id", "training_class_id": "e.training_class_id",
        "check_in_at": "s.starts_at + interval '2 minutes'", "check_out_at": "s.ends_at", "method": "'qr'",
        "device_id": "'phone-' || e.person_id", "recorded_at": f"LEAST(s.starts_at + interval '4 hours', {LOADED_AT})",
        "provenance": "'captured'", "credited_hours": "3",
    }, f"""FROM training_enrollment e JOIN training_trainingsession s ON s.training_class_id = e.training_class_id
           WHERE e.id > {before}""")
    return made


# Claims, certificates and money exist for the classes that had closed by the end of November 2026
# (≈ 64 % of them); the later ones (to December 2027) carry the attendance that makes the table
# three years' size. Closed before October: claim paid (committed, then paid, in the ledger);
# closed in October–November: the claim in review (submitted, county reviewed or city approved).
CLOSED = "c.closed_at IS NOT NULL"
PAID_BEFORE = "DATE '2026-10-01'"
CLAIM_STATUS = (f"CASE WHEN c.end_date + 3 < {PAID_BEFORE} THEN 'paid' WHEN c.id % 10 < 4 THEN 'submitted' "
                "WHEN c.id % 10 < 7 THEN 'county_reviewed' ELSE 'city_approved' END")
LINE_AMOUNT = "(800 + pr.level_id * 300)"  # yuan per trainee, by the project's skill level
# a claim line needs a completed, eligible, subsidised trainee with a certificate (R09's basis)
CLAIMABLE = "e.status = 'completed' AND e.subsidised AND e.eligible AND e.id % 13 <> 0"


def _city_table() -> None:
    execute("CREATE TEMP TABLE gen_city AS SELECT code, row_number() OVER (ORDER BY code) AS i "
            "FROM registry_region WHERE level = 'city' AND code LIKE '37%'", raw=True)


def _evaluation(shape: Shape, ref: dict[str, Any]) -> int:
    """One evaluation institution per city with an approved filing; for each closed class an
    evaluation session a week after its end, every completed trainee a candidate with a locked
    result (12 in 13 pass) and a certificate for each pass."""
    from jixing.accounts.models import Role, User
    from jixing.evaluation.models import Candidate, Certificate, EvaluationFiling, EvaluationResult, EvaluationSession
    from jixing.registry.models import Organisation

    reviewer = User.objects.create_user(username="bench-reviewer", password=None, role=Role.SYSTEM_ADMIN).pk
    first_body = shape.organisations + 1
    insert(Organisation, {
        "id": f"{shape.organisations} + gc.i", "created_at": LOADED_AT, "updated_at": LOADED_AT,
        "uscc": "'E' || lpad(gc.i::text, 17, '0')", "name": "'基准评价机构' || gc.i", "kind": "'evaluation_institution'",
        "county_id": "(SELECT min(code) FROM registry_region r WHERE r.parent_id = gc.code AND r.level = 'county')",
        "capacity": "10000",
    }, "FROM gen_city gc")
    reset_sequence("registry_organisation")
    insert(EvaluationFiling, {
        "id": "gc.i", "created_at": LOADED_AT, "updated_at": LOADED_AT, "code": "'PJ-P-' || gc.i",
        "organisation_id": f"{shape.organisations} + gc.i", "kind": "'evaluation_institution'",
        "valid_from": "DATE '2025-01-01'", "valid_to": "DATE '2027-12-31'", "status": "'approved'",
        "submitted_by_id": str(ref["user"]), "decided_by_id": str(reviewer), "decided_at": LOADED_AT,
    }, "FROM gen_city gc")
    city_of_class = "(SELECT gc.i FROM gen_city gc WHERE gc.code = substr(c.county_id, 1, 4) || '00')"
    day = "c.end_date + 7"
    at = f"({day})::timestamp AT TIME ZONE 'Asia/Shanghai'"
    insert(EvaluationSession, {
        "id": "c.id", "created_at": at, "updated_at": at, "code": "'PJ-S-' || lpad(c.id::text, 8, '0')",
        "filing_id": city_of_class, "occupation_id": "pr.occupation_id", "level_id": "pr.level_id", "mode": "'social'",
        "date": day, "site": "c.site_address", "status": "'locked'", "created_by_id": str(ref["user"]),
        "submitted_by_id": str(ref["user"]), "reviewed_by_id": str(reviewer), "reviewed_at": at,
    }, f"FROM training_trainingclass c JOIN training_trainingproject pr ON pr.id = c.project_id WHERE {CLOSED}")
    joined = (f"FROM training_enrollment e JOIN training_trainingclass c ON c.id = e.training_class_id "
              f"WHERE {CLOSED} AND e.status = 'completed'")
    insert(Candidate, {
        "id": "e.id", "created_at": at, "updated_at": at, "session_id": "c.id", "person_id": "e.person_id",
        "enrollment_id": "e.id", "source": "'enrollment'", "added_by_id": str(ref["user"]),
    }, joined)
    insert(EvaluationResult, {
        "id": "e.id", "created_at": at, "updated_at": at, "candidate_id": "e.id", "version": "1",
        "theory_score": "CASE WHEN e.id % 13 = 0 THEN 48 ELSE 60 + e.id % 40 END", "practical_score": "60 + (e.id * 7) % 40",
        "passed": "e.id % 13 <> 0", "examiner_id": f"{shape.persons} + 1 + c.id % {shape.organisations * TEACHERS_PER_ORG}",
        "status": "'locked'", "entered_by_id": str(ref["user"]), "reviewed_by_id": str(reviewer), "locked_at": at,
    }, joined)
    return insert(Certificate, {
        "id": "e.id", "created_at": at, "updated_at": at, "number": "'Z-P-' || lpad(e.id::text, 10, '0')",
        "person_id": "e.person_id", "occupation_id": "pr.occupation_id", "level_id": "pr.level_id", "mode": "'social'",
        "issuer_id": f"{first_body} - 1 + {city_of_class}", "filing_id": city_of_class, "issued_on": "c.end_date + 14",
        "result_id": "e.id", "issued_by_id": str(ref["user"]),
    }, f"{joined.replace('WHERE', 'JOIN training_trainingproject pr ON pr.id = c.project_id WHERE')} AND e.id % 13 <> 0")


def _funds(shape: Shape, ref: dict[str, Any]) -> int:
    """A rule table per city, a budget per city and year with its accounts, one claim per closed
    subsidised class (an institution claim, one line per completed, eligible, subsidised trainee),
    and the ledger: appropriations into each budget, a commitment for each approved claim and a
    payment for each paid one; account balances cached as ``ledger.post`` leaves them."""
    from jixing.funds.models import Account, Budget, Claim, ClaimLine, Posting, PostingLine, SubsidyRuleTable

    user = str(ref["user"])
    insert(SubsidyRuleTable, {
        "id": "gc.i", "created_at": LOADED_AT, "updated_at": LOADED_AT, "city_id": "gc.code", "version": "1",
        "valid_from": "DATE '2025-01-01'", "name": "'基准补贴标准' || gc.i", "basis": "'鲁人社字〔2025〕87号'",
        "created_by_id": user, "first_used_at": LOADED_AT,
    }, "FROM gen_city gc")
    insert(Budget, {
        "id": "(y - 2025) * 16 + gc.i", "created_at": LOADED_AT, "updated_at": LOADED_AT,
        "fund_source_id": "(SELECT min(id) FROM plan_fundsource)", "year": "y", "region_id": "gc.code",
        "created_by_id": user, "note": "'基准预算'",
    }, "FROM gen_city gc CROSS JOIN generate_series(2025, 2027) y")
    kinds = ["available", "committed", "paid", "receivable", "written_off"]
    for k, kind in enumerate(kinds):
        insert(Account, {"id": f"b.id * 10 + {k}", "kind": f"'{kind}'", "budget_id": "b.id"}, "FROM funds_budget b")
    treasury = 1  # budget accounts are ≥ 10
    insert(Account, {"id": str(treasury), "kind": "'treasury'", "fund_source_id": "(SELECT min(id) FROM plan_fundsource)"}, "")
    budget = "(extract(year FROM c.end_date)::int - 2025) * 16 + (SELECT gc.i FROM gen_city gc WHERE gc.code = substr(c.county_id, 1, 4) || '00')"
    per_class = (f"(SELECT e.training_class_id, count(*) AS n FROM training_enrollment e WHERE {CLAIMABLE} "
                 "GROUP BY e.training_class_id) k")
    status = CLAIM_STATUS
    at = "(c.end_date + 5)::timestamp AT TIME ZONE 'Asia/Shanghai'"
    claims = insert(Claim, {
        "id": "c.id", "created_at": at, "updated_at": at, "number": "'BT-P-' || lpad(c.id::text, 8, '0')",
        "subsidy_item": "'vocational_training'", "payee_kind": "'institution'", "organisation_id": "pr.organiser_id",
        "project_id": "pr.id", "county_id": "c.county_id", "fund_source_id": "pr.fund_source_id", "action_id": "pr.action_id",
        "rule_table_id": "(SELECT gc.i FROM gen_city gc WHERE gc.code = substr(c.county_id, 1, 4) || '00')",
        "amount": f"k.n * {LINE_AMOUNT}", "status": status, "budget_id": budget, "created_by_id": user,
        "submitted_by_id": user, "submitted_at": at,
        "county_reviewed_at": f"CASE WHEN {status} <> 'submitted' THEN {at} + interval '3 days' END",
        "city_approved_at": f"CASE WHEN {status} IN ('city_approved', 'paid') THEN {at} + interval '6 days' END",
    }, f"""FROM training_trainingclass c JOIN training_trainingproject pr ON pr.id = c.project_id
           JOIN {per_class} ON k.training_class_id = c.id WHERE {CLOSED} AND pr.is_subsidised""")
    insert(ClaimLine, {
        "id": "e.id", "created_at": at, "updated_at": at, "claim_id": "c.id", "person_id": "e.person_id",
        "subsidy_item": "'vocational_training'", "enrollment_id": "e.id", "training_class_id": "c.id",
        "certificate_id": "e.id",  # the trainee's certificate (same id as the enrollment)
        "occupation_id": "pr.occupation_id", "level_id": "pr.level_id", "year": "extract(year FROM e.completed_on)::int",
        "amount": LINE_AMOUNT, "rule_table_id": "cl.rule_table_id", "status": "'live'",
    }, f"""FROM training_enrollment e JOIN funds_claim cl ON cl.id = e.training_class_id
           JOIN training_trainingclass c ON c.id = e.training_class_id
           JOIN training_trainingproject pr ON pr.id = c.project_id WHERE {CLAIMABLE}""")
    # the ledger: appropriation = 1.25 × what the budget's claims commit, rounded up to 10,000 yuan
    posted = "TIMESTAMPTZ '2025-01-02 09:00+08'"
    execute("""CREATE TEMP TABLE gen_need AS SELECT b.id AS budget_id,
                 COALESCE((SELECT ceil(sum(amount) * 1.25 / 10000) * 10000 FROM funds_claim cl
                           WHERE cl.budget_id = b.id AND cl.status IN ('city_approved', 'paid')), 0) AS amount
               FROM funds_budget b""", raw=True)
    from django.db import transaction

    with transaction.atomic():  # each posting is checked balanced at commit (a deferred trigger)
        insert(Posting, {"id": "n.budget_id", "kind": "'appropriation'", "reference_type": "'allocation'",
                         "reference_id": "n.budget_id::text", "memo": "'基准拨款'", "posted_at": posted, "created_by_id": user},
               "FROM gen_need n WHERE n.amount > 0")
        insert(PostingLine, {"posting_id": "n.budget_id", "account_id": str(treasury), "amount": "-n.amount"},
               "FROM gen_need n WHERE n.amount > 0")
        insert(PostingLine, {"posting_id": "n.budget_id", "account_id": "n.budget_id * 10", "amount": "n.amount"},
               "FROM gen_need n WHERE n.amount > 0")
        base = 1000  # commitments are posting base + claim, payments base + classes + claim
        legs = [("commitment", base, "cl.status IN ('city_approved', 'paid')", 0, 1, "cl.city_approved_at"),
                ("payment", base + shape.classes, "cl.status = 'paid'", 1, 2, "cl.city_approved_at + interval '10 days'")]
        for kind, offset, where, source, target, when in legs:
            insert(Posting, {"id": f"{offset} + cl.id", "kind": f"'{kind}'", "reference_type": "'claim'",
                             "reference_id": "cl.id::text", "memo": "cl.number", "posted_at": when, "created_by_id": user},
                   f"FROM funds_claim cl WHERE {where}")
            insert(PostingLine, {"posting_id": f"{offset} + cl.id", "account_id": f"cl.budget_id * 10 + {source}",
                                 "amount": "-cl.amount"}, f"FROM funds_claim cl WHERE {where}")
            insert(PostingLine, {"posting_id": f"{offset} + cl.id", "account_id": f"cl.budget_id * 10 + {target}",
                                 "amount": "cl.amount"}, f"FROM funds_claim cl WHERE {where}")
    for table in ("funds_subsidyruletable", "funds_budget", "funds_account", "funds_claim", "funds_claimline",
                  "funds_posting", "funds_postingline"):
        reset_sequence(table)
    execute("""UPDATE funds_account a SET balance = CASE WHEN a.kind = 'treasury' THEN -t.total ELSE t.total END
               FROM (SELECT account_id, sum(amount) AS total FROM funds_postingline GROUP BY account_id) t
               WHERE t.account_id = a.id""", raw=True)
    return claims


def _accounts(shape: Shape, out: Path | None) -> int:
    """Province officer, one officer per city, a dozen institution staff; written as
    ``username<TAB>password<TAB>role`` lines (the format of var/demo-accounts.txt)."""
    from jixing.accounts.models import Role, User
    from jixing.registry.models import Organisation, Region

    lines = []

    def make(username: str, **fields: Any) -> None:
        password = secrets.token_urlsafe(12)
        User.objects.create_user(username=username, password=password, **fields)
        lines.append(f"{username}\t{password}\t{fields['role']}")

    make("prov-officer", role=Role.HRSS_OFFICER, region=Region.objects.get(code="370000"))
    for city in Region.objects.filter(level="city", code__startswith="37").order_by("code"):
        make(f"city-{city.code}", role=Role.HRSS_OFFICER, region=city)
    step = max(1, shape.organisations // 12)
    for org in Organisation.objects.filter(id__in=range(1, shape.organisations + 1, step)).order_by("id")[:12]:
        make(f"inst-{org.pk:05d}", role=Role.INSTITUTION, organisation=org)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


# the big tables: loaded without their foreign keys and secondary indexes, which come back after
LOADED_WITHOUT_INDEXES = ("registry_person", "training_trainingsession", "training_enrollment", "training_attendance",
                          "evaluation_candidate", "evaluation_evaluationresult", "evaluation_certificate", "funds_claimline")


def _restore_all(dropped: list[Any]) -> None:
    for d in dropped:
        restore(d)


def generate(enrollments: int, *, accounts_to: Path | None = None) -> dict[str, Any]:
    """Fill the (freshly migrated) current database; returns the counts and each phase's seconds."""
    from django.db import connection

    from jixing.stats import rollup

    shape = Shape.for_enrollments(enrollments)
    phases = Phases()
    # this connection only: index builds and foreign-key validation in memory, commits not waiting on
    # the WAL flush (a crash mid-load means generating again anyway)
    execute("SET maintenance_work_mem = '1GB'", raw=True)
    execute("SET synchronous_commit = off", raw=True)
    _log(f"shape: {shape}")
    ref = phases.run("reference data", _reference)
    phases.run("partitions 2025-01…2027-12", lambda: len(_partitions()))
    dropped = [drop_secondary(t) for t in LOADED_WITHOUT_INDEXES]
    phases.run("organisations", lambda: _organisations(shape, ref))
    phases.run("projects", lambda: _projects(shape, ref))
    phases.run("classes", lambda: _classes(shape))
    phases.run("persons (encrypted, COPY)", lambda: _persons(shape, ref))
    phases.run("teachers", lambda: _teachers(shape))
    phases.run("sessions", lambda: _sessions(shape))
    phases.run("enrollments", lambda: _enrollments(shape))
    phases.run("attendance", lambda: _attendance(shape))
    for table in ("registry_organisation", "training_trainingproject", "training_trainingclass", "registry_person",
                  "training_teacher", "training_trainingsession", "training_enrollment"):
        reset_sequence(table)
    phases.run("plants (R01 double bookings)", _plant_double_booking)
    _city_table()
    phases.run("evaluation sessions, results, certificates", lambda: _evaluation(shape, ref))
    phases.run("claims, claim lines, ledger", lambda: _funds(shape, ref))
    phases.run("indexes and foreign keys back", lambda: _restore_all(dropped))
    from jixing.training import partitions

    with connection.cursor() as cursor:
        for part in partitions.partitions(connection):
            partitions._name_indexes(cursor, part.name)
    phases.run("vacuum analyze", lambda: execute("VACUUM ANALYZE", raw=True))
    phases.run("stats rollups (rebuild)", rollup.rebuild)
    phases.run("accounts", lambda: _accounts(shape, accounts_to))
    counts = counts_of()
    return {"shape": shape.__dict__, "counts": counts, "phases": phases.seconds,
            "seconds": round(sum(phases.seconds.values()), 1)}


COUNTED = ("registry_organisation", "training_trainingproject", "training_trainingclass", "registry_person",
           "training_trainingsession", "training_enrollment", "training_attendance", "evaluation_candidate",
           "evaluation_certificate", "funds_claim", "funds_claimline", "funds_posting", "funds_postingline",
           "stats_countedenrollment")


def counts_of() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for table in COUNTED:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            found[table] = cursor.fetchone()[0]
    return found


# --- command line -------------------------------------------------------------------------------

def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.province")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="drop, migrate and fill the scale's database")
    gen.add_argument("--scale", choices=list(SCALES), required=True)
    gen.add_argument("--template", help="copy this migrated, empty database instead of migrating from nothing")
    cur = sub.add_parser("curve", help="measure the scale's database (each measurement in a child process)")
    cur.add_argument("--scale", choices=list(SCALES), required=True)
    cur.add_argument("what", nargs="*", default=list(MEASURES))
    one = sub.add_parser("measure", help="one measurement on DATABASE_URL's database (JSON on the last line)")
    one.add_argument("what", choices=list(MEASURES))
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("needs DATABASE_URL=postgres://…")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.command == "measure":
        import resource

        result = MEASURES[args.what]()
        result["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result, default=str), flush=True)
        return 0
    if args.command == "curve":
        curve(args.scale, args.what)
        return 0
    name = database_name(args.scale)
    print(f"== province generator, scale {args.scale}, database {name}", flush=True)
    started = time.monotonic()
    recreate(name, template=args.template)
    migrate_seconds = time.monotonic() - started
    from django.conf import settings

    # the province's accounts are the load test's (helper "load" reads /work/notes); other scales' beside them
    accounts = Path(settings.VAR_DIR) / (ACCOUNTS_FILE if args.scale == "province" else f"province-accounts-{args.scale}.txt")
    result = generate(SCALES[args.scale], accounts_to=accounts)
    if args.scale == "province" and NOTES.is_dir():
        shutil.copyfile(accounts, NOTES / ACCOUNTS_FILE)
    result["phases"] = {"create + migrate": round(migrate_seconds, 1), **result["phases"]}
    result["seconds"] = round(time.monotonic() - started, 1)
    result["database"] = name
    print(json.dumps(result), flush=True)
    return 0


def main() -> None:
    """``python -m bench province``: generate a scale into ``<name>_bench_province`` (small by default)
    and measure it."""
    from bench._db import fresh_database

    scale = os.environ.get("JIXING_BENCH_PROVINCE_SCALE", "small")
    name = fresh_database("province")
    print(f"database {name}, scale {scale}", flush=True)
    result = generate(SCALES[scale])
    print(json.dumps(result), flush=True)
    from django.db import connections

    connections["default"].close()  # the measurements run in child processes
    curve(scale, list(MEASURES), name=name)



# --- the cost curve -----------------------------------------------------------------------------
# Each measurement runs in a child process of its own (``measure <what>``), so its peak RSS is its
# own; the parent (``curve``) collects them. Order matters: the full supervision run comes before
# the daily one (which adds a day of sessions and attendance), the import adds its own classes.

IMPORT_CLASSES = 100  # × 40 sessions × 50 trainees = 200,000 rows (bench/training.py's class shape)
DISPATCH_PERIOD = dt.date(2026, 11, 1)
DISPATCH_TODAY = dt.date(2026, 11, 30)


def _median_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    from bench._db import timed

    return timed(fn, repeat=repeat)


def _measure_dashboard() -> dict[str, Any]:
    from bench.stats import _dashboard

    seconds, (targets, cities, trend, actions) = _median_of(_dashboard, 5)
    return {"seconds": seconds, "figures": {"overall": targets.get("overall_subsidized"), "targets": targets,
                                            "cities": {k: v for k, v in cities.items() if v}, "trend": trend,
                                            "actions": {str(k): v for k, v in actions.items() if v}}}


def _measure_duckdb() -> dict[str, Any]:
    import tempfile

    import duckdb
    from django.db import connection

    from bench.stats import EXPORT, _duckdb

    started = time.monotonic()
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as out, connection.cursor() as cursor, \
            cursor.cursor.copy(EXPORT) as copy:
        for block in copy:
            out.write(block)
        path = out.name
    export = time.monotonic() - started
    con = duckdb.connect()
    con.execute(f"CREATE TABLE e AS SELECT * FROM read_csv('{path}', header=true, types={{'county_id': 'VARCHAR'}})")
    os.unlink(path)
    seconds, (overall, by_target, by_city, trend, by_action) = _median_of(lambda: _duckdb(con), 5)
    return {"seconds": seconds, "export_s": export,
            "figures": {"overall": overall, "targets": by_target, "cities": by_city, "trend": trend,
                        "actions": {str(k): v for k, v in by_action.items()}}}


def _measure_dispatch() -> dict[str, Any]:
    from jixing.stats.actions import dispatch_figures, generate_dispatch_report

    seconds, data = _median_of(lambda: dispatch_figures(period=DISPATCH_PERIOD, today=DISPATCH_TODAY), 3)
    started = time.monotonic()
    generate_dispatch_report(period=DISPATCH_PERIOD, by=None, today=DISPATCH_TODAY)  # figures + workbook + row
    return {"seconds": seconds, "report_s": time.monotonic() - started, "as_of": data["as_of"]}


def _measure_supervision_full() -> dict[str, Any]:
    from jixing.supervision.engine import run_rules

    report = run_rules(full=True).as_dict()
    return {"seconds": report["seconds"], "findings": report["created"],
            "rules": {code: round(r["seconds"], 2) for code, r in report["rules"].items()}}


def _add_day() -> int:
    """bench/supervision.py's day (one more session, the day after the last one, for 1 in 20
    classes, attended and recorded now), among the classes of first enrollments only: here a
    trainee's second class is thousands of classes later at the same hour, and two such extra
    sessions on the same day would be double bookings the generator never made."""
    from bench.supervision import _add_day as add_day

    first_time = f"(SELECT count(*) * 4 / 5 / {SLOTS} FROM training_enrollment)"
    return add_day(classes=f"s.training_class_id %% 20 = 3 AND s.training_class_id <= {first_time}")


def _measure_supervision_daily() -> dict[str, Any]:
    from jixing.supervision.engine import run_rules

    added = _add_day()
    execute("ANALYZE training_attendance", raw=True)
    report = run_rules().as_dict()
    return {"seconds": report["seconds"], "new_rows": added, "findings": report["created"],
            "rules": {code: round(r["seconds"], 2) for code, r in report["rules"].items()}}


def _measure_r01() -> dict[str, Any]:
    from bench.supervision import _duckdb_r01, _pg_r01_sql

    pg_seconds, pg_pairs = _pg_r01_sql(10 * 60)
    duck = _duckdb_r01(10 * 60)
    return {"seconds": pg_seconds, "pairs": pg_pairs, "duckdb_s": duck["query_s"], "duckdb_pairs": duck["pairs"],
            "export_s": duck["export_s"]}


def _import_classes() -> dict[str, Any]:
    """IMPORT_CLASSES open classes of 50 trainees (existing persons) and 40 daily 08:00–12:00
    sessions from 2026-06-01, with no attendance yet: bench/training.py's shape, so its CSV writer
    and child-process import are reused as they are."""
    from bench import training
    from jixing.registry.models import Person

    with_ids = "SELECT coalesce(max(id), 0) FROM training_trainingclass"
    from django.db import connection

    per = training.TRAINEES_PER_CLASS
    with connection.cursor() as cursor:
        cursor.execute(with_ids)
        first = cursor.fetchone()[0] + 1
        cursor.execute("SELECT count(*) * 4 / 5 FROM training_enrollment")
        trainee_persons = cursor.fetchone()[0]
    last = first + min(IMPORT_CLASSES, trainee_persons // per // 2) - 1  # fewer at the tiny scale
    execute(f"""INSERT INTO training_trainingclass (id, created_at, updated_at, project_id, code, name, site_address, county_id,
                  latitude, longitude, capacity, start_date, end_date, filing_status, roster_plan, filing_reason,
                  filing_short_notice, filed_at, filing_days_ahead)
                SELECT g, now(), now(), c.project_id, 'BJ-I-' || g, '导入基准班' || g, c.site_address, c.county_id,
                       36.650000, 117.120000, {per}, DATE '2026-06-01', DATE '2026-06-01' + {training.SESSIONS_PER_CLASS},
                       'accepted', '', '', false, now() - interval '20 days', 10
                FROM generate_series({first}, {last}) g JOIN training_trainingclass c ON c.id = g - {first} + 1""", raw=True)
    reset_sequence("training_trainingclass")
    execute(f"""INSERT INTO training_trainingsession (created_at, updated_at, training_class_id, starts_at, ends_at, hours,
                  teacher_id, topic)
                SELECT now(), now(), c.id, (DATE '2026-06-01' + s)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '8 hours',
                       (DATE '2026-06-01' + s)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '12 hours', 4,
                       (SELECT min(id) FROM training_teacher t WHERE t.organisation_id = p.organiser_id), '导入第' || (s + 1) || '课'
                FROM training_trainingclass c JOIN training_trainingproject p ON p.id = c.project_id
                CROSS JOIN generate_series(0, {training.SESSIONS_PER_CLASS - 1}) s
                WHERE c.id BETWEEN {first} AND {last}""", raw=True)
    # trainees: persons taken from the last ones, who are not in classes of June 2026
    execute(f"""INSERT INTO training_enrollment (created_at, updated_at, person_id, training_class_id, status, subsidised,
                  eligible, eligibility, override_reason, attendance_rate)
                SELECT now(), now(), (SELECT max(id) FROM registry_person WHERE id <= (SELECT count(*) * 4 / 5 FROM training_enrollment))
                                      - ((c.id - {first}) * {per} + j), c.id, 'enrolled', true, true, '[]', '', 0
                FROM training_trainingclass c CROSS JOIN generate_series(0, {per - 1}) j
                WHERE c.id BETWEEN {first} AND {last}""", raw=True)
    execute("ANALYZE training_trainingclass", raw=True)
    execute("ANALYZE training_enrollment", raw=True)
    classes = []
    trainees = []
    for code, start in connection.cursor().execute(
            f"SELECT code, start_date FROM training_trainingclass WHERE id BETWEEN {first} AND {last} ORDER BY id").fetchall():
        classes.append((code, start))
    ids = [r[0] for r in connection.cursor().execute(
        f"SELECT person_id FROM training_enrollment WHERE training_class_id BETWEEN {first} AND {last} "
        "ORDER BY training_class_id, id").fetchall()]
    numbers = dict(Person.objects.filter(pk__in=ids).values_list("pk", "id_number"))
    trainees = [numbers[i] for i in ids]
    return {"classes": classes, "trainees": trainees, "first": first, "last": last}


def _measure_import() -> dict[str, Any]:
    """200,000 attendance rows into the already-full table through ``import_attendance_csv`` (a child
    process, as bench/training.py), then the same validated rows COPYed into the same table."""
    import tempfile

    from django.db import connection, transaction

    from bench import training
    from jixing.training.models import Attendance

    data = _import_classes()
    rows = (data["last"] - data["first"] + 1) * training.SESSIONS_PER_CLASS * training.TRAINEES_PER_CLASS
    path = Path(tempfile.gettempdir()) / f"province-import-{os.getpid()}.csv"
    written = training._write_attendance(path, data, rows)
    url = os.environ["DATABASE_URL"].rpartition("/")[0] + "/" + connection.settings_dict["NAME"]
    try:
        child = training._import_in_child(path, url)
    finally:
        path.unlink(missing_ok=True)
    assert child["created"] == written, child
    columns = ", ".join(f.column for f in Attendance._meta.concrete_fields if not f.primary_key)
    where = f"training_class_id BETWEEN {data['first']} AND {data['last']}"
    dump = io.BytesIO()
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY (SELECT {columns} FROM training_attendance WHERE {where}) TO STDOUT (FORMAT csv)") as copy:
        for block in copy:
            dump.write(block)
    execute(f"DELETE FROM training_attendance WHERE {where}", raw=True)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY training_attendance ({columns}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(dump.getvalue())
    copy_seconds = time.monotonic() - started
    return {"seconds": child["seconds"], "rows": written, "maxrss_mb_import_child": child["maxrss_mb"],
            "copy_s": copy_seconds}


MEASURES: dict[str, Callable[[], dict[str, Any]]] = {
    "dashboard": _measure_dashboard, "duckdb": _measure_duckdb, "dispatch": _measure_dispatch,
    "supervision_full": _measure_supervision_full, "supervision_daily": _measure_supervision_daily,
    "r01": _measure_r01, "import": _measure_import,
}


def _uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0]


def _measure_child(what: str, name: str) -> dict[str, Any]:
    import subprocess

    url = os.environ["DATABASE_URL"].rpartition("/")[0] + "/" + name
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "false"}
    load_before = _uptime()
    at = time.strftime("%H:%M", time.gmtime())
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.province", "measure", what], env=env, check=False, capture_output=True, text=True,
        cwd=str(Path(__file__).resolve().parent.parent))
    if out.returncode:
        print(out.stderr[-3000:], flush=True)
        return {"failed": out.stderr.strip().splitlines()[-1][:300], "utc": at}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(utc=at, load=f"{load_before} → {_uptime()}")
    return result


def curve(scale: str, whats: list[str], *, name: str | None = None) -> dict[str, Any]:
    from django.conf import settings

    name = name or database_name(scale)
    results: dict[str, Any] = {"scale": scale, "database": name}
    target = Path(settings.VAR_DIR) / f"province-curve-{scale}.json"
    if target.exists():
        results = {**json.loads(target.read_text()), **results}
    for what in whats:
        print(f"== {scale}: {what}", flush=True)
        results[what] = _measure_child(what, name)
        print(json.dumps(results[what])[:2000], flush=True)
        target.write_text(json.dumps(results, indent=1, default=str))
    if "dashboard" in results and "duckdb" in results:
        a, b = results["dashboard"]["figures"], results["duckdb"]["figures"]
        results["identical"] = (a["overall"] == b["overall"] and a["cities"] == b["cities"] and a["trend"] == b["trend"]
                                and a["actions"] == b["actions"]
                                and all(a["targets"].get(k, 0) == v for k, v in b["targets"].items()))
        print(f"dashboard {results['dashboard']['seconds'] * 1000:.0f} ms, DuckDB {results['duckdb']['seconds'] * 1000:.0f} ms, "
              f"figures identical: {results['identical']}", flush=True)
        target.write_text(json.dumps(results, indent=1, default=str))
    return results


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
