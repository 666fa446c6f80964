"""The one import pipeline: file → rows → validate all (in chunks) → preview → commit → error file.

Every bulk import of jixing (persons, rosters, attendance, evaluation results, social
insurance …) is an ``Importer`` registered under a kind. The pipeline does the rest: the
upload checks of SECURITY.md F1 (``readers.inspect_upload``), header matching, chunked
validation with flat memory, the dry run, the atomic commit, the rejected-rows file, the
ImportJob with progress, the upload/preview/commit pages, the API and the ``--json`` command.

Writing an importer (the whole public interface)::

    # jixing/<app>/importers.py — imported automatically by the registry
    from jixing.imports import reasons
    from jixing.imports.pipeline import Column, Counts, Importer, Row, RowError, copy_upsert, register

    @register
    class ScoreImporter(Importer[tuple[int, int]]):
        kind = "scores"                                    # URL, API and command name
        title = gettext_lazy("evaluation scores")
        roles = frozenset({Role.EVALUATOR})                # who may use its page and API
        columns = (Column("candidate", "准考证号"), Column("score", "成绩"),
                   Column("note", "备注", required=False))   # Chinese header or English key

        def validate_chunk(self, rows: list[Row]) -> tuple[list[tuple[int, int]], list[RowError]]:
            items, errors = [], []
            for row in rows:                               # row["score"]: stripped text; row.number
                if not row["score"].isdigit():
                    errors.append(self.error(row, "score", gettext("成绩必须是整数。")))
                    continue
                items.append((int(row["candidate"]), int(row["score"])))
            return items, errors

        def commit(self, items: list[tuple[int, int]], *, by: User | None) -> Counts:
            return copy_upsert(Result, items, columns=["candidate_id", "score"], conflict=["candidate_id"])

    # jixing/<app>/management/commands/import_scores.py
    class Command(ImportCommand):                          # from jixing.imports.commands
        kind = "scores"

Rules an importer follows:
- ``validate_chunk`` gets up to ``chunk_size`` rows that are not blank (``Row``: ``dict[key, str]``,
  stripped, every declared key present, ``.number`` = the spreadsheet row with header = row 1,
  ``.cells`` = the raw cells) and returns the valid items plus one ``RowError(row, field,
  reason)`` per problem. ``self.error(row, key, reason)`` fills in the column header; reasons
  are in the user's language (``jixing.imports.reasons`` has the common ones) and never echo a
  full ID number. A row with any error is rejected; its items must not be returned. The SAME
  importer instance sees every chunk, so cross-row checks (duplicates in the file) keep state
  on ``self``; results must not depend on the chunk size (test it with hypothesis).
  ``self.user`` is the acting user (None = a command without ``--user``) for scope checks.
  It reads the database but never writes.
- ``commit(items, *, by)`` writes the valid items of one chunk and returns ``Counts``; the
  pipeline calls it inside ONE transaction for the whole file (all valid rows or none), and
  never on a dry run or preview. Upsert on natural keys so the same file twice creates
  nothing (F2); record one ``audit.record`` per chunk. ``copy_upsert`` (PostgreSQL COPY into a
  temp table + INSERT … ON CONFLICT; bulk ORM fallback elsewhere) is there for big files.
- Optional: ``predict(items) -> Counts`` (dry-run counts; default: all created — upserting
  importers classify rows as CREATE / UPDATE / UNCHANGED during validation),
  ``preview_row(item) -> dict[key, str]`` (MASKED display of a valid row) with
  ``preview_labels`` ((key, label) pairs; ``ROW_LABEL``, ``ACTION_LABEL``, ``ACTION_LABELS``
  exist), ``summary_extra() -> dict`` (extra keys of the JSON summary), ``chunk_size``
  (default 5,000; 10,000–50,000 for vectorised importers).

What the pipeline gives every kind: ``/imports/new/<kind>/`` (upload), ``/imports/jobs/<id>/``
(progress via htmx, preview, all row errors, commit/cancel), ``/imports/jobs/<id>/errors.xlsx``,
``/imports/template/<kind>.xlsx``, ``POST /api/v1/imports/<kind>`` and
``GET /api/v1/imports/jobs/<id>``, and the ``ImportCommand`` base (``--json``, ``--dry-run``,
``--user``; exit code 2 on file-level errors). Entry points for code: ``run_import(importer,
path, info, dry_run=…)`` after ``inspect_upload`` + ``preflight`` (tests, benches);
``jixing.imports.actions`` for jobs. Big files: CSV streams in constant memory; .xlsx sheets
are loaded whole by calamine (fast, but in memory), so million-row files should be CSV.
"""

