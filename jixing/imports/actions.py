"""Writes of the imports app: receive a file, validate it (preview), commit it, cancel it.

Pages and API call ``receive_upload`` then ``validate_job`` / ``commit_job`` (through the tasks
for the pages, directly for the API); commands call ``import_path``. Upload files live under
settings.JIXING_UPLOAD_DIR only while their job may still need them (SECURITY.md D4), and
encrypted (AES-256-GCM, the personal-data key): they carry ID numbers. A plaintext copy exists
only while a check or commit reads it, and is deleted right after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core import audit, events, workflow
from jixing.core.crypto import decrypt_stream, encrypt_stream
from jixing.core.excel import XlsxStream
from jixing.core.models import AuditOutcome

from .models import ImportJob, ImportRejectedRow, ImportStage, ImportStatus
from .pipeline import FileRejected, Importer, ImportResult, RowError, get_importer, preflight, run_import
from .readers import ID_LIKE_KEYS, UploadInfo, inspect_upload

if TYPE_CHECKING:
    from jixing.accounts.models import User

log = logging.getLogger(__name__)

_REJECTED_BATCH = 1_000
ERROR_COLUMNS = ("错误字段", "错误原因")
_ERROR_FILE_PREFIX = "errors-"  # fixed headers of the error file (the file format)
_WORK_FILE_PREFIX = "work-"  # plaintext copies, only while a check or commit reads them
_UPLOAD_PURPOSE = "imports.upload"
_ENCRYPTED_SUFFIX = ".enc"


def upload_dir() -> Path:
    path = Path(settings.JIXING_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_stored_rejected_rows() -> int:
    return int(getattr(settings, "JIXING_IMPORT_MAX_STORED_ERRORS", 100_000))


def sha256_of(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def _scope_fields(user: User | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"region_id": user.region_id, "organisation_id": user.organisation_id}


def _reject_upload(kind: str, name: str, message: str, *, by: User | None) -> None:
    audit.record("import.rejected", actor=by, object_type="imports.importjob", outcome=AuditOutcome.FAILED,
                 detail={"kind": kind, "file_name": name[:200], "reason": message})


def receive_upload(kind: str, source: IO[bytes], *, file_name: str, size: int, by: User | None) -> ImportJob:
    """Store an uploaded file, run the file-level checks, create its job (status uploaded).

    Raises ``FileRejected`` (nothing kept) for any F1 problem.
    """
    get_importer(kind)
    name = os.path.basename(file_name)[:255] or "upload"
    if size > settings.JIXING_IMPORT_MAX_BYTES:
        message = _("The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {
            "size": f"{size / 1024 / 1024:.1f}", "limit": f"{settings.JIXING_IMPORT_MAX_BYTES / 1024 / 1024:.1f}"}
        _reject_upload(kind, name, message, by=by)
        raise FileRejected(message)
    stem = uuid.uuid4().hex
    plain = upload_dir() / f"{_WORK_FILE_PREFIX}{stem}{Path(name).suffix.lower()[:8]}"
    target = upload_dir() / f"{stem}{_ENCRYPTED_SUFFIX}"
    digest = hashlib.sha256()
    written = 0
    try:
        with _private_file(plain) as out:
            while block := source.read(1024 * 1024):
                written += len(block)
                if written > settings.JIXING_IMPORT_MAX_BYTES:
                    raise FileRejected(_("The file is too large; the limit is %(limit)s MB.")
                                       % {"limit": f"{settings.JIXING_IMPORT_MAX_BYTES / 1024 / 1024:.1f}"})
                digest.update(block)
                out.write(block)
        info = inspect_upload(plain, name)
        preflight(get_importer(kind), plain, info)
        with open(plain, "rb") as source_plain, _private_file(target) as sealed:
            encrypt_stream(source_plain, sealed, purpose=_UPLOAD_PURPOSE)
    except FileRejected as exc:
        target.unlink(missing_ok=True)
        _reject_upload(kind, name, exc.message, by=by)
        raise
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        plain.unlink(missing_ok=True)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind, file_name=name, sha256=digest.hexdigest(), size=written, created_by=by,
            upload_path=target.name, rows_total=info.rows_estimate, **_scope_fields(by),
        )
        audit.record("import.uploaded", actor=by, obj=job,
                     after={"kind": kind, "file_name": name, "sha256": job.sha256, "size": written})
    return job


def _private_file(path: Path) -> IO[bytes]:
    """A new file only the service account can read (0600)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def job_file(job: ImportJob) -> Path | None:
    """The stored (encrypted) upload of ``job``."""
    return (upload_dir() / job.upload_path) if job.upload_path else None


