"""Evaluation results import: the scores of one session from an .xlsx/.csv file, through the
shared pipeline (jixing.imports: upload checks, chunked validation, dry run, one transaction).

Columns (the Chinese header or the English key): 姓名 name, 公民身份号码 id_number, 理论成绩
theory, 技能成绩 practical, 综合成绩 comprehensive (only where the pass rule has a comprehensive
review), 考评员 examiner (optional: the examiner's name or ID number; may be left blank when the
session has exactly one examiner).

A row is rejected, with its reason, when a score is not a number or outside 0–100, the person is
not a candidate of the session, the name does not match the ID number, the person appears twice,
or an enrollment-based candidate's evaluation is dated before the training ended. Valid rows are
entered as draft results (the same as typing them on the session page; each row audited) and
nothing is written for rejected rows. The session must still be open for entry.

The importer needs its session, so it is not registered for the generic import pages; the
``import_results`` command and the session page's upload call ``import_results_file``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixing.accounts.models import Role, User
from jixing.core import audit
from jixing.imports import reasons
from jixing.imports.pipeline import (
    Column,
    Counts,
    Importer,
    ImportResult,
    Row,
    RowError,
    inspect_upload,
    register,
    run_import,
)
from jixing.registry.models import Person
from jixing.registry.validators import parse_resident_id

from . import actions, queries, rules
from .models import Candidate, EvaluationResult, EvaluationSession, ResultStatus

if TYPE_CHECKING:
    from jixing.accounts.models import User


@dataclass
class ResultItem:
    row: int
    candidate: Candidate
    theory: Decimal
    practical: Decimal
    comprehensive: Decimal | None
    examiner: Person


class ResultImporter(Importer[ResultItem]):
    kind = "evaluation_results"
    title = gettext_lazy("evaluation results")
    roles = frozenset({Role.EVALUATOR, Role.INSTITUTION})
    columns = (
        Column("name", "姓名", example="张三"),
        Column("id_number", "公民身份号码", example="370102199001011234"),
        Column("theory", "理论成绩", example="78"),
        Column("practical", "技能成绩", example="85.5"),
        Column("comprehensive", "综合成绩", required=False, example=""),
        Column("examiner", "考评员", required=False, example=""),
    )

    def __init__(self, *, user: User | None = None, session: EvaluationSession | None = None) -> None:
        super().__init__(user=user)
        if session is None:
            raise ValueError("ResultImporter needs its session")
        self.session = session
        self.marks = queries.pass_marks_for(session.occupation_id, session.level_id)
        self._seen: dict[str, int] = {}
        self._candidates = {
            c.person.id_number_hash: c
            for c in session.candidates.select_related("person", "enrollment__training_class")
        }
        self._examiners = list(session.examiners.all())
        self._drafts = {
            r.candidate_id: r for r in EvaluationResult.objects.filter(candidate__session=session, status=ResultStatus.DRAFT)
        }

    def _examiner(self, row: Row, errors: list[RowError]) -> Person | None:
        text = row["examiner"]
        if not text:
            if len(self._examiners) == 1:
                return self._examiners[0]
            errors.append(self.error(row, "examiner", _("The session has several examiners: name the examiner.")))
            return None
        for person in self._examiners:
            if text == person.name or Person.hash_id_number(text) == person.id_number_hash:
                return person
        errors.append(self.error(row, "examiner", _("Not one of the session's examiners.")))
        return None

    def _score(self, row: Row, key: str, errors: list[RowError]) -> Decimal | None:
        value, problem = rules.parse_score(row[key], self._headers[key])
        if problem:
            errors.append(self.error(row, key, problem))
        return value

    def validate_chunk(self, rows: list[Row]) -> tuple[list[ResultItem], list[RowError]]:
        items: list[ResultItem] = []
        errors: list[RowError] = []
        for row in rows:
            before = len(errors)
            candidate = self._candidate(row, errors)
            theory = self._score(row, "theory", errors)
            practical = self._score(row, "practical", errors)
            comprehensive = self._score(row, "comprehensive", errors)
            for key, value in (("theory", theory), ("practical", practical)):
                if value is None and not row[key]:
                    errors.append(self.error(row, key, reasons.required()))
            if self.marks.comprehensive is not None and comprehensive is None and not row["comprehensive"]:
                errors.append(self.error(row, "comprehensive", _("This occupation and level need a comprehensive review score.")))
            if self.marks.comprehensive is None and row["comprehensive"]:
                errors.append(self.error(row, "comprehensive",
                                         _("This occupation and level have no comprehensive review; leave that score empty.")))
            examiner = self._examiner(row, errors)
            if len(errors) > before or candidate is None or theory is None or practical is None or examiner is None:
                continue
            items.append(ResultItem(row.number, candidate, theory, practical, comprehensive, examiner))
        return items, errors

    def _candidate(self, row: Row, errors: list[RowError]) -> Candidate | None:
        if not row["name"]:
            errors.append(self.error(row, "name", reasons.required()))
        if not row["id_number"]:
            errors.append(self.error(row, "id_number", reasons.required()))
            return None
        try:
            number = parse_resident_id(row["id_number"]).number
        except ValidationError as exc:
            errors.append(self.error(row, "id_number", reasons.validator_message(exc.messages)))
            return None
        key = Person.hash_id_number(number)
        first = self._seen.get(key)
        if first is not None:
            errors.append(self.error(row, "id_number", reasons.duplicate_in_file(first)))
            return None
        self._seen[key] = row.number
        candidate = self._candidates.get(key)
        if candidate is None:
            errors.append(self.error(row, "id_number", _("This person is not a candidate of this session.")))
            return None
        if row["name"] and row["name"] != candidate.person.name:
            errors.append(self.error(row, "name", _("The name does not match the ID number.")))
            return None
        if not self.session.is_editable:
            errors.append(self.error(row, "", _("The session's results are submitted or locked; it can no longer be changed.")))
            return None
        if candidate.enrollment_id is not None:
            e = candidate.enrollment
            ended = max(e.training_class.end_date, e.completed_on or e.training_class.end_date)
            if self.session.date < ended:
                errors.append(self.error(row, "", _("The evaluation date %(date)s is before the training ended (%(end)s).")
                                         % {"date": self.session.date, "end": ended}))
                return None
        return candidate

    def _classify(self, item: ResultItem) -> str:
        draft = self._drafts.get(item.candidate.pk)
        if draft is None:
            return "created"
        same = (draft.theory_score, draft.practical_score, draft.comprehensive_score, draft.examiner_id) == (
            item.theory, item.practical, item.comprehensive, item.examiner.pk)
        return "unchanged" if same else "updated"

    def predict(self, items: list[ResultItem]) -> Counts:
        counts = Counts()
        for item in items:
            kind = self._classify(item)
            setattr(counts, kind, getattr(counts, kind) + 1)
        return counts

    def preview_row(self, item: ResultItem) -> dict[str, str]:
        return {"name": item.candidate.person.name, "id_number": item.candidate.person.masked_id_number,
                "theory": str(item.theory), "practical": str(item.practical),
                "comprehensive": "" if item.comprehensive is None else str(item.comprehensive),
                "examiner": item.examiner.name}

    def commit(self, items: list[ResultItem], *, by: User | None) -> Counts:
        counts = Counts()
        for item in items:
            kind = self._classify(item)
            setattr(counts, kind, getattr(counts, kind) + 1)
            if kind == "unchanged":
                continue
            assert by is not None, "results are recorded by a signed-in user (EvaluationResult.entered_by)"
            actions.record_result(item.candidate, theory=item.theory, practical=item.practical,
                                  comprehensive=item.comprehensive, examiner=item.examiner, by=by)
        return counts

    def summary_extra(self) -> dict[str, Any]:
        return {"session": self.session.code}


def import_results_file(
    session: EvaluationSession, path: str | os.PathLike[str], *, by: User, dry_run: bool = False,
    original_name: str | None = None,
) -> ImportResult:
    """Validate the file against the session; unless ``dry_run`` write the valid rows in one
    transaction and audit the import once (each row is audited by ``record_result`` too).
    Raises ``FileRejected`` for file-level problems and PermissionDenied outside the session's
    organisation."""
    actions.require_member(by, session.filing.organisation_id)
    path = Path(path)
    info = inspect_upload(path, original_name or path.name)
    importer = ResultImporter(user=by, session=session)
    if dry_run:
        return run_import(importer, path, info, dry_run=True, by=by)
    with transaction.atomic():
        result = run_import(importer, path, info, dry_run=False, by=by)
        audit.record("evaluation_result.import", actor=by, obj=session, after={
            "created": result.counts.created, "updated": result.counts.updated, "unchanged": result.counts.unchanged,
            "rejected_rows": result.rejected_rows, "file": (original_name or path.name)[:100],
        })
    return result


# ------------------------------------------------------------------ the national certificate register (outside certificates)

_LEVEL_WORDS = {
    "五级": 2, "初级": 2, "初级工": 2, "五级/初级工": 2, "5": 2,
    "四级": 3, "中级": 3, "中级工": 3, "四级/中级工": 3, "4": 3,
    "三级": 4, "高级": 4, "高级工": 4, "三级/高级工": 4, "3": 4,
    "二级": 5, "技师": 5, "二级/技师": 5, "2": 5,
    "一级": 6, "高级技师": 6, "一级/高级技师": 6, "1": 6,
}


def _parse_day(text: str) -> Any:
    import datetime as dt
    import re

    cleaned = text.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$", cleaned) or re.match(r"^(\d{4})(\d{2})(\d{2})$", cleaned)
    try:
        if not m:
            raise ValueError
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text[:20]}) from None


def parse_level(text: str) -> int:
    """'四级/中级工', '四级', '中级工' or '4' → the SkillLevel order (reference/skill_levels.csv)."""
    order = _LEVEL_WORDS.get(text.strip().replace("／", "/").replace(" ", ""))
    if order is None:
        raise ValueError(_("“%(value)s” is not a certificate level: write 五级/初级工 to 一级/高级技师.") % {"value": text[:20]})
    return order


@dataclass(frozen=True)
class OutsideItem:
    row: int
    number: str
    name: str
    id_number: str
    id_hash: str
    occupation_id: int
    level: int
    issued_on: Any
    body: str


@register
class OutsideCertificateImporter(Importer[OutsideItem]):
    """The national certificate register extract (全国职业技能等级证书查询) an HRSS officer
    downloads: certificates of other filed evaluation bodies that persons may claim 技能提升补贴 on.

    Columns: 证书编号, 姓名, 公民身份号码, 职业(工种) (name or 大典 code), 等级, 发证日期, 评价机构.
    Upsert on the certificate number. A row is refused when its level or occupation is unknown,
    the ID number is invalid, the name does not match a registered person with that ID number,
    or a certificate this system issued has the same number with another holder, occupation,
    level or date (the register and our own record must agree)."""

    kind = "outside_certificates"
    title = gettext_lazy("national certificate register extract")
    roles = frozenset({Role.HRSS_OFFICER})
    columns = (
        Column("number", "证书编号", example="S000037000000245000123"),
        Column("name", "姓名", example="张三"),
        Column("id_number", "公民身份号码", example="370102199001011234"),
        Column("occupation", "职业(工种)", example="电工"),
        Column("level", "等级", example="四级/中级工"),
        Column("issued_on", "发证日期", example="2025-06-30"),
        Column("body", "评价机构", example="山东某职业技能等级认定中心"),
    )

    def __init__(self, *, user: User | None = None) -> None:
        super().__init__(user=user)
        from django.utils import timezone

        from jixing.registry.models import Occupation

        self.today = timezone.localdate()
        self._seen: dict[str, int] = {}
        self._occupations: dict[str, int] = {}
        for pk, name, code in Occupation.objects.values_list("pk", "name", "code"):
            self._occupations[name] = pk
            if code:
                self._occupations[code] = pk

    def validate_chunk(self, rows: list[Row]) -> tuple[list[OutsideItem], list[RowError]]:
        from .models import Certificate

        items: list[OutsideItem] = []
        errors: list[RowError] = []
        numbers = {row["number"].strip().upper() for row in rows if row["number"]}
        ours = {c.number: c for c in Certificate.objects.filter(number__in=numbers).select_related("person")}
        for row in rows:
            row_errors: list[RowError] = []
            for key in ("number", "name", "id_number", "occupation", "level", "issued_on", "body"):
                if not row[key]:
                    row_errors.append(self.error(row, key, reasons.required()))
            number = row["number"].strip().upper()
            id_number = ""
            level = occupation_id = None
            issued_on = None
            if row["id_number"]:
                try:
                    id_number = parse_resident_id(row["id_number"], today=self.today).number
                except ValidationError as exc:
                    row_errors.append(self.error(row, "id_number", reasons.validator_message(list(exc.messages))))
            if row["occupation"]:
                occupation_id = self._occupations.get(row["occupation"].strip())
                if occupation_id is None:
                    row_errors.append(self.error(row, "occupation", _("“%(value)s” is not an occupation in the catalogue.")
                                                 % {"value": row["occupation"][:30]}))
            if row["level"]:
                try:
                    level = parse_level(row["level"])
                except ValueError as exc:
                    row_errors.append(self.error(row, "level", str(exc)))
            if row["issued_on"]:
                try:
                    issued_on = _parse_day(row["issued_on"])
                    if issued_on > self.today:
                        raise ValueError(_("The date %(day)s is in the future.") % {"day": issued_on.isoformat()})
                except ValueError as exc:
                    row_errors.append(self.error(row, "issued_on", str(exc)))
            if row_errors or level is None or occupation_id is None or issued_on is None:
                errors.extend(row_errors)
                continue
            id_hash = Person.hash_id_number(id_number)
            mine = ours.get(number)
            if mine is not None and (mine.person.id_number_hash != id_hash or mine.occupation_id != occupation_id
                                     or mine.level_id != level or mine.issued_on != issued_on):
                errors.append(self.error(row, "number", _("This system issued certificate %(number)s with another "
                                                          "holder, occupation, level or date; the row disagrees with it.")
                                         % {"number": number}))
                continue
            person = Person.objects.filter(id_number_hash=id_hash).only("name").first()
            if person is not None and person.name != row["name"].strip():
                errors.append(self.error(row, "name", reasons.validator_message([_("The name does not match the "
                                                                                   "registered person with this ID number.")])))
                continue
            first = self._seen.get(number)
            if first is not None:
                errors.append(self.error(row, "", reasons.duplicate_in_file(first)))
                continue
            self._seen[number] = row.number
            items.append(OutsideItem(row.number, number, row["name"].strip()[:50], id_number, id_hash, occupation_id,
                                     level, issued_on, row["body"].strip()[:120]))
        return items, errors

    def predict(self, items: list[OutsideItem]) -> Counts:
        from .models import OutsideCertificate

        existing = set(OutsideCertificate.objects.filter(number__in=[i.number for i in items]).values_list("number", flat=True))
        counts = Counts()
        for i in items:
            if i.number in existing:
                counts.unchanged += 1
            else:
                counts.created += 1
        return counts

    def commit(self, items: list[OutsideItem], *, by: User | None) -> Counts:
        from .models import OutsideCertificate

        counts = Counts()
        existing = {c.number: c for c in OutsideCertificate.objects.filter(number__in=[i.number for i in items])}
        for i in items:
            row = existing.get(i.number)
            values = {"name": i.name, "id_number_hash": i.id_hash, "occupation_id": i.occupation_id, "level_id": i.level,
                      "issued_on": i.issued_on, "evaluation_body": i.body}
            if row is None:
                assert by is not None, "outside certificates are imported by a signed-in user (imported_by)"
                OutsideCertificate.objects.create(number=i.number, id_number=i.id_number, imported_by=by, **values)
                counts.created += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.id_number = i.id_number
                row.save()
                counts.updated += 1
            else:
                counts.unchanged += 1
        if counts.created or counts.updated:
            audit.record("evaluation.outside_certificates.import", actor=by, object_type="evaluation.outsidecertificate",
                         detail={"created": counts.created, "updated": counts.updated})
        return counts

    def preview_row(self, item: OutsideItem) -> dict[str, str]:
        from jixing.core.masking import mask_id_number

        return {"number": item.number, "name": item.name, "id_number": mask_id_number(item.id_number),
                "level": str(item.level), "issued_on": item.issued_on.isoformat(), "body": item.body}
