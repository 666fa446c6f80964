"""Import jobs: one uploaded file going through validate → preview → commit, with its
rejected rows (kept encrypted, for the error file) and progress for long runs."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for
from jixing.core.actor import Viewer
from jixing.core.fields import EncryptedTextField
from jixing.core.models import TimeStampedModel


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    VALIDATED = "validated", _("checked")
    COMMITTED = "committed", _("imported")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class ImportStage(models.TextChoices):
    IDLE = "", _("waiting")
    VALIDATING = "validating", _("checking rows")
    COMMITTING = "committing", _("writing rows")


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: Viewer) -> ImportJobQuerySet:
        """Own jobs, plus the region subtree for officers and the organisation's for its staff."""
        scope = scope_for(user)
        if scope.everything:
            return self
        q = Q(created_by_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
        if scope.region_prefix and not scope.department_id:
            q |= scope.region_q("region")
        if scope.organisation_id:
            q |= Q(organisation_id=scope.organisation_id)
        return self.filter(q)

    def active(self) -> ImportJobQuerySet:
        return self.filter(status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATED])


class ImportJob(TimeStampedModel):
    TRANSITIONS = {
        (ImportStatus.UPLOADED, ImportStatus.VALIDATED),
        (ImportStatus.UPLOADED, ImportStatus.COMMITTED),  # commands and API commit straight away
        (ImportStatus.UPLOADED, ImportStatus.FAILED),
        (ImportStatus.UPLOADED, ImportStatus.CANCELLED),
        (ImportStatus.VALIDATED, ImportStatus.COMMITTED),
        (ImportStatus.VALIDATED, ImportStatus.FAILED),
        (ImportStatus.VALIDATED, ImportStatus.CANCELLED),
    }

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    stage = models.CharField(_("stage"), max_length=20, choices=ImportStage.choices, default=ImportStage.IDLE, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    upload_path = models.CharField(max_length=500, blank=True, editable=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rejected rows"), default=0)
    created_count = models.PositiveIntegerField(pgettext_lazy("import count", "created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    headers = models.JSONField(_("file headers"), default=list, blank=True)
    preview = models.JSONField(_("preview rows"), default=list, blank=True)
    extra = models.JSONField(_("extra results"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    seconds = models.FloatField(pgettext_lazy("duration", "seconds"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.file_name}"

    @property
    def is_running(self) -> bool:
        return bool(self.stage)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    def summary(self) -> dict[str, Any]:
        """The same keys as the command's ``--json`` line, rejected rows from the database."""
        rejected = [
            {"row": r.row, "field": e["field"], "reason": e["reason"]}
            for r in self.rejected.order_by("row") for e in r.errors
        ]
        return {
            "id": self.pk,
            "kind": self.kind,
            "status": self.status,
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
            "rejected": rejected,
            "seconds": round(self.seconds, 3),
            "valid_rows": self.valid_rows,
            "rejected_rows": self.rejected_rows,
            "rows_total": self.rows_total,
            "rows_done": self.rows_done,
            "message": self.message,
            **self.extra,
        }


class ImportRejectedRow(models.Model):
    """A rejected row: its errors and its original cells (encrypted: they hold personal data)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejected")
    row = models.PositiveIntegerField(_("row"))
    errors = models.JSONField(_("errors"), default=list)  # [{"field": ..., "reason": ...}]
    cells = EncryptedTextField(_("original cells"), purpose="import_row", blank=True, default="")

    class Meta:
        ordering = ["row"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        constraints = [models.UniqueConstraint(fields=["job", "row"], name="import_rejected_row_once")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row}"

    def cell_list(self) -> list[str]:
        return list(json.loads(self.cells)) if self.cells else []
