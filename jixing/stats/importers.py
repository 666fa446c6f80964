"""Department training import (kind ``department_trainings``; issue 16 build 4, seed 三).

A sector department's officer imports the trainings of the department's own programmes through
the shared pipeline (upload → row checks → preview → commit → rejected rows as a file).
Columns (Chinese header or English key): 姓名 name, 公民身份号码 id_number, 培训项目 programme,
资金来源 fund_source, 职业（工种） occupation, 开始日期 start_date, 结束日期 end_date,
培训地县级代码 county, 证书编号 certificate (optional), 目标任务 target (optional: the programme's
line), 行动 action (optional when the department takes part in one action or the line names it),
人员类别 groups (optional, several separated by "；").

Each valid row is counted, or kept as a duplicate of a jixing enrollment or of an earlier
department record (same person, occupation, overlapping period) with the reason; the preview
says which before anything is written. The same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from jixing.accounts.models import Role
from jixing.core.access import region_prefix, scope_for
from jixing.core.masking import mask_id_number
from jixing.employment.importers import parse_day
from jixing.imports import reasons
from jixing.imports.pipeline import ROW_LABEL, Column, Counts, Importer, Row, RowError, register
from jixing.plan.models import Action, FundSource, Target, TargetUnit
from jixing.registry.models import Department, Occupation, Person, Region, RegionLevel, TargetGroup
from jixing.registry.validators import parse_resident_id

from . import intake_actions, intake_rules, rollup

if TYPE_CHECKING:
    from jixing.accounts.models import User


def _choices(model: Any, field: str = "name") -> list[str]:
    return list(model.objects.values_list(field, flat=True))


@register
class DepartmentTrainingImporter(Importer[intake_actions.Intake]):
    kind = "department_trainings"
    title = gettext_lazy("department training records")
    roles = frozenset({Role.SECTOR_OFFICER})
    columns = (
        Column("name", "姓名", example="李梅"),
        Column("id_number", "公民身份号码", example="370102199001011234"),
        Column("programme", "培训项目", example="高素质农民培育"),
        Column("fund_source", "资金来源", example="行业主管部门相关资金", choices=lambda: _choices(FundSource)),
        Column("occupation", "职业（工种）", example="农业经理人"),
        Column("start_date", "开始日期", example="2026-03-02"),
        Column("end_date", "结束日期", example="2026-03-20"),
        Column("county", "培训地县级代码", example="370112"),
        Column("certificate", "证书编号", required=False),
        Column("target", "目标任务", required=False, choices=lambda: _choices(Target.objects.filter(
            unit=TargetUnit.PERSON_TIMES_PER_YEAR))),
        Column("action", "行动", required=False, example="2"),
        Column("groups", "人员类别", required=False, several=True, example="农村转移劳动力"),
    )
    preview_labels = (
        ("row", ROW_LABEL), ("name", "姓名"), ("id_number", "公民身份号码"), ("occupation", "职业（工种）"),
        ("period", pgettext_lazy("import preview", "period")), ("status", pgettext_lazy("import preview", "counting")),
        ("reason", pgettext_lazy("import preview", "reason")),
    )

    def __init__(self, *, user: User | None = None) -> None:
        super().__init__(user=user)
        scope = scope_for(user)
        self.department = Department.objects.filter(pk=scope.department_id).first() if scope.department_id else None
        self.region_prefix = scope.region_prefix if scope.region_prefix and scope.region_prefix != "37" else None
        self.department_actions = {a.number: a for a in Action.objects.filter(departments=self.department)} if self.department else {}
        self.fund_sources = {**{f.code: f for f in FundSource.objects.all()}, **{f.name: f for f in FundSource.objects.all()}}
        self.occupations = {o.name: o for o in Occupation.objects.all()} | {o.code: o for o in Occupation.objects.exclude(code="")}
        targets = Target.objects.filter(unit=TargetUnit.PERSON_TIMES_PER_YEAR).select_related("action")
        self.targets = {t.code: t for t in targets} | {t.name: t for t in targets}
        groups = TargetGroup.objects.filter(sensitive=False, excludes_subsidy=False)
        self.groups = {g.code: g.code for g in groups} | {g.name: g.code for g in groups}
        self.definitions = rollup.group_lines()
        self.today = timezone.localdate()
        self._seen: dict[tuple[str, int], list[tuple[dt.date, dt.date, int]]] = {}
        self.statuses = {"counted": 0, "merged": 0, "in_jixing": 0}

    def _lookup(self, row: Row, key: str, table: dict[str, Any], errors: list[RowError]) -> Any:
        value = row[key]
        if not value:
            errors.append(self.error(row, key, reasons.required()))
            return None
        found = table.get(value)
        if found is None:
            errors.append(self.error(row, key, reasons.unknown_choice(value, self._headers[key])))
        return found

    def _dates(self, row: Row, errors: list[RowError]) -> tuple[dt.date | None, dt.date | None]:
        days: list[dt.date | None] = []
        for key in ("start_date", "end_date"):
            if not row[key]:
                errors.append(self.error(row, key, reasons.required()))
                days.append(None)
                continue
            try:
                days.append(parse_day(row[key], today=self.today))
            except ValueError as exc:
                errors.append(self.error(row, key, str(exc)))
                days.append(None)
        start, end = days
        if start and end and end < start:
            errors.append(self.error(row, "end_date", _("The end date is before the start date.")))
        if end and end > self.today:
            errors.append(self.error(row, "end_date", _("The training has not ended yet: only completed trainings are counted.")))
        return start, end

    def _county(self, row: Row, errors: list[RowError]) -> Region | None:
        code = row["county"]
        if not code:
            errors.append(self.error(row, "county", reasons.required()))
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            errors.append(self.error(row, "county", reasons.unknown_region(code)))
            return None
        if region.level != RegionLevel.COUNTY:
            errors.append(self.error(row, "county", reasons.region_not_county(code, region.name)))
            return None
        if self.region_prefix and not code.startswith(region_prefix(self.region_prefix)):
            errors.append(self.error(row, "county", reasons.outside_scope()))
            return None
        return region

    def _action(self, row: Row, target: Target | None, errors: list[RowError]) -> Action | None:
        text = row["action"].strip("（）()")
        if text:
            action = self.department_actions.get(int(text)) if text.isdigit() else None
            if action is None:
                errors.append(self.error(row, "action", _("Not an action your department takes part in.")))
            return action
        if target is not None and target.action is not None:
            if target.action.number not in self.department_actions:
                errors.append(self.error(row, "target", _("This line belongs to an action your department does not take part in.")))
                return None
            return self.department_actions[target.action.number]
        if len(self.department_actions) == 1:
            return next(iter(self.department_actions.values()))
        errors.append(self.error(row, "action", _("Your department takes part in several actions: give the action number.")))
        return None

    def _groups(self, row: Row, errors: list[RowError]) -> list[str]:
        codes: list[str] = []
        for part in row["groups"].replace(";", "；").split("；"):
            part = part.strip()
            if not part:
                continue
            code = self.groups.get(part)
            if code is None:
                errors.append(self.error(row, "groups", reasons.unknown_choice(part, self._headers["groups"])))
            elif code not in codes:
                codes.append(code)
        return codes

    def validate_chunk(self, rows: list[Row]) -> tuple[list[intake_actions.Intake], list[RowError]]:
        items: list[intake_actions.Intake] = []
        errors: list[RowError] = []
        if self.department is None:
            return [], [self.error(row, "", _("Only an officer of a sector department imports its training records."))
                        for row in rows]
        for row in rows:
            before = len(errors)
            number = ""
            if not row["name"]:
                errors.append(self.error(row, "name", reasons.required()))
            if not row["id_number"]:
                errors.append(self.error(row, "id_number", reasons.required()))
            else:
                try:
                    number = parse_resident_id(row["id_number"]).number
                except ValidationError as exc:
                    errors.append(self.error(row, "id_number", reasons.validator_message(exc.messages)))
            if not row["programme"]:
                errors.append(self.error(row, "programme", reasons.required()))
            elif len(row["programme"]) > 120:
                errors.append(self.error(row, "programme", reasons.too_long(120)))
            if len(row["certificate"]) > 40:
                errors.append(self.error(row, "certificate", reasons.too_long(40)))
            fund = self._lookup(row, "fund_source", self.fund_sources, errors)
            occupation = self._lookup(row, "occupation", self.occupations, errors)
            target = self._lookup(row, "target", self.targets, errors) if row["target"] else None
            action = self._action(row, target, errors)
            if target is not None and action is not None and target.action_id not in (None, action.pk):
                errors.append(self.error(row, "target", _("The line belongs to another action than the row's.")))
            county = self._county(row, errors)
            start, end = self._dates(row, errors)
            groups = self._groups(row, errors)
            if len(errors) > before or not (number and fund and occupation and action and county and start and end):
                continue
            id_hash = Person.hash_id_number(number)
            seen = self._seen.setdefault((id_hash, occupation.pk), [])
            first = next((n for s, e, n in seen if intake_rules.overlaps(start, end, s, e)), None)
            if first is not None:
                errors.append(self.error(row, "id_number", reasons.duplicate_in_file(first)))
                continue
            seen.append((start, end, row.number))
            person = Person.objects.filter(id_number_hash=id_hash).first()
            if person is not None:
                groups += [c for c, s, e in rollup.memberships([person.pk], self.definitions).get(person.pk, [])
                           if s <= end and (e is None or end <= e) and c not in groups]
            items.append(intake_actions.Intake(
                row=row.number, department_id=self.department.pk, id_number_hash=id_hash, occupation_id=occupation.pk,
                start_date=start, groups=groups, target_code=target.code if target else "", values={
                    "county_id": county.pk, "action_id": action.pk, "programme": row["programme"],
                    "fund_source_id": fund.pk, "target_id": target.pk if target else None, "name": row["name"][:50],
                    "masked_id_number": mask_id_number(number), "person_id": person.pk if person else None,
                    "declared_groups": ",".join(self._groups_declared(row)), "end_date": end,
                    "certificate_number": row["certificate"],
                }))
        intake_actions.classify(items)
        for item in items:
            assert item.decision is not None
            self.statuses[item.decision.status] += 1
        return items, errors

    def _groups_declared(self, row: Row) -> list[str]:
        return [self.groups[p.strip()] for p in row["groups"].replace(";", "；").split("；") if p.strip() in self.groups]

    def predict(self, items: list[intake_actions.Intake]) -> Counts:
        counts = Counts()
        for item in items:
            kind = intake_actions.outcome(item)
            setattr(counts, kind, getattr(counts, kind) + 1)
        return counts

    def preview_row(self, item: intake_actions.Intake) -> dict[str, str]:
        decision = item.decision
        labels = {"counted": _("counted"), "merged": _("merged (duplicate)"), "in_jixing": _("already in jixing")}
        occupation = next((o for o in self.occupations.values() if o.pk == item.occupation_id), None)
        return {"row": str(item.row), "name": item.values["name"], "id_number": item.values["masked_id_number"],
                "occupation": occupation.name if occupation else "",
                "period": f"{item.start_date} – {item.values['end_date']}",
                "status": labels.get(decision.status, "") if decision else "", "reason": decision.reason if decision else ""}

    def commit(self, items: list[intake_actions.Intake], *, by: User | None) -> Counts:
        result = intake_actions.record_department_trainings(items, by=by, definitions=self.definitions)
        return Counts(created=result["created"], updated=result["updated"], unchanged=result["unchanged"])

    def summary_extra(self) -> dict[str, Any]:
        return dict(self.statuses)
