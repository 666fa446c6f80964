"""HTTP load test of the production stack (make serve), headless, loopback only, bounded in time.

``python -m bench load`` prepares a scenario, starts the stack and runs this file (docs/benchmarks.md,
"HTTP load test of the production stack"). By hand, against a stack already running:

    DATABASE_URL=postgres://… .venv/bin/python -m bench.load prepare   # prints var/load-scenario-<tag>.json
    JIXING_LOAD_SCENARIO=var/load-scenario-<tag>.json .venv/bin/locust -f bench/locustfile.py --headless \\
        -H http://127.0.0.1:8124 -u 50 -r 5 -t 60s --reset-stats --only-summary \\
        OfficerUser InstitutionUser TraineeUser          # mixed; RushTrainee: check-ins; HelloUser: ceiling

Every virtual user works with its own server-side session from the scenario file (made by the
prepare step as ``login()`` leaves one), so the figures are the pages' cost, not PBKDF2's;
``JIXING_LOAD_SIGN_IN=1`` makes staff users sign in through the login page with their password
instead ("sign-in" in the table). Page requests do not follow redirects: a page that answers
anything but 200 (a login redirect, a refusal) counts as an error.
The host must be a loopback address: this is not a tool to point at someone else's server.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from locust import FastHttpUser, HttpUser, between, constant, events, task
from locust.exception import StopUser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402 - the rotating QR code is computed by jixing's own code, under the stack's key

django.setup()
from django.conf import settings  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402 - the secret a csrftoken cookie holds
from django.utils import timezone  # noqa: E402

from jixing.training import qr  # noqa: E402

_path = os.environ.get("JIXING_LOAD_SCENARIO", "")
SCENARIO: dict[str, Any] = json.loads(Path(_path).read_text(encoding="utf-8")) if _path else {}
SIGN_IN = os.environ.get("JIXING_LOAD_SIGN_IN") == "1"
THINK = between(0.5, 3.0)
CLAIM_IDS = re.compile(r'href="/funds/claims/(\d+)/"')
JOB_ID = re.compile(r"/imports/jobs/(\d+)/")
# Pools used up by earlier runs of the same scenario are skipped: each run starts where the last
# one stopped (``<scenario>.used.json``) so no trainee checks in twice and no row is sent twice.
USED = Path(f"{_path}.used.json")
_start: dict[str, int] = json.loads(USED.read_text(encoding="utf-8")) if _path and USED.exists() else {}
# one process, one gevent loop: plain counters hand out the scenario's pools without overlap
_next_staff: dict[str, itertools.count[int]] = {"officers": itertools.count(), "institution": itertools.count()}
_next_trainee = itertools.count(_start.get("trainee", 0))
_next_roster = itertools.count(_start.get("roster", 0))
_next_upload = itertools.count(_start.get("upload", 0))
_next_claim = itertools.count(_start.get("claim", 0))
# writes sent and writes answered as done, over the whole run (ramp-up included): the database
# must hold at least the answered ones and at most the sent ones (a run's end cuts requests short)
SENT: dict[str, int] = {}
WRITES: dict[str, int] = {}


REQUESTS = [0]  # every request of the run, ramp-up included (the CPU measured covers all of them)


def _count(counts: dict[str, int], name: str, n: int = 1) -> None:
    counts[name] = counts.get(name, 0) + n


@events.request.add_listener
def count_request(**_: object) -> None:
    REQUESTS[0] += 1


@events.quitting.add_listener
def report_writes(environment: Any, **_: object) -> None:
    used = {name: next(counter) for name, counter in
            (("trainee", _next_trainee), ("roster", _next_roster), ("upload", _next_upload), ("claim", _next_claim))}
    if _path:
        USED.write_text(json.dumps(used), encoding="utf-8")
    print("LOAD-WRITES " + json.dumps({"sent": SENT, "done": WRITES, "requests": REQUESTS[0]}), flush=True)


@events.test_start.add_listener
def loopback_only(environment: Any, **_: object) -> None:
    host = urlparse(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load-test {host!r}: loopback only")
    if not SCENARIO:
        raise SystemExit("JIXING_LOAD_SCENARIO must name the file written by `python -m bench.load prepare`")


def _why(html: str) -> str:
    """The refusal a page shows (``id="refusal"``, the form's errors), else its title."""
    found = re.search(r'id="refusal"[^>]*>(.*?)</div>', html, re.S) or re.search(r'class="errors">(.*?)</div>', html, re.S) \
        or re.search(r"<title>(.*?)</title>", html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1) if found else html[:120]).strip()[:200]


