"""Load the policy's reference data from ``reference/`` (idempotent: run it again to update)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Model

from jixing.plan.models import Action, FundSource, IndustrialChain, Programme, Target
from jixing.registry.divisions import load_regions
from jixing.registry.models import Department, Occupation, SkillLevel, TargetGroup

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _upsert(model: type[Model], lookup: dict[str, Any], values: dict[str, Any], counts: dict[str, int]) -> Any:
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        counts["created"] += 1
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save()
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
    return obj


def load_reference() -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = {}

    def counter(name: str) -> dict[str, int]:
        return summary.setdefault(name, {"created": 0, "updated": 0, "unchanged": 0})

    with transaction.atomic():
        # every division of China (regions_cn.csv) and the former codes still found in ID numbers
        load_regions(REFERENCE_DIR, counter("regions"), counter("former_region_codes"))

        c = counter("departments")
        for row in _rows("departments.csv"):
            _upsert(Department, {"code": row["code"]}, {"name": row["name"], "short_name": row["short_name"]}, c)

        c = counter("actions")
        departments = {d.code: d for d in Department.objects.all()}
        for row in _rows("actions.csv"):
            action = _upsert(Action, {"number": int(row["number"])}, {"code": row["code"], "name": row["name"], "summary": row["summary"]}, c)
            wanted = {departments[code] for code in row["responsible_departments"].split(";")}
            if set(action.departments.all()) != wanted:
                action.departments.set(wanted)

        c = counter("targets")
        actions = {a.number: a for a in Action.objects.all()}
        for row in _rows("targets.csv"):
            _upsert(Target, {"code": row["code"]}, {
                "action": actions[int(row["action"])] if row["action"] else None,
                "name": row["name"], "unit": row["unit"], "value": Decimal(row["value"]),
                "period": row["period"], "comparison": row["comparison"], "seed_quote": row["seed_quote"],
            }, c)

        c = counter("skill_levels")
        for row in _rows("skill_levels.csv"):
            _upsert(SkillLevel, {"order": int(row["order"])}, {
                "name": row["name_zh"], "name_en": row["name_en"],
                "national_level": int(row["national_level_code"]) if row["national_level_code"] else None,
                "national_label": row["national_level_label"], "source": row["source"],
            }, c)

        c = counter("occupations")
        for index, row in enumerate(_rows("occupations.csv"), start=1):
            verified = row["status"] == "verified"
            key = f"occ-{row['code']}" if row["code"] else f"occ-unverified-{index:03d}"
            existing = Occupation.objects.filter(name=row["official_name"]).first()
            _upsert(Occupation, {"key": existing.key if existing else key}, {
                "name": row["official_name"], "code": row["code"] if verified else "",
                "verified": verified, "basis": row["basis"],
            }, c)

        c = counter("target_groups")
        for row in _rows("target_groups.csv"):
            _upsert(TargetGroup, {"code": row["code"]}, {
                "name": row["name"], "sensitive": row["sensitive"] == "true",
                "excludes_subsidy": row["excludes_subsidy"] == "true", "source": row["source"],
            }, c)
        # a line's groups by definition (targets.csv counted_groups; docs/statistics.md)
        groups = {g.code: g for g in TargetGroup.objects.all()}
        for row in _rows("targets.csv"):
            target = Target.objects.get(code=row["code"])
            wanted_groups = {groups[code] for code in (row.get("counted_groups") or "").split(";") if code}
            if set(target.counted_groups.all()) != wanted_groups:
                target.counted_groups.set(wanted_groups)
        c = counter("fund_sources")
        for row in _rows("fund_sources.csv"):
            _upsert(FundSource, {"code": row["code"]}, {"name": row["name"]}, c)
        _load_chains(counter("industrial_chains"))
        _load_programmes(counter("programmes"))
    return summary


def _load_chains(c: dict[str, int]) -> None:
    """The 18 + 66 chains of seed 一(七). A row the administrator has verified (no longer a
    placeholder) is never overwritten by a placeholder of the file."""
    departments = {d.code: d for d in Department.objects.all()}
    occupations = {o.key: o for o in Occupation.objects.all()}
    for row in _rows("industrial_chains.csv"):
        placeholder = row["placeholder"] == "true"
        existing = IndustrialChain.objects.filter(code=row["code"]).first()
        if existing is not None and placeholder and not existing.is_placeholder:
            c["unchanged"] += 1
            continue
        chain = _upsert(IndustrialChain, {"code": row["code"]}, {
            "tier": row["tier"], "number": int(row["number"]), "name": row["name"],
            "lead_department": departments.get(row["lead_department"]), "is_placeholder": placeholder,
            "source": row["source"],
        }, c)
        wanted = {occupations[k] for k in row["key_occupations"].split(";") if k}
        if wanted and set(chain.key_occupations.all()) != wanted:
            chain.key_occupations.set(wanted)


def _load_programmes(c: dict[str, int]) -> None:
    """The named programmes of seed 一(四)/(五)/(八). Dates, targets and the active flag are the
    responsible officers' to edit in the admin; a reload refreshes only name, action,
    department and source."""
    departments = {d.code: d for d in Department.objects.all()}
    actions = {a.number: a for a in Action.objects.all()}
    for row in _rows("programmes.csv"):
        values: dict[str, Any] = {"name": row["name"], "action": actions[int(row["action"])] if row["action"] else None,
                  "department": departments[row["department"]], "source": row["source"]}
        if not Programme.objects.filter(code=row["code"]).exists():
            values |= {"starts_on": dt.date.fromisoformat(row["starts_on"]), "ends_on": dt.date.fromisoformat(row["ends_on"]),
                       "target_person_times": int(row["target_person_times"]) if row["target_person_times"] else None}
        _upsert(Programme, {"code": row["code"]}, values, c)


class Command(BaseCommand):
    help = "Load departments, actions, targets, regions, occupations, skill levels and target groups from reference/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        summary = load_reference()
        if options["json"]:
            self.stdout.write(json.dumps({**summary, "seconds": round(time.monotonic() - started, 3)}, ensure_ascii=False))
        else:
            for name, counts in summary.items():
                self.stdout.write(f"{name}: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged")
