"""Export a list (jixing.core.listing) to .xlsx or CSV in the background, with progress.

``request_export`` (an audited action) records the job and queues ``run_export``; the task
re-runs the list's own query for the user with the saved filter and sort, and writes:

- a title line, the filter in words, who exported it and when (Asia/Shanghai);
- the header row, frozen;
- one row per record with real cell types: numbers as numbers, dates as dates, ratios as
  numbers formatted ``0.0%``, money with two decimals, ID-like digits as text;
- personal data masked unless the user gave a reason to unmask (audited with the reason);
- text that a spreadsheet would run as a formula neutralised (core.excel.safe_cell).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django_tasks import task

from jixing.core import audit, events
from jixing.core.actor import Actor
from jixing.core.excel import CellValue, XlsxStream, local_naive, safe_cell
from jixing.core.listing import NON_FILTER_PARAMS, Column, Kind, ListSpec, registered
from jixing.core.models import ExportFormat, ExportJob, ExportStatus

log = logging.getLogger(__name__)
PROGRESS_EVERY = 500
_discovered = False


def specs() -> dict[str, ListSpec]:
    """Every app's lists (each app's ``lists.py`` registers its own)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("lists")
        _discovered = True
    return registered()


def export_dir() -> Path:
    path = Path(settings.JIXING_UPLOAD_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_export(spec: ListSpec, *, by: Actor, query: str, fmt: str, reason: str = "") -> ExportJob:
    """Record and queue an export of ``spec`` as the user sees it with ``query``'s filter.
    A reason unmasks personal data (only for users who may unmask); both are audited."""
    if not spec.allowed(by):
        raise PermissionError("list not available to this user")
    unmasked = bool(reason.strip()) and spec.has_personal and bool(getattr(by, "can_unmask", False))
    if fmt not in ExportFormat.values:
        fmt = ExportFormat.XLSX
    with transaction.atomic():
        job = ExportJob.objects.create(
            user_id=by.pk, list_name=spec.name, query=query[:2000], fmt=fmt, unmasked=unmasked,
            reason=reason.strip()[:500] if unmasked else "", language=translation.get_language() or "zh-hans",
        )
        audit.record("export.unmasked" if unmasked else "export.requested", actor=by, obj=job,
                     detail={"list": spec.name, "filter": query[:500], "format": fmt,
                             **({"reason": job.reason} if unmasked else {})})
    run_export.enqueue(job.pk)  # the database backend's queue row commits with the caller
    return job


def _cell(column: Column, obj: Any, *, unmasked: bool) -> CellValue:
    if column.personal is not None and not unmasked:
        return column.personal(obj)
    return column.value(obj)


def filter_words(spec: ListSpec, described: list[tuple[str, str]], query: QueryDict) -> str:
    parts = [f"{label}：{value}" for label, value in described]
    sort = spec.sort_key(query)
    column = spec.column(sort.removeprefix("-"))
    if column is not None and column.sort:
        parts.append(_("sorted by %(column)s (%(direction)s)") % {
            "column": column.label, "direction": _("descending") if sort.startswith("-") else _("ascending")})
    return _("Filter: %(filter)s") % {"filter": "；".join(parts) if parts else _("none (all records you may see)")}


def _csv_value(value: CellValue, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == Kind.PERCENT and isinstance(value, int | float | Decimal):
        return f"{Decimal(str(value)) * 100:.1f}%"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return f"{local_naive(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return str(safe_cell(str(value)))


@task()
def run_export(job_id: int) -> int:
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language):
        try:
            write_export(job)
        except Exception as exc:  # the job page says it failed; the log keeps the cause
            log.exception("export %s failed", job_id)
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now())
    return job_id


def write_export(job: ExportJob) -> None:
    spec = specs().get(job.list_name)
    if spec is None or not spec.allowed(job.user):
        raise PermissionError(f"list {job.list_name} is not available to this user")
    params = QueryDict(job.query)
    queryset, described = spec.filtered(job.user, params)
    total = queryset.count()
    limit = settings.JIXING_EXPORT_MAX_ROWS
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_total=min(total, limit))
    stamp = timezone.localtime()
    file_name = f"{spec.title}-{stamp:%Y%m%d-%H%M}.{job.fmt}"
    path = export_dir() / f"{job.pk}-{secrets.token_hex(8)}.{job.fmt}"
    lines = [
        f"{spec.title}",
        filter_words(spec, list(described), params),
        _("Exported by %(user)s at %(time)s; %(count)s rows%(masking)s") % {
            "user": job.user.get_username(), "time": f"{stamp:%Y-%m-%d %H:%M}", "count": min(total, limit),
            "masking": (_("; personal data unmasked: %(reason)s") % {"reason": job.reason}) if job.unmasked
            else (_("; personal data masked") if spec.has_personal else ""),
        },
    ]
    if total > limit:
        lines.append(_("Only the first %(limit)s of %(total)s rows are included: narrow the filter.")
                     % {"limit": limit, "total": total})
    headers = [str(c.label) for c in spec.columns]
    kinds = [c.kind for c in spec.columns]
    done = 0
    rows = queryset[:limit].iterator(chunk_size=1000)  # prefetches run per chunk
    if job.fmt == ExportFormat.CSV:
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            for line in lines:
                writer.writerow([safe_cell(line)])
            writer.writerow(headers)
            for obj in rows:
                writer.writerow([_csv_value(_cell(c, obj, unmasked=job.unmasked), c.kind) for c in spec.columns])
                done += 1
                if done % PROGRESS_EVERY == 0:
                    ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
    else:
        with XlsxStream(path, sheet_name=str(spec.title)) as out:
            for line in lines:
                out.note(line)
            out.header(headers, widths=[c.width or max(10, len(h) * 2 + 4) for c, h in zip(spec.columns, headers, strict=True)])
            for obj in rows:
                out.typed_row([_cell(c, obj, unmasked=job.unmasked) for c in spec.columns], kinds)
                done += 1
                if done % PROGRESS_EVERY == 0:
                    ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, rows_done=done, path=str(path), file_name=file_name, finished_at=timezone.now())
    events.publish("core.export.ready", obj=job, file=file_name, rows=done)


def purge_old_exports(*, now: dt.datetime | None = None) -> int:
    """Remove export files older than JIXING_EXPORT_KEEP_HOURS (they may hold personal data)."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.JIXING_EXPORT_KEEP_HOURS)
    removed = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).exclude(path=""):
        Path(job.path).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(path="")
        removed += 1
    return removed


__all__ = ["NON_FILTER_PARAMS", "purge_old_exports", "request_export", "run_export", "specs", "write_export"]
