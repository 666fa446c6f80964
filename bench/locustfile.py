"""HTTP load test of the production stack (make serve), headless, loopback only, bounded in time.

    make serve HOST=127.0.0.1:8124 &           # the stack on the demo data
    .venv/bin/locust -f bench/locustfile.py --headless -H http://127.0.0.1:8124 \\
        -u 50 -r 10 -t 60s --only-summary --csv var/locust-50 OfficerUser InstitutionUser
    .venv/bin/locust -f bench/locustfile.py --headless -H http://127.0.0.1:8124 \\
        -u 50 -r 10 -t 60s --only-summary HelloUser   # the ceiling: same stack, no work

Accounts and passwords come from var/demo-accounts.txt (written by `make run` / demo_accounts).
The host must be a loopback address: this is not a tool to point at someone else's server.
"""

from __future__ import annotations

import random
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

ACCOUNTS = Path(__file__).resolve().parent.parent / "var" / "demo-accounts.txt"


def passwords() -> dict[str, str]:
    rows = [line.split("\t") for line in ACCOUNTS.read_text(encoding="utf-8").splitlines() if "\t" in line]
    return {row[0]: row[1] for row in rows}


@events.test_start.add_listener
def loopback_only(environment, **_: object) -> None:  # type: ignore[no-untyped-def]
    host = urlparse(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load-test {host!r}: loopback only")


class SignedInUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        username = random.choice(self.usernames)
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post("/accounts/login/", name="login", catch_response=True, allow_redirects=False,
                              data={"username": username, "password": passwords()[username],
                                    "csrfmiddlewaretoken": token}) as response:
            if response.status_code != 302:
                response.failure(f"login of {username} answered {response.status_code}")


class OfficerUser(SignedInUser):
    """Province and city officers: the dashboard, claim review lists, the registry."""

    weight = 3
    usernames = ("province", "jinan", "qingdao")

    @task(4)
    def dashboard(self) -> None:
        self.client.get("/stats/", name="dashboard")

    @task(3)
    def claims(self) -> None:
        self.client.get("/funds/claims/", name="claim list")

    @task(2)
    def persons(self) -> None:
        self.client.get("/registry/persons/", name="person list")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="workbench")


class InstitutionUser(SignedInUser):
    """Training institutions: their classes, their claims, their workbench."""

    weight = 2
    usernames = ("school", "enterprise")

    @task(3)
    def classes(self) -> None:
        self.client.get("/training/classes/", name="class list")

    @task(2)
    def claims(self) -> None:
        self.client.get("/funds/claims/", name="claim list")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="workbench")


class HelloUser(HttpUser):
    """The ceiling: the same stack answering /healthz (no database, no template)."""

    wait_time = between(0.5, 2.0)

    @task
    def hello(self) -> None:
        self.client.get("/healthz", name="hello")