@contextmanager
def plaintext_upload(job: ImportJob) -> Iterator[Path | None]:
    """A decrypted copy of the job's upload for the duration of the block (None if gone)."""
    stored = job_file(job)
    if stored is None or not stored.exists():
        yield None
        return
    work = upload_dir() / f"{_WORK_FILE_PREFIX}{uuid.uuid4().hex}{Path(job.file_name).suffix.lower()[:8]}"
    try:
        with open(stored, "rb") as source, _private_file(work) as out:
            if stored.suffix == _ENCRYPTED_SUFFIX:
                decrypt_stream(source, out, purpose=_UPLOAD_PURPOSE)
            else:  # stored before uploads were encrypted
                shutil.copyfileobj(source, out)
        yield work
    finally:
        work.unlink(missing_ok=True)


def discard_upload(job: ImportJob) -> None:
    """D4: the uploaded file goes as soon as the job cannot need it any more."""
    path = job_file(job)
    if path is not None:
        path.unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(upload_path="")
        job.upload_path = ""


def previous_commit(job: ImportJob) -> ImportJob | None:
    """The last committed job of the same kind with the same file contents (F2 hint)."""
    return (ImportJob.objects.filter(kind=job.kind, sha256=job.sha256, status=ImportStatus.COMMITTED)
            .exclude(pk=job.pk).order_by("-finished_at").first())


# ------------------------------------------------------------------ running a job


class _RejectedSink:
    """Stores rejected rows of a job in batches (cells encrypted), up to a cap."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.cap = max_stored_rejected_rows()
        self.stored = 0
        self.buffer: list[ImportRejectedRow] = []

    def __call__(self, row: int, cells: list[str], errors: list[RowError]) -> None:
        if self.stored >= self.cap:
            return
        self.stored += 1
        self.buffer.append(ImportRejectedRow(
            job=self.job, row=row, cells=json.dumps(cells, ensure_ascii=False),
            errors=[{"field": e.field, "reason": e.reason} for e in errors],
        ))
        if len(self.buffer) >= _REJECTED_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            ImportRejectedRow.objects.bulk_create(self.buffer)
            self.buffer = []


class _Progress:
    """Progress fields, visible to the polling page even while the commit transaction is open.

    On PostgreSQL a second connection writes them (autocommit), since rows written inside the
    import's transaction stay invisible until it ends. Elsewhere the main connection does.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.side: BaseDatabaseWrapper | None = None

    def __call__(self, done: int, total: int) -> None:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            if self.side is None:
                self.side = connections.create_connection("default")
            with self.side.cursor() as cursor:
                cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s WHERE id = %s",
                               [done, total, self.job_id])
        else:
            ImportJob.objects.filter(pk=self.job_id).update(rows_done=done, rows_total=total)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _store_result(job: ImportJob, result: ImportResult) -> None:
    job.rows_total = result.rows_total
    job.rows_done = result.rows_total
    job.valid_rows = result.valid_rows
    job.rejected_rows = result.rejected_rows
    job.created_count = result.counts.created
    job.updated_count = result.counts.updated
    job.unchanged_count = result.counts.unchanged
    job.headers = result.headers
    job.preview = result.preview
    job.extra = result.extra
    job.seconds = result.seconds
    job.stage = ImportStage.IDLE
    job.save()


