"""Evaluation rules as pure functions over frozen dataclasses; each returns a Decision that
carries every check made and its reason (no ORM here).

Sources:
- Seed 鲁人社字〔2025〕87号 二(二): filing management (备案管理) of evaluation bodies; the new
  eight-level ladder (新八级工); enterprises evaluating their own workers; front-line workers of
  outstanding skill and achievement recognised directly, "打破学历、资历、年龄、比例等限制".
- Application conditions (申报条件): the template used by the national occupational skill
  standards published from 2019/2020 (e.g. the standards quoted at
  https://m.houxue.com/sz/kecheng-998242.html and https://wet35.com/shijuan/1488_2_1.html):
  五级 — 1 year of related work, or apprenticeship completed; 四级 — 五级 certificate + 4 years,
  or 6 years; or a technical-school / secondary vocational diploma; 三级 — 四级 + 5 years, or
  四级 + college diploma + 2 years; 二级 — 三级 + 4 years; 一级 — 二级 + 4 years.
  The years differ between occupations' standards (some say 2 or 3 years, and standards
  revised from 2024 use "满5年/满10年" forms), and we read them in secondary copies, not in
  the official PDFs: treat the numbers as UNVERIFIED defaults. They live in
  ``APPLICATION_CONDITIONS`` (keyed by SkillLevel.order) so a province can change them.
  The "completed training" path for 五级 is a local assumption (older standards had
  "经本职业初级正规培训达规定标准学时数，并取得结业证书"), not in the 2020 template.
- Pass marks: 60 of 100 in each part by default (national standards: "理论知识考试、技能考核
  和综合评审均实行百分制，成绩皆达60分（含）以上者为合格"), configurable per occupation × level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import EvaluationMode, FilingKind, FilingStatus

MIN_AGE = 16  # 劳动法 第十五条: no employment under 16
DEFAULT_MARK = Decimal("60")

EDUCATION_ORDER = ["primary", "junior", "senior", "college", "bachelor", "postgraduate"]


@dataclass(frozen=True)
class Check:
    code: str
    ok: bool
    message: str


@dataclass(frozen=True)
class Decision:
    checks: tuple[Check, ...] = ()

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [c.message for c in self.checks if not c.ok]

    def as_json(self) -> list[dict[str, object]]:
        return [{"code": c.code, "ok": c.ok, "message": c.message} for c in self.checks]


# ------------------------------------------------------------------ levels


def level_has_certificate(national_level: int | None) -> bool:
    """Only the five national levels carry a 职业技能等级证书 (see numbering.py)."""
    return national_level is not None and 1 <= national_level <= 5


def _level_check(national_level: int | None, level_name: str) -> Check:
    if level_has_certificate(national_level):
        return Check("level_certified", True, _("%(level)s is a certificate level.") % {"level": level_name})
    return Check(
        "level_certified", False,
        _("No skill-level certificate is issued for %(level)s (apprentice is an enterprise-internal level; "
          "special-grade and chief technicians are appointed posts).") % {"level": level_name},
    )


# ------------------------------------------------------------------ filings

# Which organisation kinds may file which kind of filing.
FILING_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    FilingKind.ENTERPRISE: frozenset({"enterprise"}),
    FilingKind.EVALUATION_INSTITUTION: frozenset({"evaluation_institution"}),
    FilingKind.TRAINING_EVALUATION: frozenset({
        "evaluation_institution", "vocational_college", "technical_school", "private_institution",
        "public_training_base", "hr_service_agency",
    }),
}


@dataclass(frozen=True)
class FilingDraft:
    kind: str
    organisation_kind: str
    organisation_blocked: bool
    valid_from: dt.date
    valid_to: dt.date
    scope_levels: tuple[tuple[str, int | None], ...]  # (level name, national level) per scope row
    examiner_count: int
    above_size_list_year: int | None = None  # latest 规上企业名录 year naming the organisation


# Seed 二(二): "支持以技能人员为主体的规模以上企业 … 自主开展职业技能等级认定". Evidence: the
# statistics bureau's yearly list of enterprises above designated size. ASSUMPTION (2026-12-02,
# docs/evaluation_ladder.md): the list of the filing's first year or of the year before counts
# (the list for a year is published in the next); the province has not published a rule.
ABOVE_SIZE_LIST_MAX_AGE_YEARS = 1


def above_designated_size_check(list_year: int | None, valid_from: dt.date) -> Check:
    ok = list_year is not None and list_year >= valid_from.year - ABOVE_SIZE_LIST_MAX_AGE_YEARS
    if ok:
        return Check("above_designated_size", True,
                     _("The enterprise is on the list of enterprises above designated size of %(year)s.") % {"year": list_year})
    return Check("above_designated_size", False, _(
        "Only enterprises above designated size (规模以上) evaluate their own workers: the enterprise must be on the "
        "statistics bureau's list of %(year)s or later.") % {"year": valid_from.year - ABOVE_SIZE_LIST_MAX_AGE_YEARS})


def check_filing(draft: FilingDraft) -> Decision:
    checks = [
        Check("organisation_kind", draft.organisation_kind in FILING_ORGANISATION_KINDS.get(draft.kind, frozenset()),
              _("This kind of organisation cannot file this kind of evaluation filing.")),
        Check("organisation_active", not draft.organisation_blocked,
              _("The organisation is suspended or blacklisted.")),
        Check("validity_ordered", draft.valid_to >= draft.valid_from,
              _("The validity period ends before it starts.")),
        Check("has_scope", bool(draft.scope_levels), _("A filing needs at least one occupation and level.")),
        Check("has_examiners", draft.examiner_count > 0, _("A filing needs at least one examiner.")),
    ]
    if draft.kind == FilingKind.ENTERPRISE:
        checks.append(above_designated_size_check(draft.above_size_list_year, draft.valid_from))
    for name, national in draft.scope_levels:
        check = _level_check(national, name)
        if not check.ok:
            checks.append(check)
    return Decision(tuple(checks))


@dataclass(frozen=True)
class FilingFacts:
    status: str
    status_reason: str
    kind: str
    valid_from: dt.date
    valid_to: dt.date
    scopes: frozenset[tuple[int, int]]  # (occupation_id, level order)


# Modes each filing kind may run: enterprises evaluate (and directly recognise) their own
# workers; social organisations run social evaluation.
FILING_MODES: dict[str, frozenset[str]] = {
    FilingKind.ENTERPRISE: frozenset({EvaluationMode.ENTERPRISE, EvaluationMode.DIRECT}),
    FilingKind.EVALUATION_INSTITUTION: frozenset({EvaluationMode.SOCIAL}),
    FilingKind.TRAINING_EVALUATION: frozenset({EvaluationMode.SOCIAL}),
}


def filing_status_check(filing: FilingFacts) -> Check:
    if filing.status == FilingStatus.APPROVED:
        return Check("filing_approved", True, _("The filing is approved."))
    if filing.status == FilingStatus.SUSPENDED:
        msg = _("The filing is suspended: %(reason)s") % {"reason": filing.status_reason}
    elif filing.status == FilingStatus.REVOKED:
        msg = _("The filing is revoked: %(reason)s") % {"reason": filing.status_reason}
    else:
        msg = _("The filing is not approved.")
    return Check("filing_approved", False, msg)


def check_session(
    filing: FilingFacts, *, occupation_id: int, level_order: int, level_name: str,
    national_level: int | None, on: dt.date, mode: str,
) -> Decision:
    """May this filing hold a session for this occupation × level on this date?"""
    in_period = filing.valid_from <= on <= filing.valid_to
    return Decision((
        filing_status_check(filing),
        Check("filing_valid_on_date", in_period,
              _("The evaluation date %(date)s is outside the filing's validity (%(start)s to %(end)s).")
              % {"date": on, "start": filing.valid_from, "end": filing.valid_to}),
        Check("in_filing_scope", (occupation_id, level_order) in filing.scopes,
              _("This occupation and level are outside the filing's scope.")),
        _level_check(national_level, level_name),
        Check("mode_fits_filing", mode in FILING_MODES.get(filing.kind, frozenset()),
              _("This evaluation mode is not allowed for this kind of filing.")),
    ))


# ------------------------------------------------------------------ candidates


@dataclass(frozen=True)
class ConditionPath:
    code: str
    description: str
    prior_level: int | None = None  # holds a certificate of this level or higher, same occupation
    years: int = 0  # years of related work
    min_education: str | None = None
    completed_training: bool = False  # completed a training of this occupation


def _paths() -> dict[int, tuple[ConditionPath, ...]]:
    return {
        2: (
            ConditionPath("work_1y", _("1 year (or more) of related work"), years=1),
            ConditionPath("training", _("completed a training course in this occupation"), completed_training=True),
        ),
        3: (
            ConditionPath("cert5_4y", _("junior (level 5) certificate and 4 years of related work"), prior_level=2, years=4),
            ConditionPath("work_6y", _("6 years (or more) of related work"), years=6),
            ConditionPath("school", _("technical-school or secondary vocational diploma"), min_education="senior"),
        ),
        4: (
            ConditionPath("cert4_5y", _("intermediate (level 4) certificate and 5 years of related work"), prior_level=3, years=5),
            ConditionPath("college_cert4_2y",
                          _("college diploma, intermediate (level 4) certificate and 2 years of related work"),
                          prior_level=3, years=2, min_education="college"),
        ),
        5: (ConditionPath("cert3_4y", _("senior (level 3) certificate and 4 years of related work"), prior_level=4, years=4),),
        6: (ConditionPath("cert2_4y", _("technician (level 2) certificate and 4 years of related work"), prior_level=5, years=4),),
    }


class _LazyConditions(Mapping[int, tuple[ConditionPath, ...]]):
    """Built per call so descriptions follow the active language."""

    def __getitem__(self, key: int) -> tuple[ConditionPath, ...]:
        return _paths()[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(_paths())

    def __len__(self) -> int:
        return len(_paths())


APPLICATION_CONDITIONS: Mapping[int, tuple[ConditionPath, ...]] = _LazyConditions()


@dataclass(frozen=True)
class Applicant:
    age: int
    education: str  # registry Education value or ""
    years_of_work: int
    held_level: int | None  # highest valid certificate level (order) in this occupation
    completed_training: bool


def _education_at_least(education: str, minimum: str) -> bool:
    if education not in EDUCATION_ORDER:
        return False
    return EDUCATION_ORDER.index(education) >= EDUCATION_ORDER.index(minimum)


def path_met(applicant: Applicant, path: ConditionPath) -> bool:
    if path.prior_level is not None and (applicant.held_level is None or applicant.held_level < path.prior_level):
        return False
    if applicant.years_of_work < path.years:
        return False
    if path.min_education and not _education_at_least(applicant.education, path.min_education):
        return False
    return not (path.completed_training and not applicant.completed_training)


def check_application(
    applicant: Applicant, *, level_order: int, level_name: str, mode: str,
    conditions: Mapping[int, tuple[ConditionPath, ...]] = APPLICATION_CONDITIONS,
) -> Decision:
    checks = [
        Check("not_already_held", applicant.held_level is None or applicant.held_level < level_order,
              _("Already holds a certificate of this occupation at %(level)s or higher.") % {"level": level_name}),
    ]
    if mode == EvaluationMode.DIRECT:
        # Seed 二(二): direct recognition may break limits of education, seniority, age and quota.
        checks.append(Check("conditions", True, _("Direct recognition: application conditions do not apply.")))
        return Decision(tuple(checks))
    checks.append(Check("min_age", applicant.age >= MIN_AGE, _("The applicant is under 16.")))
    paths = conditions.get(level_order, ())
    if not paths:
        checks.append(Check("conditions", False,
                            _("No application conditions are configured for %(level)s.") % {"level": level_name}))
        return Decision(tuple(checks))
    met = [p for p in paths if path_met(applicant, p)]
    if met:
        checks.append(Check("conditions", True, _("Meets the condition: %(path)s.") % {"path": met[0].description}))
    else:
        checks.append(Check("conditions", False,
                            _("Does not meet any application condition for %(level)s (one of: %(paths)s).")
                            % {"level": level_name, "paths": _("; ").join(p.description for p in paths)}))
    return Decision(tuple(checks))


@dataclass(frozen=True)
class EnrollmentFacts:
    status: str
    completed_on: dt.date | None
    class_end_date: dt.date
    occupation_id: int | None  # the training project's occupation


def check_enrollment_candidate(e: EnrollmentFacts, *, session_occupation_id: int, session_date: dt.date) -> Decision:
    ended = max(e.class_end_date, e.completed_on or e.class_end_date)
    return Decision((
        Check("enrollment_completed", e.status == "completed", _("The training enrollment is not completed.")),
        Check("same_occupation", e.occupation_id is None or e.occupation_id == session_occupation_id,
              _("The training was for another occupation.")),
        Check("after_training", session_date >= ended,
              _("The evaluation date %(date)s is before the training ended (%(end)s).")
              % {"date": session_date, "end": ended}),
    ))


# ------------------------------------------------------------------ scores


@dataclass(frozen=True)
class PassMarks:
    theory: Decimal = DEFAULT_MARK
    practical: Decimal = DEFAULT_MARK
    comprehensive: Decimal | None = None  # None: no comprehensive review


@dataclass(frozen=True)
class Scores:
    theory: Decimal
    practical: Decimal
    comprehensive: Decimal | None = None


def parse_score(text: str, label: str) -> tuple[Decimal | None, str | None]:
    """A score typed or imported: 0–100, at most two decimals. Returns (value, error)."""
    raw = (text or "").strip()
    if not raw:
        return None, None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, _("%(part)s must be a number.") % {"part": label}
    if not value.is_finite():
        return None, _("%(part)s must be a number.") % {"part": label}
    if value < 0 or value > 100:
        return None, _("%(part)s must be between 0 and 100.") % {"part": label}
    if value != value.quantize(Decimal("0.01")):
        return None, _("%(part)s may have at most two decimals.") % {"part": label}
    return value, None


def check_scores(scores: Scores, marks: PassMarks) -> Decision:
    """Are the scores complete and in range for these marks? (Not: did they pass.)"""
    def in_range(v: Decimal | None) -> bool:
        return v is None or Decimal(0) <= v <= Decimal(100)

    checks = [
        Check("theory_range", in_range(scores.theory), _("The theory score must be between 0 and 100.")),
        Check("practical_range", in_range(scores.practical), _("The practical score must be between 0 and 100.")),
        Check("comprehensive_range", in_range(scores.comprehensive),
              _("The comprehensive score must be between 0 and 100.")),
    ]
    if marks.comprehensive is not None:
        checks.append(Check("comprehensive_required", scores.comprehensive is not None,
                            _("This occupation and level need a comprehensive review score.")))
    else:
        checks.append(Check("comprehensive_not_configured", scores.comprehensive is None,
                            _("This occupation and level have no comprehensive review; leave that score empty.")))
    return Decision(tuple(checks))


def decide_pass(scores: Scores, marks: PassMarks) -> Decision:
    """Pass only when every part reaches its mark."""
    checks = [
        Check("theory", scores.theory >= marks.theory,
              _("Theory %(score)s, pass mark %(mark)s.") % {"score": scores.theory, "mark": marks.theory}),
        Check("practical", scores.practical >= marks.practical,
              _("Practical %(score)s, pass mark %(mark)s.") % {"score": scores.practical, "mark": marks.practical}),
    ]
    if marks.comprehensive is not None:
        got = scores.comprehensive if scores.comprehensive is not None else Decimal(-1)
        checks.append(Check("comprehensive", got >= marks.comprehensive,
                            _("Comprehensive %(score)s, pass mark %(mark)s.")
                            % {"score": scores.comprehensive if scores.comprehensive is not None else "—",
                               "mark": marks.comprehensive}))
    return Decision(tuple(checks))


# ------------------------------------------------------------------ direct recognition


@dataclass(frozen=True)
class RecognitionFacts:
    organisation_kind: str
    organisation_blocked: bool
    level_order: int
    level_name: str
    national_level: int | None
    held_level: int | None
    achievements: str
    evidence: str


def check_recognition(f: RecognitionFacts) -> Decision:
    return Decision((
        Check("proposer_enterprise", f.organisation_kind == "enterprise",
              _("Only an enterprise can propose its front-line workers for direct recognition.")),
        Check("proposer_active", not f.organisation_blocked, _("The organisation is suspended or blacklisted.")),
        _level_check(f.national_level, f.level_name),
        Check("not_already_held", f.held_level is None or f.held_level < f.level_order,
              _("Already holds a certificate of this occupation at %(level)s or higher.") % {"level": f.level_name}),
        Check("achievements", bool(f.achievements.strip()), _("Describe the worker's achievements.")),
        Check("evidence", bool(f.evidence.strip()), _("Give the evidence (awards, patents, competition results …).")),
    ))


# ------------------------------------------------------------------ employment at the enterprise

# Values of jixing.core.employment (plain strings: rules stay free of imports of other layers' code).
RECORDS_INSURED = "insurance"
RECORDS_NOT_EMPLOYED = "not_employed"
RECORDS_NOT_IN = "not_in_records"
RECORDS_UNKNOWN = "unknown"


def check_employment(*, records: str, on_roster: bool, organisation_name: str) -> tuple[Check, str]:
    """Enterprise self-evaluation and direct recognition are for the enterprise's own employees
    (seed 二(二) "企业自主评价" of its 职工; issue 16). The insurance records decide when they know
    the enterprise; an uploaded roster counts only for an enterprise not yet in the records.
    Returns the check and the basis to store ("insurance", "roster" or "")."""
    if records == RECORDS_INSURED:
        return Check("employee_of_enterprise", True,
                     _("The insurance records show %(org)s insures this person.") % {"org": organisation_name}), "insurance"
    if records in (RECORDS_NOT_IN, RECORDS_UNKNOWN) and on_roster:
        return Check("employee_of_enterprise", True,
                     _("On the roster %(org)s uploaded (the enterprise is not yet in the insurance records).")
                     % {"org": organisation_name}), "roster"
    if records == RECORDS_NOT_EMPLOYED:
        return Check("employee_of_enterprise", False,
                     _("The insurance records show no contribution by %(org)s for this person in the last three "
                       "months: only the enterprise's own employees can be evaluated or recognised by it.")
                     % {"org": organisation_name}), ""
    return Check("employee_of_enterprise", False,
                 _("%(org)s is not yet in the insurance records and this person is not on its uploaded roster.")
                 % {"org": organisation_name}), ""


# ------------------------------------------------------------------ ladder appointments (学徒工, 特级技师, 首席技师)


@dataclass(frozen=True)
class AppointmentFacts:
    organisation_kind: str
    organisation_blocked: bool
    level_order: int
    level_name: str
    appointed_on: dt.date
    today: dt.date
    held_certificate_level: int | None  # highest valid certificate (SkillLevel.order) in this occupation
    held_appointment_level: int | None  # highest active appointment (SkillLevel.order) in this occupation


# What each appointed rung needs (docs/evaluation_ladder.md marks each as verified or assumption):
# 学徒工 — an employee of the enterprise (assumption: 58号 names the rung, not its conditions);
# 特级技师 — holds 高级技师 (order 6) in the occupation (assumption: "在高级技师之上增设");
# 首席技师 — holds 特级技师 (order 7) in the occupation (assumption: "在特级技师之上增设").
PREREQUISITE_LEVEL = {1: None, 7: 6, 8: 7}


def check_appointment(f: AppointmentFacts) -> Decision:
    checks = [
        Check("appointed_level", f.level_order in PREREQUISITE_LEVEL,
              _("%(level)s is a certificate level: it is awarded by evaluation, not by appointment.")
              % {"level": f.level_name}),
        Check("appointer_enterprise", f.organisation_kind == "enterprise",
              _("Only the employing enterprise records an apprentice, special-grade or chief technician level.")),
        Check("appointer_active", not f.organisation_blocked, _("The organisation is suspended or blacklisted.")),
        Check("not_in_future", f.appointed_on <= f.today,
              _("The appointment date %(date)s is in the future.") % {"date": f.appointed_on}),
    ]
    held = max(f.held_certificate_level or 0, f.held_appointment_level or 0)
    if f.level_order == 1:
        checks.append(Check("below_held", held == 0,
                            _("The worker already holds a higher level in this occupation; 学徒工 is the first rung.")))
    needed = PREREQUISITE_LEVEL.get(f.level_order)
    if needed is not None:
        source = f.held_certificate_level if needed == 6 else f.held_appointment_level
        checks.append(Check("prerequisite", (source or 0) >= needed,
                            _("%(level)s needs the level below it (%(needed)s) in the same occupation first.")
                            % {"level": f.level_name, "needed": {6: "高级技师", 7: "特级技师"}[needed]}))
        checks.append(Check("not_already_held", (f.held_appointment_level or 0) < f.level_order,
                            _("Already holds %(level)s or higher in this occupation.") % {"level": f.level_name}))
    return Decision(tuple(checks))
