"""Heavy reads on the streaming replica, and back on the primary when it lags or is gone.

The replica tests need a real one (scripts/pg_replica.sh; .ci/run starts it and sets
DATABASE_REPLICA_URL); without it they are skipped, and the SQLite/primary-only ones run.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from jixing.core import db_router
from jixing.core.db_router import REPLICA, heavy_read, heavy_reads
from jixing.ops.models import Heartbeat

# The replica streams the whole cluster and these tests pause its replay or stop it: under
# pytest-xdist they all run in one worker, one after another (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("replica")
has_replica = pytest.mark.skipif(
    "replica" not in settings.DATABASES, reason="no streaming replica configured (DATABASE_REPLICA_URL)"
)


def pause_replay_once_caught_up() -> None:
    """Pause the replica's WAL replay, but only after it has replayed everything the primary has
    written so far. Pausing in the middle of the previous test's flush would leave the standby's
    startup process holding that TRUNCATE's ACCESS EXCLUSIVE locks, and any read of those tables on
    the replica would wait for them forever (replay never resumes while the test waits)."""
    for _ in range(250):
        db_router.forget_replica_state()
        if db_router.replica_has_replayed_primary():
            break
    else:
        pytest.fail("the replica did not catch up with the primary within the fence waits")
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")


def replica_count(sql: str) -> int:
    """A count on the replica that fails after 10 s instead of waiting on a replay lock forever."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")
        try:
            cursor.execute(sql)
            return int(cursor.fetchone()[0])
        finally:
            cursor.execute("RESET lock_timeout")


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    db_router.forget_replica_state()
    yield
    db_router.forget_replica_state()


@pytest.mark.django_db
def test_it_reads_from_the_primary_when_no_replica_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    with heavy_reads():
        assert Heartbeat.objects.all().db == "default"
    assert db_router.replica_usable() is False


def test_it_sends_every_write_to_the_primary_and_migrates_only_it() -> None:
    router = db_router.PrimaryReplicaRouter()
    with heavy_reads():
        assert router.db_for_write(Heartbeat) == "default"
    assert router.allow_migrate("default", "ops") and not router.allow_migrate(REPLICA, "ops")


@pytest.mark.django_db
def test_it_keeps_reads_inside_a_transaction_on_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    monkeypatch.setattr(db_router, "replica_usable", lambda **kw: True)
    monkeypatch.setattr(db_router, "replica_has_replayed_primary", lambda: True)
    # pytest-django's db fixture holds a transaction open: the primary must see its own writes
    with heavy_reads():
        assert Heartbeat.objects.all().db == "default"


def test_it_marks_functions_as_heavy_reads() -> None:
    @heavy_read
    def inside() -> bool:
        return db_router._heavy.get() is not None

    assert inside() and db_router._heavy.get() is None


@pytest.mark.postgres
@has_replica
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
@override_settings(JIXING_REPLICA_FENCE_WAIT_MS=30_000)  # a loaded machine may replay later than 200 ms
def test_it_reads_heavy_queries_from_the_replica_and_sees_what_was_just_written() -> None:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,), "the replica alias must name a standby"
    Heartbeat.objects.create(name="router-a", at="2026-03-10T08:00:00+08:00")
    with heavy_reads(), CaptureQueriesContext(connections[REPLICA]) as on_replica_queries:
        assert Heartbeat.objects.all().db == REPLICA
        # written a moment ago on the primary: the block waited for the replica to replay it
        assert list(Heartbeat.objects.values_list("name", flat=True)) == ["router-a"]
    assert any("ops_heartbeat" in q["sql"] for q in on_replica_queries.captured_queries)
    assert Heartbeat.objects.all().db == "default"  # outside the block: the primary


