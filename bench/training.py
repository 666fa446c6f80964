"""Training imports on PostgreSQL: attendance (1,000,000 rows) and roster throughput.

In its own database (``<DATABASE_URL name>_bench_training``, recreated each run) it builds
500 classes × 40 sessions × 50 trainees, streams a 1,000,000-row attendance CSV to /tmp and
imports it through ``import_attendance``'s code path (``import_attendance_csv``: polars
validation in chunks, COPY into the indexed attendance table, rates refreshed), then times a
raw ``COPY`` of the same file into a plain text table as the baseline, and prints rows/s of
both and their ratio; it also times COPY of the validated rows straight into the real table
(indexes and foreign keys: the floor any import into it pays). Each import runs in a fresh child process so its peak RSS
(``resource.getrusage``) is its own: 250,000 vs 1,000,000 rows shows memory staying flat.
Goal: ≥ 20,000 attendance rows/s and within 3× of the raw COPY.
``JIXING_BENCH_TRAINING_UNPARTITIONED=1`` rebuilds attendance as a plain table first (the
cost of the monthly partitions, measured by two runs).

Run alone with ``python -m bench training`` (DATABASE_URL=postgres://…); sizes can be scaled
down with ``JIXING_BENCH_TRAINING_ROWS`` (default 1000000, a multiple of 2000).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

SESSIONS_PER_CLASS = 40
TRAINEES_PER_CLASS = 50
ROSTER_ROWS = 5_000
TZ = ZoneInfo("Asia/Shanghai")
HEADER = ["班级编号", "公民身份号码", "签到时间", "签退时间", "签到方式", "设备编号", "经度", "纬度"]


def _bench_url() -> tuple[str, str]:
    import dj_database_url

    base = os.environ["DATABASE_URL"]
    name = dj_database_url.parse(base)["NAME"] + "_bench_training"
    head, _sep, _old = base.rpartition("/")
    return f"{head}/{name}", name


def _recreate_database(name: str) -> None:
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**{k: v for k, v in params.items() if k in {"host", "port", "user", "password", "dbname"}},
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _use_database(name: str) -> None:
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def _setup(rows: int) -> dict:
    """Reference data, an institution with an approved project, classes, sessions, roster."""
    from django.core.management import call_command

    from jixing.accounts.models import Role, User
    from jixing.plan.management.commands.load_reference import load_reference
    from jixing.plan.models import Action, FundSource
    from jixing.registry.idgen import make_id_number, make_uscc
    from jixing.registry.models import Occupation, Organisation, OrganisationKind, Person, SkillLevel
    from jixing.training.models import (
        Enrollment,
        ProjectStatus,
        ProjectType,
        Teacher,
        TrainingClass,
        TrainingProject,
        TrainingSession,
    )

    call_command("migrate", verbosity=0)
    load_reference()
    rng = random.Random(2025)
    org = Organisation.objects.create(uscc=make_uscc("370102", rng), name="基准培训学校", kind=OrganisationKind.PRIVATE_INSTITUTION,
                                      county_id="370102")
    user = User.objects.create_user(username="bench", password=None, role=Role.INSTITUTION, organisation=org)
    fund_source = FundSource.objects.first()
    assert fund_source is not None, "load_reference() loads the fund sources"
    project = TrainingProject.objects.create(
        code="XM-BENCH-0001", name="基准项目", action=Action.objects.get(number=1), project_type=ProjectType.EMPLOYMENT_SKILL,
        organiser=org, occupation=Occupation.objects.order_by("id").first(), level=SkillLevel.objects.get(order=3),
        county_id="370102", planned_person_times=10**6, hours=160, fund_source=fund_source,
        status=ProjectStatus.RUNNING, created_by=user,
    )
    n_classes = rows // (SESSIONS_PER_CLASS * TRAINEES_PER_CLASS)
    people: list[Person] = []
    seen: set[str] = set()
    for i in range(n_classes * TRAINEES_PER_CLASS + n_classes + ROSTER_ROWS):
        birth = dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        number = make_id_number("370102", birth, (i // 10080) % 1000)
        while number in seen:
            number = make_id_number("370102", birth, rng.randrange(1000))
        seen.add(number)
        p = Person(name=f"学员{i}", household_region_id="370102", current_region_id="370102")
        p.set_id_number(number)
        people.append(p)
    roster_people, people = people[-ROSTER_ROWS:], people[:-ROSTER_ROWS]
    Person.objects.bulk_create(people, batch_size=5000)
    teachers = Teacher.objects.bulk_create([Teacher(organisation=org, person=p) for p in people[-n_classes:]])
    trainees = people[:-n_classes]
    classes = TrainingClass.objects.bulk_create([
        TrainingClass(project=project, code=f"BJ-370102-2026-{c + 1:04d}", name=f"基准班{c + 1}", site_address="历下区",
                      county_id="370102", latitude=Decimal("36.65"), longitude=Decimal("117.12"), capacity=TRAINEES_PER_CLASS,
                      start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 1, 5) + dt.timedelta(days=SESSIONS_PER_CLASS),
                      filing_status="accepted")
        for c in range(n_classes)
    ])
    sessions = []
    for c, klass in enumerate(classes):
        for s in range(SESSIONS_PER_CLASS):
            start = dt.datetime.combine(klass.start_date + dt.timedelta(days=s), dt.time(8), tzinfo=TZ)
            sessions.append(TrainingSession(training_class=klass, starts_at=start, ends_at=start + dt.timedelta(hours=4),
                                            hours=Decimal(4), teacher=teachers[c], topic=f"第{s + 1}课"))
    TrainingSession.objects.bulk_create(sessions, batch_size=5000)
    Enrollment.objects.bulk_create([
        Enrollment(person=trainees[c * TRAINEES_PER_CLASS + t], training_class=klass, subsidised=True)
        for c, klass in enumerate(classes) for t in range(TRAINEES_PER_CLASS)
    ], batch_size=5000)
    # Filed and accepted (training 0008): without it every roster row is refused and the step
    # timed the refusals (it printed 0 rows). Half of the roster are new persons, half are
    # trainees of the January classes (same project, so same occupation and level: their
    # subsidised January enrollment makes them ineligible here — decided, not refused).
    roster_class = TrainingClass.objects.create(
        project=project, code="BJ-370102-2026-9999", name="花名册基准班", site_address="历下区", county_id="370102",
        latitude=Decimal("36.65"), longitude=Decimal("117.12"), capacity=ROSTER_ROWS,
        start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 9, 30), filing_status="accepted")
    returning = trainees[: ROSTER_ROWS // 2]
    return {
        "classes": [(k.code, k.start_date) for k in classes],
        "trainees": [p.id_number for p in trainees],
        "roster": [(p.name, p.id_number) for p in roster_people[: ROSTER_ROWS - len(returning)] + returning],
        "roster_class": roster_class.code,
    }


def _write_attendance(path: Path, data: dict, rows: int) -> int:
    """Rows in device-export order: class by class, session by session."""
    rng = random.Random(7)
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for c, (code, start) in enumerate(data["classes"]):
            ids = data["trainees"][c * TRAINEES_PER_CLASS:(c + 1) * TRAINEES_PER_CLASS]
            for s in range(SESSIONS_PER_CLASS):
                day = start + dt.timedelta(days=s)
                for t, id_number in enumerate(ids):
                    if written >= rows:
                        return written
                    cin = dt.datetime.combine(day, dt.time(7, 40)) + dt.timedelta(seconds=rng.randrange(1500))
                    cout = dt.datetime.combine(day, dt.time(12)) + dt.timedelta(seconds=rng.randrange(-600, 900))
                    out.writerow([code, id_number, cin.strftime("%Y-%m-%d %H:%M:%S"), cout.strftime("%Y-%m-%d %H:%M:%S"),
                                  "人脸", f"FACE-{c:03d}-{t % 3}", f"{117.12 + rng.random() / 1000:.6f}",
                                  f"{36.65 + rng.random() / 1000:.6f}"])
                    written += 1
    return written


_CHILD = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from jixing.training.bulk_attendance import import_attendance_csv
started = time.monotonic()
result = import_attendance_csv(sys.argv[1], by=None, dry_run=False)
seconds = time.monotonic() - started
print(json.dumps({"created": result.counts.created, "rejected": result.rejected_rows, "seconds": seconds,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _import_in_child(path: Path, url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "false"}  # no query log, as in production
    out = subprocess.run(  # noqa: S603 - our own interpreter running the constant script above
        [sys.executable, "-c", _CHILD, str(path)], env=env, check=True, capture_output=True, text=True,
        cwd=str(Path(__file__).resolve().parent.parent))
    return json.loads(out.stdout.strip().splitlines()[-1])


def _reset_attendance() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE training_attendance")
        cursor.execute("UPDATE training_enrollment SET attendance_rate = 0")
        cursor.execute("VACUUM ANALYZE training_attendance")


def _raw_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_attendance")
        cursor.execute("CREATE TABLE bench_plain_attendance (class_code text, id_number text, check_in text, "
                       "check_out text, method text, device_id text, longitude text, latitude text)")
        started = time.monotonic()
        with open(path, "rb") as fh, cursor.cursor.copy(
            "COPY bench_plain_attendance FROM STDIN (FORMAT csv, HEADER true)"
        ) as copy:
            while block := fh.read(1 << 20):
                copy.write(block)
        seconds = time.monotonic() - started
        cursor.execute("DROP TABLE bench_plain_attendance")
    return seconds


def _table_floor(tmp: Path) -> float:
    """The cost of the target table itself: the imported rows, already validated, COPYed straight
    back into training_attendance (its indexes and foreign keys checked at commit)."""
    from django.db import connection, transaction

    from jixing.training.models import Attendance

    # every column but the id (fields added later — provenance, session_month — come along)
    columns = ", ".join(f.column for f in Attendance._meta.concrete_fields if not f.primary_key)
    dump = tmp / "bench-attendance-validated.csv"
    with connection.cursor() as cursor, open(dump, "wb") as out, cursor.cursor.copy(
        f"COPY (SELECT {columns} FROM training_attendance) TO STDOUT (FORMAT csv)"
    ) as copy:
        for block in copy:
            out.write(block)
    _reset_attendance()
    try:
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor, open(dump, "rb") as fh, cursor.cursor.copy(
            f"COPY training_attendance ({columns}) FROM STDIN (FORMAT csv)"
        ) as copy:
            while block := fh.read(1 << 20):
                copy.write(block)
        return time.monotonic() - started
    finally:
        dump.unlink(missing_ok=True)


def _roster(data: dict, tmp: Path) -> tuple[int, float, dict]:
    from jixing.imports.pipeline import inspect_upload, preflight, run_import
    from jixing.training.importers import RosterImporter
    from jixing.training.models import TrainingClass

    path = tmp / "bench-roster.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["姓名", "公民身份号码", "手机号码", "人员类别"])
        for i, (name, id_number) in enumerate(data["roster"]):
            out.writerow([name, id_number, f"139{i:08d}", "城镇登记失业人员" if i % 3 == 0 else ""])
    klass = TrainingClass.objects.select_related("project").get(code=data["roster_class"])
    started = time.monotonic()
    info = inspect_upload(path, path.name)
    preflight(RosterImporter, path, info)
    result = run_import(RosterImporter(klass=klass), path, info, dry_run=False)
    seconds = time.monotonic() - started
    path.unlink()
    rows = len(data["roster"])
    extra = {"rejected": result.rejected_rows, "ineligible": len({e["row"] for e in result.extra["ineligible"]}),
             "persons_created": result.extra["persons_created"]}
    assert result.counts.created == rows and not result.rejected_rows, (rows, result.counts, result.errors[:3])
    return result.counts.created, seconds, extra


def _month_partitions() -> None:
    """The monthly partitions of the sessions' months, as the daily scheduler job would have
    made them (without it every row would land in the DEFAULT partition)."""
    from django.db import connection
    from django.db.models import Max, Min

    from jixing.training import partitions
    from jixing.training.fields import month_of
    from jixing.training.models import TrainingSession

    span = TrainingSession.objects.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    first, last = month_of(span["first"]), month_of(span["last"])
    months = (last.year - first.year) * 12 + last.month - first.month
    if os.environ.get("JIXING_BENCH_TRAINING_UNPARTITIONED"):  # the comparison: a plain table, as before
        from django.db import transaction
        from django.utils import timezone

        with transaction.atomic():
            partitions.rebuild(connection, partitioned=False, today=timezone.localdate())
        print("  attendance rebuilt as a plain (unpartitioned) table for comparison")
        return
    created = partitions.ensure(connection, today=first, ahead=months)
    print(f"  attendance partitions created for the sessions' months: {', '.join(created) or 'none needed'}")


def main() -> None:
    rows = int(os.environ.get("JIXING_BENCH_TRAINING_ROWS", "1000000"))
    url, name = _bench_url()
    tmp = Path(tempfile.gettempdir())
    print(f"database {name}: building {rows // (SESSIONS_PER_CLASS * TRAINEES_PER_CLASS)} classes × "
          f"{SESSIONS_PER_CLASS} sessions × {TRAINEES_PER_CLASS} trainees …")
    started = time.monotonic()
    _recreate_database(name)
    _use_database(name)
    data = _setup(rows)
    _month_partitions()
    print(f"  setup {time.monotonic() - started:.1f}s")
    quarter = tmp / "bench-attendance-250k.csv"
    full = tmp / "bench-attendance-1m.csv"
    started = time.monotonic()
    small = _write_attendance(quarter, data, rows // 4)
    total = _write_attendance(full, data, rows)
    print(f"  wrote {total:,} + {small:,} CSV rows ({full.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - started:.1f}s")
    try:
        part = _import_in_child(quarter, url)
        _reset_attendance()
        whole = _import_in_child(full, url)
        copy_seconds = _raw_copy(full)
        floor_seconds = _table_floor(tmp)
        roster_rows, roster_seconds, roster = _roster(data, tmp)
    finally:
        quarter.unlink(missing_ok=True)
        full.unlink(missing_ok=True)
    assert part["created"] == small and whole["created"] == total, (part, whole)
    import_rate = total / whole["seconds"]
    copy_rate = total / copy_seconds
    print(f"attendance import  {total:>9,} rows  {whole['seconds']:7.2f}s  {import_rate:>9,.0f} rows/s  "
          f"peak RSS {whole['maxrss_mb']:.0f} MB")
    print(f"attendance import  {small:>9,} rows  {part['seconds']:7.2f}s  {small / part['seconds']:>9,.0f} rows/s  "
          f"peak RSS {part['maxrss_mb']:.0f} MB")
    print(f"raw COPY (text)    {total:>9,} rows  {copy_seconds:7.2f}s  {copy_rate:>9,.0f} rows/s")
    print(f"COPY into the real  {total:>9,} rows  {floor_seconds:7.2f}s  {total / floor_seconds:>9,.0f} rows/s  "
          "(validated rows into training_attendance: its indexes and FKs)")
    print(f"ratio import/COPY  {whole['seconds'] / copy_seconds:.2f}x plain table, {whole['seconds'] / floor_seconds:.2f}x "
          f"the real table   (goal ≤ 3x; ≥ 20,000 rows/s: {'met' if import_rate >= 20_000 else 'NOT met'})")
    print(f"memory 1M vs 250k  {whole['maxrss_mb'] / part['maxrss_mb']:.2f}x peak RSS")
    print(f"roster import      {roster_rows:>9,} rows  {roster_seconds:7.2f}s  {roster_rows / roster_seconds:>9,.0f} rows/s "
          f"(persons upserted, eligibility decided, enrolled: {roster['persons_created']:,} persons created, "
          f"{roster['ineligible']:,} ineligible, {roster['rejected']:,} rejected)")