from __future__ import annotations

import gc
import itertools
import json
import operator
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, models, transaction
from django.db.models import F, Lookup
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .readers import (
    ID_LIKE_KEYS,
    XLSX,
    CellRefused,
    FileRejected,
    RowStream,
    UploadInfo,
    inspect_upload,
    repair_id_text,
)

if TYPE_CHECKING:
    from jixing.accounts.models import User

T = TypeVar("T")

DEFAULT_CHUNK_SIZE = 5_000
PREVIEW_ROWS = 20
MAX_REPAIR_NOTES = 200  # repaired cells listed on the job page (the rest are counted by their rows)
HEADER_SEARCH_ROWS = 10  # government templates often put a title line above the headers

__all__ = [
    "ACTION_LABEL", "ACTION_LABELS", "CREATE", "ROW_LABEL", "UNCHANGED", "UPDATE",
    "Column", "Counts", "FileRejected", "ImportResult", "Importer", "Row", "RowError",
    "any_of", "copy_insert", "copy_rows", "copy_update", "copy_update_rows", "copy_upsert", "get_importer", "importer_kinds", "inspect_upload", "preflight", "register", "run_import",
]


# ------------------------------------------------------------------ data shapes


@dataclass(frozen=True)
class Column:
    key: str  # English key, also accepted as a header
    header: str  # the Chinese header of the official template (the file format, not UI text)
    required: bool = True
    example: str = ""  # shown on the upload page (never in the template: it would get imported)
    fmt: str = ""  # how to fill it in, for the template's 填写说明 sheet (a default by key otherwise)
    # Allowed values for a drop-down in the template (called when the template is built).
    choices: Callable[[], Sequence[str]] | None = None
    several: bool = False  # several values separated by "；" (the drop-down only suggests)


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (header = 1)
    field: str  # column header as in the file ("" for the whole row)
    reason: str  # in the user's language

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


