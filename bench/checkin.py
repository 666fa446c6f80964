"""QR check-in throughput through the production HTTP stack: a morning rush (issue 13).

In its own database (``<DATABASE_URL name>_bench_checkin``, recreated each run) it builds one
institution with ``JIXING_BENCH_CHECKIN_TRAINEES`` trainees (default 2,000) in classes of 40,
each class with a session running now. Every trainee gets a logged-in session created on the
server (``SessionStore``, as ``login()`` leaves it; no PBKDF2 per trainee: that is the login
page's cost, not the check-in's). Then gunicorn starts with ``config/gunicorn.py`` on a free
loopback port (DEBUG off, pooled connections, as ``make serve``), and a bounded pool of client
threads POSTs each trainee's check-in once to the real phone endpoint
(``/training/check-in/<session>/<token>/``: session cookie, CSRF token, a position inside the
geofence, the rotating code computed by ``training.qr.current_token``). It prints check-ins/s,
p50/p95/p99 latency and errors, the same load against ``/healthz`` on the same stack as the
ceiling (their ratio), the load average (the machine is shared), and checks that every
check-in landed as a captured QR attendance row. Goal: ≥ 200 check-ins/s.

Run alone with ``python -m bench checkin`` (DATABASE_URL=postgres://…).
``JIXING_BENCH_CHECKIN_CLIENTS`` sets the client threads (default 16);
``JIXING_BENCH_CHECKIN_ORDER=interleaved`` sends the trainees round-robin across classes instead
of class by class (default ``class``: a class arrives together).
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from statistics import quantiles
from urllib.parse import urlencode

from bench._db import fresh_database

ROOT = Path(__file__).resolve().parent.parent
CLASS_SIZE = 40
LAT, LON = Decimal("36.650000"), Decimal("117.120000")
PHASE_SECONDS = 300  # every load phase is bounded in time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup(n: int) -> list[tuple[int, str]]:
    """Reference data, an institution, classes with a session running now, trainees enrolled,
    each trainee logged in: returns (session id, session cookie) per trainee."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from jixing.accounts.middleware import LAST_SEEN, STARTED
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

    load_reference()
    rng = random.Random(13)
    org = Organisation.objects.create(uscc=make_uscc("370102", rng), name="基准签到学校",
                                      kind=OrganisationKind.PRIVATE_INSTITUTION, county_id="370102")
    staff = User.objects.create_user(username="bench-staff", password=None, role=Role.INSTITUTION, organisation=org)
    fund_source = FundSource.objects.first()
    assert fund_source is not None, "load_reference() loads the fund sources"
    project = TrainingProject.objects.create(
        code="XM-BENCH-QR01", name="签到基准项目", action=Action.objects.get(number=1),
        project_type=ProjectType.EMPLOYMENT_SKILL, organiser=org, occupation=Occupation.objects.order_by("id").first(),
        level=SkillLevel.objects.get(order=3), county_id="370102", planned_person_times=10**6, hours=160,
        fund_source=fund_source, status=ProjectStatus.RUNNING, created_by=staff,
    )
    n_classes = -(-n // CLASS_SIZE)
    people = []
    seen: set[str] = set()
    for i in range(n + n_classes):
        birth = dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        number = make_id_number("370102", birth, (i // 10080) % 1000)
        while number in seen:
            number = make_id_number("370102", birth, rng.randrange(1000))
        seen.add(number)
        p = Person(name=f"学员{i}", household_region_id="370102", current_region_id="370102")
        p.set_id_number(number)
        people.append(p)
    Person.objects.bulk_create(people, batch_size=2000)
    teachers = Teacher.objects.bulk_create([Teacher(organisation=org, person=p) for p in people[n:]])
    trainees = people[:n]
    today = timezone.localdate()
    classes = TrainingClass.objects.bulk_create([
        TrainingClass(project=project, code=f"BJ-370102-2026-Q{c + 1:03d}", name=f"签到班{c + 1}", site_address="历下区",
                      county_id="370102", latitude=LAT, longitude=LON, capacity=CLASS_SIZE,
                      start_date=today - dt.timedelta(days=1), end_date=today + dt.timedelta(days=30),
                      filing_status="accepted")
        for c in range(n_classes)
    ])
    now = timezone.now()
    sessions = TrainingSession.objects.bulk_create([
        TrainingSession(training_class=k, starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=3),
                        hours=Decimal(3), teacher=teachers[c], topic="早班")
        for c, k in enumerate(classes)
    ])
    Enrollment.objects.bulk_create([
        Enrollment(person=p, training_class=classes[i // CLASS_SIZE], subsidised=True) for i, p in enumerate(trainees)
    ], batch_size=2000)
    users = []
    for i, p in enumerate(trainees):
        u = User(username=f"bench-trainee-{i}", role=Role.TRAINEE, person=p)
        u.set_unusable_password()
        users.append(u)
    User.objects.bulk_create(users, batch_size=2000)
    users = list(User.objects.filter(role=Role.TRAINEE).order_by("username"))
    by_person = {u.person_id: u for u in users}
    backend = settings.AUTHENTICATION_BACKENDS[0]
    stamp = int(time.time())
    out = []
    for i, p in enumerate(trainees):
        user = by_person[p.pk]
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[STARTED] = stamp
        store[LAST_SEEN] = stamp
        store.create()
        assert store.session_key is not None
        out.append((sessions[i // CLASS_SIZE].pk, store.session_key))
    return out


def _start_gunicorn(db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "false", "DATABASE_URL": db_url,
        "DATABASE_POOL_MAX_SIZE": os.environ.get("DATABASE_POOL_MAX_SIZE", "4"), "JIXING_BIND": f"127.0.0.1:{port}",
    })
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # as `make serve`: hashed static files collected first (a refusal page links them)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=str(ROOT), env=env,  # noqa: S603
                   check=True, timeout=300)
    with open(log, "wb") as fh:
        server = subprocess.Popen([str(gunicorn), "-c", "config/gunicorn.py", "config.wsgi"],  # noqa: S603
                                  cwd=str(ROOT), env=env, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(port, "GET", "/healthz", None, {})[0] == 200:
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}") from None
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def _request(port: int, method: str, path: str, body: str | None, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _load(port: int, jobs: list[tuple], clients: int) -> dict:
    """Fire ``jobs`` (method, path, body, headers, expected status) from ``clients`` threads."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_SECONDS

    def one(job: tuple) -> None:
        method, path, body, headers, expected = job
        if callable(path):  # the check-in URL carries the code shown on the screen at the time of the scan
            path = path()
        if time.monotonic() > deadline:
            key = "not sent (time bound)"
        else:
            started = time.perf_counter()
            try:
                status, _ = _request(port, method, path, body, headers)
                key = "" if status == expected else f"HTTP {status}"
            except OSError as exc:
                key = type(exc).__name__
            elapsed = time.perf_counter() - started
        with lock:
            if key:
                errors[key] = errors.get(key, 0) + 1
            else:
                latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, jobs))
    seconds = time.perf_counter() - started
    cuts = quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"ok": len(latencies), "errors": errors, "seconds": seconds, "rate": len(latencies) / seconds,
            "p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def _sample_waits(dbname: str, stop: threading.Event) -> dict[str, int]:
    """What the stack's database connections are doing, sampled every 50 ms: how often one
    waits on the audit chain's advisory lock (``Lock:advisory``) against running or idle."""
    import psycopg
    from django.db import connections

    params = connections["default"].get_connection_params()
    admin = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    counts: dict[str, int] = {}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        while not stop.wait(0.05):
            for state, kind, event in conn.execute(
                "SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [dbname],
            ):
                key = f"{kind}:{event}" if state == "active" and kind else (state or "?")
                counts[key] = counts.get(key, 0) + 1
    return counts


def _checkin_jobs(people: list[tuple[int, str]]) -> list:
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string  # the secret a csrftoken cookie holds
    from django.utils import timezone

    from jixing.training import qr

    csrf = _get_new_csrf_string()
    jobs = []
    for session_id, cookie in people:
        def path(session_id: int = session_id) -> str:
            return f"/training/check-in/{session_id}/{qr.current_token(session_id, timezone.now())}/"

        body = urlencode({"csrfmiddlewaretoken": csrf, "lat": str(LAT + Decimal("0.0002")), "lon": str(LON)})
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={csrf}",
                   "Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"}
        jobs.append(("POST", path, body, headers, 302))
    return jobs


def _line(label: str, r: dict, n: int) -> str:
    errs = ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or "none"
    return (f"{label:<17} {r['ok']:>6,}/{n:,} ok  {r['seconds']:6.2f}s  {r['rate']:7.1f}/s  p50 {r['p50']:6.1f} ms  "
            f"p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms  errors: {errs}")


def main() -> None:
    from django.db import connection

    from jixing.training.models import Attendance, CheckInMethod, Provenance

    n = int(os.environ.get("JIXING_BENCH_CHECKIN_TRAINEES", "2000"))
    clients = int(os.environ.get("JIXING_BENCH_CHECKIN_CLIENTS", "16"))
    started = time.monotonic()
    name = fresh_database("checkin")
    people = _setup(n)
    print(f"database {name}: {n:,} trainees in {len({s for s, _ in people})} classes, each logged in; "
          f"setup {time.monotonic() - started:.1f}s")
    head, _sep, _old = os.environ["DATABASE_URL"].rpartition("/")
    connection.close()
    port = _free_port()
    log = Path(tempfile.gettempdir()) / f"bench-checkin-gunicorn-{port}.log"
    server = _start_gunicorn(f"{head}/{name}", port, log)
    try:
        # warm every worker (imports, pool) before timing anything
        _load(port, [("GET", "/healthz", None, {}, 200)] * 200, clients)
        load_before = os.getloadavg()
        stop = threading.Event()
        waits: dict[str, int] = {}
        sampler = threading.Thread(target=lambda: waits.update(_sample_waits(name, stop)), daemon=True)
        sampler.start()
        order = os.environ.get("JIXING_BENCH_CHECKIN_ORDER", "class")
        if order == "interleaved":
            people = [p for _, p in sorted(enumerate(people), key=lambda ip: (ip[0] % CLASS_SIZE, ip[0]))]
        checkin = _load(port, _checkin_jobs(people), clients)
        stop.set()
        sampler.join(timeout=10)
        load_checkin = os.getloadavg()
        ceiling = _load(port, [("GET", "/healthz", None, {}, 200)] * n, clients)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    landed = Attendance.objects.filter(method=CheckInMethod.QR, provenance=Provenance.CAPTURED,
                                       check_in_at__isnull=False).count()
    workers = os.environ.get("WEB_CONCURRENCY") or f"{(os.cpu_count() or 1) * 2 + 1} (2 × cores + 1)"
    print(f"gunicorn config/gunicorn.py, {workers} sync workers, {clients} client threads on loopback, "
          f"{os.cpu_count()} cores, trainees sent {order}")
    print(_line("QR check-in POST", checkin, n))
    print(_line("/healthz ceiling", ceiling, n))
    print(f"ratio check-in/healthz  {checkin['rate'] / ceiling['rate']:.2f} of the stack's ceiling")
    print(f"attendance rows landed  {landed:,} captured QR rows for {checkin['ok']:,} accepted check-ins "
          f"({'all landed' if landed == checkin['ok'] == n else 'MISMATCH'})")
    print("load average (1/5/15 min) before {:.2f}/{:.2f}/{:.2f}, after check-ins {:.2f}/{:.2f}/{:.2f}, "
          "after ceiling {:.2f}/{:.2f}/{:.2f}".format(*load_before, *load_checkin, *load_after))
    total = sum(waits.values()) or 1
    print("database connections during check-ins (share of samples): " + ", ".join(
        f"{k} {v / total:.0%}" for k, v in sorted(waits.items(), key=lambda kv: -kv[1])[:6]))
    print(f"goal ≥ 200 check-ins/s: {'met' if checkin['rate'] >= 200 and not checkin['errors'] else 'NOT met'}"
          f"   (server log {log})")
    assert landed == checkin["ok"], (landed, checkin["ok"])