@pytest.mark.postgres
@has_replica
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_it_falls_back_to_the_primary_while_the_replica_has_not_replayed_a_write() -> None:
    pause_replay_once_caught_up()
    try:
        Heartbeat.objects.create(name="router-b", at="2026-03-10T08:00:00+08:00")
        with heavy_reads():
            assert Heartbeat.objects.all().db == "default"
            assert Heartbeat.objects.filter(name="router-b").exists()
        # the replica itself does not have it yet: proof the fallback mattered
        assert replica_count("SELECT count(*) FROM ops_heartbeat WHERE name = 'router-b'") == 0
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@pytest.mark.postgres
@has_replica
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_it_falls_back_to_the_primary_when_the_replica_is_unreachable(client: Client) -> None:
    replica = connections[REPLICA]
    port = replica.settings_dict["PORT"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    replica.close()
    replica.settings_dict["PORT"] = closed_port
    try:
        Heartbeat.objects.create(name="router-c", at="2026-03-10T08:00:00+08:00")
        with heavy_reads():
            assert Heartbeat.objects.filter(name="router-c").exists()
            assert Heartbeat.objects.all().db == "default"
        assert client.get("/readyz").json()["replica"] == "fail"
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port


@pytest.mark.postgres
@has_replica
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_it_serves_the_province_dashboard_from_the_replica_with_the_primarys_figures(client: Client) -> None:
    from jixing.core.testing import make_personas
    from jixing.plan.management.commands.load_reference import load_reference

    load_reference()
    alice = make_personas().alice
    client.force_login(alice)
    # On a loaded machine the replica may replay the reference data later than the 200 ms fence:
    # give it time here, where the test is that the page reads from it at all.
    with (
        override_settings(JIXING_REPLICA_FENCE_WAIT_MS=30_000),
        CaptureQueriesContext(connections[REPLICA]) as replica_queries,
    ):
        on_replica = client.get("/stats/")
    assert on_replica.status_code == 200
    assert any("progressrollup" in q["sql"] for q in replica_queries.captured_queries)  # the city or county rollup
    pause_replay_once_caught_up()
    try:
        Heartbeat.objects.create(name="force-primary", at="2026-03-10T08:00:00+08:00")
        with CaptureQueriesContext(connections[REPLICA]) as none:
            on_primary = client.get("/stats/")
        assert not [q for q in none.captured_queries if "stats_" in q["sql"]]
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    assert on_primary.context["tables"]["progress"].rows == on_replica.context["tables"]["progress"].rows


@pytest.mark.postgres
@has_replica
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_drill_it_keeps_serving_heavy_reads_when_the_replica_is_stopped_and_returns_to_it(client: Client) -> None:
    """Failure drill: stop the real replica (scripts/pg_replica.sh), read, start it again."""
    import os
    import subprocess
    from pathlib import Path

    script = Path(settings.BASE_DIR) / "scripts" / "pg_replica.sh"
    if str(connections[REPLICA].settings_dict["PORT"]) != os.environ.get("REPLICA_PORT", "5433"):
        pytest.skip("the configured replica is not the one scripts/pg_replica.sh manages here")
    connections[REPLICA].close()
    subprocess.run([str(script), "stop"], check=True, timeout=120)
    try:
        Heartbeat.objects.create(name="drill", at="2026-03-10T08:00:00+08:00")
        with heavy_reads():
            assert Heartbeat.objects.filter(name="drill").exists()
            assert Heartbeat.objects.all().db == "default"
        assert client.get("/readyz").json()["replica"] == "fail"
    finally:
        connections[REPLICA].close()
        subprocess.run([str(script), "start"], check=True, timeout=180)
    import time

    for _ in range(60):  # back to streaming and caught up: heavy reads return to it
        db_router.forget_replica_state()
        if db_router.replica_usable(fresh=True) and db_router.replica_has_replayed_primary():
            break
        time.sleep(0.5)
    db_router.forget_replica_state()
    with heavy_reads():
        assert Heartbeat.objects.filter(name="drill").exists()
        assert Heartbeat.objects.all().db == REPLICA