def _fail(job: ImportJob, message: str, *, by: User | None) -> None:
    job.refresh_from_db()
    job.message = message
    job.stage = ImportStage.IDLE
    job.finished_at = timezone.now()
    job.save(update_fields=["message", "stage", "finished_at", "updated_at"])
    if (job.status, ImportStatus.FAILED) in ImportJob.TRANSITIONS:
        workflow.move(job, ImportStatus.FAILED, by=by, reason=message[:500], event="import.failed")
        events.publish("imports.job.failed", obj=job, actor=None, file=job.file_name, reason=message[:200])


def _importer_for(job: ImportJob, by: User | None) -> Importer[Any]:
    return get_importer(job.kind)(user=by if by is not None else job.created_by)


def _run(job: ImportJob, path: Path, info: UploadInfo, *, dry_run: bool, by: User | None,
         chunk_size: int | None = None) -> ImportResult:
    """One pass over the file for ``job``: validate (dry run) or validate + commit."""
    importer = _importer_for(job, by)
    ImportJob.objects.filter(pk=job.pk).update(
        stage=ImportStage.VALIDATING if dry_run else ImportStage.COMMITTING, rows_done=0, message="")
    progress = _Progress(job)
    sink = _RejectedSink(job)
    try:
        with transaction.atomic():
            job.rejected.all().delete()
        if dry_run:
            result = run_import(importer, path, info, dry_run=True, by=by, on_progress=progress,
                                on_rejected=sink, keep_errors=0, chunk_size=chunk_size)
            sink.flush()
            _store_result(job, result)
            workflow.move(job, ImportStatus.VALIDATED, by=by, event="import.validated")
        else:
            with transaction.atomic(), events.batch(job.file_name):
                result = run_import(importer, path, info, dry_run=False, by=by, on_progress=progress,
                                    on_rejected=sink, keep_errors=0, chunk_size=chunk_size)
                progress.close()
                sink.flush()
                job.finished_at = timezone.now()
                _store_result(job, result)
                workflow.move(job, ImportStatus.COMMITTED, by=by, event="import.committed",
                              reason=_("%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                                       "%(rejected)d rows rejected.")
                              % {"created": result.counts.created, "updated": result.counts.updated,
                                 "unchanged": result.counts.unchanged, "rejected": result.rejected_rows})
            events.publish("imports.job.finished", obj=job, actor=None, file=job.file_name, rejected=result.rejected_rows,
                           rows=result.counts.created + result.counts.updated + result.counts.unchanged)
    finally:
        progress.close()
    return result


def validate_job(job: ImportJob, *, by: User | None) -> ImportResult | None:
    """Check every row without writing domain data; the job keeps the preview and errors."""
    try:
        with _running(job) as mine, plaintext_upload(job) as path:
            if not mine:
                return None  # another worker runs this job
            if path is None:
                _fail(job, _("The uploaded file is no longer available; upload it again."), by=by)
                return None
            info = inspect_upload(path, job.file_name)
            return _run(job, path, info, dry_run=True, by=by)
    except FileRejected as exc:
        _fail(job, exc.message, by=by)
        discard_upload(job)
        return None
    except Exception:
        log.exception("import job %s failed while validating", job.pk)
        _fail(job, _("The file could not be processed because of an internal error; nothing was imported."), by=by)
        discard_upload(job)
        return None


def commit_job(job: ImportJob, *, by: User | None) -> ImportResult | None:
    """Validate again (data may have changed since the preview) and write every valid row in
    one transaction; the upload is deleted whatever happens."""
    try:
        with _running(job) as mine, plaintext_upload(job) as path:
            if not mine:
                return None  # another worker runs this job: it alone may write and discard the file
            job.refresh_from_db()
            if job.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED) or path is None:
                if job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATED):
                    _fail(job, _("The uploaded file is no longer available; upload it again."), by=by)
                return None
            if sha256_of(path) != job.sha256:
                _fail(job, _("The stored file changed after upload; nothing was imported."), by=by)
                return None
            info = inspect_upload(path, job.file_name)
            return _run(job, path, info, dry_run=False, by=by)
    except FileRejected as exc:
        _fail(job, exc.message, by=by)
        return None
    except Exception:
        log.exception("import job %s failed while committing", job.pk)
        _fail(job, _("The file could not be processed because of an internal error; nothing was imported."), by=by)
        return None
    finally:
        job.refresh_from_db(fields=["stage", "status"])
        if not (job.stage and job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATED)):
            discard_upload(job)  # not while another worker still runs it


