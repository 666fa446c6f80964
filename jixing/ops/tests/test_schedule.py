"""Due-logic of the scheduler: pure, no database."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import get_commands

from jixing.ops.schedule import (
    Job,
    ScheduleError,
    command_arguments,
    due_slot,
    latest_slot,
    parse_job,
    parse_schedule,
)

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
DAILY = parse_job("sup", {"kind": "daily", "at": "02:00", "command": ["run_supervision"]})
MONTHLY = parse_job("dispatch", {"kind": "monthly", "day": 1, "at": "06:00",
                                 "command": ["dispatch_report", "--period", "{previous_month}",
                                             "--out", "{var}/reports/d-{previous_month}.xlsx"]})
MINUTELY = parse_job("hb", {"kind": "interval", "seconds": 60, "task": "jixing.ops.tasks.worker_heartbeat"})


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def test_it_finds_the_latest_daily_slot_in_local_time() -> None:
    assert latest_slot(DAILY, at("2026-03-10 02:00"), SH) == at("2026-03-10 02:00")
    assert latest_slot(DAILY, at("2026-03-10 01:59"), SH) == at("2026-03-09 02:00")
    # 18:30 UTC on the 9th is 02:30 on the 10th in Shanghai
    assert latest_slot(DAILY, dt.datetime(2026, 3, 9, 18, 30, tzinfo=dt.UTC), SH) == at("2026-03-10 02:00")


def test_it_finds_the_latest_monthly_slot_across_a_year_end() -> None:
    assert latest_slot(MONTHLY, at("2027-01-01 05:59"), SH) == at("2026-12-01 06:00")
    assert latest_slot(MONTHLY, at("2027-01-01 06:00"), SH) == at("2027-01-01 06:00")
    assert latest_slot(MONTHLY, at("2026-03-31 23:00"), SH) == at("2026-03-01 06:00")


def test_it_is_due_once_per_slot() -> None:
    first_seen = at("2026-03-09 12:00")
    assert due_slot(DAILY, last_slot=None, first_seen=first_seen, now=at("2026-03-09 23:00"), tz=SH) is None
    slot = due_slot(DAILY, last_slot=None, first_seen=first_seen, now=at("2026-03-10 02:00:05"), tz=SH)
    assert slot == at("2026-03-10 02:00")
    assert due_slot(DAILY, last_slot=slot, first_seen=first_seen, now=at("2026-03-10 09:00"), tz=SH) is None
    assert due_slot(DAILY, last_slot=slot, first_seen=first_seen, now=at("2026-03-11 02:00"), tz=SH) == at("2026-03-11 02:00")


def test_it_runs_missed_slots_once_after_downtime() -> None:
    # down from the 10th to the 14th: one run (the latest slot), not four
    last = at("2026-03-10 02:00")
    assert due_slot(DAILY, last_slot=last, first_seen=last, now=at("2026-03-14 10:00"), tz=SH) == at("2026-03-14 02:00")


def test_it_does_not_fire_every_job_on_a_fresh_start() -> None:
    with time_machine.travel(at("2026-05-01 12:00"), tick=False):
        now = dt.datetime.now(tz=SH)
        assert due_slot(MONTHLY, last_slot=None, first_seen=now, now=now, tz=SH) is None
        assert due_slot(DAILY, last_slot=None, first_seen=now, now=now, tz=SH) is None
        assert due_slot(MINUTELY, last_slot=None, first_seen=now, now=now, tz=SH) == now  # the heartbeat starts at once


def test_it_aligns_interval_slots_to_the_interval() -> None:
    assert latest_slot(MINUTELY, at("2026-03-10 08:00:59"), SH) == at("2026-03-10 08:00")


def test_it_fills_in_the_previous_month_for_the_dispatch_report() -> None:
    args = command_arguments(MONTHLY, at("2027-01-01 06:00"), SH, var_dir="/srv/var")
    assert args == ["dispatch_report", "--period", "2026-12", "--out", "/srv/var/reports/d-2026-12.xlsx"]


@pytest.mark.parametrize(("spec", "message"), [
    ({"kind": "weekly", "command": ["x"]}, "kind"),
    ({"kind": "daily", "at": "2am", "command": ["x"]}, "HH:MM"),
    ({"kind": "daily", "command": ["x"], "task": "a.b"}, "exactly one"),
    ({"kind": "interval", "seconds": 0, "task": "a.b"}, "seconds"),
    ({"kind": "monthly", "day": 31, "command": ["x"]}, "day 1-28"),
])
def test_it_refuses_a_wrongly_written_job(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_job("bad", spec)


def test_it_describes_each_kind() -> None:
    assert [j.describe() for j in (DAILY, MONTHLY, MINUTELY)] == ["daily 02:00", "monthly day 1 06:00", "every 60s"]
    assert isinstance(DAILY, Job)


def test_the_nightly_catch_up_jobs_run_off_peak_each_at_its_own_minute() -> None:
    jobs = {job.name: job for job in parse_schedule(settings.JIXING_SCHEDULE)}
    for name in ("close_topic_lists", "record_milestone_payments", "reconcile_department_trainings"):
        job = jobs[name]
        assert job.kind == "daily" and job.command == (name, "--json") and name in get_commands()
        assert dt.time(0, 0) < job.at < dt.time(6, 0), name
        # before the supervision rules read what they fix
        assert job.at < jobs["run_supervision"].at, name
    fixed = [job.at for job in jobs.values() if job.kind != "interval"]
    assert len(fixed) == len(set(fixed)), sorted(fixed)
