"""When a scheduled job is due: pure functions over aware datetimes, no database.

A job has *slots*, the instants it should run (02:00 every day, 06:00 on the 1st of each
month, every 60 seconds). The scheduler remembers the last slot it claimed for each job; a
job is due when the latest slot at or before now is later than that. Slots missed while the
scheduler was down therefore collapse into one run (the latest), never a burst of catch-up
runs. A daily or monthly job never seen before waits for its first slot after the moment it
was first seen, so a fresh deployment does not fire every job at once; an interval job (the
heartbeat) runs at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("interval", "daily", "monthly")


class ScheduleError(ValueError):
    """A job in settings.JIXING_SCHEDULE is written wrongly (raised at start, loudly)."""


@dataclass(frozen=True)
class Job:
    name: str
    kind: str  # interval | daily | monthly
    seconds: int = 0  # interval
    at: dt.time = dt.time(0, 0)  # daily / monthly, local time
    day: int = 1  # monthly
    command: tuple[str, ...] = ()  # a management command and its arguments, run in the scheduler
    task: str = ""  # or a django-tasks task's dotted path, enqueued for the worker
    keep_days: int = 90  # run history kept this long
    description: str = ""
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        if self.kind == "interval":
            return f"every {self.seconds}s"
        if self.kind == "daily":
            return f"daily {self.at:%H:%M}"
        return f"monthly day {self.day} {self.at:%H:%M}"

    def label(self) -> str:
        """The schedule in the reader's language (``describe`` stays the log's English)."""
        from django.utils.translation import gettext as _

        if self.kind == "interval":
            return _("every %(seconds)s s") % {"seconds": self.seconds}
        if self.kind == "daily":
            return _("daily at %(time)s") % {"time": f"{self.at:%H:%M}"}
        return _("monthly on day %(day)s at %(time)s") % {"day": self.day, "time": f"{self.at:%H:%M}"}


def parse_job(name: str, spec: Mapping[str, Any]) -> Job:
    kind = spec.get("kind", "")
    if kind not in KINDS:
        raise ScheduleError(f"{name}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    command = tuple(spec.get("command", ()))
    task = str(spec.get("task", ""))
    if bool(command) == bool(task):
        raise ScheduleError(f"{name}: give exactly one of command or task")
    seconds = int(spec.get("seconds", 0))
    if kind == "interval" and seconds < 1:
        raise ScheduleError(f"{name}: an interval job needs seconds >= 1")
    try:
        at = dt.time.fromisoformat(spec.get("at", "00:00"))
    except ValueError:
        raise ScheduleError(f"{name}: at must be HH:MM, not {spec.get('at')!r}") from None
    day = int(spec.get("day", 1))
    if kind == "monthly" and not 1 <= day <= 28:
        raise ScheduleError(f"{name}: a monthly job runs on day 1-28 (every month has it), not {day}")
    return Job(name=name, kind=kind, seconds=seconds, at=at, day=day, command=command, task=task,
               keep_days=int(spec.get("keep_days", 90)), description=str(spec.get("description", "")),
               kwargs=dict(spec.get("kwargs", {})))


def parse_schedule(raw: Mapping[str, Mapping[str, Any]]) -> tuple[Job, ...]:
    return tuple(parse_job(name, spec) for name, spec in raw.items())


def latest_slot(job: Job, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The latest instant at or before ``now`` at which ``job`` should run."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if job.kind == "interval":
        epoch = int(now.timestamp())
        return dt.datetime.fromtimestamp(epoch - epoch % job.seconds, tz=dt.UTC)
    local = now.astimezone(tz)
    if job.kind == "daily":
        slot = dt.datetime.combine(local.date(), job.at, tzinfo=tz)
        if slot > local:
            slot = dt.datetime.combine(local.date() - dt.timedelta(days=1), job.at, tzinfo=tz)
        return slot
    slot = dt.datetime.combine(local.date().replace(day=job.day), job.at, tzinfo=tz)
    if slot > local:
        first = local.date().replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=job.day)
        slot = dt.datetime.combine(previous, job.at, tzinfo=tz)
    return slot


def due_slot(job: Job, *, last_slot: dt.datetime | None, first_seen: dt.datetime, now: dt.datetime,
             tz: dt.tzinfo) -> dt.datetime | None:
    """The slot to run now, or None. ``last_slot`` is the last one claimed (None: never run)."""
    slot = latest_slot(job, now, tz)
    if last_slot is None:
        # An interval job (the heartbeat) starts at once; a daily or monthly one waits for its hour.
        return slot if job.kind == "interval" or slot > first_seen else None
    return slot if slot > last_slot else None


def command_arguments(job: Job, slot: dt.datetime, tz: dt.tzinfo, *, var_dir: str) -> list[str]:
    """The job's command with {previous_month}, {slot_date} and {var} filled in from the slot."""
    local = slot.astimezone(tz).date()
    previous = (local.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    values = {"previous_month": previous, "slot_date": local.isoformat(), "var": var_dir}
    return [part.format(**values) for part in job.command]
