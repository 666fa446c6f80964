"""Person import (kind ``persons``): upsert real-name persons on their resident ID number.

Columns (Chinese header of the official roster or English key): 姓名 name, 公民身份号码
id_number, 手机号码 phone, 户籍地行政区划代码 household_region, 现居地行政区划代码
current_region, 人员类别 groups (target-group names or codes separated by ``;`` / ``；``).

The ID number is validated (GB 11643 via python-stdnum, ``registry.validators``), found through
``Person.hash_id_number`` and stored only in the encrypted column; reasons and summaries never
contain it. Region codes must be county-level. An officer imports only persons whose household
or current region lies in their subtree, and updates only persons they can already see.
Groups are added (valid from the import day), never removed by an import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.access import scope_for
from jixing.core.masking import mask_id_number, mask_phone
from jixing.imports import reasons
from jixing.imports.pipeline import (
    ACTION_LABEL,
    ACTION_LABELS,
    CREATE,
    ROW_LABEL,
    UNCHANGED,
    UPDATE,
    Column,
    Counts,
    Importer,
    Row,
    RowError,
    register,
)

from .models import Person, PersonGroup, Region, RegionLevel, TargetGroup, person_registered
from .validators import normalise_phone, parse_resident_id

if TYPE_CHECKING:
    from jixing.accounts.models import User

_GROUP_SPLIT = re.compile(r"[;；]")
# Letters of any script; minority and foreign names join parts with "·" (or a space).
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ ·•．.][^\W\d_]+)*$")
NAME_MAX = 50



@dataclass
class PersonItem:
    row: int
    name: str
    id_number: str  # normalised; lives only in memory and in the encrypted column
    id_hash: str
    phone: str  # "" = keep what is stored
    household_region: str
    current_region: str
    group_ids: list[int]
    action: str = CREATE
    existing: Person | None = None
    new_group_ids: list[int] = field(default_factory=list)


def target_group_names() -> list[str]:
    """人员类别 offered in import templates' drop-downs."""
    return list(TargetGroup.objects.order_by("code").values_list("name", flat=True))


