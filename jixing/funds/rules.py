"""Pure subsidy decisions: no ORM, frozen dataclasses in, a decision with its reasons out.

- ``compute_subsidy(table, case)``: the amount of one subsidy line from a city's dated rule
  table (鲁人社字〔2025〕37号: 各市 set the amounts by training type, level and shortage status;
  cities may raise the subsidy when the trainee finds a job within 6 months). The most
  specific matching rate row is the base; uplifts (shortage occupation, target group,
  employment within 6 months) are added and each one is a line of the reasoning.
- ``select_table(tables, day)``: the version in force on a day.
- ``check_line(facts)``: the gates a claim line must pass (completion, attendance, certificate,
  12-month window for 技能提升补贴, not already claimed, per-person caps) — each with its reason.
- ``check_study(facts)`` and ``cap_at_tuition(decision, tuition)``: the gates and the tuition
  cap of a 求学圆梦 line (鲁人社字〔2025〕87号: 一线职工学历与能力提升).

Only [V]/[S] rules from reference/subsidy_rules.md are enforced; amounts are never constants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from jixing.training.rules import EvidencedAttendance

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")

# Item codes (mirrors models.SubsidyItem; kept here so this module needs no models).
VOCATIONAL_TRAINING = "vocational_training"
SKILL_UPGRADE = "skill_upgrade"
APPRENTICESHIP = "apprenticeship"
ENTREPRENEURSHIP = "entrepreneurship"
LIVING_ALLOWANCE = "living_allowance"
EDUCATION = "education"
EVALUATION = "evaluation"

UPLIFT_SHORTAGE = "shortage"
UPLIFT_TARGET_GROUP = "target_group"
UPLIFT_EMPLOYED_6M = "employed_6m"

# 技能提升补贴 must be applied for within 12 months of the certificate's issue date
# (人社部 财政部《关于失业保险支持参保职工提升职业技能有关问题的通知》, subsidy_rules.md 2.1 [V]).
SKILL_UPGRADE_WINDOW_MONTHS = 12
# 求学圆梦 is applied for within 12 months of graduation, like 技能提升补贴 after a certificate.
EDUCATION_WINDOW_MONTHS = 12


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rate:
    id: int
    item: str
    amount: Decimal
    payee_kind: str = ""
    certificate_type: str = ""
    level: int | None = None  # SkillLevel.order
    occupation: str | None = None  # Occupation.key
    target_group: str | None = None  # TargetGroup.code
    note: str = ""

    @property
    def specificity(self) -> int:
        return sum(
            1 for v in (self.payee_kind, self.certificate_type, self.level, self.occupation, self.target_group)
            if v not in ("", None)
        )

    def matches(self, case: SubsidyCase) -> bool:
        return (
            self.item == case.item
            and self.payee_kind in ("", case.payee_kind)
            and self.certificate_type in ("", case.certificate_type)
            and (self.level is None or self.level == case.level)
            and (self.occupation is None or self.occupation == case.occupation)
            and (self.target_group is None or self.target_group in case.target_groups)
        )


@dataclass(frozen=True)
class Uplift:
    id: int
    kind: str
    percent: Decimal = ZERO
    fixed_amount: Decimal = ZERO
    item: str = ""
    target_group: str | None = None
    note: str = ""

    def applies_to_item(self, item: str) -> bool:
        return self.item in ("", item)

    def amount_on(self, base: Decimal) -> Decimal:
        return _money(base * self.percent / HUNDRED + self.fixed_amount)


@dataclass(frozen=True)
class RuleTable:
    id: int
    city: str
    version: int
    valid_from: dt.date
    rates: tuple[Rate, ...] = ()
    uplifts: tuple[Uplift, ...] = ()
    shortage_occupations: frozenset[str] = frozenset()
    name: str = ""


@dataclass(frozen=True)
class SubsidyCase:
    item: str
    payee_kind: str
    certificate_type: str = ""
    level: int | None = None
    occupation: str | None = None
    occupation_name: str = ""
    target_groups: frozenset[str] = frozenset()
    employed_within_6_months: bool | None = None  # None: not known yet, so no uplift


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    amount: Decimal | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"code": self.code, "text": self.text, "amount": None if self.amount is None else str(self.amount)}


@dataclass(frozen=True)
class SubsidyDecision:
    eligible: bool
    amount: Decimal
    table_id: int | None
    table_version: int | None
    rate_id: int | None
    reasons: tuple[Reason, ...]

    def reasons_json(self) -> list[dict[str, str | None]]:
        return [r.as_json() for r in self.reasons]


def select_table(tables: Iterable[RuleTable], day: dt.date) -> RuleTable | None:
    """The version in force on ``day``: the latest ``valid_from`` not after it."""
    candidates = [t for t in tables if t.valid_from <= day]
    return max(candidates, key=lambda t: (t.valid_from, t.version), default=None)


def compute_subsidy(table: RuleTable | None, case: SubsidyCase) -> SubsidyDecision:
    if table is None:
        return SubsidyDecision(
            False, ZERO, None, None, None,
            (Reason("no_table", _("The city has no subsidy standard in force for this date.")),),
        )
    reasons: list[Reason] = [
        Reason("table", _("Rule table %(name)s, version %(version)s, valid from %(day)s.")
               % {"name": table.name or table.city, "version": table.version, "day": table.valid_from.isoformat()}),
    ]
    matching = [r for r in table.rates if r.matches(case)]
    if not matching:
        reasons.append(Reason("no_rate", _("No rate in this version matches this subsidy item, payee, certificate and level.")))
        return SubsidyDecision(False, ZERO, table.id, table.version, None, tuple(reasons))
    # The most specific row wins; among equally specific rows (e.g. a person in two target
    # groups) the more favourable amount is used.
    rate = max(matching, key=lambda r: (r.specificity, r.amount, -r.id))
    base = _money(rate.amount)
    reasons.append(Reason(
        "base", _("Base amount %(amount)s yuan (rate row %(id)s%(note)s).")
        % {"amount": base, "id": rate.id, "note": f": {rate.note}" if rate.note else ""}, base,
    ))
    total = base
    uplifts = [u for u in table.uplifts if u.applies_to_item(case.item)]

    for uplift in uplifts:
        if uplift.kind == UPLIFT_SHORTAGE and case.occupation and case.occupation in table.shortage_occupations:
            extra = uplift.amount_on(base)
            total += extra
            reasons.append(Reason(
                "shortage", _("Uplift %(amount)s yuan: %(occupation)s is on the city's shortage list (%(pct)s%% of base%(fixed)s).")
                % {"amount": extra, "occupation": case.occupation_name or case.occupation,
                   "pct": f"{uplift.percent:g}", "fixed": _(" + %s yuan") % uplift.fixed_amount if uplift.fixed_amount else ""},
                extra,
            ))

    group_uplifts = [u for u in uplifts if u.kind == UPLIFT_TARGET_GROUP and u.target_group in case.target_groups]
    if group_uplifts:
        # One target-group uplift per line: the most favourable one.
        best = max(group_uplifts, key=lambda u: (u.amount_on(base), -u.id))
        extra = best.amount_on(base)
        total += extra
        reasons.append(Reason(
            "target_group", _("Uplift %(amount)s yuan for target group %(group)s.")
            % {"amount": extra, "group": best.note or best.target_group}, extra,
        ))

    employed = [u for u in uplifts if u.kind == UPLIFT_EMPLOYED_6M]
    if employed:
        if case.employed_within_6_months:
            for uplift in employed:
                extra = uplift.amount_on(base)
                total += extra
                reasons.append(Reason(
                    "employed_6m", _("Uplift %(amount)s yuan: employed within 6 months of finishing (鲁人社字〔2025〕37号).")
                    % {"amount": extra}, extra,
                ))
        elif case.employed_within_6_months is None:
            reasons.append(Reason("employed_6m_unknown", _("No employment within 6 months recorded yet: no employment uplift.")))
        else:
            reasons.append(Reason("employed_6m_no", _("Not employed within 6 months of finishing: no employment uplift.")))

    total = _money(total)
    reasons.append(Reason("total", _("Amount: %(amount)s yuan.") % {"amount": total}, total))
    return SubsidyDecision(True, total, table.id, table.version, rate.id, tuple(reasons))


# ---------------------------------------------------------------- claim line checks


@dataclass(frozen=True)
class Check:
    code: str
    ok: bool
    text: str

    def as_json(self) -> dict[str, str | bool]:
        return {"code": self.code, "ok": self.ok, "text": self.text}


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    valid: bool
    issued_on: dt.date
    occupation: str | None
    level: int | None


@dataclass(frozen=True)
class LineFacts:
    item: str
    on_date: dt.date
    # training-based lines
    enrollment_status: str | None = None
    attendance_rate: Decimal | None = None
    required_attendance_rate: Decimal | None = None
    # Issue 13: the rate above is the evidenced one (training.rules.evidenced_attendance); these
    # are its session counts, shown to the reviewer with the attendance check.
    attendance_evidence: EvidencedAttendance | None = None
    enrollment_subsidised: bool | None = None
    project_subsidised: bool = True
    requires_certificate: bool = False
    # the certificate, where the project or the item needs one
    certificate: CertificateFacts | None = None
    expected_occupation: str | None = None
    expected_level: int | None = None
    # history
    already_claimed: bool = False
    cap_checks: tuple[Check, ...] = field(default_factory=tuple)
    claimant_blocked: bool = False


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (a day short of a month counts as less)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months


def check_line(facts: LineFacts) -> tuple[Check, ...]:
    checks: list[Check] = []
    if facts.claimant_blocked:
        checks.append(Check("claimant_blocked", False, _("The claimant is suspended or blacklisted and may not claim subsidies.")))

    training_based = facts.item != SKILL_UPGRADE
    if training_based:
        completed = facts.enrollment_status == "completed"
        checks.append(Check(
            "completed", completed,
            _("Training completed.") if completed else _("The trainee has not completed the training."),
        ))
        if facts.attendance_rate is not None and facts.required_attendance_rate is not None:
            ok = facts.attendance_rate >= facts.required_attendance_rate
            values = {"rate": f"{facts.attendance_rate * 100:.1f}", "required": f"{facts.required_attendance_rate * 100:.1f}"}
            text = (_("Attendance %(rate)s%% meets the required %(required)s%%.") if ok
                    else _("Attendance %(rate)s%% is below the required %(required)s%%.")) % values
            ev = facts.attendance_evidence
            if ev is not None:
                text += " " + _(
                    "Sessions: %(captured)d captured, %(declared)d declared (%(verified)d verified by a spot check, "
                    "%(counted)d counted within the limit of %(limit)d), %(missing)d missing."
                ) % {"captured": ev.captured, "declared": ev.declared, "verified": ev.declared_verified,
                     "counted": ev.declared_counted, "limit": ev.declared_limit, "missing": ev.missing}
                if ev.declared_uncounted:
                    text += " " + _("%(n)d declared session(s) beyond the limit count only after a clean spot check.") % {
                        "n": ev.declared_uncounted}
            checks.append(Check("attendance", ok, text))
        if not facts.project_subsidised:
            checks.append(Check("project_subsidised", False, _("The project is not a subsidised project.")))
        if facts.enrollment_subsidised is False:
            checks.append(Check("enrollment_subsidised", False, _("The enrollment was not approved as subsidised training.")))

    needs_certificate = facts.requires_certificate or not training_based
    if needs_certificate:
        cert = facts.certificate
        if cert is None:
            checks.append(Check("certificate", False, _("No valid certificate for this occupation and level.")))
        elif not cert.valid:
            checks.append(Check("certificate", False, _("Certificate %(number)s has been revoked.") % {"number": cert.number}))
        elif (facts.expected_occupation and cert.occupation != facts.expected_occupation) or (
            facts.expected_level is not None and cert.level != facts.expected_level
        ):
            checks.append(Check(
                "certificate", False,
                _("Certificate %(number)s is for another occupation or level.") % {"number": cert.number},
            ))
        else:
            checks.append(Check("certificate", True, _("Certificate %(number)s is valid.") % {"number": cert.number}))
        if not training_based and cert is not None:
            months = months_between(cert.issued_on, facts.on_date)
            ok = 0 <= months < SKILL_UPGRADE_WINDOW_MONTHS
            checks.append(Check(
                "within_12_months", ok,
                _("Applied within 12 months of the certificate's issue date.") if ok
                else _("More than 12 months have passed since the certificate was issued (%(day)s).")
                % {"day": cert.issued_on.isoformat()},
            ))

    checks.append(Check(
        "not_claimed", not facts.already_claimed,
        _("Not claimed before.") if not facts.already_claimed
        else _("This subsidy has already been claimed for this person (under some fund)."),
    ))
    checks.extend(facts.cap_checks)
    return tuple(checks)


def all_passed(checks: Sequence[Check]) -> bool:
    return all(c.ok for c in checks)


def failed_reasons(checks: Sequence[Check]) -> list[str]:
    return [c.text for c in checks if not c.ok]


# ---------------------------------------------------------------- 求学圆梦 (education) lines


@dataclass(frozen=True)
class StudyFacts:
    on_date: dt.date
    graduated_on: dt.date | None
    has_employer: bool
    tuition_paid: Decimal
    already_claimed: bool = False


def check_study(facts: StudyFacts) -> tuple[Check, ...]:
    """The gates of a person's 求学圆梦 claim on one study record, each with its reason."""
    checks: list[Check] = []
    graduated = facts.graduated_on is not None and facts.graduated_on <= facts.on_date
    if facts.graduated_on is None:
        checks.append(Check("graduated", False, _("The study has not been completed: no graduation date is recorded.")))
    elif not graduated:
        checks.append(Check(
            "graduated", False,
            _("The graduation date %(day)s is in the future.") % {"day": facts.graduated_on.isoformat()},
        ))
    else:
        checks.append(Check("graduated", True, _("Graduated on %(day)s.") % {"day": facts.graduated_on.isoformat()}))
    if graduated and facts.graduated_on is not None:
        ok = months_between(facts.graduated_on, facts.on_date) < EDUCATION_WINDOW_MONTHS
        checks.append(Check(
            "within_12_months", ok,
            _("Applied within 12 months of graduation.") if ok
            else _("More than 12 months have passed since graduation (%(day)s).") % {"day": facts.graduated_on.isoformat()},
        ))
    checks.append(Check(
        "employed", facts.has_employer,
        _("An employer is recorded: a frontline worker in employment.") if facts.has_employer
        else _("No employer is recorded: the subsidy is for employed frontline workers."),
    ))
    paid = facts.tuition_paid > 0
    checks.append(Check(
        "tuition_paid", paid,
        _("Tuition paid: %(amount)s yuan.") % {"amount": _money(facts.tuition_paid)} if paid
        else _("No tuition paid is recorded: there is nothing to subsidise."),
    ))
    checks.append(Check(
        "not_claimed", not facts.already_claimed,
        _("Not claimed before.") if not facts.already_claimed
        else _("This study has already been claimed for (under some fund)."),
    ))
    return tuple(checks)


def cap_at_tuition(decision: SubsidyDecision, tuition_paid: Decimal) -> SubsidyDecision:
    """Never more than the tuition paid: cap the amount and say so in the reasons."""
    limit = _money(tuition_paid)
    if not decision.eligible or decision.amount <= limit:
        return decision
    reasons = [r for r in decision.reasons if r.code != "total"]
    reasons.append(Reason(
        "tuition_cap",
        _("Capped at the tuition paid: %(limit)s yuan instead of %(amount)s yuan.")
        % {"limit": limit, "amount": decision.amount}, limit,
    ))
    reasons.append(Reason("total", _("Amount: %(amount)s yuan.") % {"amount": limit}, limit))
    return replace(decision, amount=limit, reasons=tuple(reasons))
