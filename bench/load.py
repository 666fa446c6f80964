"""HTTP load test of the production stack with locust: mixed traffic at 50 and 200 users (issue 19, build 4).

``python -m bench load`` (DATABASE_URL=postgres://… naming a jixing database with its reference
data, e.g. the demo from ``make setup`` or the province-scale copy):

1. **prepare** adds what the scenario needs to that database, next to what is there (nothing
   existing is changed; every name carries the run's tag ``LD<month><day><time>``):
   three HRSS officers (province, Jinan, Qingdao) and three staff of a new institution in
   Lixia, each with a known password; classes with a session running now (QR check-in), each
   trainee with a server-side session as ``bench/checkin.py`` makes them; a class that takes
   roster uploads; a class with past sessions for attendance uploads; a finished project with
   completed trainees backed by captured attendance, to claim for. All classes have an
   accepted filing. Everything the locust users need (passwords, session keys, ids, the
   uploads' rows) goes to ``var/load-scenario-<tag>.json`` (mode 600), which
   ``bench/locustfile.py`` reads (``JIXING_LOAD_SCENARIO``). ``python -m bench.load prepare``
   runs this step alone and prints the file's path.
2. starts the stack as ``make serve`` does (static files collected, gunicorn with
   ``config/gunicorn.py`` on a free loopback port, DEBUG off, pooled connections, the task worker;
   the scheduler only with ``JIXING_BENCH_LOAD_SCHEDULER=1``: its daily supervision run would land
   inside the measurement on a big database);
3. for each user count (``JIXING_BENCH_LOAD_USERS``, default ``50,200``) runs locust headless three
   times, each bounded by ``JIXING_BENCH_LOAD_SECONDS`` (default 60, stats reset once all users are
   running): **mixed** (officers 3 : institutions 2 : trainees 5, with think time), **rush**
   (trainees only, no think time: check-ins/s) and **hello** (``/healthz``, no think time: the
   stack's ceiling with locust on the same cores);
4. stops the stack, checks that what the server said it wrote is in the database (check-ins,
   roster enrollments, attendance rows, claims withdrawn), and prints one table per run with the
   load average and UTC time, plus the goals. The tables also go to ``var/load-results-<tag>.md``.

Sizes: ``JIXING_BENCH_LOAD_TRAINEES`` (trainees with a session running now, default 24,000: each
check-in and check-out uses one trainee once), ``JIXING_BENCH_LOAD_SPAWN_SECONDS`` (ramp-up,
default 10). Everything is bounded in time: each locust run by ``-t`` and a hard subprocess
timeout, the stack's start by 60 s.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
CLASS_SIZE = 40
LAT, LON = Decimal("36.650000"), Decimal("117.120000")
COUNTY = "370102"  # 历下区, Jinan
STAFF_SESSIONS = 250  # server-side sessions per staff account: one per virtual user
UPLOAD_TRAINEES = 60  # the attendance-upload class
UPLOAD_SESSIONS = 96  # hourly, the last four days
UPLOAD_ROWS = 10  # rows per attendance file
ROSTER_ROWS = 5  # rows per roster file
CLAIM_TRAINEES = 120  # completed trainees of the finished project
KINDS = ("hello", "rush", "mixed")  # mixed last: on a big database its slow pages leave a queue behind


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


# ------------------------------------------------------------------ prepare


def _fresh_id_numbers(n: int, rng: random.Random, county: str = COUNTY) -> list[str]:
    """``n`` valid resident ID numbers that no person in the database has yet."""
    from jixing.registry.idgen import make_id_number
    from jixing.registry.models import Person

    found: list[str] = []
    seen: set[str] = set()
    while len(found) < n:
        batch: list[str] = []
        while len(batch) < min(5000, (n - len(found)) * 2):
            birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(14000))
            number = make_id_number(county, birth, rng.randrange(1000))
            if number not in seen:
                seen.add(number)
                batch.append(number)
        hashes = {Person.hash_id_number(x): x for x in batch}
        taken = set(Person.objects.filter(id_number_hash__in=list(hashes)).values_list("id_number_hash", flat=True))
        found.extend(x for h, x in hashes.items() if h not in taken)
    return found[:n]


def _persons(numbers: list[str], label: str) -> list[Any]:
    from jixing.registry.models import Person

    people = []
    for i, number in enumerate(numbers):
        p = Person(name=f"{label}{i}", household_region_id=COUNTY, current_region_id=COUNTY)
        p.set_id_number(number)
        people.append(p)
    return Person.objects.bulk_create(people, batch_size=2000)


def _session_rows(users: list[Any], per_user: int) -> list[list[str]]:
    """``per_user`` logged-in server-side sessions for each user, as ``login()`` leaves them
    (no PBKDF2 per virtual user: that is the sign-in page's cost). No last-seen stamp, so the
    30-minute idle limit starts at the first request. Returns the session keys per user."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from jixing.accounts.middleware import STARTED

    backend = settings.AUTHENTICATION_BACKENDS[0]
    stamp = int(time.time())
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store = SessionStore()
    keys: list[list[str]] = []
    rows: list[Session] = []
    for user in users:
        data = store.encode({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend,
                             HASH_SESSION_KEY: user.get_session_auth_hash(), STARTED: stamp})
        mine = [get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(per_user)]
        rows.extend(Session(session_key=k, session_data=data, expire_date=expires) for k in mine)
        keys.append(mine)
    Session.objects.bulk_create(rows, batch_size=5000)
    return keys


def prepare(*, trainees: int, out_dir: Path = VAR) -> Path:  # noqa: PLR0915 - one linear build, read top to bottom
    """Add the scenario to the database Django points at; return the scenario file."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from jixing.accounts.models import Role, User
    from jixing.funds import queries as fund_queries
    from jixing.plan.models import Action, FundSource
    from jixing.registry.idgen import make_uscc
    from jixing.registry.models import Occupation, Organisation, OrganisationKind, SkillLevel
    from jixing.training import conf
    from jixing.training.models import (
        Attendance,
        CheckInMethod,
        Enrollment,
        EnrollmentStatus,
        FilingStatus,
        ProjectStatus,
        ProjectType,
        Provenance,
        Teacher,
        TrainingClass,
        TrainingProject,
        TrainingSession,
    )

    started = time.monotonic()
    now = timezone.now()
    today = timezone.localdate()
    tag = f"LD{timezone.localtime(now):%m%d%H%M%S}"
    rng = random.Random(tag)
    tz = timezone.get_current_timezone()
    assert Action.objects.filter(number=1).exists(), "the database needs its reference data (manage.py load_reference)"
    passwords = {}

    def user(username: str, role: str, **fields: Any) -> Any:
        password = f"Load-{rng.randrange(10**8):08d}-{tag}!"
        passwords[username] = password
        u = User(username=username, role=role, password=make_password(password), **fields)
        u.password_changed_at = now
        return u

    with transaction.atomic():
        org = Organisation.objects.create(uscc=make_uscc(COUNTY, rng), name=f"负载测试培训学校{tag}",
                                          kind=OrganisationKind.PRIVATE_INSTITUTION, county_id=COUNTY)
        staff = User.objects.bulk_create(
            [user(f"{tag.lower()}-province", Role.HRSS_OFFICER, region_id="370000"),
             user(f"{tag.lower()}-jinan", Role.HRSS_OFFICER, region_id="370100"),
             user(f"{tag.lower()}-qingdao", Role.HRSS_OFFICER, region_id="370200")]
            + [user(f"{tag.lower()}-school{i}", Role.INSTITUTION, organisation=org) for i in range(3)])
        officers, school = staff[:3], staff[3:]
        fund_source = FundSource.objects.order_by("id").first()
        assert fund_source is not None, "the reference data has the fund sources"
        occupation = Occupation.objects.order_by("id").first()
        level = SkillLevel.objects.get(order=3)

        def project(code: str, status: str) -> TrainingProject:
            return TrainingProject.objects.create(
                code=f"XM-{tag}-{code}", name=f"负载测试项目{code}", action=Action.objects.get(number=1),
                project_type=ProjectType.EMPLOYMENT_SKILL, organiser=org, occupation=occupation, level=level,
                county_id=COUNTY, planned_person_times=10**6, hours=160, fund_source=fund_source, status=status,
                requires_certificate=False, created_by=school[0])  # 培训合格: claimable on completion and attendance

        running, finished = project("RUN", ProjectStatus.RUNNING), project("END", ProjectStatus.FINISHED)

        def klass(proj: TrainingProject, code: str, start: dt.date, end: dt.date, capacity: int = CLASS_SIZE) -> TrainingClass:
            return TrainingClass(project=proj, code=f"BJ-{tag}-{code}", name=f"负载测试班{code}", site_address="历下区",
                                 county_id=COUNTY, latitude=LAT, longitude=LON, capacity=capacity, start_date=start,
                                 end_date=end, filing_status=FilingStatus.ACCEPTED)  # attendance needs an accepted filing

        n_classes = -(-trainees // CLASS_SIZE)
        claim_classes = -(-CLAIM_TRAINEES // CLASS_SIZE)
        classes = TrainingClass.objects.bulk_create(
            [klass(running, f"Q{c:04d}", today - dt.timedelta(days=1), today + dt.timedelta(days=30)) for c in range(n_classes)]
            + [klass(running, "ROSTER", today - dt.timedelta(days=1), today + dt.timedelta(days=60), capacity=10**6),
               klass(running, "UPLOAD", today - dt.timedelta(days=5), today + dt.timedelta(days=30), capacity=UPLOAD_TRAINEES)]
            + [klass(finished, f"E{c:02d}", today - dt.timedelta(days=40), today - dt.timedelta(days=10))
               for c in range(claim_classes)])
        checkin_classes, roster_class, upload_class = classes[:n_classes], classes[n_classes], classes[n_classes + 1]
        claim_class_list = classes[n_classes + 2:]

        numbers = _fresh_id_numbers(trainees + UPLOAD_TRAINEES + CLAIM_TRAINEES + len(classes) + 20_000, rng)
        roster_numbers = numbers[-20_000:]
        people = _persons(numbers[:-20_000], f"负载{tag[-4:]}学员")
        teachers = Teacher.objects.bulk_create([Teacher(organisation=org, person=p) for p in people[-len(classes):]])
        trainee_people = people[:trainees]
        upload_people = people[trainees:trainees + UPLOAD_TRAINEES]
        upload_numbers = numbers[trainees:trainees + UPLOAD_TRAINEES]
        claim_people = people[trainees + UPLOAD_TRAINEES:trainees + UPLOAD_TRAINEES + CLAIM_TRAINEES]

        sessions = TrainingSession.objects.bulk_create(
            [TrainingSession(training_class=k, starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=4),
                             hours=Decimal(4), teacher=teachers[c], topic="早班") for c, k in enumerate(checkin_classes)])
        first_hour = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=UPLOAD_SESSIONS + 1)
        upload_sessions = TrainingSession.objects.bulk_create(
            [TrainingSession(training_class=upload_class, starts_at=first_hour + dt.timedelta(hours=h),
                             ends_at=first_hour + dt.timedelta(hours=h, minutes=50), hours=Decimal(1),
                             teacher=teachers[n_classes + 1], topic=f"第{h + 1}课") for h in range(UPLOAD_SESSIONS)])
        claim_sessions: dict[int, list[TrainingSession]] = {}
        for c, k in enumerate(claim_class_list):
            claim_sessions[k.pk] = TrainingSession.objects.bulk_create([TrainingSession(
                training_class=k, teacher=teachers[n_classes + 2 + c], topic=f"第{d + 1}课", hours=Decimal(4),
                starts_at=dt.datetime.combine(k.start_date + dt.timedelta(days=d), dt.time(8), tzinfo=tz),
                ends_at=dt.datetime.combine(k.start_date + dt.timedelta(days=d), dt.time(12), tzinfo=tz)) for d in range(20)])

        Enrollment.objects.bulk_create(
            [Enrollment(person=p, training_class=checkin_classes[i // CLASS_SIZE], subsidised=True)
             for i, p in enumerate(trainee_people)]
            + [Enrollment(person=p, training_class=upload_class, subsidised=True) for p in upload_people], batch_size=2000)
        claim_enrollments = Enrollment.objects.bulk_create([
            Enrollment(person=p, training_class=claim_class_list[i // CLASS_SIZE], subsidised=True,
                       status=EnrollmentStatus.COMPLETED, attendance_rate=Decimal("1.000"),
                       completed_on=claim_class_list[i // CLASS_SIZE].end_date)
            for i, p in enumerate(claim_people)])
        # the claim's evidence: every session attended, captured by QR (issue 13: money counts evidence)
        Attendance.objects.bulk_create([
            Attendance(enrollment=e, session=s, person_id=e.person_id, training_class_id=e.training_class_id,
                       check_in_at=s.starts_at, check_out_at=s.ends_at, method=CheckInMethod.QR, device_id="qr:load",
                       credited_hours=s.hours, provenance=Provenance.CAPTURED)
            for e in claim_enrollments for s in claim_sessions[e.training_class_id]], batch_size=5000)

        trainee_users = []
        for i, p in enumerate(trainee_people):
            u = User(username=f"{tag.lower()}-t{i}", role=Role.TRAINEE, person=p)
            u.set_unusable_password()
            trainee_users.append(u)
        trainee_users = User.objects.bulk_create(trainee_users, batch_size=2000)
        trainee_keys = _session_rows(trainee_users, 1)
        staff_keys = _session_rows(staff, STAFF_SESSIONS)

    # Can the finished project's trainees be claimed for under the city's subsidy standard in force?
    # This step adds no rule data; where the standard refuses them, the locust users make no claims.
    drafts = fund_queries.evaluate_enrollments(finished, claim_enrollments[:1], item=fund_queries.default_item_for(finished),
                                               payee_kind=fund_queries.payee_kind_for(org))
    no_claim = "; ".join(drafts[0].problems) if drafts and not drafts[0].ok else ""
    if no_claim:
        print(f"claims skipped: the standard in force for {fund_queries.city_code(COUNTY)} refuses the trainees: {no_claim}")
    local = timezone.localtime
    upload_rows = [[upload_class.code, number, f"{local(s.starts_at + dt.timedelta(minutes=2)):%Y-%m-%d %H:%M:%S}",
                    f"{local(s.ends_at - dt.timedelta(minutes=2)):%Y-%m-%d %H:%M:%S}"]
                   for s in upload_sessions for number in upload_numbers]
    scenario = {
        "tag": tag, "database": _database_name(), "prepared_at": now.isoformat(),
        "lat": str(LAT + Decimal("0.0002")), "lon": str(LON), "qr_step_seconds": conf.qr_step_seconds(),
        "officers": [{"username": u.username, "password": passwords[u.username], "region": u.region_id,
                      "sessions": keys} for u, keys in zip(officers, staff_keys[:3], strict=True)],
        "institution": [{"username": u.username, "password": passwords[u.username], "sessions": keys}
                        for u, keys in zip(school, staff_keys[3:], strict=True)],
        "trainees": [[sessions[i // CLASS_SIZE].pk, keys[0]] for i, keys in enumerate(trainee_keys)],
        "roster_class": roster_class.pk, "roster_rows": ROSTER_ROWS,
        "roster_people": [[f"负载花名册{i}", n, f"139{rng.randrange(10**8):08d}"] for i, n in enumerate(roster_numbers)],
        "upload_rows": UPLOAD_ROWS, "attendance": upload_rows,
        "claim_project": None if no_claim else finished.pk, "claim_enrollments": [e.pk for e in claim_enrollments],
        "claim_skipped": no_claim,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"load-scenario-{tag}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # passwords and session keys
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(scenario, fh, ensure_ascii=False)
    print(f"prepared {tag} in {_database_name()}: {trainees:,} trainees in {n_classes} classes with a session running now, "
          f"{len(staff)} staff accounts ({STAFF_SESSIONS} sessions each), roster class {roster_class.code}, "
          f"upload class {upload_class.code} ({len(upload_rows):,} attendance rows to upload), "
          f"{len(claim_enrollments)} completed trainees to claim for; {time.monotonic() - started:.1f}s -> {path}", flush=True)
    return path


def _database_name() -> str:
    from django.db import connection

    return str(connection.settings_dict["NAME"])


# ------------------------------------------------------------------ the stack


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stack_env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "false",
                "DATABASE_POOL_MAX_SIZE": os.environ.get("DATABASE_POOL_MAX_SIZE", "4"),
                "JIXING_BIND": f"127.0.0.1:{port}"})
    return env


def _start_stack(port: int, log: Path) -> list[subprocess.Popen[bytes]]:
    """As ``make serve``: static files collected, the worker, (the scheduler,) gunicorn."""
    env = _stack_env(port)
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=str(ROOT), env=env,  # noqa: S603
                   check=True, timeout=300)
    commands = [[python, "manage.py", "db_worker", "--queue-name", "default"]]
    if os.environ.get("JIXING_BENCH_LOAD_SCHEDULER") == "1":
        commands.append([python, "manage.py", "run_scheduler"])
    commands.append([str(Path(python).with_name("gunicorn")), "-c", "config/gunicorn.py", "config.wsgi"])
    fh = open(log, "ab")  # noqa: SIM115 - stays open for the processes' lifetime
    procs = [subprocess.Popen(c, cwd=str(ROOT), env=env, stdout=fh, stderr=subprocess.STDOUT)  # noqa: S603
             for c in commands]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    return procs
        except OSError:
            if any(p.poll() is not None for p in procs):
                break
        time.sleep(0.3)
    _stop(procs)
    raise RuntimeError(f"the stack did not answer /healthz within 60 s: {log.read_text(errors='replace')[-2000:]}")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


# ------------------------------------------------------------------ locust runs

USER_CLASSES = {"mixed": ["OfficerUser", "InstitutionUser", "TraineeUser"], "rush": ["RushTrainee"], "hello": ["HelloUser"]}


def _uptime() -> str:
    return "{:.2f}/{:.2f}/{:.2f}".format(*os.getloadavg())


TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int, *, children: bool = False) -> float:
    """CPU seconds (user + system) of a process; with ``children`` also of its ended children
    (a gunicorn master's: its recycled workers)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / TICK


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _cpu_snapshot(procs: list[subprocess.Popen[bytes]], database: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far of the web tier (gunicorn master with its ended workers, live workers),
    the task worker, and this database's PostgreSQL backends."""
    from django.db import connection

    master = procs[-1].pid
    web = {master: _proc_cpu(master, children=True), **{w: _proc_cpu(w) for w in _children(master)}}
    worker = {p.pid: _proc_cpu(p.pid) for p in procs[:-1]}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        db = {int(pid): _proc_cpu(int(pid)) for (pid,) in cursor.fetchall()}
    connection.close()
    return {"web": web, "worker": worker, "db": db}


def _cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    return {part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items()) for part in after}


def _drain(port: int, limit: float = 180.0) -> float:
    """Wait until the stack answers /healthz within a second again (the requests a run left queued
    in gunicorn's backlog are served first); returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        asked = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=limit) as r:  # noqa: S310 - loopback
                r.read()
        except OSError:
            time.sleep(1)
            continue
        if time.monotonic() - asked < 1.0:
            break
    return time.monotonic() - started


def _locust(kind: str, users: int, seconds: int, port: int, scenario: Path, out: Path,
            procs: list[subprocess.Popen[bytes]], database: str) -> dict[str, Any]:
    spawn = max(1, users // max(1, _env_int("JIXING_BENCH_LOAD_SPAWN_SECONDS", 10)))
    prefix = out / f"{kind}-{users}"
    cmd = [str(Path(sys.executable).with_name("locust")), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
           "-H", f"http://127.0.0.1:{port}", "-u", str(users), "-r", str(spawn), "-t", f"{seconds}s", "--reset-stats",
           "--only-summary", "--stop-timeout", "10", "--csv", str(prefix), "--loglevel", "WARNING", *USER_CLASSES[kind]]
    env = {**os.environ, "JIXING_LOAD_SCENARIO": str(scenario)}
    drained = _drain(port)
    before, at = _uptime(), dt.datetime.now(dt.UTC)
    cpu_before, client_before = _cpu_snapshot(procs, database), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=str(ROOT), env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=seconds + users // spawn + 120, check=False)
    wall = time.monotonic() - started
    cpu = _cpu_used(cpu_before, _cpu_snapshot(procs, database))
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu["locust"] = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
    (out / f"{kind}-{users}.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = row
    failures = []
    failure_file = Path(f"{prefix}_failures.csv")
    if failure_file.exists():
        with open(failure_file, encoding="utf-8") as fh:
            failures = [f"{r['Name']}: {r['Error'][:160]} ×{r['Occurrences']}" for r in csv.DictReader(fh)]
    writes: dict[str, int] = {}
    for line in done.stdout.splitlines() + done.stderr.splitlines():
        if line.startswith("LOAD-WRITES "):
            writes = json.loads(line.removeprefix("LOAD-WRITES "))
    return {"kind": kind, "users": users, "utc": f"{at:%H:%M}", "load_before": before, "load_after": _uptime(),
            "wall": wall, "drained": drained, "rows": rows, "failures": failures, "rc": done.returncode, "writes": writes, "cpu": cpu}


def _table(run: dict[str, Any]) -> list[str]:
    lines = [f"**{run['kind']}, {run['users']} users** ({run['utc']} UTC, load {run['load_before']} → {run['load_after']}; "
             f"waited {run['drained']:.0f} s for the stack to be idle first)", "",
             "| request | requests | errors | p50 ms | p95 ms | p99 ms | req/s |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in sorted(run["rows"].items(), key=lambda kv: (kv[0] == "Aggregated", kv[0])):
        lines.append(f"| {name} | {int(r['Request Count']):,} | {int(r['Failure Count']):,} | {r['50%']} | {r['95%']} | "
                     f"{r['99%']} | {float(r['Requests/s']):.1f} |")
    lines += [f"- failure: {f}" for f in run["failures"]]
    cpu, total = run["cpu"], run["writes"].get("requests", 0)
    stack = cpu["web"] + cpu["worker"] + cpu["db"]
    lines.append(f"- CPU over the whole run ({run['wall']:.0f} s wall, {total:,} requests with ramp-up): gunicorn "
                 f"{cpu['web']:.1f} s, task worker {cpu['worker']:.1f} s, PostgreSQL backends {cpu['db']:.1f} s, locust "
                 f"{cpu['locust']:.1f} s; the stack had {stack / run['wall']:.2f} of the 2 cores "
                 + (f"and spent {stack / total * 1000:.1f} ms of CPU per request" if total else ""))
    return [*lines, ""]


def _p95(run: dict[str, Any], name: str) -> float | None:
    row = run["rows"].get(name)
    return float(row["95%"]) if row and row["95%"] not in ("", "N/A") else None


def _rate(run: dict[str, Any], name: str) -> float:
    row = run["rows"].get(name)
    return float(row["Requests/s"]) if row else 0.0


PAGES = ("dashboard", "claim list", "review queue", "claim detail", "person list", "class list", "class detail",
         "workbench", "phone check-in page", "my session")


def _verdicts(runs: list[dict[str, Any]]) -> list[str]:
    out = []
    by = {(r["kind"], r["users"]): r for r in runs}
    for users in sorted({r["users"] for r in runs}):
        mixed, rush, hello = by.get(("mixed", users)), by.get(("rush", users)), by.get(("hello", users))
        if mixed:
            errors = sum(int(r["Failure Count"]) for n, r in mixed["rows"].items() if n != "Aggregated")
            pages = {n: _p95(mixed, n) for n in PAGES if _p95(mixed, n) is not None}
            worst = max(pages.items(), key=lambda kv: kv[1] or 0.0) if pages else ("-", None)
            out.append(f"- {users} users, mixed: errors {errors} (goal 0); slowest page p95 {worst[1]} ms ({worst[0]}; "
                       f"goal ≤ 300 ms at 50 users); dashboard p95 {_p95(mixed, 'dashboard')} ms (goal ≤ 150 ms)")
        if rush and hello:
            checkin, ceiling = _rate(rush, "check-in POST"), _rate(hello, "hello")
            out.append(f"- {users} users, rush: {checkin:.1f} check-ins/s (goal ≥ 200/s), p95 {_p95(rush, 'check-in POST')} ms; "
                       f"ceiling /healthz {ceiling:.0f}/s; ratio {checkin / ceiling if ceiling else 0:.3f}")
        if mixed and hello:
            total, ceiling = _rate(mixed, "Aggregated"), _rate(hello, "hello")
            out.append(f"- {users} users, mixed: {total:.1f} req/s in all = {total / ceiling if ceiling else 0:.3f} of the ceiling "
                       "(the mixed users think 0.5–3 s between requests; the ceiling's users do not)")
    return out


def _landed(tag: str) -> dict[str, int]:
    from django.db import connection

    from jixing.funds.models import Claim
    from jixing.training.models import Attendance, CheckInMethod, Enrollment, Provenance, TrainingSession

    prefix = f"BJ-{tag}-"
    # through the session (indexed): attendance's class column has no index of its own
    qr_rows = Attendance.objects.filter(session__in=TrainingSession.objects.filter(training_class__code__startswith=f"{prefix}Q"),
                                        method=CheckInMethod.QR, provenance=Provenance.CAPTURED)
    return {
        "check-ins landed": qr_rows.count(),
        "check-outs landed": qr_rows.filter(check_out_at__isnull=False).count(),
        "roster enrollments": Enrollment.objects.filter(training_class__code=f"{prefix}ROSTER").count(),
        "uploaded attendance rows": Attendance.objects.filter(
            session__in=TrainingSession.objects.filter(training_class__code=f"{prefix}UPLOAD")).count(),
        "claims made": Claim.objects.filter(project__code=f"XM-{tag}-END").count(),
        "claims still draft": Claim.objects.filter(project__code=f"XM-{tag}-END", status="draft").count(),
    }
    connection.close()  # the stack and locust run meanwhile; nothing held open


def main() -> None:
    users = [int(u) for u in os.environ.get("JIXING_BENCH_LOAD_USERS", "50,200").split(",") if u.strip()]
    seconds = _env_int("JIXING_BENCH_LOAD_SECONDS", 60)
    kinds = [k for k in os.environ.get("JIXING_BENCH_LOAD_KINDS", ",".join(KINDS)).split(",") if k in KINDS]
    scenario = Path(os.environ["JIXING_LOAD_SCENARIO"]) if os.environ.get("JIXING_LOAD_SCENARIO") else \
        prepare(trainees=_env_int("JIXING_BENCH_LOAD_TRAINEES", 24_000))
    tag = json.loads(scenario.read_text(encoding="utf-8"))["tag"]

    database = _database_name()
    before = _landed(tag)  # a scenario used by earlier runs already has rows
    port = _free_port()
    out = VAR / f"load-{tag}"
    out.mkdir(parents=True, exist_ok=True)
    log = out / "stack.log"
    os.environ.setdefault("JIXING_ACCESS_LOG", str(out / "access.log"))
    procs = _start_stack(port, log)
    runs = []
    try:
        for _ in range(3):  # warm every worker (imports, pools, templates) before timing
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read()  # noqa: S310 - loopback
        for n in users:
            for kind in kinds:
                run = _locust(kind, n, seconds, port, scenario, out, procs, database)
                runs.append(run)
                print("\n".join(_table(run)), flush=True)
    finally:
        _stop(procs)
    workers = os.environ.get("WEB_CONCURRENCY") or f"{(os.cpu_count() or 1) + 1} (cores + 1)"
    head = [f"database {database}, scenario {tag}; gunicorn config/gunicorn.py, {workers} sync workers, pool "
            f"{os.environ.get('DATABASE_POOL_MAX_SIZE', '4')}, db_worker; locust on the same {os.cpu_count()} cores; "
            f"{seconds} s per run after ramp-up", ""]
    after = _landed(tag)
    landed = {k: after[k] - before[k] for k in after}
    counts: dict[str, dict[str, int]] = {"sent": {}, "done": {}}
    for run in runs:
        for side, per_name in counts.items():
            for name, n in run["writes"].get(side, {}).items():
                per_name[name] = per_name.get(name, 0) + n
    per = {"check-ins landed": ("check-in POST", 1), "check-outs landed": ("check-out POST", 1),
           "roster enrollments": ("roster upload", ROSTER_ROWS), "uploaded attendance rows": ("attendance rows committed", 1),
           "claims made": ("claim create", 1)}
    bounds = {k: (counts["done"].get(name, 0) * n, counts["sent"].get(name, 0) * n) for k, (name, n) in per.items()}
    ok = all(low <= landed[k] <= high for k, (low, high) in bounds.items())
    tail = ["Written, in the database after the runs [answered as done … sent by locust, ramp-up included]: "
            + ", ".join(f"{k} {landed[k]:,} [{low:,} … {high:,}]" for k, (low, high) in bounds.items())
            + f"; claims still draft {landed['claims still draft']:,}",
            "all consistent" if ok else "MISMATCH between the database and the answers", "", *_verdicts(runs)]
    report = "\n".join(head + [line for run in runs for line in _table(run)] + tail)
    (VAR / f"load-results-{tag}.md").write_text(report + "\n", encoding="utf-8")
    print("\n".join(tail))
    print(f"results in {VAR / f'load-results-{tag}.md'}; locust CSVs and the stack's log in {out}")


def profile(scenario: Path, repeat: int = 5) -> None:
    """Each page of the mixed scenario served in this process, one at a time (no load): its median
    time, its SQL statements and the time spent in them; ``JIXING_BENCH_LOAD_PROFILE=<page>``
    adds a cProfile of that page. Says where a page's time goes when py-spy is not at hand."""
    import cProfile
    import pstats
    import statistics

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    data = json.loads(scenario.read_text(encoding="utf-8"))
    officer, school = data["officers"][0], data["institution"][0]
    pages = [("dashboard", officer, "/stats/"), ("claim list", officer, "/funds/claims/"),
             ("review queue", officer, "/funds/review/"), ("person list", officer, "/registry/persons/"),
             ("class list", officer, "/training/classes/"), ("workbench", officer, "/"),
             ("workbench (institution)", school, "/"), ("class detail", school, f"/training/classes/{data['roster_class']}/"),
             ("claim list (institution)", school, "/funds/claims/")]
    if data.get("claim_project"):
        pages.append(("claim form", school, f"/funds/claims/new/?project={data['claim_project']}"))
    wanted = os.environ.get("JIXING_BENCH_LOAD_PROFILE", "")
    only = [p for p in os.environ.get("JIXING_BENCH_LOAD_PROFILE_PAGES", "").split(",") if p]  # e.g. "dashboard,workbench"
    pages = [p for p in pages if not only or p[0] in only]
    repeat = _env_int("JIXING_BENCH_LOAD_PROFILE_REPEAT", repeat)
    print(f"{'page':<26} {'median ms':>9} {'SQL':>5} {'SQL ms':>7}  (user: {officer['username']} / {school['username']})")
    for name, account, url in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = account["sessions"][-1]
        if repeat > 1:
            client.get(url)  # warm: templates, caches
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(f"{name:<26} {statistics.median(times) * 1000:9.1f} {len(queries.captured_queries):5d} {sql_ms:7.1f}"
              f"  HTTP {response.status_code}")
        if wanted == name:
            prof = cProfile.Profile()
            prof.runcall(client.get, url)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
            slow = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
            for q in slow:
                print(f"  {float(q['time']) * 1000:.1f} ms  {q['sql'][:400]}")


if __name__ == "__main__":  # python -m bench.load prepare: the prepare step alone
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if sys.argv[1:] == ["prepare"]:
        prepare(trainees=_env_int("JIXING_BENCH_LOAD_TRAINEES", 24_000))
    elif sys.argv[1:2] == ["profile"]:  # python -m bench.load profile var/load-scenario-<tag>.json
        profile(Path(sys.argv[2]))
    else:
        main()
