"""Attendance import, vectorised: validation with polars over whole chunks, writes with
PostgreSQL ``COPY`` (bulk inserts elsewhere).

``AttendanceBatch`` is the validator/writer shared by both entry points:

- the shared import pipeline (kind ``attendance`` in ``training.importers``: pages, API,
  .xlsx files), which hands over rows chunk by chunk;
- ``import_attendance_csv`` (``manage.py import_attendance`` and the benchmark) for UTF-8 CSV
  files: the file is cut into blocks of whole records (a few MB) that polars parses, so a
  million rows pass without a Python object per row and memory stays flat (polars' own
  ``collect_batches`` reads ahead the whole file).

Each row is matched to the session of its class whose time window contains the check-in
(from ``JIXING_TRAINING_CHECKIN_EARLY_MINUTES`` before the start to the end). Row-level
reasons: required cells, unreadable or out-of-order times, coordinates out of range, unknown
method, unknown class code (or one outside the user's organisation), closed class (locked
attendance), ID number malformed or not on the class roster, withdrawn trainee, no session
at that time, the same person and session twice in the file or already recorded. A rejected
row writes nothing; the valid rows go in together in one transaction.

Memory: per chunk, plus caches bounded by the classes and persons seen (their sessions,
enrollments, ID hashes) and 12 bytes per valid row for duplicate detection across chunks.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.actor import Actor
from jixing.core.models import AuditOutcome
from jixing.imports import reasons
from jixing.imports.pipeline import Column, Counts, FileRejected, ImportResult, RowError, match_headers
from jixing.imports.readers import CSV, UploadInfo, inspect_upload
from jixing.registry.models import Person
from jixing.registry.validators import id_number_or_none

from . import conf, terminals
from .models import (
    Attendance,
    CheckInMethod,
    Enrollment,
    EnrollmentStatus,
    FilingStatus,
    Provenance,
    Terminal,
    TrainingClass,
    TrainingSession,
)

COLUMNS = (
    Column("class_code", "班级编号", example="BJ-370102-2026-0001"),
    Column("id_number", "公民身份号码", example="370102199001011234"),
    Column("check_in", "签到时间", example="2026-03-02 07:55:00"),
    Column("check_out", "签退时间", required=False, example="2026-03-02 12:02:00"),
    Column("method", "签到方式", example="人脸", choices=lambda: ["人脸", "扫码", "教师点名"]),
    Column("device_id", "设备编号", required=False, example="FACE-0001"),
    Column("longitude", "经度", required=False, example="117.120001"),
    Column("latitude", "纬度", required=False, example="36.651203"),
    # Issue 13: a row signed by a terminal registered to the institution is captured; an
    # unsigned row is declared (its method as stated). See ``terminals`` for the signature.
    Column("signature", "终端签名", required=False, example=""),
)
KEYS = tuple(c.key for c in COLUMNS)
HEADERS = {c.key: c.header for c in COLUMNS}
ROW = "__row"

# Values people and devices write for the method, mapped to CheckInMethod.
METHODS = {
    "face": CheckInMethod.FACE, "人脸": CheckInMethod.FACE, "人脸识别": CheckInMethod.FACE, "刷脸": CheckInMethod.FACE,
    "qr": CheckInMethod.QR, "扫码": CheckInMethod.QR, "二维码": CheckInMethod.QR, "qr code": CheckInMethod.QR,
    "teacher": CheckInMethod.TEACHER, "教师": CheckInMethod.TEACHER, "老师": CheckInMethod.TEACHER,
    "点名": CheckInMethod.TEACHER, "教师点名": CheckInMethod.TEACHER,
}
# After normalising "/" to "-" and "T" to " ", every accepted layout is one of these two.
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
DEVICE_MAX = 64
TZ = "Asia/Shanghai"
US = pl.Datetime("us", "UTC")


def _parse_time(expr: pl.Expr) -> pl.Expr:
    """Local (Asia/Shanghai) wall-clock text (2026-03-02 08:00[:00], also with "/" or "T") → UTC
    datetime, or null when unreadable."""
    text = expr.str.replace_all("/", "-", literal=True).str.replace("T", " ", literal=True)
    parsed = pl.coalesce([text.str.to_datetime(f, strict=False, time_unit="us") for f in TIME_FORMATS])
    return parsed.dt.replace_time_zone(TZ, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")


def _error_frame(mask_frame: pl.DataFrame, key: str, reason: str) -> pl.DataFrame:
    return mask_frame.select(pl.col(ROW), pl.lit(key).alias("key"), pl.lit(reason).alias("reason"))


@dataclass
class _ClassInfo:
    pk: int
    locked: bool
    unfiled: bool = False  # the class filing is not accepted: no attendance yet (开班备案)


@dataclass
class AttendanceBatch:
    """Validates and writes attendance chunk by chunk for one import run (keeps caches)."""

    user: Actor | None = None
    defer_rates: bool = False  # True: the caller calls ``finish()`` once after the last chunk
    _classes: dict[str, _ClassInfo | None] = field(default_factory=dict)
    _enrollments: pl.DataFrame | None = None
    _sessions: pl.DataFrame | None = None
    _loaded_class_ids: set[int] = field(default_factory=set)
    _hashes: dict[str, str] = field(default_factory=dict)
    _seen: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={"key": pl.UInt64, "first": pl.UInt32}))
    touched_classes: set[int] = field(default_factory=set)
    written: int = 0
    refused_signatures: int = 0
    _terminal_cache: dict[str, Terminal | None] = field(default_factory=dict)

    # ------------------------------------------------------------ reference lookups

    def _organisation_id(self) -> int | None:
        if self.user is None:
            return None
        if getattr(self.user, "role", None) != Role.INSTITUTION or not self.user.organisation_id:
            return -1  # nobody else writes attendance: every class code is "unknown" to them
        return int(self.user.organisation_id)

    def _load_classes(self, codes: Iterable[str]) -> None:
        wanted = [c for c in codes if c and c not in self._classes]
        for code in [c for c in wanted if "\x00" in c]:
            self._classes[code] = None  # no class code holds a NUL (and PostgreSQL refuses one in a query)
        wanted = [c for c in wanted if "\x00" not in c]
        if not wanted:
            return
        qs = TrainingClass.objects.filter(code__in=wanted)
        org = self._organisation_id()
        if org is not None:
            qs = qs.filter(project__organiser_id=org)
        found = {code: _ClassInfo(pk, closed is not None, filing != FilingStatus.ACCEPTED)
                 for code, pk, closed, filing in qs.values_list("code", "pk", "closed_at", "filing_status")}
        for code in wanted:
            self._classes[code] = found.get(code)
        new_ids = [i.pk for i in found.values() if i.pk not in self._loaded_class_ids]
        if new_ids:
            self._load_class_details(new_ids)

    def _load_class_details(self, class_ids: list[int]) -> None:
        self._loaded_class_ids.update(class_ids)
        rows = list(Enrollment.objects.filter(training_class_id__in=class_ids).values_list(
            "training_class_id", "person__id_number_hash", "pk", "person_id", "status"))
        enrollments = pl.DataFrame(
            {
                "class_id": [r[0] for r in rows], "id_hash": [r[1] for r in rows], "enrollment_id": [r[2] for r in rows],
                "person_id": [r[3] for r in rows], "enrolled": [r[4] == EnrollmentStatus.ENROLLED for r in rows],
            },
            schema={"class_id": pl.Int64, "id_hash": pl.String, "enrollment_id": pl.Int64, "person_id": pl.Int64,
                    "enrolled": pl.Boolean},
        )
        early = conf.checkin_early()
        srows = list(TrainingSession.objects.filter(training_class_id__in=class_ids).values_list(
            "training_class_id", "pk", "starts_at", "ends_at", "hours"))
        sessions = pl.DataFrame(
            {
                "class_id": [r[0] for r in srows], "session_id": [r[1] for r in srows],
                "window_start": [r[2] - early for r in srows], "starts_at": [r[2] for r in srows],
                "ends_at": [r[3] for r in srows], "hours_tenths": [int(r[4] * 10) for r in srows],
            },
            schema={"class_id": pl.Int64, "session_id": pl.Int64, "window_start": US, "starts_at": US, "ends_at": US,
                    "hours_tenths": pl.Int64},
        )
        self._enrollments = enrollments if self._enrollments is None else pl.concat([self._enrollments, enrollments])
        self._sessions = sessions if self._sessions is None else pl.concat([self._sessions, sessions])

    def _hash_frame(self, ids: Iterable[str]) -> pl.DataFrame:
        for value in ids:
            if value not in self._hashes:
                self._hashes[value] = Person.hash_id_number(value)
        return pl.DataFrame({"id_norm": list(self._hashes), "id_hash": list(self._hashes.values())},
                            schema={"id_norm": pl.String, "id_hash": pl.String})

    # ------------------------------------------------------------ terminal signatures

    def _terminals(self, device_ids: Iterable[str]) -> dict[str, Terminal | None]:
        wanted = [d for d in device_ids if d and d not in self._terminal_cache]
        if wanted:
            found = {t.device_id: t for t in Terminal.objects.filter(device_id__in=wanted)}
            for d in wanted:
                self._terminal_cache[d] = found.get(d)
        return self._terminal_cache

    def _check_signatures(self, df: pl.DataFrame, reject: Any) -> pl.DataFrame:
        """Rows with a signature: the device must be a terminal of the user's institution, not
        revoked, and the signature must match the row (``terminals.verify``). Adds
        ``terminal_id`` (null for unsigned rows, which stay declared)."""
        col = pl.col
        signed = df.filter(col("signature") != "")
        terminal_ids: list[int | None] = [None] * df.height
        if not signed.height:
            return df.with_columns(pl.Series("terminal_id", terminal_ids, dtype=pl.Int64))
        org = self._organisation_id()
        cache = self._terminals(signed["device_id"].unique().to_list())
        keys: dict[int, bytes] = {}
        position = {row: i for i, row in enumerate(df[ROW].to_list())}
        bad: dict[str, list[int]] = {}
        for r in signed.select(ROW, *terminals.SIGNED_FIELDS, "signature").iter_rows(named=True):
            device = r["device_id"]
            terminal = cache.get(device) if device else None
            if not device:
                reason = _("A signed row needs the device ID of the terminal that signed it.")
            elif terminal is None or (org is not None and terminal.organisation_id != org):
                reason = _("Device %(device)s is not an attendance terminal registered to your institution.") % {
                    "device": device}
            elif terminal.is_revoked:
                reason = _("The key of terminal %(device)s was revoked on %(day)s; its signatures are refused.") % {
                    "device": device, "day": timezone.localtime(terminal.revoked_at).strftime("%Y-%m-%d %H:%M")}
            else:
                key = keys.get(terminal.pk)
                if key is None:
                    key = keys[terminal.pk] = terminals.unseal(terminal.key_encrypted)
                if terminals.verify(key, [r[f] for f in terminals.SIGNED_FIELDS], r["signature"]):
                    terminal_ids[position[r[ROW]]] = terminal.pk
                    continue
                reason = _("The terminal signature does not match the row (forged, or a cell was changed).")
            bad.setdefault(reason, []).append(r[ROW])
        for reason, rows in bad.items():
            reject(col(ROW).is_in(rows), "signature", reason)
        self.refused_signatures += sum(len(v) for v in bad.values())
        self.report_refused_signatures(by=self.user)
        return df.with_columns(pl.Series("terminal_id", terminal_ids, dtype=pl.Int64))

    # ------------------------------------------------------------ validation

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Return (valid rows ready to write, errors as (row, key, reason)). Writes nothing."""
        col = pl.col
        df = frame.with_columns([col(k).cast(pl.String).fill_null("").str.strip_chars() for k in KEYS])
        df = df.with_columns(
            col(ROW).cast(pl.UInt32),
            _parse_time(col("check_in")).alias("check_in_at"),
            _parse_time(col("check_out")).alias("check_out_at"),
            col("longitude").cast(pl.Float64, strict=False).alias("lon"),
            col("latitude").cast(pl.Float64, strict=False).alias("lat"),
            col("method").str.to_lowercase().replace_strict(METHODS, default=None, return_dtype=pl.String).alias("method_code"),
        )
        # The one normaliser (full-width → ASCII; other scripts' digits refused), once per distinct value.
        spellings = {v: id_number_or_none(v) for v in df["id_number"].unique().to_list()}
        df = df.with_columns(col("id_number").replace_strict(spellings, default=None, return_dtype=pl.String).alias("id_norm"))
        errors: list[pl.DataFrame] = []

        def reject(mask: pl.Expr, key: str, reason: str) -> None:
            hit = df.filter(mask)
            if hit.height:
                errors.append(_error_frame(hit, key, reason))

        for c in COLUMNS:
            if c.required:
                reject(col(c.key) == "", c.key, reasons.required())
        bad_time = _("Not a valid date and time; write it as 2026-03-02 08:00:00.")
        reject((col("check_in") != "") & col("check_in_at").is_null(), "check_in", bad_time)
        reject((col("check_out") != "") & col("check_out_at").is_null(), "check_out", bad_time)
        reject(col("check_out_at").is_not_null() & col("check_in_at").is_not_null()
               & (col("check_out_at") <= col("check_in_at")), "check_out",
               _("The check-out time is not after the check-in time."))
        reject((col("longitude") != "") & (col("lon").is_null() | col("lon").is_nan() | ~col("lon").is_between(-180, 180)),
               "longitude", _("The longitude must be a number between -180 and 180."))
        reject((col("latitude") != "") & (col("lat").is_null() | col("lat").is_nan() | ~col("lat").is_between(-90, 90)),
               "latitude", _("The latitude must be a number between -90 and 90."))
        for value in df.filter((col("method") != "") & col("method_code").is_null())["method"].unique().to_list():
            reject((col("method") == value) & col("method_code").is_null(), "method",
                   reasons.unknown_choice(value, HEADERS["method"]))
        reject(col("device_id").str.len_chars() > DEVICE_MAX, "device_id", reasons.too_long(DEVICE_MAX))
        df = self._check_signatures(df, reject)
        id_ok = col("id_norm").is_not_null()
        reject((col("id_number") != "") & ~id_ok, "id_number",
               _("The ID number must have 18 characters: 17 digits and a final digit or X."))

        # Lookups: classes, roster, session.
        self._load_classes(df["class_code"].unique().to_list())
        classes = pl.DataFrame(
            {"class_code": list(self._classes),
             "class_id": [i.pk if i else None for i in self._classes.values()],
             "locked": [(i.locked or i.unfiled) if i else None for i in self._classes.values()],
             "unfiled": [(i.unfiled and not i.locked) if i else None for i in self._classes.values()]},
            schema={"class_code": pl.String, "class_id": pl.Int64, "locked": pl.Boolean, "unfiled": pl.Boolean},
        )
        df = df.join(classes, on="class_code", how="left")
        for code in df.filter((col("class_code") != "") & col("class_id").is_null())["class_code"].unique().to_list():
            reject(col("class_code") == code, "class_code", _("Unknown class code “%(code)s”.") % {"code": code[:40]})
        for code in df.filter(col("unfiled").fill_null(False))["class_code"].unique().to_list():
            reject(col("class_code") == code, "class_code",
                   _("Class %(code)s has no accepted filing; attendance opens once the county accepts it.")
                   % {"code": code})
        for code in df.filter(col("locked").fill_null(False) & ~col("unfiled").fill_null(False))["class_code"].unique().to_list():
            reject(col("class_code") == code, "class_code",
                   _("Class %(code)s is closed; its attendance is locked.") % {"code": code})
        open_class = col("class_id").is_not_null() & ~col("locked").fill_null(True)

        ids = df.filter(id_ok)["id_norm"].unique().to_list()
        df = df.join(self._hash_frame(ids), on="id_norm", how="left")
        enrollments = self._enrollments if self._enrollments is not None else pl.DataFrame(
            schema={"class_id": pl.Int64, "id_hash": pl.String, "enrollment_id": pl.Int64, "person_id": pl.Int64,
                    "enrolled": pl.Boolean})
        df = df.join(enrollments, on=["class_id", "id_hash"], how="left")
        on_roster = open_class & id_ok & col("enrollment_id").is_not_null()
        for code in df.filter(open_class & id_ok & col("enrollment_id").is_null())["class_code"].unique().to_list():
            reject(open_class & id_ok & col("enrollment_id").is_null() & (col("class_code") == code), "id_number",
                   _("This person is not on the roster of class %(code)s.") % {"code": code})
        reject(on_roster & ~col("enrolled").fill_null(False), "id_number",
               _("This person has withdrawn from the class; attendance is not recorded."))

        sessions = self._sessions if self._sessions is not None else pl.DataFrame(
            schema={"class_id": pl.Int64, "session_id": pl.Int64, "window_start": US, "starts_at": US, "ends_at": US,
                    "hours_tenths": pl.Int64})
        df = df.sort("check_in_at", nulls_last=True)
        matchable = df.filter(open_class & col("check_in_at").is_not_null())
        rest = df.filter(~(open_class & col("check_in_at").is_not_null()))
        matched = matchable.join_asof(
            sessions.sort("window_start"), left_on="check_in_at", right_on="window_start", by="class_id",
            strategy="backward", check_sortedness=False,
        )
        matched = matched.with_columns(
            pl.when(col("check_in_at") <= col("ends_at")).then(col("session_id")).otherwise(None).alias("session_id"))
        df = pl.concat([matched, rest], how="diagonal_relaxed")
        for code in df.filter(open_class & col("check_in_at").is_not_null() & col("session_id").is_null())[
            "class_code"].unique().to_list():
            reject(open_class & col("check_in_at").is_not_null() & col("session_id").is_null() & (col("class_code") == code),
                   "check_in", _("No session of class %(code)s at this check-in time.") % {"code": code})

        # Duplicates among the rows that are otherwise valid: in this chunk, in earlier chunks, in the database.
        bad_rows = pl.concat(errors)[ROW].unique() if errors else pl.Series(ROW, [], dtype=pl.UInt32)
        good = df.filter(~col(ROW).is_in(bad_rows.implode()) & on_roster & col("session_id").is_not_null())
        good = good.with_columns((col("enrollment_id").cast(pl.UInt64) * (1 << 32) + col("session_id").cast(pl.UInt64)).alias("key"))
        good = good.sort(ROW)
        first_in_chunk = good.group_by("key").agg(col(ROW).min().alias("first"))
        # Only the earlier keys this chunk meets: a filter over them, no hash table of them all.
        prior = self._seen.filter(col("key").is_in(first_in_chunk["key"].implode()))
        earlier = pl.concat([prior, first_in_chunk.filter(~col("key").is_in(prior["key"].implode()))])
        good = good.join(earlier, on="key", how="left")
        dup = good.filter(col("first") != col(ROW))
        if dup.height:
            for first, group in dup.group_by("first"):
                errors.append(_error_frame(group, "id_number", reasons.duplicate_in_file(int(first[0]))))
        good = good.filter(col("first") == col(ROW))
        in_db = self._existing_keys(good)
        if in_db.len():
            hit = good.filter(col("key").is_in(in_db.implode()))
            errors.append(_error_frame(hit, "check_in", _("Already checked in to this session (recorded before).")))
            good = good.filter(~col("key").is_in(in_db.implode()))
        self._seen = pl.concat([self._seen, good.select("key", col(ROW).alias("first"))])

        good = good.with_columns(self._credited_tenths().alias("credited_tenths"))
        error_frame = (pl.concat(errors) if errors else pl.DataFrame(schema={ROW: pl.UInt32, "key": pl.String, "reason": pl.String}))
        return good.select(
            ROW, "enrollment_id", "session_id", "person_id", "class_id", "check_in_at", "check_out_at", "method_code",
            "device_id", "lat", "lon", "credited_tenths", "terminal_id",
            pl.when(col("terminal_id").is_not_null()).then(pl.lit(Provenance.CAPTURED.value))
            .otherwise(pl.lit(Provenance.DECLARED.value)).alias("provenance"),
            # the partition key: the session's local month (fields.SessionMonthField)
            col("starts_at").dt.convert_time_zone("Asia/Shanghai").dt.date().dt.month_start().alias("session_month"),
        ), error_frame.sort(ROW)

    @staticmethod
    def _credited_tenths() -> pl.Expr:
        """rules.credited_hours in integers: session tenths × covered µs / session µs, half up."""
        col = pl.col
        covered = (pl.min_horizontal(col("ends_at"), col("check_out_at"))
                   - pl.max_horizontal(col("starts_at"), col("check_in_at"))).dt.total_microseconds().clip(lower_bound=0)
        total = (col("ends_at") - col("starts_at")).dt.total_microseconds()
        tenths = (col("hours_tenths") * covered * 2 + total) // (2 * total)
        return pl.when(col("check_out_at").is_null()).then(0).otherwise(tenths).cast(pl.Int64)

    @staticmethod
    def _existing_keys(good: pl.DataFrame) -> pl.Series:
        if not good.height:
            return pl.Series("key", [], dtype=pl.UInt64)
        sessions = good["session_id"].unique().to_list()
        keys: list[int] = []
        for start in range(0, len(sessions), 5000):
            keys.extend((e << 32) | s for e, s in Attendance.objects.filter(
                session_id__in=sessions[start:start + 5000]).values_list("enrollment_id", "session_id"))
        return pl.Series("key", keys, dtype=pl.UInt64)

    # ------------------------------------------------------------ writing

    def write(self, good: pl.DataFrame, *, by: Actor | None) -> Counts:
        """Insert the valid rows of one chunk (inside the caller's transaction)."""
        if not good.height:
            return Counts()
        class_ids = good["class_id"].unique().to_list()
        self._recheck_open(class_ids)
        if connection.vendor == "postgresql":
            self._copy(good)
        else:
            self._bulk_create(good)
        self.touched_classes.update(class_ids)
        self.written += good.height
        if not self.defer_rates:
            self.finish(by=by, classes=class_ids, rows=good.height)
        return Counts(created=good.height)

    def _recheck_open(self, class_ids: list[int]) -> None:
        """Lock the classes against closing while we write (closing takes FOR UPDATE)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM training_trainingclass WHERE id = ANY(%s) ORDER BY id FOR SHARE", [class_ids])
        closed = list(TrainingClass.objects.filter(pk__in=class_ids, closed_at__isnull=False).values_list("code", flat=True))
        if closed:
            raise FileRejected(_("Class %(code)s was closed during the import; nothing was written. Import the file "
                                 "again.") % {"code": closed[0]})

    _COPY_COLUMNS = ("enrollment_id", "session_id", "person_id", "training_class_id", "check_in_at", "check_out_at",
                     "method", "device_id", "latitude", "longitude", "photo_ref", "credited_hours", "recorded_at",
                     "provenance", "terminal_id", "session_month")

    def _copy(self, good: pl.DataFrame) -> None:
        now = timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f+00")
        stamp = "%Y-%m-%d %H:%M:%S%.6f+00"
        out = good.select(
            "enrollment_id", "session_id", "person_id", "class_id",
            pl.col("check_in_at").dt.strftime(stamp), pl.col("check_out_at").dt.strftime(stamp),
            "method_code", "device_id", pl.col("lat").round(6), pl.col("lon").round(6), pl.lit("").alias("photo_ref"),
            (pl.col("credited_tenths") / 10).round(1), pl.lit(now).alias("recorded_at"), "provenance", "terminal_id",
            pl.col("session_month").dt.strftime("%Y-%m-%d"),
        )
        buffer = io.BytesIO()
        out.write_csv(buffer, include_header=False, quote_style="non_numeric", float_precision=6)
        qn = connection.ops.quote_name
        columns = ", ".join(qn(c) for c in self._COPY_COLUMNS)
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {qn(Attendance._meta.db_table)} ({columns}) FROM STDIN (FORMAT csv)"
        ) as copy:
            copy.write(buffer.getbuffer())

    @staticmethod
    def _bulk_create(good: pl.DataFrame) -> None:
        from decimal import Decimal

        def dec(value: float | None) -> Decimal | None:
            return None if value is None else Decimal(f"{value:.6f}")

        Attendance.objects.bulk_create([
            Attendance(
                enrollment_id=r["enrollment_id"], session_id=r["session_id"], person_id=r["person_id"],
                training_class_id=r["class_id"], check_in_at=r["check_in_at"], check_out_at=r["check_out_at"],
                method=r["method_code"], device_id=r["device_id"], latitude=dec(r["lat"]), longitude=dec(r["lon"]),
                credited_hours=Decimal(r["credited_tenths"]) / 10, provenance=r["provenance"],
                terminal_id=r["terminal_id"], session_month=r["session_month"],
            )
            for r in good.iter_rows(named=True)
        ], batch_size=2000)

    def finish(self, *, by: Actor | None, classes: Iterable[int] | None = None, rows: int | None = None) -> None:
        """Refresh the attendance rates of the classes written to and record the import."""
        from .actions import refresh_attendance_rates

        class_ids = sorted(classes if classes is not None else self.touched_classes)
        if not class_ids:
            return
        refresh_attendance_rates(class_ids=class_ids)
        audit.record("training.attendance.import", actor=by, object_type="training.attendance",
                     detail={"rows": rows if rows is not None else self.written, "classes": class_ids[:200]})

    def report_refused_signatures(self, *, by: Actor | None) -> None:
        """The security trail of refused terminal signatures (forged, revoked, foreign device)."""
        if self.refused_signatures:
            audit.record("training.terminal.signature_refused", actor=by, object_type="training.attendance",
                         outcome=AuditOutcome.DENIED, detail={"rows": self.refused_signatures})
            self.refused_signatures = 0


def errors_to_rows(errors: pl.DataFrame) -> list[RowError]:
    return [RowError(int(r), HEADERS.get(k, k), reason) for r, k, reason in errors.iter_rows()]


# ------------------------------------------------------------------ the CSV fast path


def _csv_header(path: str | os.PathLike[str], separator: str) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        import csv

        return [c.strip() for c in next(csv.reader(fh, delimiter=separator), [])]


def _separator(path: str | os.PathLike[str]) -> str:
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


BYTES_PER_ROW = 100  # an attendance CSV line is ~115 bytes: chunk_size rows ≈ this many bytes per block


def _csv_blocks(path: str | os.PathLike[str], block_bytes: int) -> Iterator[tuple[bytes, bytes]]:
    """(header line, block of whole records) pairs of about ``block_bytes``: a block ends at a
    line break outside quotes, so memory stays flat whatever the file's size."""
    with open(path, "rb") as fh:
        head = fh.readline()
        carry = b""
        while True:
            data = fh.read(block_bytes)
            buf = carry + data
            if not data:
                if buf.strip():
                    yield head, buf if buf.endswith(b"\n") else buf + b"\n"
                return
            cut = buf.rfind(b"\n")
            while cut != -1 and buf.count(b'"', 0, cut) % 2:
                cut = buf.rfind(b"\n", 0, cut)
            if cut == -1:
                carry = buf
                continue
            yield head, buf[: cut + 1]
            carry = buf[cut + 1:]


