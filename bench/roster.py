"""Roster import throughput on PostgreSQL (issue 19 item 3): persons upserted, eligibility
decided, enrolled — against a raw COPY of the same rows in the same run.

In its own database (``<DATABASE_URL name>_bench_roster``, recreated each run) it builds one
institution with an approved project and ``JIXING_BENCH_ROSTER_CLASSES`` classes (default 10)
that together hold ``JIXING_BENCH_ROSTER_ROWS`` rows (default 50,000: a city's roster). A fifth
of the roster's persons are registered already (with a target-group membership, and some
with an earlier subsidised enrollment this year), the rest are new; every third row declares
a 人员类别, every row has a phone. The CSV (班级编号, 姓名, 公民身份号码, 手机号码, 人员类别)
goes through the real pipeline (``inspect_upload`` → ``preflight`` → ``run_import`` of
``RosterImporter``: validation, real-name check, persons created and phones added, memberships,
eligibility decided per row, enrollments, audit), in one transaction as the upload page does.
Baseline: ``COPY`` of the same file into a plain text table. It prints rows/s of both, their
ratio, and the load average (the machine is shared), and checks every row was enrolled.
Goal: ≥ 5,000 rows/s.

Run alone with ``python -m bench roster`` (DATABASE_URL=postgres://…);
``JIXING_BENCH_ROSTER_PROFILE=1`` prints a cProfile of the import.
"""

from __future__ import annotations

import cProfile
import csv
import datetime as dt
import os
import pstats
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench._db import fresh_database

HEADER = ["班级编号", "姓名", "公民身份号码", "手机号码", "人员类别"]
EXISTING_SHARE = 5  # one person in five is registered already


