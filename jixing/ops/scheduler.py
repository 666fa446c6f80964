"""The built-in scheduler (``manage.py run_scheduler``): claims due job slots and runs them.

Each job (settings.JIXING_SCHEDULE) either runs a management command inside the scheduler
process (its output and any error recorded) or enqueues a django-tasks task for the worker.
A claimed slot is recorded as a JobRun before the work starts, so a crash leaves a visible
"running" row rather than nothing; the slot is not retried (the next slot runs as usual).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import socket
import threading
import time
import traceback
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from jixing.core import events

from .models import Heartbeat, JobRun, JobState
from .schedule import Job, command_arguments, due_slot, parse_schedule

log = logging.getLogger("jixing.ops.scheduler")
OUTPUT_LIMIT = 10_000


def configured_jobs() -> tuple[Job, ...]:
    return parse_schedule(settings.JIXING_SCHEDULE)


def local_zone() -> dt.tzinfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def beat(name: str, *, now: dt.datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now or timezone.now()})


def claim(job: Job, *, now: dt.datetime) -> dt.datetime | None:
    """The slot this scheduler now owns for ``job``, or None (not due, or another took it)."""
    state, _ = JobState.objects.get_or_create(name=job.name, defaults={"first_seen": now})
    slot = due_slot(job, last_slot=state.last_slot, first_seen=state.first_seen, now=now, tz=local_zone())
    if slot is None:
        return None
    rows = JobState.objects.filter(name=job.name)
    # Compare-and-set: of two schedulers that read the same state, only the first UPDATE matches.
    rows = rows.filter(last_slot__lt=slot) if state.last_slot else rows.filter(last_slot__isnull=True)
    return slot if rows.update(last_slot=slot) == 1 else None


def execute(job: Job, *, slot: dt.datetime) -> JobRun | None:
    """Run one claimed slot of ``job`` and record it; None if a run for that slot exists."""
    started = timezone.now()
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=job.name, slot=slot, started=started, host=socket.gethostname()[:128])
    except IntegrityError:
        return None  # another scheduler recorded this slot first
    clock = time.monotonic()
    output = io.StringIO()
    try:
        if job.command:
            args = command_arguments(job, slot, local_zone(), var_dir=str(settings.VAR_DIR))
            call_command(args[0], *args[1:], stdout=output, stderr=output)
        else:
            result = import_string(job.task).enqueue(**job.kwargs)
            output.write(f"enqueued task {result.id}")
        run.outcome = JobRun.Outcome.OK
    except Exception as exc:  # a failing job is recorded, never kills the scheduler
        run.outcome = JobRun.Outcome.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("scheduled job %s failed: %s", job.name, run.error)
        output.write(traceback.format_exc())
    except SystemExit as exc:  # a command's CommandError outside call_command's handling
        run.outcome = JobRun.Outcome.FAILED
        run.error = f"exit status {exc.code}"
    run.finished = timezone.now()
    run.duration_seconds = round(time.monotonic() - clock, 3)
    run.output = output.getvalue()[-OUTPUT_LIMIT:]
    run.save(update_fields=["outcome", "error", "finished", "duration_seconds", "output"])
    if run.outcome == JobRun.Outcome.FAILED:
        # The system administrator hears of it (notify), not only the log and the operations page.
        events.publish("ops.job.failed", obj=run, job=job.name, error=run.error[:200])
    prune(job, now=run.finished)
    return run


def prune(job: Job, *, now: dt.datetime) -> int:
    deleted, _ = JobRun.objects.filter(job=job.name, started__lt=now - dt.timedelta(days=job.keep_days)).delete()
    return deleted


def run_due(*, now: dt.datetime | None = None, background: bool = False) -> list[JobRun | threading.Thread]:
    """Claim and run every due job. In the foreground (tests, ``--once``) each run finishes
    before the next; in the background each claimed job gets a thread of its own, so a long
    supervision scan does not hold up the heartbeat."""
    now = now or timezone.now()
    done: list[JobRun | threading.Thread] = []
    for job in configured_jobs():
        slot = claim(job, now=now)
        if slot is None:
            continue
        if background:
            thread = threading.Thread(target=_run_in_thread, args=(job, slot), name=f"job-{job.name}")
            thread.start()
            done.append(thread)
        elif (run := execute(job, slot=slot)) is not None:
            done.append(run)
    return done


def _run_in_thread(job: Job, slot: dt.datetime) -> None:
    try:
        execute(job, slot=slot)
    finally:
        connections.close_all()


def run_forever(*, tick_seconds: float, stop: threading.Event) -> None:
    Path(settings.VAR_DIR, "reports").mkdir(parents=True, exist_ok=True)
    configured_jobs()  # a wrongly written schedule fails at start, not at 02:00
    threads: list[threading.Thread] = []
    while not stop.is_set():
        close_old_connections()
        try:
            beat("scheduler")
            threads = [t for t in threads if t.is_alive()]
            threads.extend(t for t in run_due(background=True) if isinstance(t, threading.Thread))
        except Exception:  # the database may be restarting: log, wait, try again
            log.exception("scheduler tick failed")
        stop.wait(tick_seconds)
    for thread in threads:
        thread.join()
