"""Scheduler state and history, and the heartbeats /readyz reads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.actor import Viewer
from jixing.core.roles import Role


class JobState(models.Model):
    """One row per scheduled job: the last slot claimed. Claiming is a conditional UPDATE
    (``last_slot < slot``), so of two schedulers only one gets a given slot."""

    name = models.CharField(_("job"), max_length=64, unique=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_slot = models.DateTimeField(_("last slot"), null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class JobRunQuerySet(models.QuerySet["JobRun"]):
    def visible_to(self, user: Viewer) -> JobRunQuerySet:
        """The operations page's reader: the system administrator."""
        return self if getattr(user, "role", None) == Role.SYSTEM_ADMIN and user.is_active else self.none()


class JobRun(models.Model):
    class Outcome(models.TextChoices):
        RUNNING = "running", pgettext_lazy("operations", "running")
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")

    job = models.CharField(_("job"), max_length=64)
    slot = models.DateTimeField(_("scheduled for"))
    started = models.DateTimeField(_("started"))
    finished = models.DateTimeField(pgettext_lazy("operations", "finished"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(_("error"), blank=True)
    output = models.TextField(_("output"), blank=True)
    host = models.CharField(_("host"), max_length=128, blank=True)

    objects = JobRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="ops_jobrun_one_run_per_slot")]
        indexes = [models.Index(fields=["job", "-started"], name="ops_jobrun_job_started")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class Heartbeat(models.Model):
    """The last sign of life of a process kind: 'scheduler' (every loop), 'worker' (a task)."""

    name = models.CharField(_("process"), max_length=32, unique=True)
    at = models.DateTimeField(pgettext_lazy("operations", "last seen"))

    def __str__(self) -> str:
        return f"{self.name} {self.at:%H:%M:%S}"