def claim_for_commit(job: ImportJob) -> bool:
    """Mark a checked job as being committed; False if it is not committable or already claimed
    (a double click must not start two commits)."""
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.VALIDATED, stage=ImportStage.IDLE, valid_rows__gt=0
    ).update(stage=ImportStage.COMMITTING, rows_done=0, updated_at=timezone.now())
    if claimed:
        job.stage = ImportStage.COMMITTING
    return bool(claimed)


def cancel_job(job: ImportJob, *, by: User | None) -> None:
    workflow.move(job, ImportStatus.CANCELLED, by=by, event="import.cancelled")
    job.finished_at = timezone.now()
    job.save(update_fields=["finished_at", "updated_at"])
    discard_upload(job)


def import_path(kind: str, path: str | os.PathLike[str], *, by: User | None, dry_run: bool,
                chunk_size: int | None = None) -> tuple[ImportResult, ImportJob | None]:
    """The command path: the file stays where it is; a dry run writes nothing at all (no job)."""
    path = Path(path)
    importer_cls = get_importer(kind)
    info = inspect_upload(path, path.name)  # FileRejected propagates (exit code 2)
    preflight(importer_cls, path, info)
    if dry_run:
        return run_import(importer_cls(user=by), path, info, dry_run=True, by=by, chunk_size=chunk_size), None
    with transaction.atomic():
        job = ImportJob.objects.create(kind=kind, file_name=path.name[:255], sha256=sha256_of(path),
                                       size=info.size, created_by=by, rows_total=info.rows_estimate,
                                       **_scope_fields(by))
        audit.record("import.uploaded", actor=by, obj=job, actor_label="" if by else "manage.py",
                     after={"kind": kind, "file_name": job.file_name, "sha256": job.sha256, "size": info.size})
    try:
        importer = importer_cls(user=by)
        with transaction.atomic():
            sink = _RejectedSink(job)
            result = run_import(importer, path, info, dry_run=False, by=by, on_rejected=sink, chunk_size=chunk_size)
            sink.flush()
            job.finished_at = timezone.now()
            _store_result(job, result)
            workflow.move(job, ImportStatus.COMMITTED, by=by, event="import.committed")
    except FileRejected as exc:
        _fail(job, exc.message, by=by)
        raise
    return result, job


# ------------------------------------------------------------------ the error file


def error_file(job: ImportJob, *, by: User | None) -> IO[bytes]:
    """The rejected rows as .xlsx: original columns + 错误字段 + 错误原因, formulas escaped (E4).

    Returns an open file whose directory entry is already removed (nothing left on disk, D4);
    the caller closes it (FileResponse does).
    """
    fd, name = tempfile.mkstemp(prefix=_ERROR_FILE_PREFIX, suffix=".xlsx", dir=upload_dir())
    os.close(fd)
    try:
        with XlsxStream(name, sheet_name="错误行") as out:
            headers = list(job.headers) or [_("row")]
            out.header([*headers, *ERROR_COLUMNS])
            for rejected in job.rejected.order_by("row").iterator(chunk_size=2000):
                cells = rejected.cell_list()
                cells = (cells + [""] * len(headers))[: len(headers)]
                out.row([*cells, "；".join(e["field"] for e in rejected.errors if e["field"]),
                         "；".join(e["reason"] for e in rejected.errors)])
        fh = open(name, "rb")  # noqa: SIM115 - handed to the caller
    finally:
        Path(name).unlink(missing_ok=True)
    audit.record("import.error_file", actor=by, obj=job, detail={"rows": job.rejected_rows})
    return fh


