"""Training imports registered with the shared pipeline (``jixing.imports.pipeline``):

- ``roster`` (班级花名册): 班级编号 (or ``--class CODE``), 姓名, 公民身份号码, 手机号码, 人员类别.
  Persons are upserted on the ID number (an existing person's registered name must match:
  real-name check), declared 人员类别 become target-group memberships valid from the class
  start (evidence “花名册申报”), and each row is enrolled with its eligibility decided by
  ``rules``. Ineligible persons are still enrolled, unsubsidised, and listed under
  ``ineligible`` with their reasons; rows that cannot be enrolled at all (class full, closed,
  project not approved, unknown class) are rejected. New persons' household region is the
  county of their ID number when it is a current county of China (any province), else (a
  former or unknown code, still a valid number) the class's county.
- ``attendance``: see ``bulk_attendance`` (the same validator serves the pipeline and the
  vectorised CSV path of ``manage.py import_attendance``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

import polars as pl
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixing.accounts.models import Role
from jixing.core.display import local_minute
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
    FileRejected,
    Importer,
    Row,
    RowError,
    any_of,
    copy_rows,
    copy_update_rows,
    register,
)
from jixing.registry.importers import target_group_names
from jixing.registry.models import Person, PersonGroup, Region, RegionLevel, TargetGroup
from jixing.registry.validators import normalise_phone, parse_resident_id

from . import bulk_attendance, conf, rules
from .models import CheckInMethod, Enrollment, TrainingClass, TrainingSession
from .queries import COUNTING_STATUSES, EligibilityBook, offer_for

if TYPE_CHECKING:
    from jixing.accounts.models import User

# what a new person and a declared membership are written with (copy_rows, DB-ready values)
_PERSON_COLUMNS = ("id_number", "id_number_hash", "name", "birth_date", "sex", "phone", "phone_hash",
                   "household_region_id", "current_region_id")
_MEMBERSHIP_COLUMNS = ("person_id", "group_id", "sealed_group", "sealed_key", "valid_from", "evidence")
_GROUP_SPLIT = re.compile(r"[;；、,，]")
NAME_MAX = 50


# ------------------------------------------------------------------ attendance


def _aware(value: Any) -> dt.datetime | None:
    """A time from the frame (polars hands back naive UTC or aware values) as an aware datetime."""
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class FrameItems(Sequence[dict[str, Any]]):
    """The valid rows of one chunk as a polars frame, seen by the pipeline as a sequence."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return self.frame.height

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return list(self.frame[index].iter_rows(named=True))
        return self.frame.row(index, named=True)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.frame.iter_rows(named=True)


@register
class AttendanceImporter(Importer[dict[str, Any]]):
    kind = "attendance"
    title = gettext_lazy("attendance records")
    roles = frozenset({Role.INSTITUTION})
    columns = bulk_attendance.COLUMNS
    chunk_size = 20_000
    preview_labels = (
        ("row", ROW_LABEL), ("class", "班级"), ("person", "学员"), ("session", "课次"),
        ("check_in_at", "签到时间"), ("check_out_at", "签退时间"), ("method", "签到方式"),
    )

    def __init__(self, *, user: User | None = None) -> None:
        super().__init__(user=user)
        self.batch = bulk_attendance.AttendanceBatch(user=user)

    def validate_chunk(self, rows: list[Row]) -> tuple[list[dict[str, Any]], list[RowError]]:
        frame = pl.DataFrame(
            {bulk_attendance.ROW: [r.number for r in rows], **{k: [r.get(k, "") for r in rows] for k in bulk_attendance.KEYS}},
            schema={bulk_attendance.ROW: pl.UInt32, **dict.fromkeys(bulk_attendance.KEYS, pl.String)},
        )
        good, errors = self.batch.validate(frame)
        return FrameItems(good), bulk_attendance.errors_to_rows(errors)  # type: ignore[return-value]

    def commit(self, items: list[dict[str, Any]], *, by: User | None) -> Counts:
        frame = items.frame if isinstance(items, FrameItems) else pl.DataFrame(items)
        return self.batch.write(frame, by=by)

    def preview_row(self, item: dict[str, Any]) -> dict[str, str]:
        """Words, not values: the class by its code and name, the trainee by name, the session by
        its local start, times in Asia/Shanghai and the check-in method by its label (issue 15)."""
        klass = self._preview_class(item.get("class_id"))
        enrollment = self._preview_enrollment(item.get("enrollment_id"))
        session = self._preview_session(item.get("session_id"))
        method = item.get("method_code") or ""
        return {
            "row": str(item[bulk_attendance.ROW]),
            "class": f"{klass.code} {klass.name}" if klass else "",
            "person": enrollment.person.name if enrollment else "",
            "session": local_minute(session.starts_at) if session else "",
            "check_in_at": local_minute(_aware(item.get("check_in_at"))),
            "check_out_at": local_minute(_aware(item.get("check_out_at"))),
            "method": str(CheckInMethod(method).label) if method in CheckInMethod.values else str(method),
        }

    def _preview_class(self, pk: int | None) -> TrainingClass | None:
        cache: dict[int, TrainingClass] = self.__dict__.setdefault("_class_cache", {})
        if pk and pk not in cache:
            found = TrainingClass.objects.only("code", "name").filter(pk=pk).first()
            if found:
                cache[pk] = found
        return cache.get(pk) if pk else None

    def _preview_enrollment(self, pk: int | None) -> Enrollment | None:
        return Enrollment.objects.select_related("person").only("person__name").filter(pk=pk).first() if pk else None

    def _preview_session(self, pk: int | None) -> TrainingSession | None:
        return TrainingSession.objects.only("starts_at").filter(pk=pk).first() if pk else None