def fast_path_applies(path: str | os.PathLike[str], info: UploadInfo) -> bool:
    """A UTF-8 CSV whose first line is the header: polars reads it directly."""
    if info.kind != CSV or not info.encoding.startswith("utf-8"):
        return False
    mapping = match_headers(_csv_header(path, _separator(path)), COLUMNS)
    return all(c.key in mapping.values() for c in COLUMNS if c.required)


def import_attendance_csv(path: str | os.PathLike[str], *, by: Actor, dry_run: bool, chunk_size: int = 80_000,
                          info: UploadInfo | None = None) -> ImportResult:
    """Validate and (unless ``dry_run``) write a UTF-8 attendance CSV in streaming chunks, all
    valid rows in one transaction. Raises ``FileRejected`` for file-level problems."""
    started = time.monotonic()
    info = info or inspect_upload(path, os.path.basename(str(path)))
    separator = _separator(path)
    header = _csv_header(path, separator)
    mapping = match_headers(header, COLUMNS)
    missing = [c.header for c in COLUMNS if c.required and c.key not in mapping.values()]
    if missing:
        raise FileRejected(_("Required columns are missing: %(columns)s. Download the template to see the "
                             "expected headers.") % {"columns": "、".join(missing)})
    names = {key: header[index] for index, key in mapping.items()}
    result = ImportResult(kind="attendance", dry_run=dry_run, headers=header)
    batch = AttendanceBatch(user=by, defer_rates=True)
    max_rows = settings.JIXING_IMPORT_MAX_ROWS
    select = [pl.col(ROW)] + [(pl.col(names[k]) if k in names else pl.lit(None, dtype=pl.String)).alias(k) for k in KEYS]

    def batches() -> Iterator[pl.DataFrame]:
        seen = 0
        for head, block in _csv_blocks(path, max(256, chunk_size * BYTES_PER_ROW)):
            try:
                frame = pl.read_csv(io.BytesIO(head + block), separator=separator, infer_schema=False,
                                    truncate_ragged_lines=True, encoding="utf8")
            except pl.exceptions.PolarsError:
                raise FileRejected(_("The CSV file is malformed and could not be read; save it again as “CSV UTF-8” "
                                     "and retry.")) from None
            frame = frame.with_row_index(ROW, offset=seen + 2)
            seen += frame.height
            yield frame.select(select)

    def run() -> None:
        blank = pl.all_horizontal([pl.col(k).fill_null("").str.strip_chars() == "" for k in KEYS])
        for chunk in batches():
            chunk = chunk.filter(~blank)
            result.rows_total += chunk.height
            if result.rows_total > max_rows:
                raise FileRejected(_("The file has more than %(limit)s data rows; split it and import the parts.")
                                   % {"limit": f"{max_rows:,}"})
            good, errors = batch.validate(chunk)
            result.valid_rows += good.height
            result.rejected_rows += errors[ROW].n_unique()
            result.errors.extend(errors_to_rows(errors))
            result.counts += Counts(created=good.height) if dry_run else batch.write(good, by=by)
        if result.rows_total == 0:
            raise FileRejected(_("The file has a header row but no data rows."))
        if not dry_run:
            batch.finish(by=by)

    if dry_run:
        run()
    else:
        with transaction.atomic():
            run()
    result.errors.sort(key=lambda e: e.row)
    result.seconds = time.monotonic() - started
    return result


@transaction.atomic
def write_rows(batch: AttendanceBatch, good: pl.DataFrame, *, by: Actor) -> Counts:
    """Write one validated batch of attendance rows in its own transaction (the API's call)."""
    return batch.write(good, by=by)