# How to fill a column in, for the 填写说明 sheet, when the importer's column does not say.
FORMAT_HINTS = {
    "id_number": "文本格式；18 位公民身份号码，末位可为 X。请勿存成数字（Excel 会把 18 位数字变成 3.70102E+17 并丢掉后几位）",
    "phone": "文本格式；11 位手机号码",
    "employer_uscc": "文本格式；18 位统一社会信用代码",
    "household_region": "6 位县级行政区划代码",
    "current_region": "6 位县级行政区划代码",
    "month": "年-月，如 2025-03",
    "check_in": "年-月-日 时:分[:秒]，北京时间",
    "check_out": "年-月-日 时:分[:秒]，北京时间",
    "base": "数字，单位元",
    "theory": "数字，0–100",
    "practical": "数字，0–100",
    "comprehensive": "数字，0–100",
    "longitude": "数字，小数点后 6 位",
    "latitude": "数字，小数点后 6 位",
}
TEMPLATE_ROWS = 5000  # rows pre-formatted as text and given drop-downs


def template_file(kind: str) -> IO[bytes]:
    """The kind's template workbook: the header row (ID and phone columns formatted as text for
    the rows below, drop-downs for enumerations) and a 填写说明 sheet listing each column's
    format, an example and whether it is required. Examples stay out of the data sheet: a
    forgotten example row would be imported."""
    import xlsxwriter

    importer = get_importer(kind)
    fh = io.BytesIO()
    book = xlsxwriter.Workbook(fh, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                    "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FDECEC", "border": 1, "font_color": "#B42318"})
    text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    data = book.add_worksheet(str(importer.title)[:31])
    lists = None
    for col, column in enumerate(importer.columns):
        data.write_string(0, col, column.header, required if column.required else bold)
        is_text = column.key in ID_LIKE_KEYS
        data.set_column(col, col, 22 if is_text else max(12, len(column.header) * 2 + 4), text if is_text else None)
        values = list(column.choices()) if column.choices else []
        if values:
            source: str | list[str]
            if len("，".join(values)) < 250:
                source = values
            else:
                lists = lists or book.add_worksheet("可选值")
                for r, value in enumerate(values):
                    lists.write_string(r, col, value)
                letter = xlsxwriter.utility.xl_col_to_name(col)
                source = f"='可选值'!${letter}$1:${letter}${len(values)}"
            data.data_validation(1, col, TEMPLATE_ROWS, col, {
                "validate": "list", "source": source, "ignore_blank": True,
                "error_type": "information" if column.several else "stop",
                "input_title": column.header[:32],
                "input_message": ("可多选，用“；”分隔" if column.several else "请从下拉列表选择")[:255],
                "error_message": ("不在下拉列表中，请确认名称正确" if column.several else "请从下拉列表选择")[:255],
            })
    data.freeze_panes(1, 0)
    guide = book.add_worksheet("填写说明")
    guide.set_column(0, 0, 20)
    guide.set_column(1, 1, 10)
    guide.set_column(2, 2, 60, wrap)
    guide.set_column(3, 4, 36, wrap)
    guide.write_string(0, 0, f"{importer.title}导入模板：在第一张表的第 2 行起逐行填写，不要改动表头。红色表头为必填列。", bold)
    for col, label in enumerate(("列名", "是否必填", "格式", "示例", "可选值")):
        guide.write_string(2, col, label, bold)
    for row, column in enumerate(importer.columns, start=3):
        guide.write_string(row, 0, column.header)
        guide.write_string(row, 1, "必填" if column.required else "选填")
        guide.write_string(row, 2, column.fmt or FORMAT_HINTS.get(column.key, "文本"))
        guide.write_string(row, 3, column.example)
        values = list(column.choices()) if column.choices else []
        guide.write_string(row, 4, "；".join(values))
    if lists is not None:
        lists.hide()
    book.close()
    fh.seek(0)
    return fh


# ------------------------------------------------------------------ interrupted jobs

_RUN_LOCK = 0x6A78  # advisory-lock namespace (PostgreSQL): the import job a live worker runs


