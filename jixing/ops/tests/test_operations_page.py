from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jixing.ops.models import JobRun


def test_it_shows_the_system_administrator_each_jobs_last_success_and_failures(client: Client, personas) -> None:
    now = timezone.now()
    JobRun.objects.create(job="run_supervision", slot=now - dt.timedelta(days=2), started=now - dt.timedelta(days=2),
                          finished=now - dt.timedelta(days=2), duration_seconds=41.5, outcome=JobRun.Outcome.OK)
    JobRun.objects.create(job="run_supervision", slot=now - dt.timedelta(days=1), started=now - dt.timedelta(days=1),
                          finished=now - dt.timedelta(days=1), duration_seconds=3.0, outcome=JobRun.Outcome.FAILED,
                          error="OperationalError: the database system is shutting down")
    client.force_login(personas.sam)
    response = client.get("/ops/operations/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("run_supervision", "close_public_notices", "mark_overdue_recoveries", "dispatch_report", "heartbeat"):
        assert name in html
    assert "41.5" in html and "the database system is shutting down" in html
    jobs = {j.name: j for j in response.context["jobs"]}
    assert jobs["run_supervision"].failures == 1
    assert jobs["run_supervision"].last_success.duration_seconds == 41.5
    assert jobs["dispatch_report"].last_run is None


@pytest.mark.parametrize("who", ["alice", "sue", "audrey", "ivan"])
def test_it_refuses_the_operations_page_to_other_roles(client: Client, personas, who: str) -> None:
    client.force_login(getattr(personas, who))
    assert client.get("/ops/operations/").status_code == 403
