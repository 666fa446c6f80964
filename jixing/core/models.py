"""Base models and the two cross-cutting records: the audit log and status changes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Self

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ArchivableQuerySet(models.QuerySet):
    def active(self) -> Self:
        return self.filter(archived_at__isnull=True)


class ArchivableModel(TimeStampedModel):
    """Registry, claim and payment rows are archived with who/when/why, never deleted."""

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archive_reason = models.CharField(_("archive reason"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Archive this record instead of deleting it.")


class AuditOutcome(models.TextChoices):
    OK = "ok", _("succeeded")
    DENIED = "denied", _("denied")
    FAILED = "failed", _("failed")


def audit_key() -> bytes:
    """The HMAC key of the audit chain (settings.JIXING_AUDIT_KEY, from the environment)."""
    raw = base64.b64decode(settings.JIXING_AUDIT_KEY)
    if len(raw) < 32:
        raise ImproperlyConfigured("JIXING_AUDIT_KEY must decode to at least 32 bytes.")
    return raw


def audit_mac(message: str) -> str:
    return hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()


class AuditEvent(models.Model):
    """Append-only, hash-chained audit log (SECURITY.md C1, C2).

    Each row's ``hash`` is an HMAC (key from the environment) over its content and the
    previous row's hash, so any edit, insertion or deletion inside the chain is detected by
    ``verify_audit``, and recomputing the later hashes needs the key. Signed checkpoints
    (``AuditCheckpoint``) pin the head, so removing the tail or every row is detected too.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    event = models.CharField(_("event"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=AuditOutcome.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    detail = models.JSONField(_("detail"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.event} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit events are append-only; old rows leave only by purge_audit.")

    def canonical(self) -> str:
        body = {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "ip": self.ip,
            "event": self.event,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "outcome": self.outcome,
            "before": self.before,
            "after": self.after,
            "detail": self.detail,
        }
        return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)

    def compute_hash(self) -> str:
        return audit_mac(self.prev_hash + self.canonical())


class AuditCheckpoint(models.Model):
    """A signed note of the audit chain's head: how many rows, the last id and its hash.

    Written by ``checkpoint_audit`` (scheduled) and after every purge. On PostgreSQL a trigger
    refuses UPDATE, DELETE and TRUNCATE of this table (core migration 0004), so the
    application cannot take back what a checkpoint saw; ``verify_audit`` compares the chain
    with the newest one, which detects a removed tail or an emptied table.
    """

    at = models.DateTimeField(_("time"), default=timezone.now)
    rows = models.PositiveBigIntegerField(_("rows"))
    last_id = models.BigIntegerField(_("last audit id"), null=True, blank=True)
    head_hash = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.rows} {self.head_hash[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit checkpoints are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit checkpoints are append-only.")

    def message(self) -> str:
        return f"checkpoint\x00{self.at.isoformat()}\x00{self.rows}\x00{self.last_id or ''}\x00{self.head_hash}"

    def compute_signature(self) -> str:
        return audit_mac(self.message())


class StatusChange(models.Model):
    """One row per lifecycle transition of any object (STYLE.md habit 3)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.CharField(_("record id"), max_length=64)
    from_status = models.CharField(_("from"), max_length=40, blank=True)
    to_status = models.CharField(_("to"), max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.from_status} → {self.to_status}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    CSV = "csv", _("CSV (UTF-8)")


class ExportJob(models.Model):
    """One list exported to a file in the background (jixing/core/exports.py). Only the user
    who asked sees it; the file is kept under JIXING_UPLOAD_DIR/exports and removed after
    JIXING_EXPORT_KEEP_HOURS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    list_name = models.CharField(_("list"), max_length=60)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    fmt = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices, default=ExportFormat.XLSX)
    unmasked = models.BooleanField(_("unmasked"), default=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=300, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unmasked=False) | ~models.Q(reason=""), name="export_unmasked_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list_name} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, round(100 * self.rows_done / self.rows_total))

    @property
    def running(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