# ------------------------------------------------------------------ roster


@dataclass
class RosterItem:
    row: int
    class_id: int
    name: str
    id_number: str
    id_hash: str
    phone: str
    group_ids: list[int]
    birth_date: dt.date
    sex: str
    person_id: int | None = None  # the registered person with this ID number
    has_phone: bool = False  # … who has a mobile number already
    action: str = CREATE  # CREATE: new enrollment; UPDATE/UNCHANGED: already enrolled
    new_group_ids: list[int] = field(default_factory=list)


@register
class RosterImporter(Importer[RosterItem]):
    kind = "roster"
    title = gettext_lazy("class roster")
    roles = frozenset({Role.INSTITUTION})
    columns = (
        Column("class_code", "班级编号", required=False, example="BJ-370102-2026-0001"),
        Column("name", "姓名", example="张三"),
        Column("id_number", "公民身份号码", example="370102199001011234"),
        Column("phone", "手机号码", required=False, example="13912345678"),
        Column("groups", "人员类别", required=False, example="城镇登记失业人员", choices=target_group_names, several=True),
    )
    preview_labels = (
        ("row", ROW_LABEL), ("class_code", "班级编号"), ("name", "姓名"), ("id_number", "公民身份号码"),
        ("phone", "手机号码"), ("groups", "人员类别"), ("eligibility", "补贴资格"), ("action", ACTION_LABEL),
    )

    def __init__(self, *, user: User | None = None, klass: TrainingClass | None = None) -> None:
        super().__init__(user=user)
        self.klass = klass
        self._classes: dict[str, TrainingClass | None] = {}
        self._by_id: dict[int, TrainingClass] = {}
        self._taken: dict[int, int] = {}  # class id → places taken, including rows accepted so far
        self._seen: dict[tuple[int, str], int] = {}
        self._groups: dict[str, TargetGroup] | None = None
        self._counties: set[str] | None = None
        self._predicted: list[dict[str, Any]] = []  # decisions foreseen while validating (dry run)
        self._decided: list[dict[str, Any]] = []  # decisions stored by the commit
        self._deciders: dict[tuple[int, str], rules.Decider] = {}  # (class, language): dry runs and previews
        self._committed = False
        self._persons_created = 0
        if klass is not None:
            self._remember(klass)

    # ----------------------------------------------------------- lookups

    def _remember(self, klass: TrainingClass) -> None:
        self._classes[klass.code] = klass
        self._by_id[klass.pk] = klass
        self._taken[klass.pk] = Enrollment.objects.filter(training_class=klass, status__in=COUNTING_STATUSES).count()

    def _class(self, code: str) -> TrainingClass | None:
        if code not in self._classes:
            qs = TrainingClass.objects.select_related("project", "project__occupation", "project__level")
            if self.user is not None:
                qs = qs.filter(project__organiser_id=self.user.organisation_id or -1)
            klass = qs.filter(code=code).first()
            if klass is None:
                self._classes[code] = None
            else:
                self._remember(klass)
        return self._classes[code]

    def _group_lookup(self) -> dict[str, TargetGroup]:
        if self._groups is None:
            self._groups = {}
            for group in TargetGroup.objects.all():
                self._groups[group.name] = group
                self._groups[group.code] = group
        return self._groups

    def _county_codes(self) -> set[str]:
        if self._counties is None:
            self._counties = set(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))
        return self._counties

    # ----------------------------------------------------------- validation

    def validate_chunk(self, rows: list[Row]) -> tuple[list[RosterItem], list[RowError]]:
        errors: list[RowError] = []
        parsed: list[RosterItem] = []
        for row in rows:
            item = self._parse(row, errors)
            if item is not None:
                parsed.append(item)
        hashes = sorted({i.id_hash for i in parsed})
        existing = {h: (pk, name, has_phone) for pk, h, name, has_phone in Person.objects.filter(any_of("id_number_hash", hashes))
                    .annotate(has_phone=ExpressionWrapper(~Q(phone=""), output_field=BooleanField()))
                    .order_by().values_list("id", "id_number_hash", "name", "has_phone")} if hashes else {}
        codes = {g.pk: g.code for g in self._group_lookup().values()}
        # by code: a sensitive membership is sealed (no group id in the clear)
        memberships: dict[int, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
        if existing:
            for person_id, group_id, sealed, valid_from, valid_to in (
                PersonGroup.objects.filter(any_of("person_id", sorted(e[0] for e in existing.values())),
                                           archived_at__isnull=True)
                .order_by().values_list("person_id", "group_id", "sealed_group", "valid_from", "valid_to")
            ):
                memberships[person_id].append((codes[group_id] if group_id is not None else sealed, valid_from, valid_to))
        enrolled = set(Enrollment.objects.filter(
            any_of("person_id", sorted(e[0] for e in existing.values())),
            any_of("training_class_id", sorted({i.class_id for i in parsed})),
        ).values_list("training_class_id", "person_id")) if existing else set()
        valid: list[RosterItem] = []
        for item in parsed:
            person = existing.get(item.id_hash)
            if person is not None and person[1] != item.name:
                errors.append(self.error(item.row, "name", _(
                    "The name does not match the name registered for this ID number (real-name check).")))
                continue
            klass = self._by_id[item.class_id]
            active: set[str] = set()
            if person is not None:
                item.person_id, item.has_phone = person[0], person[2]
                start = klass.start_date
                active = {code for code, valid_from, valid_to in memberships.get(person[0], ())
                          if valid_from <= start and (valid_to is None or start <= valid_to)}
            item.new_group_ids = [g for g in item.group_ids if codes[g] not in active]
            if (item.class_id, item.person_id) in enrolled:
                changed = bool(item.new_group_ids) or bool(item.person_id and item.phone and not item.has_phone)
                item.action = UPDATE if changed else UNCHANGED
            else:
                if self._taken[item.class_id] >= klass.capacity:
                    errors.append(self.error(item.row, "id_number", _(
                        "Class %(code)s is full (capacity %(capacity)d); this person was not enrolled.")
                        % {"code": klass.code, "capacity": klass.capacity}))
                    continue
                self._taken[item.class_id] += 1
                item.action = CREATE
            valid.append(item)
        return valid, errors

    def _parse(self, row: Row, errors: list[RowError]) -> RosterItem | None:
        before = len(errors)
        klass = self.klass
        if klass is None:
            code = row.get("class_code", "")
            if not code:
                errors.append(self.error(row, "class_code", reasons.required()))
            else:
                klass = self._class(code)
                if klass is None:
                    errors.append(self.error(row, "class_code", _("Unknown class code “%(code)s”.") % {"code": code[:40]}))
        if klass is not None:
            if klass.is_locked:
                errors.append(self.error(row, "class_code", _("Class %(code)s is closed.") % {"code": klass.code}))
            elif not klass.project.accepts_classes:
                errors.append(self.error(row, "class_code", _(
                    "The project of class %(code)s is not approved for training.") % {"code": klass.code}))
            elif not klass.filing_accepted:
                errors.append(self.error(row, "class_code", _(
                    "Class %(code)s has no accepted filing; enrollment opens once the county accepts it.")
                    % {"code": klass.code}))
        name = row.get("name", "")
        if not name:
            errors.append(self.error(row, "name", reasons.required()))
        elif len(name) > NAME_MAX:
            errors.append(self.error(row, "name", reasons.too_long(NAME_MAX)))
        id_number = id_hash = ""
        if not row.get("id_number"):
            errors.append(self.error(row, "id_number", reasons.required()))
        else:
            try:
                parsed = parse_resident_id(row["id_number"])
            except ValidationError as exc:
                errors.append(self.error(row, "id_number", reasons.validator_message(exc.messages)))
            else:
                id_number = parsed.number
                id_hash = Person.hash_id_number(id_number)
        phone = ""
        if row.get("phone"):
            try:
                phone = normalise_phone(row["phone"])
            except ValidationError as exc:
                errors.append(self.error(row, "phone", reasons.validator_message(exc.messages)))
        group_ids: list[int] = []
        for part in _GROUP_SPLIT.split(row.get("groups", "")):
            label = part.strip()
            if not label:
                continue
            group = self._group_lookup().get(label)
            if group is None:
                errors.append(self.error(row, "groups", reasons.unknown_choice(label, self._headers["groups"])))
            elif group.pk not in group_ids:
                group_ids.append(group.pk)
        if klass is not None and id_hash:
            first = self._seen.get((klass.pk, id_hash))
            if first is not None:
                errors.append(self.error(row, "id_number", reasons.duplicate_in_file(first)))
            elif len(errors) == before:
                self._seen[(klass.pk, id_hash)] = row.number
        if len(errors) > before or klass is None:
            return None
        return RosterItem(row=row.number, class_id=klass.pk, name=name, id_number=id_number, id_hash=id_hash,
                          phone=phone, group_ids=group_ids, birth_date=parsed.birth_date, sex=parsed.sex)

    def predict(self, items: list[RosterItem]) -> Counts:
        """Dry run: foresee the decisions the commit would store (a real run decides once, there)."""
        self._foresee_eligibility(items)
        return self._counts(items)

    @staticmethod
    def _counts(items: list[RosterItem]) -> Counts:
        return Counts(created=sum(i.action == CREATE for i in items), updated=sum(i.action == UPDATE for i in items),
                      unchanged=sum(i.action == UNCHANGED for i in items))

    def _foresee_eligibility(self, items: list[RosterItem], into: list[dict[str, Any]] | None = None) -> None:
        """The decision the commit will store, computed without writing (dry runs, previews)."""
        target = self._predicted if into is None else into
        policy = conf.eligibility_policy()
        groups = {g.pk: g for g in self._group_lookup().values()}
        mine = [i for i in items if i.action == CREATE]
        registered = [i.person_id for i in mine if i.person_id]
        book = EligibilityBook({i.class_id for i in mine}, registered, groups=groups) if registered else None
        language = translation.get_language()
        for item in sorted(mine, key=lambda i: i.class_id):
            klass = self._by_id[item.class_id]
            decider = self._deciders.get((klass.pk, language))
            if decider is None:
                decider = self._deciders[(klass.pk, language)] = rules.Decider(offer_for(klass), policy)
            base = book.candidate(klass.pk, item.person_id) if book and item.person_id else None
            declared = tuple(rules.Membership(groups[g].code, groups[g].name, groups[g].excludes_subsidy,
                                              klass.start_date, None) for g in item.new_group_ids)
            candidate = rules.Candidate(
                birth_date=item.birth_date, sex=item.sex,
                memberships=(base.memberships if base else ()) + declared,
                prior=base.prior if base else (), certificates=base.certificates if base else (),
            )
            self._note(target, item.row, decider.decide(candidate))

    @staticmethod
    def _note(target: list[dict[str, Any]], row: int, decision: rules.Decision) -> None:
        for failure in decision.failures:
            target.append({"row": row, "code": failure.code, "reason": failure.message})

    # ----------------------------------------------------------- writing

    def commit(self, items: list[RosterItem], *, by: User | None) -> Counts:
        """Persons, phones and memberships written from tuples by COPY (``copy_rows``), then
        ``enroll_roster`` for every class of the chunk at once."""
        from .actions import enroll_roster

        self._committed = True
        db = connections[connection.alias]
        encrypt_id = Person._meta.get_field("id_number").get_db_prep_save
        encrypt_phone = Person._meta.get_field("phone").get_db_prep_save
        counties = self._county_codes()
        new_rows: list[tuple[Any, ...]] = []
        new_hashes: dict[str, None] = {}  # a person on two classes of the file is registered once
        for item in items:
            if item.person_id is None and item.id_hash not in new_hashes:
                new_hashes[item.id_hash] = None
                county = self._by_id[item.class_id].county_id
                household = item.id_number[:6] if item.id_number[:6] in counties else county
                # the number was parsed and hashed while validating (what set_id_number does)
                new_rows.append((encrypt_id(item.id_number, db), item.id_hash, item.name, item.birth_date, item.sex,
                                 encrypt_phone(item.phone, db) if item.phone else "",
                                 Person.hash_phone(item.phone) if item.phone else "", household, county))
        ids = copy_rows(Person, _PERSON_COLUMNS, new_rows, ids=True)
        new_ids = dict(zip(new_hashes, ids, strict=True))
        self._persons_created += len(ids)
        phones = {}
        for item in items:
            if item.person_id is not None and item.phone and not item.has_phone and item.person_id not in phones:
                phones[item.person_id] = (item.person_id, encrypt_phone(item.phone, db), Person.hash_phone(item.phone))
        copy_update_rows(Person, ["phone", "phone_hash"], phones.values())
        groups = {g.pk: g for g in self._group_lookup().values()}
        evidence = PersonGroup._meta.get_field("evidence").get_db_prep_save
        sealed_group = PersonGroup._meta.get_field("sealed_group").get_db_prep_save
        memberships: list[tuple[Any, ...]] = []
        for item in items:
            person_id = item.person_id or new_ids[item.id_hash]
            klass = self._by_id[item.class_id]
            for group_id in item.new_group_ids:
                group = groups[group_id]
                note = evidence(_("declared on the roster of class %(code)s") % {"code": klass.code}, db)
                if group.sensitive:  # sealed: no group id in the clear (PersonGroup.seal)
                    memberships.append((person_id, None, sealed_group(group.code, db),
                                        PersonGroup.sealed_key_for(person_id, group.code, klass.start_date),
                                        klass.start_date, note))
                else:
                    memberships.append((person_id, group_id, "", "", klass.start_date, note))
        copy_rows(PersonGroup, _MEMBERSHIP_COLUMNS, memberships, ignore_conflicts=True)
        by_class: dict[int, list[int]] = defaultdict(list)
        row_of: dict[tuple[int, int], int] = {}
        for item in items:
            if item.action != CREATE:
                continue
            person_id = item.person_id or new_ids[item.id_hash]
            by_class[item.class_id].append(person_id)
            row_of[(item.class_id, person_id)] = item.row
        wanted = {self._by_id[class_id]: ids for class_id, ids in by_class.items()}
        for outcome in enroll_roster(wanted, by=by, event="training.roster.import") if wanted else ():
            row = row_of[(outcome.class_id, outcome.person_id)]
            if outcome.refused:  # a parallel enrollment took the last places since validation
                raise FileRejected(_("Row %(row)d: %(reason)s Nothing was imported; try again.")
                                   % {"row": row, "reason": outcome.refused})
            if outcome.decision is not None:
                self._note(self._decided, row, outcome.decision)
        return self._counts(items)

    def summary_extra(self) -> dict[str, Any]:
        listed = self._decided if self._committed else self._predicted
        return {"ineligible": sorted(listed, key=lambda e: (e["row"], e["code"])),
                "persons_created": self._persons_created}

    def preview_row(self, item: RosterItem) -> dict[str, str]:
        groups = {g.pk: g for g in self._group_lookup().values()}
        found: list[dict[str, Any]] = []
        if item.action == CREATE:
            self._foresee_eligibility([item], into=found)
        failures = [e["reason"] for e in found]
        return {
            "row": str(item.row), "class_code": self._by_id[item.class_id].code, "name": item.name,
            "id_number": mask_id_number(item.id_number), "phone": mask_phone(item.phone),
            "groups": "；".join(reasons.protected_category() if groups[g].sensitive else groups[g].name
                               for g in item.group_ids),
            "eligibility": "；".join(failures) if failures else _("eligible"),
            "action": str(ACTION_LABELS[item.action]),
        }
