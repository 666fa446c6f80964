"""Writes of department intake (issue 16 build 4): classify a department's training records
against jixing's enrollments and other departments' records, store them, and add the counted
ones to the rollups. Called by the importer's commit (one transaction for the whole file) and
by ``reconcile_department_trainings``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from jixing.core import audit
from jixing.training.models import Enrollment, EnrollmentStatus

from . import intake_rules, rollup
from .models import DepartmentTraining, IntakeStatus

FIELDS = ("county_id", "action_id", "programme", "fund_source_id", "target_id", "name", "masked_id_number",
          "person_id", "declared_groups", "end_date", "certificate_number")


@dataclass
class Intake:
    """One valid row: the record's fields and the groups of the person for line counting."""

    row: int
    department_id: int
    id_number_hash: str
    occupation_id: int
    start_date: dt.date
    values: dict[str, Any]
    groups: list[str] = field(default_factory=list)
    target_code: str = ""
    decision: intake_rules.Decision | None = None
    existing: DepartmentTraining | None = None


def enrollment_periods(person_ids: Iterable[int], occupation_ids: Iterable[int]) -> dict[tuple[int, int], list[intake_rules.Period]]:
    """(person, occupation) → periods of their jixing enrollments that were not withdrawn."""
    rows = Enrollment.objects.filter(
        person_id__in=set(person_ids), training_class__project__occupation_id__in=set(occupation_ids),
    ).exclude(status=EnrollmentStatus.WITHDRAWN).values_list(
        "id", "person_id", "training_class__project__occupation_id", "training_class__start_date",
        "training_class__end_date", "training_class__code")
    result: dict[tuple[int, int], list[intake_rules.Period]] = {}
    for pk, person, occupation, start, end, code in rows:
        result.setdefault((person, occupation), []).append(intake_rules.Period(pk, start, end, code))
    return result


def record_periods(hashes: Iterable[str], occupation_ids: Iterable[int]) -> dict[tuple[str, int], list[tuple[DepartmentTraining, intake_rules.Period]]]:
    """(ID hash, occupation) → the counted department records (the ones others merge into)."""
    rows = DepartmentTraining.objects.counted().filter(
        id_number_hash__in=set(hashes), occupation_id__in=set(occupation_ids)).select_related("department")
    result: dict[tuple[str, int], list[tuple[DepartmentTraining, intake_rules.Period]]] = {}
    for r in rows:
        period = intake_rules.Period(r.pk, r.start_date, r.end_date, f"{r.department} · {r.programme}")
        result.setdefault((r.id_number_hash, r.occupation_id), []).append((r, period))
    return result


def classify(items: list[Intake]) -> None:
    """Decide each item (and find the department's own earlier record with the same key)."""
    if not items:
        return
    occupations = {i.occupation_id for i in items}
    enrolled = enrollment_periods([i.values["person_id"] for i in items if i.values.get("person_id")], occupations)
    records = record_periods([i.id_number_hash for i in items], occupations)
    own = {(r.department_id, r.id_number_hash, r.occupation_id, r.start_date): r for r in DepartmentTraining.objects.filter(
        department_id__in={i.department_id for i in items}, id_number_hash__in={i.id_number_hash for i in items},
        occupation_id__in=occupations)}
    for item in items:
        item.existing = own.get((item.department_id, item.id_number_hash, item.occupation_id, item.start_date))
        person_id = item.values.get("person_id")
        others = [p for r, p in records.get((item.id_number_hash, item.occupation_id), [])
                  if item.existing is None or r.pk != item.existing.pk]
        item.decision = intake_rules.decide(
            item.start_date, item.values["end_date"],
            enrollments=enrolled.get((person_id, item.occupation_id), []) if person_id else [], records=others)


def outcome(item: Intake) -> str:
    """created / updated / unchanged, for the preview and the counts."""
    if item.existing is None:
        return "created"
    same = all(getattr(item.existing, k) == v for k, v in item.values.items()) and (
        item.decision is not None and item.existing.status == item.decision.status)
    return "unchanged" if same else "updated"