@contextmanager
def _running(job: ImportJob) -> Iterator[bool]:
    """Whether this process may run ``job``: on PostgreSQL, a session advisory lock on the job
    held while it runs. It dies with the worker's connection, so a worker killed mid-run (SIGKILL,
    OOM, machine restart) leaves a job the recovery sweep can tell from a running one, and two
    workers never run one job at once. Elsewhere (SQLite: one process) always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_RUN_LOCK, job.pk])
        mine = bool(cursor.fetchone()[0])
    try:
        yield mine
    finally:
        if mine:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_RUN_LOCK, job.pk])
            except Exception:  # the connection is gone, and the lock with it
                log.warning("import job %s: could not release its run lock", job.pk)


def _waiting_in_queue(job: ImportJob) -> bool:
    """A task for the job still waits in the database queue (not yet picked by a worker)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return True  # another queue: we cannot tell; only the 3-hour rule below applies
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path__startswith="jixing.imports.tasks.", args_kwargs__args__0=job.pk,
    ).exists()


def recover_interrupted_imports(*, grace_minutes: int = 2) -> int:
    """Fail cleanly the jobs whose worker died mid-run: stage still "checking"/"writing", no live
    worker holding the job's run lock, no task for it waiting in the queue. The commit ran in one
    transaction, which died with the worker: nothing of it was written. The job says so, and its
    upload is deleted (D4); the user uploads the file again. Returns the number failed."""
    if connection.vendor != "postgresql":
        return 0  # SQLite runs one process: nothing to tell apart
    now = timezone.now()
    count = 0
    for job in ImportJob.objects.active().exclude(stage=ImportStage.IDLE).filter(
            updated_at__lt=now - dt.timedelta(minutes=grace_minutes)).order_by("pk"):
        if _waiting_in_queue(job) and job.updated_at > now - dt.timedelta(hours=3):
            continue
        with _running(job) as free:
            if not free:
                continue  # a live worker runs it
            job.refresh_from_db()
            if not job.stage or job.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED):
                continue
            _fail(job, _("The import was interrupted (its worker stopped) before it finished; nothing was "
                         "imported. Upload the file again."), by=None)
            discard_upload(job)
            count += 1
    return count


def purge_stale_uploads(*, older_than_hours: int = 24) -> int:
    """Cancel jobs left waiting and delete their files (D4); returns the number cancelled."""
    cutoff = timezone.now() - dt.timedelta(hours=older_than_hours)
    count = 0
    for job in ImportJob.objects.active().filter(updated_at__lt=cutoff, stage=ImportStage.IDLE):
        cancel_job(job, by=None)
        count += 1
    # Error files and plaintext work copies are unlinked as soon as they are used; only a crash
    # can leave one behind. They go after three hours (longer than any commit) whatever the job cutoff.
    work_cutoff = max(cutoff, timezone.now() - dt.timedelta(hours=3))
    for prefix in (_ERROR_FILE_PREFIX, _WORK_FILE_PREFIX):
        for leftover in upload_dir().glob(f"{prefix}*"):
            if dt.datetime.fromtimestamp(leftover.stat().st_mtime, tz=dt.UTC) < work_cutoff:
                leftover.unlink(missing_ok=True)
    return count


# ---------------------------------------------------------------- starting the background work
# Pages and the API call these rather than enqueueing themselves (STYLE.md habit 16). Both task
# backends enqueue on commit (the database backend writes its queue row in this transaction;
# core.tasks_rq defers the Redis push to on_commit), so a worker never sees a job before it commits.


def receive_and_check(kind: str, source: IO[bytes], *, file_name: str, size: int, by: User, language: str) -> ImportJob:
    """Receive an upload (``FileRejected`` as ``receive_upload``) and queue the check of its rows."""
    from .tasks import validate_import  # tasks import this module

    job = receive_upload(kind, source, file_name=file_name, size=size, by=by)
    validate_import.enqueue(job.pk, by.pk, language)
    return job


def start_commit(job: ImportJob, *, by: User, language: str) -> bool:
    """Claim a checked job for its commit and queue it; False when it cannot be committed now."""
    from .tasks import commit_import  # tasks import this module

    if not claim_for_commit(job):
        return False
    commit_import.enqueue(job.pk, by.pk, language)
    return True
