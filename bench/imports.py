"""Import pipeline throughput on PostgreSQL: a 1,000,000-row attendance-like CSV through
``run_import`` (polars-vectorised validation per chunk, ``copy_upsert`` writes), against a raw
COPY of the same file measured in the same run. Target: ≥ 20,000 rows/s committed.

    DATABASE_URL=postgres://… python -m bench imports      (BENCH_IMPORT_ROWS=200000 for a quick run)
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, models

from bench._db import fresh_database
from jixing.imports.pipeline import Column, Counts, Importer, Row, RowError, copy_upsert, run_import
from jixing.imports.readers import inspect_upload


class BenchAttendance(models.Model):
    person_key = models.CharField(max_length=64)
    class_code = models.CharField(max_length=20)
    day = models.DateField()
    minutes = models.PositiveIntegerField()

    class Meta:
        app_label = "imports"
        db_table = "bench_import_attendance"
        managed = False
        constraints = [models.UniqueConstraint(fields=["person_key", "class_code", "day"], name="bench_att_key")]

    def __str__(self) -> str:
        return f"{self.person_key} {self.class_code} {self.day}"


class BenchImporter(Importer[tuple[str, str, dt.date, int]]):
    kind = "bench_attendance"
    title = "bench"
    roles = frozenset()
    chunk_size = 50_000
    columns = (Column("person_key", "人员编号"), Column("class_code", "班级编号"), Column("day", "日期"),
               Column("minutes", "学时（分钟）"))

    def validate_chunk(self, rows: list[Row]) -> tuple[list[tuple[str, str, dt.date, int]], list[RowError]]:
        frame = pl.DataFrame({
            "row": [r.number for r in rows],
            "person_key": [r["person_key"] for r in rows],
            "class_code": [r["class_code"] for r in rows],
            "day": [r["day"] for r in rows],
            "minutes": [r["minutes"] for r in rows],
        }).with_columns(
            pl.col("day").str.to_date("%Y-%m-%d", strict=False).alias("day_d"),
            pl.col("minutes").cast(pl.Int64, strict=False).alias("minutes_i"),
        )
        bad_day = frame.filter(pl.col("day_d").is_null())
        bad_minutes = frame.filter(pl.col("minutes_i").is_null() | (pl.col("minutes_i") <= 0)
                                   | (pl.col("minutes_i") > 600))
        errors = [self.error(r, "day", "日期格式应为 YYYY-MM-DD。") for r in bad_day["row"].to_list()]
        errors += [self.error(r, "minutes", "学时应为 1–600 分钟。") for r in bad_minutes["row"].to_list()]
        bad = set(bad_day["row"].to_list()) | set(bad_minutes["row"].to_list())
        good = frame.filter(~pl.col("row").is_in(list(bad)))
        items = list(zip(good["person_key"].to_list(), good["class_code"].to_list(), good["day_d"].to_list(),
                         good["minutes_i"].to_list(), strict=True))
        return items, errors

    def commit(self, items: list[tuple[str, str, dt.date, int]], *, by: Any) -> Counts:
        return copy_upsert(BenchAttendance, items, columns=["person_key", "class_code", "day", "minutes"],
                           conflict=["person_key", "class_code", "day"])


def _write_csv(path: Path, rows: int) -> None:
    rng = random.Random(2025)
    start = dt.date(2025, 3, 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["人员编号", "班级编号", "日期", "学时（分钟）"])
        for n in range(rows):
            bad = n % 997 == 0
            out.writerow([f"P{n // 40:07d}", f"C{n % 40:03d}",
                          "2025-13-01" if bad else (start + dt.timedelta(days=n % 200)).isoformat(),
                          rng.randrange(30, 480)])


def main() -> None:
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
    fresh_database("imports")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "attendance.csv"
        _write_csv(path, rows)
        with connection.schema_editor() as editor:
            editor.execute(f"DROP TABLE IF EXISTS {BenchAttendance._meta.db_table}")
            editor.create_model(BenchAttendance)
        try:
            with connection.cursor() as cursor:
                cursor.execute("CREATE TEMP TABLE bench_raw (a text, b text, c text, d text)")
                started = time.monotonic()
                with cursor.cursor.copy("COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy, \
                        open(path, "rb") as fh:
                    while block := fh.read(1 << 20):
                        copy.write(block)
                raw = time.monotonic() - started
                cursor.execute("DROP TABLE bench_raw")
            info = inspect_upload(path, path.name)
            dry = run_import(BenchImporter(), path, info, dry_run=True, keep_errors=100)
            first = run_import(BenchImporter(), path, info, dry_run=False, keep_errors=100)
            again = run_import(BenchImporter(), path, info, dry_run=False, keep_errors=100)
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(BenchAttendance)
    for label, seconds in (("raw COPY", raw), ("dry run", dry.seconds), ("commit", first.seconds),
                           ("same file again", again.seconds)):
        print(f"{label:>16}: {rows / seconds:>10,.0f} rows/s  ({seconds:.1f} s, {seconds / raw:.1f}× raw COPY)")
    print(f"created {first.counts.created:,}, rejected {first.rejected_rows:,}; "
          f"again: created {again.counts.created:,}, unchanged {again.counts.unchanged:,}")
    assert again.counts.created == 0
