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

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.imports import reasons
from jixing.imports.pipeline import Column, Counts, Importer, ImportResult, Row, RowError, inspect_upload, run_import
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
