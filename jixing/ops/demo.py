"""Demo: one failed run of a scheduled job, so the system administrator's message centre and
the operations page show what a failure looks like after ``make run``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jixing.core import events
from jixing.core.demo import DemoContext

from .models import JobRun

DEMO_ERROR = "SMTPServerDisconnected: Connection unexpectedly closed（演示：邮件服务器未响应）"


def seed(ctx: DemoContext) -> None:
    slot = timezone.localtime().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    run, created = JobRun.objects.get_or_create(
        job="send_notifications", slot=slot,
        defaults={"started": slot, "finished": slot + dt.timedelta(seconds=3), "duration_seconds": 3.0,
                  "outcome": JobRun.Outcome.FAILED, "error": DEMO_ERROR, "host": "demo"},
    )
    if created:
        # Handed to the receivers at once (inside seed_demo's transaction), as the scheduler's
        # publish would be after its commit.
        events.dispatch([events.Event(name="ops.job.failed", object_type="ops.jobrun", object_id=str(run.pk),
                                      actor_id=None, data={"job": run.job, "error": run.error[:200]},
                                      occurred_at=timezone.now())], batch_label="")
    ctx.counts["demo_failed_jobs"] = int(created)