def _setup(rows: int, n_classes: int) -> tuple[list[list[str]], int]:
    """Reference data, the institution, classes; the registered fifth of the persons.
    Returns the roster rows (CSV cells) and the class count."""
    from jixing.accounts.models import Role, User
    from jixing.plan.management.commands.load_reference import load_reference
    from jixing.plan.models import Action, FundSource
    from jixing.registry.idgen import make_id_number, make_uscc
    from jixing.registry.models import (
        Occupation,
        Organisation,
        OrganisationKind,
        Person,
        PersonGroup,
        SkillLevel,
        TargetGroup,
    )
    from jixing.training.models import Enrollment, ProjectStatus, ProjectType, TrainingClass, TrainingProject

    load_reference()
    rng = random.Random(19)
    org = Organisation.objects.create(uscc=make_uscc("370102", rng), name="花名册基准学校",
                                      kind=OrganisationKind.PRIVATE_INSTITUTION, county_id="370102")
    staff = User.objects.create_user(username="bench-roster", password=None, role=Role.INSTITUTION, organisation=org)
    fund_source = FundSource.objects.first()
    assert fund_source is not None, "load_reference() loads the fund sources"
    occupation, level = Occupation.objects.order_by("id").first(), SkillLevel.objects.get(order=3)

    def project(code: str) -> TrainingProject:
        return TrainingProject.objects.create(
            code=code, name="花名册基准项目", action=Action.objects.get(number=1),
            project_type=ProjectType.EMPLOYMENT_SKILL, organiser=org, occupation=occupation, level=level,
            county_id="370102", planned_person_times=10**6, hours=160, fund_source=fund_source,
            status=ProjectStatus.RUNNING, created_by=staff)

    main, earlier = project("XM-BENCH-RS01"), project("XM-BENCH-RS00")
    size = -(-rows // n_classes)
    classes = TrainingClass.objects.bulk_create([
        TrainingClass(project=main, code=f"BJ-370102-2026-R{c + 1:03d}", name=f"花名册班{c + 1}", site_address="历下区",
                      county_id="370102", latitude=Decimal("36.65"), longitude=Decimal("117.12"), capacity=size,
                      start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 9, 30), filing_status="accepted")
        for c in range(n_classes)
    ])
    old_class = TrainingClass.objects.create(
        project=earlier, code="BJ-370102-2026-R000", name="早先的班", site_address="历下区", county_id="370102",
        latitude=Decimal("36.65"), longitude=Decimal("117.12"), capacity=rows, start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 30))
    groups = list(TargetGroup.objects.filter(sensitive=False).order_by("code")[:3])
    out: list[list[str]] = []
    registered: list[Person] = []
    seen: set[str] = set()
    for i in range(rows):
        birth = dt.date(1970 + i % 35, 1 + i % 12, 1 + i % 28)
        number = make_id_number("370102", birth, (i // 12600) % 1000)
        while number in seen:
            number = make_id_number("370102", birth, rng.randrange(1000))
        seen.add(number)
        name = f"学员{i}"
        if i % EXISTING_SHARE == 0:
            p = Person(name=name, household_region_id="370102", current_region_id="370102")
            p.set_id_number(number)
            registered.append(p)
        out.append([classes[i // size].code, name, number, f"139{i:08d}", groups[i % 3].name if i % 3 == 0 else ""])
    Person.objects.bulk_create(registered, batch_size=5000)
    PersonGroup.objects.bulk_create([PersonGroup(person=p, group=groups[(k + 1) % 3], valid_from=dt.date(2026, 1, 1),
                                                 evidence="基准") for k, p in enumerate(registered)], batch_size=5000)
    Enrollment.objects.bulk_create([Enrollment(person=p, training_class=old_class, subsidised=True)
                                    for p in registered[::2]], batch_size=5000)
    return out, n_classes


def _raw_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_roster")
        cursor.execute("CREATE TABLE bench_plain_roster (class_code text, name text, id_number text, phone text, "
                       "groups text)")
        started = time.monotonic()
        with open(path, "rb") as fh, cursor.cursor.copy("COPY bench_plain_roster FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while block := fh.read(1 << 20):
                copy.write(block)
        seconds = time.monotonic() - started
        cursor.execute("DROP TABLE bench_plain_roster")
    return seconds


def _import(path: Path) -> tuple[object, float]:
    from django.db import transaction

    from jixing.accounts.models import User
    from jixing.imports.pipeline import inspect_upload, preflight, run_import
    from jixing.training.importers import RosterImporter

    user = User.objects.get(username="bench-roster")
    profile = cProfile.Profile() if os.environ.get("JIXING_BENCH_ROSTER_PROFILE") else None
    started = time.monotonic()
    if profile:
        profile.enable()
    info = inspect_upload(path, path.name)
    preflight(RosterImporter, path, info)
    with transaction.atomic():
        result = run_import(RosterImporter(user=user), path, info, dry_run=False, by=user)
    seconds = time.monotonic() - started
    if profile:
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return result, seconds


def main() -> None:
    from django.db import connection

    from jixing.training.models import Enrollment

    rows = int(os.environ.get("JIXING_BENCH_ROSTER_ROWS", "50000"))
    n_classes = int(os.environ.get("JIXING_BENCH_ROSTER_CLASSES", "10"))
    started = time.monotonic()
    name = fresh_database("roster")
    roster, _n = _setup(rows, n_classes)
    path = Path(tempfile.gettempdir()) / f"bench-roster-{os.getpid()}.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(roster)
    print(f"database {name}: {rows:,} roster rows for {n_classes} classes, 1 in {EXISTING_SHARE} persons "
          f"registered already; setup {time.monotonic() - started:.1f}s")
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        load_before = os.getloadavg()
        copy_seconds = _raw_copy(path)
        result, seconds = _import(path)
        copy_again = _raw_copy(path)
        load_after = os.getloadavg()
    finally:
        path.unlink(missing_ok=True)
    counts = result.counts  # type: ignore[attr-defined]
    enrolled = Enrollment.objects.filter(training_class__code__startswith="BJ-370102-2026-R").exclude(
        training_class__code="BJ-370102-2026-R000").count()
    copy_best = min(copy_seconds, copy_again)
    rate = rows / seconds
    print(f"roster import      {rows:>7,} rows  {seconds:7.2f}s  {rate:>9,.0f} rows/s  (created {counts.created:,}, "
          f"rejected {result.rejected_rows:,}, ineligible {len(result.extra['ineligible']):,}, "  # type: ignore[attr-defined]
          f"persons created {result.extra['persons_created']:,})")  # type: ignore[attr-defined]
    print(f"raw COPY (text)    {rows:>7,} rows  {copy_best:7.2f}s  {rows / copy_best:>9,.0f} rows/s  "
          f"(best of a run before and after the import: {copy_seconds:.2f}s, {copy_again:.2f}s)")
    print(f"ratio import/COPY  {seconds / copy_best:.1f}x")
    print("load average (1/5/15 min) before {:.2f}/{:.2f}/{:.2f}, after {:.2f}/{:.2f}/{:.2f}".format(
        *load_before, *load_after))
    print(f"enrollments landed {enrolled:,} of {rows:,} ({'all' if enrolled == rows else 'MISMATCH'})")
    print(f"goal ≥ 5,000 rows/s: {'met' if rate >= 5000 else 'NOT met'}")
    assert enrolled == rows == counts.created, (enrolled, rows, counts.created)
