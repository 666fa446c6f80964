"""Social-insurance import on PostgreSQL: a 1,000,000-row contribution file (50,000 registered
persons × 20 months, 2 % of rows for unregistered persons, a few bad rows) through
``import_insurance``'s importer, against a raw COPY of the same file in the same run; then the
same file again (idempotent: nothing created). Measured on the 2-core dev box with 200,000
rows: about 5,000–7,000 rows/s committed (COPY into a temporary table, INSERT … ON CONFLICT,
and the deferred foreign-key checks at COMMIT dominate; validation is ~30 %).

    DATABASE_URL=postgres://… python -m bench insurance      (BENCH_INSURANCE_ROWS=200000 for a quick run)
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path

from django.db import connection

from bench._db import fresh_database

MONTHS = 20


def _people(count: int, rng: random.Random) -> list[str]:
    from jixing.registry.idgen import make_id_number

    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        number = make_id_number("370102", dt.date(rng.randrange(1970, 2005), rng.randrange(1, 13), rng.randrange(1, 29)),
                                rng.randrange(0, 1000))
        if number not in seen:
            seen.add(number)
            out.append(number)
    return out


def _setup(rows: int, path: Path) -> None:
    from jixing.plan.management.commands.load_reference import load_reference
    from jixing.registry.idgen import make_uscc
    from jixing.registry.models import Organisation, OrganisationKind, Person

    load_reference()
    rng = random.Random(2025)
    persons = rows // MONTHS
    numbers = _people(persons + persons // 50, rng)
    registered, unknown = numbers[:persons], numbers[persons:]
    batch = []
    for n, number in enumerate(registered):
        p = Person(name=f"测试{n}", household_region_id="370102", current_region_id="370102")
        p.set_id_number(number)
        batch.append(p)
    Person.objects.bulk_create(batch, batch_size=5000)
    usccs = [make_uscc("370102", rng) for _ in range(500)]
    Organisation.objects.bulk_create([
        Organisation(uscc=u, name=f"测试企业{i}", kind=OrganisationKind.ENTERPRISE, county_id="370102")
        for i, u in enumerate(usccs[:400])  # 100 employers unknown to the registry
    ])
    months = [f"{2024 + (m + 3) // 12}{(m + 3) % 12 + 1:02d}" for m in range(MONTHS)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["公民身份号码", "单位统一社会信用代码", "缴费月份", "缴费基数", "险种", "参保地"])
        written = 0
        everyone = [(n, x) for n, x in enumerate(registered)] + [(n, x) for n, x in enumerate(unknown)]
        everyone.sort(key=lambda pair: pair[0])  # the unregistered are spread through the file
        for n, number in everyone:
            employer = usccs[n % len(usccs)]
            base = rng.randrange(3000, 12000)
            for m, month in enumerate(months):
                bad = written % 4999 == 0
                out.writerow([number, employer, "2024-13" if bad else month, f"{base + 50 * m}.00", "失业保险", "3701"])
                written += 1
                if written >= rows:
                    return


def main() -> None:
    from jixing.employment.importers import InsuranceImporter
    from jixing.employment.models import HeldContribution, InsuranceContribution
    from jixing.imports.pipeline import run_import
    from jixing.imports.readers import inspect_upload

    rows = int(os.environ.get("BENCH_INSURANCE_ROWS", "1000000"))
    fresh_database("insurance")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contributions.csv"
        started = time.monotonic()
        _setup(rows, path)
        print(f"{'setup':>16}: {time.monotonic() - started:.1f} s ({rows // MONTHS:,} persons)")
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
        first = run_import(InsuranceImporter(), path, info, dry_run=False, keep_errors=100)
        again = run_import(InsuranceImporter(), path, info, dry_run=False, keep_errors=100)
    for label, seconds in (("raw COPY", raw), ("commit", first.seconds), ("same file again", again.seconds)):
        print(f"{label:>16}: {rows / seconds:>10,.0f} rows/s  ({seconds:.1f} s, {seconds / raw:.1f}× raw COPY)")
    print(f"created {first.counts.created:,}, held {first.extra['held']:,}, rejected {first.rejected_rows:,}; "
          f"again: created {again.counts.created:,}, unchanged {again.counts.unchanged:,}")
    print(f"rows in the database: {InsuranceContribution.objects.count():,} contributions, "
          f"{HeldContribution.objects.count():,} held")
    assert again.counts.created == 0 and again.extra["held_new"] == 0
