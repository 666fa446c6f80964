"""/healthz and /readyz: unauthenticated, ok/fail/off per part and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from jixing.core import db_router
from jixing.ops import health
from jixing.ops.models import Heartbeat
from jixing.ops.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db
PARTS = {"status", "database", "replica", "worker", "scheduler", "queue"}


@pytest.fixture(autouse=True)
def no_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the other parts (the replica's own: core/tests/test_db_router.py)."""
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)


def alive(*names: str, age: int = 0) -> None:
    for name in names:
        Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now() - dt.timedelta(seconds=age)})


def test_it_answers_liveness_without_the_database(client: Client, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_it_is_ready_when_every_part_is(client: Client) -> None:
    alive("worker", "scheduler")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "replica": "off", "worker": "ok",
                               "scheduler": "ok", "queue": "off"}


@pytest.mark.parametrize("stale", ["worker", "scheduler"])
def test_it_fails_readiness_when_a_process_stops_beating(client: Client, stale: str) -> None:
    alive("worker", "scheduler")
    alive(stale, age=10_000)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert set(body) == PARTS and body["status"] == "fail" and body[stale] == "fail"
    assert [k for k, v in body.items() if v == "fail"] == ["status", stale]


def test_it_fails_readiness_when_no_worker_was_ever_seen(client: Client) -> None:
    alive("scheduler")
    assert client.get("/readyz").json()["worker"] == "fail"


def test_it_fails_the_database_and_everything_that_reads_it(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    alive("worker", "scheduler")

    class Down:
        def __getitem__(self, alias: str) -> object:
            raise OperationalError("connection refused at 10.0.0.5:5432 password=secret")

    monkeypatch.setattr(health, "connections", Down())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "database": "fail", "replica": "off", "worker": "fail",
                               "scheduler": "fail", "queue": "off"}
    assert b"10.0.0.5" not in response.content and b"secret" not in response.content


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
                   JIXING_READY_QUEUE_MAX=1)
def test_it_fails_readiness_when_the_queue_backs_up(client: Client) -> None:
    alive("worker", "scheduler")
    worker_heartbeat.enqueue()
    assert client.get("/readyz").json()["queue"] == "ok"
    worker_heartbeat.enqueue()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["queue"] == "fail"


def test_it_reports_a_lagging_replica_without_failing_readiness(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    alive("worker", "scheduler")
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    monkeypatch.setattr(db_router, "replica_lag_seconds", lambda: 120.0)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["replica"] == "fail"
    monkeypatch.setattr(db_router, "replica_lag_seconds", lambda: 0.4)
    assert client.get("/readyz").json()["replica"] == "ok"