def record_department_trainings(items: list[Intake], *, by: Any, definitions: rollup.GroupLines,
                                file_sha256: str = "") -> dict[str, int]:
    """Store the items: re-classified under the rollup lock (two departments importing the
    same person at once cannot both count them), counted ones added to the rollups."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "counted": 0, "merged": 0, "in_jixing": 0}
    with transaction.atomic():
        rollup.lock()
        classify(items)
        added: list[DepartmentTraining] = []
        removed: list[DepartmentTraining] = []
        for item in items:
            kind = outcome(item)
            counts[kind] += 1
            decision = item.decision
            assert decision is not None
            counts[decision.status] += 1
            if kind == "unchanged":
                continue
            record = item.existing or DepartmentTraining(
                department_id=item.department_id, id_number_hash=item.id_number_hash, occupation_id=item.occupation_id,
                start_date=item.start_date, created_by=by)
            if item.existing is not None and item.existing.status == IntakeStatus.COUNTED:
                removed.append(_snapshot(item.existing))
            for key, value in item.values.items():
                setattr(record, key, value)
            record.status = decision.status
            record.duplicate_of_id = decision.ref if decision.status == intake_rules.MERGED else None
            record.duplicate_enrollment_id = decision.ref if decision.status == intake_rules.IN_JIXING else None
            record.duplicate_reason = decision.reason[:300]
            record.counted_month = record.end_date.replace(day=1)
            record.lines = rollup.lines_for(item.target_code, item.groups, definitions)
            record.file_sha256 = file_sha256
            record.save()
            if record.status == IntakeStatus.COUNTED:
                added.append(record)
        if removed:
            rollup.apply_department(removed, sign=-1)
        if added:
            rollup.apply_department(
                list(DepartmentTraining.objects.filter(pk__in=[r.pk for r in added])
                     .select_related("action", "target", "fund_source", "department")))
        if items:
            audit.record("stats.department_training.import", actor=by, object_type="stats.departmenttraining",
                         object_id=items[0].department_id, after={**counts, "file_sha256": file_sha256})
    return counts


def _snapshot(record: DepartmentTraining) -> DepartmentTraining:
    """The stored record as it was counted (the rollups take exactly that away)."""
    return DepartmentTraining.objects.select_related("action", "target", "fund_source", "department").get(pk=record.pk)


def reconcile(*, by: Any = None) -> int:
    """Flag counted department records that a jixing enrollment entered later now duplicates
    (the enrollment counts; the record stops counting). Returns how many were flagged."""
    flagged = 0
    with transaction.atomic():
        rollup.lock()
        counted = list(DepartmentTraining.objects.counted().filter(person__isnull=False)
                       .select_related("action", "target", "fund_source", "department"))
        periods = enrollment_periods([r.person_id for r in counted if r.person_id], {r.occupation_id for r in counted})
        changed = []
        for record in counted:
            decision = intake_rules.decide(record.start_date, record.end_date,
                                           enrollments=periods.get((record.person_id or 0, record.occupation_id), []),
                                           records=[])
            if decision.status != intake_rules.IN_JIXING:
                continue
            changed.append(record)
        if changed:
            rollup.apply_department(changed, sign=-1)
        for record in changed:
            decision = intake_rules.decide(record.start_date, record.end_date,
                                           enrollments=periods[(record.person_id or 0, record.occupation_id)], records=[])
            record.status = IntakeStatus.IN_JIXING
            record.duplicate_enrollment_id = decision.ref
            record.duplicate_reason = decision.reason[:300]
            record.save(update_fields=["status", "duplicate_enrollment", "duplicate_reason", "updated_at"])
            audit.record("stats.department_training.flag", actor=by, obj=record, after={"status": record.status})
            flagged += 1
    return flagged
