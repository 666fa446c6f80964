"""Backup and restore through the ORM (SECURITY.md D3), the same on SQLite and PostgreSQL.

A backup is JSON lines: a header (format, schema = applied migrations, tables and their
columns in dependency order), one line per row (``{"model": label, "row": [...]}``), and a
manifest with each table's row count and the sha256 of its rows. ``restore`` loads into an
empty, migrated database in one transaction, checks the constraints, dumps the restored
tables again and refuses (rolls back) unless counts and checksums equal the manifest.

Columns are copied as the database holds them: encrypted personal data stays ciphertext
(the keys are not in the backup), password hashes stay hashes. Sessions are not backed up.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.duration import duration_iso_string

from jixing.core.fields import EncryptedTextField

FORMAT = "jixing-backup"
VERSION = 1
SKIPPED = frozenset({"sessions.session"})
# Filled by `migrate` itself: replaced by the backup's rows on restore.
REBUILT_BY_MIGRATE = frozenset({"contenttypes.contenttype", "auth.permission"})
BATCH = 500


class BackupError(Exception):
    pass


@dataclass
class TableSummary:
    count: int = 0
    digest: Any = field(default_factory=hashlib.sha256)

    def add(self, row_json: str) -> None:
        self.count += 1
        self.digest.update(row_json.encode())
        self.digest.update(b"\n")

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "sha256": self.digest.hexdigest()}


def backed_up_models() -> list[type[models.Model]]:
    """Concrete tables in an order where every table comes after those it refers to."""
    candidates = [
        m for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped and m._meta.label_lower not in SKIPPED
    ]
    ordered: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(model: type[models.Model], stack: tuple[type[models.Model], ...]) -> None:
        if model in seen or model in stack:
            return  # cycles (and self-references) are fine: FKs are checked at commit
        for f in model._meta.local_concrete_fields:
            target = f.related_model if f.is_relation else None
            if isinstance(target, type) and target in candidates and target is not model:
                visit(target, (*stack, model))
        seen.add(model)
        ordered.append(model)

    for model in sorted(candidates, key=lambda m: m._meta.label_lower):
        visit(model, ())
    return ordered


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.local_concrete_fields)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot back up a {type(value).__name__}")


def _row_json(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default)


def iter_rows(model: type[models.Model]) -> Iterator[str]:
    """Each row as canonical JSON, in primary-key order, with stored (not decrypted) values."""
    names: list[str] = []
    raw: dict[str, Any] = {}
    for f in _columns(model):
        if isinstance(f, EncryptedTextField):
            alias = f"_backup_raw_{f.attname}"
            raw[alias] = Cast(f.attname, output_field=models.TextField())
            names.append(alias)
        else:
            names.append(f.attname)
    queryset = model._base_manager.annotate(**raw).order_by(model._meta.pk.attname).values_list(*names)
    for values in queryset.iterator(chunk_size=2000):
        yield _row_json(values)


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def summarise_database(model_list: Iterable[type[models.Model]]) -> dict[str, dict[str, Any]]:
    result = {}
    for model in model_list:
        summary = TableSummary()
        for row in iter_rows(model):
            summary.add(row)
        result[model._meta.label_lower] = summary.as_dict()
    return result


def _open(path: Path, mode: str, *, compressed: bool) -> IO[str]:
    if compressed:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write(tmp: Path, model_list: list[type[models.Model]], manifest: dict[str, dict[str, Any]], *, compressed: bool) -> None:
    with transaction.atomic(), _open(tmp, "w", compressed=compressed) as out:  # one consistent snapshot
        tmp.chmod(0o600)  # password hashes, API token hashes, ciphertext: not for everyone
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "migrations": applied_migrations(),
            "tables": [
                {"model": m._meta.label_lower, "columns": [f.attname for f in _columns(m)]} for m in model_list
            ],
        }
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for model in model_list:
            label = model._meta.label_lower
            summary = TableSummary()
            for row in iter_rows(model):
                summary.add(row)
                out.write(f'{{"model":{json.dumps(label)},"row":{row}}}\n')
            manifest[label] = summary.as_dict()
        out.write(json.dumps({"manifest": manifest}, ensure_ascii=False) + "\n")


def backup(path: Path) -> dict[str, Any]:
    model_list = backed_up_models()
    manifest: dict[str, dict[str, Any]] = {}
    tmp = path.with_name(path.name + ".partial")
    try:
        _write(tmp, model_list, manifest, compressed=path.suffix == ".gz")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    checksum = file_sha256(path)
    sidecar = path.with_name(path.name + ".sha256")
    sidecar.write_text(f"{checksum}  {path.name}\n", encoding="utf-8")
    return {
        "file": str(path),
        "sha256": checksum,
        "tables": len(manifest),
        "rows": sum(t["count"] for t in manifest.values()),
        "counts": {label: t["count"] for label, t in manifest.items()},
    }


def _target_not_empty(model_list: Iterable[type[models.Model]]) -> list[str]:
    return [
        f"{m._meta.label_lower} ({m._base_manager.count()})"
        for m in model_list
        if m._meta.label_lower not in REBUILT_BY_MIGRATE and m._base_manager.exists()
    ]


def _insert(model: type[models.Model], rows: list[list[Any]]) -> None:
    fields = _columns(model)
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    params = []
    for values in rows:
        prepared = []
        for f, value in zip(fields, values, strict=True):
            if value is None or isinstance(f, EncryptedTextField):
                prepared.append(value)  # ciphertext goes back exactly as it was stored
            elif isinstance(f, models.JSONField):
                prepared.append(f.get_db_prep_save(value, connection))
            else:
                prepared.append(f.get_db_prep_save(f.to_python(value), connection))
        params.append(prepared)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _read_header(lines: Iterator[str]) -> dict[str, Any]:
    try:
        header = json.loads(next(lines))
    except (StopIteration, json.JSONDecodeError) as exc:
        raise BackupError("not a jixing backup (no header)") from exc
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BackupError("not a jixing backup of a known version")
    return header


def restore(path: Path) -> dict[str, Any]:
    sidecar = path.with_name(path.name + ".sha256")
    if sidecar.exists() and sidecar.read_text(encoding="utf-8").split()[0] != file_sha256(path):
        raise BackupError(f"{path.name} does not match its .sha256 file")
    by_label = {m._meta.label_lower: m for m in backed_up_models()}
    with _open(path, "r", compressed=path.suffix == ".gz") as handle:
        lines = iter(handle)
        header = _read_header(lines)
        if header["migrations"] != applied_migrations():
            raise BackupError("the database schema (applied migrations) differs from the backup's; migrate to the same version first")
        tables = []
        for table in header["tables"]:
            model = by_label.get(table["model"])
            if model is None or [f.attname for f in _columns(model)] != table["columns"]:
                raise BackupError(f"table {table['model']} differs from the backup's")
            tables.append(model)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Tables refer to each other in cycles (users ↔ organisations): check at the end.
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            busy = _target_not_empty(tables)
            if busy:
                raise BackupError("restore needs an empty database; these tables have rows: " + ", ".join(busy))
            Permission.objects.all().delete()
            ContentType.objects.all().delete()
            seen: dict[str, TableSummary] = {}
            manifest = None
            pending: list[list[Any]] = []
            pending_model: type[models.Model] | None = None
            for line in lines:
                item = json.loads(line)
                if "manifest" in item:
                    manifest = item["manifest"]
                    break
                model = by_label[item["model"]]
                seen.setdefault(item["model"], TableSummary()).add(_row_json(item["row"]))
                if model is not pending_model or len(pending) >= BATCH:
                    if pending_model is not None and pending:
                        _insert(pending_model, pending)
                    pending, pending_model = [], model
                pending.append(item["row"])
            if pending_model is not None and pending:
                _insert(pending_model, pending)
            if manifest is None:
                raise BackupError("the backup is truncated (no manifest)")
            file_summary = {label: s.as_dict() for label, s in seen.items()}
            expected = {label: t for label, t in manifest.items() if t["count"]}
            if file_summary != expected:
                raise BackupError("the backup's rows do not match its manifest (damaged file)")
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), tables):
                    cursor.execute(statement)
            connection.check_constraints(table_names=[m._meta.db_table for m in tables])
            restored = summarise_database(tables)
            if restored != manifest:
                wrong = sorted(label for label in manifest if restored.get(label) != manifest[label])
                raise BackupError("restored tables differ from the backup: " + ", ".join(wrong))
    ContentType.objects.clear_cache()
    return {
        "file": str(path),
        "tables": len(manifest),
        "rows": sum(t["count"] for t in manifest.values()),
        "counts": {label: t["count"] for label, t in manifest.items()},
        "verified": True,
    }