class Signed(HttpUser):
    abstract = True
    wait_time = THINK

    def use_session(self, key: str) -> None:
        self.client.cookies.clear()
        self.csrf = _get_new_csrf_string()
        self.client.cookies.set(settings.SESSION_COOKIE_NAME, key)
        self.client.cookies.set(settings.CSRF_COOKIE_NAME, self.csrf)

    def page(self, url: str, name: str, *, status: int = 200, headers: dict[str, str] | None = None) -> Any:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True, headers=headers) as r:
            if r.status_code != status:
                r.failure(f"{name}: HTTP {r.status_code} {r.headers.get('Location', '') or _why(r.text or '')}")
            return r

    def post(self, url: str, name: str, data: dict[str, Any], *, status: int = 302, files: Any = None,
             body_has: str = "") -> Any:
        _count(SENT, name)
        with self.client.post(url, name=name, data={"csrfmiddlewaretoken": self.csrf, **data}, files=files,
                              allow_redirects=False, catch_response=True) as r:
            if r.status_code != status:
                r.failure(f"{name}: HTTP {r.status_code} {_why(r.text) if r.status_code >= 400 else ''}")
            elif body_has and body_has not in r.text:
                r.failure(f"{name}: answer lacks {body_has!r}")
            else:
                _count(WRITES, name)
            return r


