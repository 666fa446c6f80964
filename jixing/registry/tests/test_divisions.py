"""The national division table: every county of China, former codes, idempotent bulk load."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from django.conf import settings

from jixing.plan.management.commands.load_reference import load_reference
from jixing.registry.divisions import _last_name, current_divisions, former_codes
from jixing.registry.models import FormerRegionCode, Region, RegionLevel

REFERENCE = Path(settings.BASE_DIR) / "reference"


def test_it_keeps_shandong_rows_equal_to_the_verified_shandong_files() -> None:
    national = {d.code: d for d in current_divisions(REFERENCE)}
    with open(REFERENCE / "counties.csv", encoding="utf-8", newline="") as f:
        counties = list(csv.DictReader(f))
    with open(REFERENCE / "cities.csv", encoding="utf-8", newline="") as f:
        cities = list(csv.DictReader(f))
    for row in counties:
        assert (national[row["code"]].name, national[row["code"]].parent_id) == (row["name"], row["parent_code"])
    for row in cities:
        assert (national[row["code"]].name, national[row["code"]].short_name) == (row["name"], row["short_name"])
    assert {c for c, d in national.items() if c.startswith("37") and d.level == RegionLevel.COUNTY} == {r["code"] for r in counties}


def test_it_gives_every_county_a_parent_that_exists() -> None:
    national = {d.code: d for d in current_divisions(REFERENCE)}
    assert len([d for d in national.values() if d.level == RegionLevel.PROVINCE]) == 34
    assert len([d for d in national.values() if d.level == RegionLevel.COUNTY]) > 2800
    for d in national.values():
        assert (d.parent_id is None) == (d.level == RegionLevel.PROVINCE)
        assert d.parent_id is None or d.parent_id in national
        assert d.parent_id is None or d.code[:2] == d.parent_id[:2]


def test_it_reads_the_latest_name_of_a_former_code() -> None:
    assert _last_name("[-1991]东郊区,[1992-]东丽区") == ("东丽区", "[1992-]")
    assert _last_name("[-2010]崇文区") == ("崇文区", "[-2010]")
    formers = {f.code: f for f in former_codes(frozenset(d.code for d in current_divisions(REFERENCE)))}
    assert formers["110103"].name == "崇文区"
    assert "110101" not in formers  # 东城区 is current


@pytest.mark.django_db
def test_it_loads_every_region_of_china_idempotently_and_fast() -> None:
    # the migration loaded them already: start again from Shandong alone, as before this table
    FormerRegionCode.objects.all().delete()
    Region.objects.exclude(code__startswith="37").filter(level=RegionLevel.COUNTY).delete()
    Region.objects.exclude(code__startswith="37").filter(level=RegionLevel.CITY).delete()
    Region.objects.exclude(code__startswith="37").delete()
    started = time.monotonic()
    first = load_reference()
    first_seconds = time.monotonic() - started
    assert first["regions"]["created"] > 3000
    assert Region.objects.get(code="410102").name == "中原区"
    assert Region.objects.get(code="410102").parent.parent.name == "河南省"
    assert FormerRegionCode.objects.get(code="110103").province_id == "110000"
    started = time.monotonic()
    again = load_reference()
    again_seconds = time.monotonic() - started
    assert again["regions"] == {"created": 0, "updated": 0, "unchanged": Region.objects.count()}
    assert again["former_region_codes"]["created"] == 0
    # the bulk path: a second full load is a read and no writes; both well under two seconds
    assert first_seconds < 5.0 and again_seconds < 2.0, (first_seconds, again_seconds)
