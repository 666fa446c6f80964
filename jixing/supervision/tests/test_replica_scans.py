"""Supervision scans read outside the transaction that saves their findings: on the streaming
replica when it keeps up, on the primary otherwise or when the replica fails mid-scan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.test.utils import CaptureQueriesContext

from jixing.core import db_router
from jixing.supervision import engine
from jixing.supervision.engine import run_rules
from jixing.supervision.models import Finding, RunStatus

from . import factories as f

DAY = dt.date(2025, 3, 4)
has_replica = pytest.mark.skipif("replica" not in settings.DATABASES,
                                 reason="no streaming replica configured (DATABASE_REPLICA_URL)")


@pytest.fixture(autouse=True)
def fresh_state():
    db_router.forget_replica_state()
    yield
    db_router.forget_replica_state()


def _overlap() -> int:
    org, other = f.organisation(), f.organisation()
    class_a, class_b = f.training_class(f.project(org)), f.training_class(f.project(other))
    trainee = f.person()
    s_a, s_b = f.session(class_a, f.at(DAY, 9)), f.session(class_b, f.at(DAY, 10))
    f.attend(trainee, s_a, f.at(DAY, 9, 2), f.at(DAY, 12))
    f.attend(trainee, s_b, f.at(DAY, 10, 5), f.at(DAY, 12, 30))
    return trainee.pk


@pytest.mark.django_db(transaction=True)
def test_a_failing_replica_scan_falls_back_to_the_primary_with_the_same_findings(reference, monkeypatch):
    trainee = _overlap()
    monkeypatch.setattr(engine, "read_alias", lambda: "replica")
    tried: list[str] = []
    real = engine._find_on

    def find_on(alias, rule, params, window):
        tried.append(alias)
        if alias == "replica":
            raise OperationalError("canceling statement due to conflict with recovery")
        return real(alias, rule, params, window)

    monkeypatch.setattr(engine, "_find_on", find_on)
    report = run_rules(codes=["R01"], full=True)
    assert report.results[0].status == RunStatus.SUCCEEDED, report.results[0].reason
    assert tried == ["replica", "default"]
    [finding] = Finding.objects.filter(code="R01")
    assert finding.subject_id == str(trainee)


@pytest.mark.django_db(transaction=True)
def test_the_scan_reads_outside_the_saving_transaction(reference, monkeypatch):
    """The find no longer runs inside the atomic block that writes findings."""
    _overlap()
    seen: list[bool] = []
    real = engine._find_on

    def find_on(alias, rule, params, window):
        seen.append(connections["default"].in_atomic_block)
        return real(alias, rule, params, window)

    monkeypatch.setattr(engine, "_find_on", find_on)
    assert run_rules(codes=["R01"], full=True).results[0].created == 1
    assert seen == [False]


@has_replica
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_scans_run_on_the_replica_and_find_what_the_primary_finds(reference, monkeypatch):
    trainee = _overlap()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        report = run_rules(codes=["R01", "R03", "R05"], full=True)
    assert all(r.status == RunStatus.SUCCEEDED for r in report.results), report.as_dict()
    assert any("training_attendance" in q["sql"] for q in on_replica.captured_queries)
    assert [f.subject_id for f in Finding.objects.filter(code="R01")] == [str(trainee)]
    replica_hits = {r.code: r.hits for r in report.results}

    Finding.objects.all().delete()
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    with CaptureQueriesContext(connections["replica"]) as none_on_replica:
        primary = run_rules(codes=["R01", "R03", "R05"], full=True)
    assert not any("training_attendance" in q["sql"] for q in none_on_replica.captured_queries)
    assert {r.code: r.hits for r in primary.results} == replica_hits