class Row(dict[str, str]):
    """One data row: column key → stripped cell text; ``number`` is the spreadsheet row."""

    __slots__ = ("number", "cells")

    def __init__(self, number: int, values: dict[str, str] | Iterable[tuple[str, str]],
                 cells: list[str] | None = None) -> None:
        super().__init__(values)
        self.number = number
        self.cells = cells if cells is not None else []


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    counts: Counts = field(default_factory=Counts)
    valid_rows: int = 0
    rejected_rows: int = 0
    rows_total: int = 0
    errors: list[RowError] = field(default_factory=list)  # all, unless keep_errors capped them
    preview: list[dict[str, str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The one-line JSON shape every import answers with (command, API, job)."""
        return {
            "created": self.counts.created,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "rejected": [e.as_dict() for e in self.errors],
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
            "valid_rows": self.valid_rows,
            "rejected_rows": self.rejected_rows,
            **self.extra,
        }


# ------------------------------------------------------------------ importers

# Upserting importers classify each valid row; the preview shows the label.
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {CREATE: pgettext_lazy("import preview", "new"), UPDATE: pgettext_lazy("import preview", "update"),
                 UNCHANGED: pgettext_lazy("import preview", "unchanged")}
ROW_LABEL = pgettext_lazy("import preview", "row")
ACTION_LABEL = pgettext_lazy("import preview", "action")



class Importer(Generic[T]):
    """Base class; see the module docstring for the contract."""

    kind: ClassVar[str]
    title: ClassVar[str | Promise]
    columns: ClassVar[tuple[Column, ...]]
    roles: ClassVar[frozenset[str]]
    chunk_size: ClassVar[int] = DEFAULT_CHUNK_SIZE
    # (key, label) of the preview table; default: the columns with their headers
    preview_labels: ClassVar[tuple[tuple[str, str | Promise], ...]] = ()

    def __init__(self, *, user: User | None = None) -> None:
        self.user = user
        self._headers = {c.key: c.header for c in self.columns}

    # -- to implement
    def validate_chunk(self, rows: list[Row]) -> tuple[list[T], list[RowError]]:
        raise NotImplementedError

    def commit(self, items: list[T], *, by: User | None) -> Counts:
        raise NotImplementedError

    # -- optional
    def predict(self, items: list[T]) -> Counts:
        return Counts(created=len(items))

    def preview_row(self, item: T) -> dict[str, str]:
        if isinstance(item, dict):
            return {k: str(v) for k, v in item.items()}
        return {"value": str(item)}

    def summary_extra(self) -> dict[str, Any]:
        return {}

    # -- helpers
    def error(self, row: Row | int, key: str, reason: str) -> RowError:
        number = row if isinstance(row, int) else row.number
        return RowError(number, self._headers.get(key, key), reason)

    @classmethod
    def template_headers(cls) -> list[str]:
        return [c.header for c in cls.columns]

    @classmethod
    def preview_headers(cls) -> list[tuple[str, str | Promise]]:
        return list(cls.preview_labels) or [(c.key, c.header) for c in cls.columns]


_REGISTRY: dict[str, type[Importer[Any]]] = {}


def register(importer: type[Importer[Any]]) -> type[Importer[Any]]:
    """Register an importer class under its ``kind`` (usable as a class decorator)."""
    existing = _REGISTRY.get(importer.kind)
    if existing is not None and existing.__qualname__ != importer.__qualname__:
        raise ValueError(f"Import kind {importer.kind!r} is already registered by {existing.__qualname__}.")
    _REGISTRY[importer.kind] = importer
    return importer


def get_importer(kind: str) -> type[Importer[Any]]:
    """The importer class for ``kind``; KeyError if unknown."""
    _load_importer_modules()
    return _REGISTRY[kind]


def importer_kinds() -> dict[str, type[Importer[Any]]]:
    _load_importer_modules()
    return dict(sorted(_REGISTRY.items()))


def _load_importer_modules() -> None:
    """Import ``<app>.importers`` of every jixing app once, so their ``register`` calls run."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("jixing."):
            try:
                import_module(f"{config.name}.importers")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.importers":
                    raise


# ------------------------------------------------------------------ headers


def _norm(text: str) -> str:
    return "".join(text.split()).strip("*＊").lower()


def match_headers(cells: list[str], columns: Sequence[Column]) -> dict[int, str]:
    """Map cell index → column key, by Chinese header or English key (spaces and * ignored)."""
    lookup: dict[str, str] = {}
    for c in columns:
        lookup[_norm(c.header)] = c.key
        lookup[_norm(c.key)] = c.key
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = lookup.get(_norm(cell))
        if key is not None and key not in found.values():
            found[index] = key
    return found


def _find_header(rows: Iterator[tuple[int, list[str]]], columns: Sequence[Column]) -> tuple[int, list[str], dict[int, str]]:
    best: tuple[int, list[str], dict[int, str]] | None = None
    for number, raw in itertools.islice(rows, HEADER_SEARCH_ROWS):
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue
        mapping = match_headers(cells, columns)
        if mapping:
            best = (number, cells, mapping)
            break
        if best is None:
            best = (number, cells, {})
    if best is None:
        raise FileRejected(_("The file is empty."))
    number, cells, mapping = best
    missing = [c.header for c in columns if c.required and c.key not in mapping.values()]
    if missing:
        raise FileRejected(_("Required columns are missing: %(columns)s. Download the template to see the "
                             "expected headers.") % {"columns": "、".join(missing)})
    return number, cells, mapping


# ------------------------------------------------------------------ the run


def preflight(importer: type[Importer[Any]], path: str | os.PathLike[str], info: UploadInfo) -> None:
    """File-level checks that need the importer's columns: header found with every required
    column, at least one data row, not more than JIXING_IMPORT_MAX_ROWS rows. Raises
    ``FileRejected``; run before a job is created so a bad file leaves nothing behind."""
    max_rows = settings.JIXING_IMPORT_MAX_ROWS
    with RowStream(path, info) as source:
        if info.kind == XLSX and source.total - 1 > max_rows:
            raise _too_many_rows(max_rows)
        stream = iter(source)
        header_number, _cells, _mapping = _find_header(stream, importer.columns)
        count = 0
        for _number, cells in stream:
            if any(c.strip() for c in cells):
                count += 1
                # CSV line counts over-count quoted line breaks: count records only when needed.
                if info.kind == XLSX or info.rows_estimate - header_number <= max_rows:
                    break
                if count > max_rows:
                    raise _too_many_rows(max_rows)
        if count == 0:
            raise FileRejected(_("The file has a header row but no data rows."))


ProgressFn = Callable[[int, int], None]
RejectedFn = Callable[[int, list[str], list[RowError]], None]


def run_import(
    importer: Importer[Any],
    path: str | os.PathLike[str],
    info: UploadInfo,
    *,
    dry_run: bool,
    by: User | None = None,
    chunk_size: int | None = None,
    on_progress: ProgressFn | None = None,
    on_rejected: RejectedFn | None = None,
    keep_errors: int | None = None,
    preview_rows: int = PREVIEW_ROWS,
) -> ImportResult:
    """Validate every row in chunks; unless ``dry_run``, commit the valid ones in one transaction.

    Raises ``FileRejected`` for file-level problems (nothing written). ``on_rejected(row, cells,
    errors)`` receives each rejected row with its original cells (for the error file);
    ``keep_errors`` caps the errors kept on the result (None = all).
    """
    started = time.monotonic()
    size = max(1, chunk_size or importer.chunk_size)
    result = ImportResult(kind=importer.kind, dry_run=dry_run)
    max_rows = settings.JIXING_IMPORT_MAX_ROWS
    with RowStream(path, info) as source:
        if info.kind == XLSX and source.total - 1 > max_rows:
            raise _too_many_rows(max_rows)
        _run(importer, source, result, dry_run=dry_run, by=by, size=size, max_rows=max_rows,
             on_progress=on_progress, on_rejected=on_rejected, keep_errors=keep_errors, preview_rows=preview_rows)
    result.extra.update(importer.summary_extra())
    result.seconds = time.monotonic() - started
    return result


def _run(importer: Importer[Any], source: RowStream, result: ImportResult, *, dry_run: bool, by: User | None,
         size: int, max_rows: int, on_progress: ProgressFn | None, on_rejected: RejectedFn | None,
         keep_errors: int | None, preview_rows: int) -> None:
    stream = iter(source)
    header_number, header_cells, mapping = _find_header(stream, importer.columns)
    result.headers = list(header_cells)
    result.rows_total = max(0, source.total - header_number)

    # Hot loop (a million rows): C-level itemgetter/zip instead of per-cell Python.
    keys = list(mapping.values())
    positions = list(mapping.keys())
    width = max(positions) + 1
    pick = operator.itemgetter(*positions) if len(positions) > 1 else (lambda cells: (cells[positions[0]],))
    missing = [(c.key, "") for c in importer.columns if c.key not in keys]
    id_keys = [k for k in keys if k in ID_LIKE_KEYS]
    refused: dict[int, list[RowError]] = {}  # rows whose ID cell could not be repaired
    repaired: list[dict[str, Any]] = []

    def repair(row: Row) -> None:
        for key in id_keys:
            value = row[key]
            if not value or (value.isascii() and value.isalnum()):
                continue  # the common case: nothing to repair
            try:
                row[key], note = repair_id_text(value)
            except CellRefused as exc:
                refused.setdefault(row.number, []).append(importer.error(row, key, exc.reason))
                continue
            if note and len(repaired) < MAX_REPAIR_NOTES:
                repaired.append({"row": row.number, "field": importer._headers.get(key, key), "note": note})

    def chunks() -> Iterator[list[Row]]:
        chunk: list[Row] = []
        seen = 0
        strip = str.strip
        for number, cells in stream:
            picked = pick(cells) if len(cells) >= width else pick(cells + [""] * (width - len(cells)))
            values = tuple(map(strip, picked))
            if not any(values):  # blank, or nothing in the importer's columns
                continue
            seen += 1
            if seen > max_rows:
                raise _too_many_rows(max_rows)
            row = Row(number, zip(keys, values, strict=True), cells)
            if missing:
                row.update(missing)
            if id_keys:
                repair(row)
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def process() -> None:
        done = 0
        for whole in chunks():
            chunk = [row for row in whole if row.number not in refused] if refused else whole
            items, errors = importer.validate_chunk(chunk)
            errors = [*errors, *(e for row in whole if row.number in refused for e in refused.pop(row.number))]
            chunk = whole
            bad: dict[int, list[RowError]] = {}
            for err in errors:
                bad.setdefault(err.row, []).append(err)
            result.valid_rows += len(items)
            result.rejected_rows += len(bad)
            if keep_errors is None or len(result.errors) < keep_errors:
                room = None if keep_errors is None else keep_errors - len(result.errors)
                result.errors.extend(sorted(errors, key=lambda e: e.row)[:room])
            if on_rejected is not None:
                for row in chunk:
                    if row.number in bad:
                        on_rejected(row.number, row.cells, bad[row.number])
            for item in items[: max(0, preview_rows - len(result.preview))]:
                result.preview.append(importer.preview_row(item))
            result.counts += importer.predict(items) if dry_run else importer.commit(items, by=by)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done, max(done, result.rows_total))
        if done == 0:
            raise FileRejected(_("The file has a header row but no data rows."))
        result.rows_total = done
        if repaired:
            result.extra["repaired"] = repaired

    with _relaxed_gc():
        if dry_run:
            process()
        else:
            with transaction.atomic():
                process()


@contextmanager
def _relaxed_gc() -> Iterator[None]:
    """Chunks hold tens of thousands of live dicts; the default gen-0 threshold (700) makes the
    cyclic GC rescan them constantly (half the run time on a million rows). Nothing here forms
    cycles, so collect less often while importing."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 100_000), old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _too_many_rows(limit: int) -> FileRejected:
    return FileRejected(_("The file has more than %(limit)s data rows; split it and import the parts.")
                        % {"limit": f"{limit:,}"})


# ------------------------------------------------------------------ bulk writes


def copy_upsert(
    model: type[models.Model],
    rows: Iterable[Sequence[Any]],
    *,
    columns: Sequence[str],
    conflict: Sequence[str],
    update: Sequence[str] | None = None,
) -> Counts:
    """Insert or update ``rows`` (tuples in ``columns`` order, DB-ready values) on ``conflict``.

    ``columns`` are database column names (``person_id``, not ``person``); values must be what
    the column stores (encrypted text already encrypted). ``conflict`` must be backed by a
    unique constraint or index on exactly those columns (not a conditional one). Columns left
    out get their constant Django default, or NULL. ``update`` lists the columns overwritten on conflict (default: every
    non-conflict column); a row whose values are all equal counts as unchanged.
    ``created_at``/``updated_at`` are filled in when the model has them.

    On PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT DO UPDATE … WHERE
    changed (tens of thousands of rows per second). Elsewhere: batched lookups + bulk_create /
    bulk_update. Call it inside the pipeline's transaction (``commit``).
    """
    update = [c for c in (update if update is not None else columns) if c not in conflict]
    if connection.vendor == "postgresql":
        return _pg_copy_upsert(model, rows, columns=list(columns), conflict=list(conflict), update=update)
    return _orm_upsert(model, rows, columns=list(columns), conflict=list(conflict), update=update)


_temp_counter = itertools.count()


def _constant_defaults(model: type[models.Model], columns: Sequence[str]) -> list[tuple[str, Any]]:
    """Values for the columns left out: Django defaults are not database defaults, so the
    INSERT … SELECT must supply them (e.g. ``archive_reason = ''``)."""
    out: list[tuple[str, Any]] = []
    for f in model._meta.concrete_fields:
        if f.column in columns or f.primary_key or f.column in ("created_at", "updated_at"):
            continue
        if f.has_default() and not (f.unique and callable(f.default)):
            value = f.get_default()  # a callable default is called once per batch
        elif not f.null and f.empty_strings_allowed:
            value = f.get_default()  # Django's implicit "" for NOT NULL text fields
        else:
            continue
        out.append((f.column, f.get_db_prep_save(value, connection)))
    return out


def _pg_copy_upsert(model: type[models.Model], rows: Iterable[Sequence[Any]], *, columns: list[str],
                    conflict: list[str], update: list[str]) -> Counts:
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    temp = qn(f"_jixing_upsert_{os.getpid()}_{next(_temp_counter)}")
    col_sql = ", ".join(qn(c) for c in columns)
    field_names = {f.column for f in model._meta.concrete_fields}
    stamps = [c for c in ("created_at", "updated_at") if c in field_names and c not in columns]
    defaults = _constant_defaults(model, columns)
    insert_cols = col_sql + "".join(f", {qn(c)}" for c in stamps) + "".join(f", {qn(c)}" for c, _v in defaults)
    select_cols = col_sql + "".join(", now()" for _c in stamps) + "".join(", %s" for _c in defaults)
    if update:
        sets = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in update)
        if "updated_at" in field_names and "updated_at" not in columns:
            sets += f", {qn('updated_at')} = now()"
        changed = " OR ".join(f"t.{qn(c)} IS DISTINCT FROM EXCLUDED.{qn(c)}" for c in update)
        action = f"DO UPDATE SET {sets} WHERE {changed}"
    else:
        action = "DO NOTHING"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {col_sql} FROM {table} WITH NO DATA")
        total = 0
        with cursor.cursor.copy(f"COPY {temp} ({col_sql}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                total += 1
        cursor.execute(
            f"WITH w AS (INSERT INTO {table} AS t ({insert_cols}) SELECT {select_cols} FROM {temp} "
            f"ON CONFLICT ({', '.join(qn(c) for c in conflict)}) {action} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM w",
            [v for _c, v in defaults],
        )
        created, updated = cursor.fetchone()
        cursor.execute(f"DROP TABLE {temp}")
    return Counts(created=created, updated=updated, unchanged=total - created - updated)


def _python_values(row: Sequence[Any], fields: list[models.Field]) -> list[Any]:
    """DB-ready values back to what the model holds (an encrypted column's ciphertext to its
    text), so that saving through the ORM does not encode them a second time."""
    return [
        f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
        for v, f in zip(row, fields, strict=True)
    ]


def _orm_upsert(model: type[models.Model], rows: Iterable[Sequence[Any]], *, columns: list[str],
                conflict: list[str], update: list[str], batch: int = 500) -> Counts:
    by_column = {f.column: f for f in model._meta.concrete_fields}
    attnames = [by_column[c].attname for c in columns]
    key_attnames = [by_column[c].attname for c in conflict]
    fields = [by_column[c] for c in columns]
    update_attnames = [by_column[c].attname for c in update]
    counts = Counts()
    iterator = iter(rows)
    while block := list(itertools.islice(iterator, batch)):
        records = [dict(zip(attnames, _python_values(r, fields), strict=True)) for r in block]
        first = key_attnames[0]
        existing = {
            tuple(getattr(o, a) for a in key_attnames): o
            for o in model._default_manager.filter(**{f"{first}__in": {r[first] for r in records}})
        }
        new, changed = [], []
        for record in records:
            obj = existing.get(tuple(record[a] for a in key_attnames))
            if obj is None:
                new.append(model(**record))
            elif any(getattr(obj, a) != record[a] for a in update_attnames):
                for a in update_attnames:
                    setattr(obj, a, record[a])
                changed.append(obj)
            else:
                counts.unchanged += 1
        if new:
            model._default_manager.bulk_create(new)
        if changed:
            update_fields = [by_column[c].name for c in update]
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                from django.utils import timezone

                now = timezone.now()
                for obj in changed:
                    obj.updated_at = now  # type: ignore[attr-defined]
                update_fields.append("updated_at")
            model._default_manager.bulk_update(changed, update_fields)
        counts.created += len(new)
        counts.updated += len(changed)
    return counts


# Django's own field classes whose database value is the Python value for psycopg (text,
# numbers, booleans, dates, decimals, foreign keys): COPY takes them as they are. Every other
# field (JSON, encrypted text, custom subclasses) goes through ``get_db_prep_save``.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.DateField,
                 models.DecimalField, models.FloatField, models.ForeignKey, models.AutoField, models.BigAutoField)


def _row_maker(fields: Sequence[models.Field], *, add: bool) -> Callable[[models.Model], list[Any]]:
    """What ``save``/``bulk_create`` would send for ``fields`` of an object (``pre_save`` fills
    auto_now(_add) stamps; encrypted fields are encrypted here), made once per batch."""
    db = connections[connection.alias]  # the connection itself, not the thread-local proxy
    plan: list[tuple[str, Callable[[Any], Any] | None, models.Field | None]] = []
    for f in fields:
        # fills_on_insert: a field whose pre_save computes its value (training's session_month)
        stamped = add and bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                               or getattr(f, "fills_on_insert", False))
        plain = type(f).__module__.startswith("django.") and isinstance(f, _PLAIN_FIELDS)
        prep = None if plain else (lambda v, f=f: f.get_db_prep_save(v, db))
        plan.append((f.attname, prep, f if stamped else None))

    def make(obj: models.Model) -> list[Any]:
        out = []
        for attname, prep, stamped in plan:
            value = stamped.pre_save(obj, True) if stamped is not None else getattr(obj, attname)
            out.append(value if prep is None else prep(value))
        return out

    return make


COPY_MIN_ROWS = 50  # fewer rows: one INSERT is cheaper than drawing the ids and a COPY


def copy_insert(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> int:
    """``bulk_create`` through COPY on PostgreSQL, for big batches (tens of thousands of rows/s).

    Django's bulk_create sends each column as an array literal that psycopg quotes in Python
    (slow for text and JSON); COPY sends the rows as they are. The rows are those bulk_create
    would write. Without ``ignore_conflicts`` the primary keys are drawn from the table's
    sequence first and set on the objects (as bulk_create does on PostgreSQL), then one COPY
    goes straight into the table: its constraints hold, and a violation aborts the COPY and the
    caller's transaction (nothing half-written). With ``ignore_conflicts`` the rows go through
    a temporary table and ``INSERT … ON CONFLICT DO NOTHING`` (the objects' pks stay unset).
    Elsewhere: ``bulk_create``. Returns the rows written. Call it inside a transaction."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    sequenced = isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
    if connection.vendor != "postgresql" or len(objs) < COPY_MIN_ROWS or not (sequenced or ignore_conflicts):
        before = model._default_manager.count() if ignore_conflicts else 0
        model._default_manager.bulk_create(objs, batch_size=1000, ignore_conflicts=ignore_conflicts)
        return (model._default_manager.count() - before) if ignore_conflicts else len(objs)
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    # wrap_database_errors: a failed COPY raises Django's IntegrityError, as bulk_create would
    with transaction.atomic(savepoint=False), connection.cursor() as cursor, connection.wrap_database_errors:
        if ignore_conflicts:
            cols = ", ".join(qn(f.column) for f in fields)
            temp = qn(f"_jixing_copy_{os.getpid()}_{next(_temp_counter)}")
            cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")
            make = _row_maker(fields, add=True)
            with cursor.cursor.copy(f"COPY {temp} ({cols}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row(make(obj))
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {temp} ON CONFLICT DO NOTHING")
            written = cursor.rowcount
            cursor.execute(f"DROP TABLE {temp}")
            return int(written)
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, pk.column, len(objs)])
        for obj, (new_id,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = new_id
        fields = [pk, *fields]
        cols = ", ".join(qn(f.column) for f in fields)
        make = _row_maker(fields, add=True)
        with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(make(obj))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return len(objs)


def copy_update(objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """``bulk_update(objs, fields)`` through COPY on PostgreSQL: the new values into a temporary
    table, then one ``UPDATE … FROM`` on the primary key. Elsewhere: ``bulk_update``."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    if connection.vendor != "postgresql" or len(objs) < COPY_MIN_ROWS:
        return int(model._default_manager.bulk_update(objs, list(fields), batch_size=500))
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    pk = meta.pk
    assert pk is not None
    by_name = {f.name: f for f in meta.concrete_fields}
    chosen = [by_name[name] for name in fields]
    cols = [qn(f.column) for f in chosen]
    temp = qn(f"_jixing_copy_{os.getpid()}_{next(_temp_counter)}")
    # wrap_database_errors: a failed COPY raises Django's IntegrityError, as bulk_create would
    with transaction.atomic(savepoint=False), connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {qn(pk.column)}, {', '.join(cols)} "
                       f"FROM {table} WITH NO DATA")
        make = _row_maker(chosen, add=False)
        with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([obj.pk, *make(obj)])
        sets = ", ".join(f"{c} = u.{c}" for c in cols)
        cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {temp} AS u WHERE t.{qn(pk.column)} = u.{qn(pk.column)}")
        updated = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return int(updated)


# ------------------------------------------------------------------ set-based reads and tuple writes


class _AnyOf(Lookup[Any]):
    """``column = ANY(…)`` with the values sent as ONE parameter (PostgreSQL), for the id and
    hash lists of a whole roster: Django's ``IN (%s, %s, …)`` binds every value separately,
    and psycopg's client-side binding of ten thousand of them costs more than the query.
    Integers and plain text travel as one comma-joined string (``string_to_array``, the
    cheapest to bind), other text as an array; SQLite reads a JSON array (``json_each``)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, conn: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, conn)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        if conn.vendor == "postgresql":
            kinds = set(map(type, values))
            if kinds <= {int}:
                return f"{lhs} = ANY(string_to_array(%s, ',')::bigint[])", [*lhs_params, ",".join(map(str, values))]
            texts = values if kinds <= {str} else [str(v) for v in values]
            joined = ",".join(texts)
            if "" not in texts and joined.count(",") == len(texts) - 1:  # string_to_array splits, it does not unquote
                return f"{lhs} = ANY(string_to_array(%s, ','))", [*lhs_params, joined]
            return f"{lhs} = ANY(%s)", [*lhs_params, texts]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(values)]


def any_of(field: str, values: Iterable[int | str]) -> _AnyOf:
    """A filter condition ``field`` is one of ``values`` (ints or text), for big lists:
    ``Person.objects.filter(any_of("id_number_hash", hashes))``. Matches nothing when empty."""
    return _AnyOf(F(field), list(values))


def _orm_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[models.Model]:
    """Model instances from DB-ready rows (the small-batch and SQLite path of the tuple writers)."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    fields = [by_column[c] for c in columns]
    attnames = [f.attname for f in fields]
    return [model(**dict(zip(attnames, _python_values(r, fields), strict=True))) for r in rows]


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
              ids: bool = False, ignore_conflicts: bool = False) -> list[int]:
    """Insert tuples (``columns`` order, DB-ready values as for ``copy_upsert``: database
    column names, encrypted text already encrypted, JSON as text) without model instances.

    On PostgreSQL one COPY straight into the table (its constraints hold; a violation raises
    Django's ``IntegrityError`` and aborts the caller's transaction); with ``ids`` the primary
    keys are drawn from the table's sequence first and returned in row order. With
    ``ignore_conflicts`` the rows go through a temporary table and ``INSERT … ON CONFLICT DO
    NOTHING`` (no ids). Columns left out get their constant Django default, ``created_at`` /
    ``updated_at`` the transaction's ``now()``. Below ``COPY_MIN_ROWS`` rows and on SQLite:
    ``bulk_create`` of instances (ids returned the same way). Returns the ids (``ids``) or an
    empty list. Call it inside a transaction."""
    rows = list(rows)
    if not rows:
        return []
    assert not (ids and ignore_conflicts), "ON CONFLICT DO NOTHING cannot say which rows got ids"
    if connection.vendor != "postgresql" or len(rows) < COPY_MIN_ROWS:
        objs = _orm_rows(model, columns, rows)
        model._default_manager.bulk_create(objs, batch_size=1000, ignore_conflicts=ignore_conflicts)
        return [int(o.pk) for o in objs] if ids else []
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    pk = meta.pk
    assert pk is not None
    names = {f.column for f in meta.concrete_fields}
    stamps = [c for c in ("created_at", "updated_at") if c in names and c not in columns]
    defaults = _constant_defaults(model, [*columns, *stamps])
    all_columns = [*columns, *stamps, *(c for c, _v in defaults)]
    tail = [*(None for _c in stamps), *(v for _c, v in defaults)]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor, connection.wrap_database_errors:
        if stamps:
            cursor.execute("SELECT now()")
            now = cursor.fetchone()[0]
            tail[: len(stamps)] = [now] * len(stamps)
        drawn: list[int] = []
        if ids:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, pk.column, len(rows)])
            drawn = [int(r[0]) for r in cursor.fetchall()]
            all_columns = [pk.column, *all_columns]
        cols = ", ".join(qn(c) for c in all_columns)
        target = table
        if ignore_conflicts:
            target = qn(f"_jixing_copy_{os.getpid()}_{next(_temp_counter)}")
            cursor.execute(f"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
            write = copy.write_row
            if ids:
                for new_id, row in zip(drawn, rows, strict=True):
                    write((new_id, *row, *tail))
            else:
                for row in rows:
                    write((*row, *tail))
        if ignore_conflicts:
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {target} ON CONFLICT DO NOTHING")
            cursor.execute(f"DROP TABLE {target}")
    return drawn


def copy_update_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """``copy_update`` from tuples: ``rows`` are (primary key, *values of ``columns``), values
    DB-ready as for ``copy_rows``. On PostgreSQL a COPY into a temporary table and one
    ``UPDATE … FROM``; elsewhere (and below ``COPY_MIN_ROWS``) ``bulk_update``. Returns the rows
    updated."""
    rows = list(rows)
    if not rows:
        return 0
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    if connection.vendor != "postgresql" or len(rows) < COPY_MIN_ROWS:
        by_column = {f.column: f for f in meta.concrete_fields}
        objs = _orm_rows(model, [pk.column, *columns], rows)
        for obj in objs:
            obj._state.adding = False
        return int(model._default_manager.bulk_update(objs, [by_column[c].name for c in columns], batch_size=500))
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    cols = [qn(c) for c in columns]
    temp = qn(f"_jixing_copy_{os.getpid()}_{next(_temp_counter)}")
    with transaction.atomic(savepoint=False), connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {qn(pk.column)}, {', '.join(cols)} "
                       f"FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        sets = ", ".join(f"{c} = u.{c}" for c in cols)
        cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {temp} AS u WHERE t.{qn(pk.column)} = u.{qn(pk.column)}")
        updated = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return int(updated)
