"""The scheduler against the database: claimed slots, recorded runs, the lock, the settings schedule."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from jixing.ops import scheduler
from jixing.ops.models import Heartbeat, JobRun, JobState
from jixing.ops.schedule import parse_job

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db

SCHEDULE = {
    "notices": {"kind": "daily", "at": "00:30", "command": ["close_public_notices", "--json"]},
    "broken": {"kind": "daily", "at": "00:30", "command": ["run_supervision", "--rules", "R99"]},
    "heartbeat": {"kind": "interval", "seconds": 60, "task": "jixing.ops.tasks.worker_heartbeat", "keep_days": 2},
}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@override_settings(JIXING_SCHEDULE=SCHEDULE)
def test_it_records_each_run_with_its_outcome_and_duration() -> None:
    first = scheduler.run_due(now=at("2026-03-10 00:00"))  # first sight: only the heartbeat fires
    assert [r.job for r in first] == ["heartbeat"]  # type: ignore[union-attr]
    runs = {r.job: r for r in scheduler.run_due(now=at("2026-03-10 00:31"))}  # type: ignore[union-attr]
    assert set(runs) == {"notices", "broken", "heartbeat"}
    ok = JobRun.objects.get(job="notices")
    assert ok.outcome == JobRun.Outcome.OK and ok.slot == at("2026-03-10 00:30")
    assert ok.finished is not None and ok.duration_seconds is not None and ok.duration_seconds >= 0
    assert '"payable": 0' in ok.output
    failed = JobRun.objects.get(job="broken")
    assert failed.outcome == JobRun.Outcome.FAILED
    assert "R99" in failed.error
    # the heartbeat task ran (immediate backend in tests) and marked the worker alive
    assert set(JobRun.objects.filter(job="heartbeat").values_list("outcome", flat=True)) == {JobRun.Outcome.OK}
    assert Heartbeat.objects.filter(name="worker").exists()


@override_settings(JIXING_SCHEDULE=SCHEDULE)
def test_it_runs_a_slot_missed_during_downtime_once() -> None:
    scheduler.run_due(now=at("2026-03-10 00:00"))
    scheduler.run_due(now=at("2026-03-10 00:31"))
    # down for three days; back at 09:00 on the 13th
    again = scheduler.run_due(now=at("2026-03-13 09:00"))
    assert sorted(r.job for r in again) == ["broken", "heartbeat", "notices"]  # type: ignore[union-attr]
    assert JobRun.objects.filter(job="notices").count() == 2
    assert JobRun.objects.filter(job="notices").first().slot == at("2026-03-13 00:30")  # type: ignore[union-attr]
    assert scheduler.run_due(now=at("2026-03-13 09:00:30")) == []


@override_settings(JIXING_SCHEDULE=SCHEDULE)
def test_it_lets_only_one_of_two_schedulers_claim_a_slot() -> None:
    job = parse_job("notices", SCHEDULE["notices"])
    scheduler.claim(job, now=at("2026-03-10 00:00"))
    # two schedulers read the same state, then both try to claim: the compare-and-set picks one
    first = scheduler.claim(job, now=at("2026-03-10 00:31"))
    second = scheduler.claim(job, now=at("2026-03-10 00:31"))
    assert first == at("2026-03-10 00:30") and second is None
    assert JobState.objects.get(name="notices").last_slot == first
    # a stale reader that read last_slot before the update loses too
    JobState.objects.filter(name="notices").update(last_slot=at("2026-03-09 00:30"))
    assert scheduler.claim(job, now=at("2026-03-10 00:31")) == first
    assert scheduler.execute(job, slot=first) is not None
    assert scheduler.execute(job, slot=first) is None  # the run row is unique per slot
    assert JobRun.objects.filter(job="notices").count() == 1


@override_settings(JIXING_SCHEDULE=SCHEDULE)
def test_it_prunes_history_older_than_the_jobs_keep_days() -> None:
    job = parse_job("heartbeat", SCHEDULE["heartbeat"])
    JobRun.objects.create(job="heartbeat", slot=at("2026-03-01 00:00"), started=at("2026-03-01 00:00"),
                          outcome=JobRun.Outcome.OK)
    scheduler.execute(job, slot=at("2026-03-10 00:00"))
    assert list(JobRun.objects.values_list("slot", flat=True)) == [at("2026-03-10 00:00")]


def test_it_runs_the_settings_schedule_from_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel(at("2026-03-10 00:00"), tick=False):
        call_command("run_scheduler", "--once", "--json")
    with time_machine.travel(at("2026-03-11 00:45"), tick=False):
        call_command("run_scheduler", "--once", "--json")
    out = capsys.readouterr().out.strip().splitlines()
    # On first start only the interval jobs run; the next day every daily slot passed since then
    # runs once; the monthly dispatch report waits for the 1st.
    first = {r["job"]: r["outcome"] for r in json.loads(out[0])["ran"]}
    assert first == {"heartbeat": "ok", "checkpoint_audit": "ok", "send_notifications": "ok", "purge_exports": "ok",
                     "recover_imports": "ok"}
    ran = {r.job: r.outcome for r in JobRun.objects.all()}
    assert ran == {"heartbeat": "ok", "checkpoint_audit": "ok", "send_notifications": "ok", "purge_exports": "ok",
                   "recover_imports": "ok",
                   "close_public_notices": "ok", "mark_overdue_recoveries": "ok", "run_supervision": "ok",
                   "verify_audit": "ok", "purge_imports": "ok", "draw_spot_checks": "ok", "remind_class_starts": "ok",
                   "attendance_partitions": "ok", "close_topic_lists": "ok", "record_milestone_payments": "ok",
                   "reconcile_department_trainings": "ok"}
    assert Heartbeat.objects.filter(name="scheduler").exists()