@register
class PersonImporter(Importer[PersonItem]):
    kind = "persons"
    title = gettext_lazy("persons")
    roles = frozenset({Role.HRSS_OFFICER})
    columns = (
        Column("name", "姓名", example="张三"),
        Column("id_number", "公民身份号码", example="18位，末位可为X"),
        Column("phone", "手机号码", required=False, example="13912345678"),
        Column("household_region", "户籍地行政区划代码", example="370102（县级）"),
        Column("current_region", "现居地行政区划代码", example="370102（县级）"),
        Column("groups", "人员类别", required=False, example="退役军人；就业困难人员（名称或代码，用；分隔）",
               choices=lambda: target_group_names(), several=True),
    )
    preview_labels = (
        ("row", ROW_LABEL), ("name", "姓名"), ("id_number", "公民身份号码"), ("phone", "手机号码"),
        ("household_region", "户籍地"), ("current_region", "现居地"), ("groups", "人员类别"),
        ("action", ACTION_LABEL),
    )

    def __init__(self, *, user: User | None = None) -> None:
        super().__init__(user=user)
        self._seen: dict[str, int] = {}  # id hash → first row, across chunks
        self._regions: dict[str, Region] | None = None
        self._groups: dict[str, TargetGroup] = {}
        scope = scope_for(user) if user is not None else None
        self._prefix = None if scope is None or scope.everything else (scope.region_prefix or "\x00")

    # ----------------------------------------------------------- reference data

    def _load(self) -> dict[str, Region]:
        if self._regions is None:
            self._regions = {r.code: r for r in Region.objects.all()}
            for group in TargetGroup.objects.all():
                self._groups[group.name] = group
                self._groups[group.code] = group
        return self._regions

    def _in_scope(self, code: str) -> bool:
        return self._prefix is None or code.startswith(self._prefix)

    def _check_region(self, row: Row, key: str, errors: list[RowError]) -> str:
        code = row[key]
        if not code:
            errors.append(self.error(row, key, reasons.required()))
            return ""
        region = self._load().get(code)
        if region is None:
            errors.append(self.error(row, key, reasons.unknown_region(code)))
            return ""
        if region.level != RegionLevel.COUNTY:
            errors.append(self.error(row, key, reasons.region_not_county(code, region.name)))
            return ""
        return code

    # ----------------------------------------------------------- validation

    def validate_chunk(self, rows: list[Row]) -> tuple[list[PersonItem], list[RowError]]:
        self._load()
        errors: list[RowError] = []
        candidates: list[PersonItem] = []
        for row in rows:
            item = self._parse(row, errors)
            if item is not None:
                candidates.append(item)
        existing = {
            p.id_number_hash: p
            for p in Person.objects.filter(id_number_hash__in=[c.id_hash for c in candidates])
            .prefetch_related("memberships__group")
        }
        today = timezone.localdate()
        valid: list[PersonItem] = []
        for item in candidates:
            person = existing.get(item.id_hash)
            if person is not None and not (self._in_scope(person.household_region_id)
                                           or self._in_scope(person.current_region_id)):
                errors.append(self.error(item.row, "id_number", reasons.registered_elsewhere()))
                continue
            self._classify(item, person, today)
            valid.append(item)
        return valid, errors

    def _parse(self, row: Row, errors: list[RowError]) -> PersonItem | None:
        before = len(errors)
        name = row["name"]
        if not name:
            errors.append(self.error(row, "name", reasons.required()))
        elif len(name) > NAME_MAX:
            errors.append(self.error(row, "name", reasons.too_long(NAME_MAX)))
        elif not _NAME_RE.match(name):
            errors.append(self.error(row, "name", reasons.name_letters_only()))
        id_number = id_hash = ""
        if not row["id_number"]:
            errors.append(self.error(row, "id_number", reasons.required()))
        else:
            try:
                id_number = parse_resident_id(row["id_number"]).number
            except ValidationError as exc:
                errors.append(self.error(row, "id_number", reasons.validator_message(exc.messages)))
            else:
                id_hash = Person.hash_id_number(id_number)
                first = self._seen.get(id_hash)
                if first is not None:
                    errors.append(self.error(row, "id_number", reasons.duplicate_in_file(first)))
                else:
                    self._seen[id_hash] = row.number
        phone = ""
        if row["phone"]:
            try:
                phone = normalise_phone(row["phone"])
            except ValidationError as exc:
                errors.append(self.error(row, "phone", reasons.validator_message(exc.messages)))
        household = self._check_region(row, "household_region", errors)
        current = self._check_region(row, "current_region", errors)
        if household and current and not (self._in_scope(household) or self._in_scope(current)):
            errors.append(self.error(row, "current_region", reasons.outside_scope()))
        group_ids: list[int] = []
        for part in _GROUP_SPLIT.split(row["groups"]):
            label = part.strip()
            if not label:
                continue
            group = self._groups.get(label)
            if group is None:
                errors.append(self.error(row, "groups", reasons.unknown_choice(label, self._headers["groups"])))
            elif group.pk not in group_ids:
                group_ids.append(group.pk)
        if len(errors) > before:
            return None
        return PersonItem(row=row.number, name=name, id_number=id_number, id_hash=id_hash, phone=phone,
                          household_region=household, current_region=current, group_ids=group_ids)

    def _classify(self, item: PersonItem, person: Person | None, today: dt.date) -> None:
        item.existing = person
        if person is None:
            item.action = CREATE
            item.new_group_ids = list(item.group_ids)
            return
        # by code: a sensitive membership is sealed (no group id in the clear)
        active = {m.group_code for m in person.memberships.all() if m.archived_at is None and m.is_valid_on(today)}
        codes = {g.pk: g.code for g in self._groups.values()}
        item.new_group_ids = [g for g in item.group_ids if codes[g] not in active]
        same = (
            person.name == item.name
            and (not item.phone or person.phone == item.phone)
            and person.household_region_id == item.household_region
            and person.current_region_id == item.current_region
            and not item.new_group_ids
        )
        item.action = UNCHANGED if same else UPDATE

    def predict(self, items: list[PersonItem]) -> Counts:
        return Counts(
            created=sum(i.action == CREATE for i in items),
            updated=sum(i.action == UPDATE for i in items),
            unchanged=sum(i.action == UNCHANGED for i in items),
        )

    # ----------------------------------------------------------- writing

    def commit(self, items: list[PersonItem], *, by: User | None) -> Counts:
        counts = self.predict(items)
        new: list[Person] = []
        changed: list[Person] = []
        for item in items:
            if item.action == CREATE:
                person = Person(name=item.name, household_region_id=item.household_region,
                                current_region_id=item.current_region)
                person.set_id_number(item.id_number)
                person.set_phone(item.phone)
                new.append(person)
            elif item.action == UPDATE and item.existing is not None:
                person = item.existing
                person.name = item.name
                if item.phone:
                    person.set_phone(item.phone)
                person.household_region_id = item.household_region
                person.current_region_id = item.current_region
                person.updated_at = timezone.now()
                changed.append(person)
        Person.objects.bulk_create(new, batch_size=1000)
        person_registered(new, by)  # held insurance rows and benefit periods are attached
        if changed:
            Person.objects.bulk_update(
                changed, ["name", "phone", "phone_hash", "household_region", "current_region", "updated_at"],
                batch_size=500,
            )
        created_by_hash = {p.id_number_hash: p for p in new}
        today = timezone.localdate()
        groups_by_id = {g.pk: g for g in self._groups.values()}
        memberships = []
        for item in items:
            owner = created_by_hash.get(item.id_hash) or item.existing
            if owner is None:
                continue
            for group_id in item.new_group_ids:
                memberships.append(PersonGroup(person=owner, group_id=group_id, valid_from=today,
                                               evidence=reasons.imported_evidence(self.kind)).seal(groups_by_id))
        PersonGroup.objects.bulk_create(memberships, batch_size=1000, ignore_conflicts=True)
        touched = [p.pk for p in new] + [p.pk for p in changed]
        if touched or memberships:
            audit.record("registry.persons_imported", actor=by, object_type="registry.person",
                         detail={"created": [p.pk for p in new], "updated": [p.pk for p in changed],
                                 "memberships_added": len(memberships)})
        return counts

    # ----------------------------------------------------------- display

    def preview_row(self, item: PersonItem) -> dict[str, str]:
        regions = self._load()
        # Sensitive groups (disability, correction …) stay out of the stored preview (B4).
        names = {g.pk: (reasons.protected_category() if g.sensitive else g.name) for g in self._groups.values()}
        return {
            "row": str(item.row),
            "name": item.name,
            "id_number": mask_id_number(item.id_number),
            "phone": mask_phone(item.phone),
            "household_region": f"{item.household_region} {regions[item.household_region].name}",
            "current_region": f"{item.current_region} {regions[item.current_region].name}",
            "groups": "；".join(names[g] for g in item.group_ids),
            "action": str(ACTION_LABELS[item.action]),
        }