class Staff(Signed):
    abstract = True
    pool = "officers"

    def on_start(self) -> None:
        n = next(_next_staff[self.pool])
        accounts = SCENARIO[self.pool]
        account = accounts[n % len(accounts)]
        if not SIGN_IN:
            self.use_session(account["sessions"][(n // len(accounts)) % len(account["sessions"])])
            return
        self.client.cookies.clear()
        self.client.get("/accounts/login/", name="login page")
        self.csrf = self.client.cookies.get(settings.CSRF_COOKIE_NAME, "")
        self.post("/accounts/login/", "sign-in", {"username": account["username"], "password": account["password"]})


class OfficerUser(Staff):
    """Province and city HRSS officers: the dashboard, claim lists and review, the registry."""

    weight = 3
    pool = "officers"
    claims: list[str] = []

    @task(4)
    def dashboard(self) -> None:
        self.page("/stats/", "dashboard")

    @task(2)
    def claim_list(self) -> None:
        r = self.page("/funds/claims/", "claim list")
        self.claims = CLAIM_IDS.findall(r.text or "") or self.claims

    @task(1)
    def review_queue(self) -> None:
        self.page("/funds/review/", "review queue")

    @task(2)
    def claim_detail(self) -> None:
        if not self.claims:
            self.claim_list()
        if self.claims:
            self.page(f"/funds/claims/{random.choice(self.claims)}/", "claim detail")

    @task(1)
    def persons(self) -> None:
        self.page("/registry/persons/", "person list")

    @task(1)
    def classes(self) -> None:
        self.page("/training/classes/", "class list")

    @task(1)
    def home(self) -> None:
        self.page("/", "workbench")


class InstitutionUser(Staff):
    """A training institution's staff: their classes, a roster and an attendance file uploaded
    through the real pages, a claim made (and withdrawn, so its trainees can be claimed again)."""

    weight = 2
    pool = "institution"

    @task(2)
    def home(self) -> None:
        self.page("/", "workbench")

    @task(2)
    def classes(self) -> None:
        self.page("/training/classes/", "class list")

    @task(1)
    def class_detail(self) -> None:
        self.page(f"/training/classes/{SCENARIO['roster_class']}/", "class detail")

    @task(2)
    def claims(self) -> None:
        self.page("/funds/claims/", "claim list")

    @task(1)
    def roster(self) -> None:
        size = SCENARIO["roster_rows"]
        start = next(_next_roster) * size
        people = SCENARIO["roster_people"][start:start + size]
        if len(people) < size:
            return  # the prepared roster rows are used up (20,000): nothing to send
        body = "姓名,公民身份号码,手机号码\n" + "".join(f"{n},{i},{p}\n" for n, i, p in people)
        self.post(f"/training/classes/{SCENARIO['roster_class']}/roster/", "roster upload", {}, status=200,
                  files={"file": ("花名册.csv", body.encode("utf-8"), "text/csv")}, body_has='class="card notice ok"')  # every row enrolled

    @task(1)
    def attendance(self) -> None:
        size = SCENARIO["upload_rows"]
        start = next(_next_upload) * size
        rows = SCENARIO["attendance"][start:start + size]
        if len(rows) < size:
            return
        self.page("/imports/new/attendance/", "attendance upload page")
        body = "班级编号,公民身份号码,签到时间,签退时间,签到方式\n" + "".join(f"{c},{i},{a},{b},教师点名\n" for c, i, a, b in rows)
        r = self.post("/imports/new/attendance/", "attendance upload", {},
                      files={"file": ("考勤.csv", body.encode("utf-8"), "text/csv")})
        found = JOB_ID.search(r.headers.get("Location", ""))
        if not found:
            return
        job = f"/imports/jobs/{found.group(1)}/"
        if self._wait(job) and 'badge warn' in self.page(job, "import job page").text:  # checked
            _count(SENT, "attendance rows committed", size)
            self.post(f"{job}commit/", "attendance commit", {})
            if self._wait(job):
                with self.client.get(job, name="import job page", allow_redirects=False, catch_response=True) as page:
                    if 'badge ok' not in page.text:  # committed; a file with no valid row cannot be
                        page.failure(f"{job} not committed (HTTP {page.status_code})")
                    else:
                        _count(WRITES, "attendance rows committed", size)

    def _wait(self, job: str) -> bool:
        """Poll the job as its page does (htmx): 200 while the worker runs it, 204 when done."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.client.get(job, name="import job poll", allow_redirects=False, catch_response=True,
                                 headers={"HX-Request": "true"}) as r:
                if r.status_code == 204:
                    return True
                if r.status_code != 200:
                    r.failure(f"import job poll: HTTP {r.status_code}")
                    return False
            time.sleep(0.5)
        self.environment.events.request.fire(
            request_type="GET", name="import job poll", response_time=60_000, response_length=0, response=None,
            context={}, exception=TimeoutError(f"{job} still running after 60 s"))
        return False

    @task(1)
    def claim(self) -> None:
        project = SCENARIO["claim_project"]
        if project is None:
            return  # the city's subsidy standard refuses the prepared trainees (the prepare step said why)
        ids = SCENARIO["claim_enrollments"]
        start = (next(_next_claim) * 2) % len(ids)
        self.page(f"/funds/claims/new/?project={project}", "claim form")
        r = self.post("/funds/claims/new/", "claim create", {"project": project, "enrollments": ids[start:start + 2]})
        made = CLAIM_IDS.search(f'href="{r.headers.get("Location", "")}"')
        if made:
            self.page(f"/funds/claims/{made.group(1)}/", "claim detail (own)")
            self.post(f"/funds/claims/{made.group(1)}/cancel/", "claim withdraw", {})


def _trainee() -> tuple[int, str]:
    n = next(_next_trainee)
    if n >= len(SCENARIO["trainees"]):
        raise StopUser  # every prepared trainee has been used; the run's counts say how many
    session, key = SCENARIO["trainees"][n]
    return int(session), str(key)


def _check_in_url(session: int) -> str:
    return f"/training/check-in/{session}/{qr.current_token(session, timezone.now())}/"


class TraineeUser(Signed):
    """A trainee's phone: scan the rotating code (the phone page), check in, see the result;
    later scan again and check out; then the next trainee."""

    weight = 5
    current: tuple[int, str] | None = None
    checked_in = False

    @task
    def scan(self) -> None:
        if self.current is None:
            self.current, self.checked_in = _trainee(), False
            self.use_session(self.current[1])
        session = self.current[0]
        url = _check_in_url(session)
        self.page(url, "phone check-in page")
        position = {"lat": SCENARIO["lat"], "lon": SCENARIO["lon"]}
        self.post(url, "check-out POST" if self.checked_in else "check-in POST", position)
        self.page(f"/training/my/sessions/{session}/", "my session")
        if self.checked_in:
            self.current = None
        self.checked_in = True


class RushTrainee(FastHttpUser):
    """The 08:00 rush: trainees' check-in POSTs back to back (as bench/checkin.py), no think time.
    locust's lighter client (geventhttpclient) here and for the ceiling: locust shares the cores."""

    wait_time = constant(0)

    @task
    def check_in(self) -> None:
        session, key = _trainee()
        csrf = _get_new_csrf_string()
        self.client.cookiejar.clear()
        body = urlencode({"csrfmiddlewaretoken": csrf, "lat": SCENARIO["lat"], "lon": SCENARIO["lon"]})
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}",
                   "Content-Type": "application/x-www-form-urlencoded"}
        _count(SENT, "check-in POST")
        with self.client.post(_check_in_url(session), data=body, headers=headers, name="check-in POST",
                              allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"check-in POST: HTTP {r.status_code} {_why(r.text or '')}")
            else:
                _count(WRITES, "check-in POST")


class HelloUser(FastHttpUser):
    """The ceiling: the same stack answering /healthz (no database, no template), no think time."""

    wait_time = constant(0)

    @task
    def hello(self) -> None:
        self.client.get("/healthz", name="hello")
