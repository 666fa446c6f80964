"""Pure subsidy decisions: no ORM, frozen dataclasses in, a decision with its reasons out.

- ``compute_subsidy(table, case)``: the amount of one subsidy line from a city's dated rule
  table (鲁人社字〔2025〕37号: 各市 set the amounts by training type, level and shortage status;
  cities may raise the subsidy when the trainee finds a job within 6 months). The most
  specific matching rate row is the base; uplifts (shortage occupation, target group,
  employment within 6 months) are added and each one is a line of the reasoning.
- ``select_table(tables, day)``: the version in force on a day.
- ``check_line(facts)``: the gates a claim line must pass (completion, attendance, certificate,
  12-month window for 技能提升补贴, not already claimed, per-person caps) — each with its reason.
- ``check_insurance(facts)``, ``insured_city_on(...)``, ``route_by_insured_city(...)`` and
  ``check_payee_account(...)``: 技能提升补贴 is for persons insured against unemployment (N months
  on the certificate's issue date, N a dated parameter per city, or drawing unemployment benefit
  that day), is handled where they are insured (参保地) and paid to their 社会保障卡 account.
- ``check_study(facts)`` and ``cap_at_tuition(decision, tuition)``: the gates of a 求学圆梦 line
  (enrolled on/after the city's start date, 学信网 report, frontline post, insured at the
  employer, once per 学历层次) and the tuition cap a city's table may ask for
  (docs/education_subsidy.md).

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
    # what blocks the claimant (kind, dates and document), shown with the refusal
    claimant_block_detail: str = ""
    # 技能提升补贴: unemployment insurance and routing checks, made by ``check_insurance`` etc.
    extra_checks: tuple[Check, ...] = field(default_factory=tuple)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (a day short of a month counts as less)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months


def check_line(facts: LineFacts) -> tuple[Check, ...]:
    checks: list[Check] = []
    if facts.claimant_blocked:
        text = _("The claimant is suspended or blacklisted and may not claim subsidies.")
        if facts.claimant_block_detail:
            text = f"{text}（{facts.claimant_block_detail}）"
        checks.append(Check("claimant_blocked", False, text))

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
    checks.extend(facts.extra_checks)
    return tuple(checks)


# ---------------------------------------------------------------- 技能提升补贴: insurance, routing, payee


@dataclass(frozen=True)
class MonthsRequirement:
    """N months of unemployment-insurance contributions required from ``valid_from`` on, for one
    city ('' = the national rule every city follows unless it has its own row)."""

    city: str
    valid_from: dt.date
    months: int
    basis: str = ""


def requirement_in_force(rows: Iterable[MonthsRequirement], city: str, day: dt.date) -> MonthsRequirement | None:
    """The city's own row in force on ``day``, else the national one; the latest ``valid_from`` wins."""
    rows = [r for r in rows if r.valid_from <= day]
    own = [r for r in rows if r.city == city]
    pool = own or [r for r in rows if r.city == ""]
    return max(pool, key=lambda r: r.valid_from, default=None)


@dataclass(frozen=True)
class BenefitPeriod:
    starts_on: dt.date
    ends_on: dt.date
    city: str


@dataclass(frozen=True)
class InsuranceFacts:
    """What the insurance records say about one person on the certificate's issue date."""

    on_date: dt.date
    # first days of the months with a 失业保险 contribution (any employer, any city)
    unemployment_months: frozenset[dt.date]
    # months with contributions of other insurance types only (pension, work injury…): shown, never counted
    other_type_months: frozenset[dt.date] = frozenset()
    benefit_periods: tuple[BenefitPeriod, ...] = ()
    requirement: MonthsRequirement | None = None


def insured_months_on(months: Iterable[dt.date], day: dt.date) -> int:
    """Months of contributions paid up to ``day`` (a month counts once it has begun by ``day``;
    several employers in one month count once). 累计: months need not be consecutive."""
    return len({m.replace(day=1) for m in months if m.replace(day=1) <= day})


def benefit_on(periods: Iterable[BenefitPeriod], day: dt.date) -> BenefitPeriod | None:
    return next((p for p in sorted(periods, key=lambda p: p.starts_on) if p.starts_on <= day <= p.ends_on), None)


def check_insurance(facts: InsuranceFacts) -> Check:
    """人社部发〔2017〕40号 / 国办发〔2019〕24号: on the certificate's issue date the person had paid
    unemployment insurance for at least N months (累计), or was drawing unemployment benefit."""
    day = facts.on_date
    found = insured_months_on(facts.unemployment_months, day)
    others = len({m for m in facts.other_type_months if m <= day} - set(facts.unemployment_months))
    values = {"n": found, "day": day.isoformat()}
    period = benefit_on(facts.benefit_periods, day)
    req = facts.requirement
    if req is not None and found >= req.months:
        return Check("insurance_months", True, _("Unemployment insurance paid for %(n)d months by %(day)s; %(required)d "
                                                 "are required.") % {**values, "required": req.months})
    if period is not None:
        return Check("insurance_months", True, _("Drawing unemployment benefit on %(day)s (%(start)s to %(end)s, city "
                                                 "%(city)s); unemployment insurance paid for %(n)d months.")
                     % {**values, "start": period.starts_on.isoformat(), "end": period.ends_on.isoformat(),
                        "city": period.city})
    if req is None:
        return Check("insurance_months", False, _("No contribution requirement is in force on %(day)s; the claim "
                                                  "cannot be judged.") % values)
    text = _("Unemployment insurance paid for %(n)d months by %(day)s; %(required)d are required, and no "
             "unemployment benefit was being drawn that day.") % {**values, "required": req.months}
    if others:
        text += _(" %(k)d further months have only other insurance types (pension, work injury…), which do not "
                  "count.") % {"k": others}
    return Check("insurance_months", False, text)


def insured_city_on(
    contributions: Iterable[tuple[dt.date, str]], periods: Iterable[BenefitPeriod], day: dt.date,
) -> str | None:
    """参保地 on ``day``: the city paying benefit that day, else the city of the latest
    unemployment-insurance month up to ``day`` (the latest month wins; the highest city code
    breaks a tie between two employers in one month, so the answer never depends on order)."""
    period = benefit_on(periods, day)
    if period is not None:
        return period.city
    paid = [(m, c) for m, c in contributions if c and m.replace(day=1) <= day]
    return max(paid, default=(None, None))[1]


def route_by_insured_city(insured_city: str | None, current_county: str, *, known_city: bool) -> tuple[str | None, Check]:
    """The region that handles the claim: the person's own county when it lies in the insured
    city, otherwise the insured city itself (its officers review at county level too)."""
    if insured_city is None:
        return None, Check("insured_city", False, _("No unemployment-insurance record shows where the person was "
                                                     "insured on the certificate date."))
    if not known_city:
        return None, Check("insured_city", False, _("Insured in city %(city)s, outside this province: apply where "
                                                    "insured.") % {"city": insured_city})
    if current_county.startswith(insured_city):
        return current_county, Check("insured_city", True, _("Insured in city %(city)s, where the person lives: "
                                                             "handled by county %(county)s.")
                                     % {"city": insured_city, "county": current_county})
    return f"{insured_city}00", Check("insured_city", True, _("Insured in city %(city)s, not where the person now "
                                                              "lives (%(county)s): handled by city %(city)s.")
                                      % {"city": insured_city, "county": current_county})


CARD_ACCOUNT = "social_security_card"


def check_payee_account(*, payee_kind: str, account_kind: str | None) -> Check | None:
    """A person is paid only to their 社会保障卡 financial account ("审核通过的补贴将发放至社保卡金融账户")."""
    if payee_kind != "person":
        return None
    if account_kind is None:
        return Check("card_account", False, _("No payee account: a person is paid to their social security card account."))
    if account_kind != CARD_ACCOUNT:
        return Check("card_account", False, _("The chosen account is not a social security card account; a person is "
                                              "paid only to their social security card account."))
    return Check("card_account", True, _("Paid to the person's social security card account."))


def all_passed(checks: Sequence[Check]) -> bool:
    return all(c.ok for c in checks)


def failed_reasons(checks: Sequence[Check]) -> list[str]:
    return [c.text for c in checks if not c.ok]


# ---------------------------------------------------------------- 求学圆梦 (education) lines


@dataclass(frozen=True)
class StudyFacts:
    """What a 求学圆梦 line is judged on (docs/education_subsidy.md; 德州/青岛 trade-union
    notices 2025): a frontline worker newly enrolled in continuing-education 专科/本科 on or
    after the city's start date, evidenced by a 学信网 学籍在线验证报告, employed and insured at
    the employer on the claim date, paid once per person per 学历层次."""

    on_date: dt.date
    level_label: str
    enrolled_on: dt.date
    enrolled_from: dt.date
    report_number: str
    verification_code: str
    employer_name: str
    frontline_post: str
    insured_months: tuple[dt.date, ...] = ()  # contribution months found at the employer, near on_date
    already_claimed_level: bool = False


def insured_on(day: dt.date, months: Iterable[dt.date]) -> dt.date | None:
    """The contribution month that shows insurance on ``day``: that month, or the one before
    (contribution files arrive a month late: assumption, docs/education_subsidy.md)."""
    this = day.replace(day=1)
    previous = (this - dt.timedelta(days=1)).replace(day=1)
    found = {m.replace(day=1) for m in months}
    return this if this in found else previous if previous in found else None


def check_study(facts: StudyFacts) -> tuple[Check, ...]:
    """The gates of a person's 求学圆梦 claim on one study record, each with what it found."""
    checks: list[Check] = []
    enrolled = facts.enrolled_on.isoformat()
    start = facts.enrolled_from.isoformat()
    if facts.enrolled_on > facts.on_date:
        checks.append(Check("enrolled", False, _("The enrolment date %(day)s is in the future.") % {"day": enrolled}))
    elif facts.enrolled_on < facts.enrolled_from:
        checks.append(Check("enrolled", False, _(
            "Enrolled on %(day)s, before the city's start date %(start)s: only students newly enrolled "
            "from that day are funded.") % {"day": enrolled, "start": start}))
    else:
        checks.append(Check("enrolled", True, _(
            "Enrolled on %(day)s, on or after the city's start date %(start)s.") % {"day": enrolled, "start": start}))
    has_report = bool(facts.report_number and facts.verification_code)
    checks.append(Check(
        "verification_report", has_report,
        _("学信网 enrolment verification report %(number)s, online code recorded.") % {"number": facts.report_number}
        if has_report else _("No 学信网 enrolment verification report (number and online code) is recorded."),
    ))
    checks.append(Check(
        "frontline_post", bool(facts.frontline_post),
        _("Frontline post: %(post)s.") % {"post": facts.frontline_post} if facts.frontline_post
        else _("No frontline post is recorded: the subsidy is for frontline workers."),
    ))
    month = insured_on(facts.on_date, facts.insured_months)
    if not facts.employer_name:
        checks.append(Check("employed_insured", False,
                            _("No employer is recorded: the subsidy is for employed frontline workers.")))
    elif month is None:
        checks.append(Check("employed_insured", False, _(
            "No contribution by %(employer)s found for %(month)s or the month before: the person must be "
            "employed and insured there on the claim date.") % {
                "employer": facts.employer_name, "month": facts.on_date.strftime("%Y-%m")}))
    else:
        checks.append(Check("employed_insured", True, _(
            "Insured by %(employer)s: contribution for %(month)s found.") % {
                "employer": facts.employer_name, "month": month.strftime("%Y-%m")}))
    checks.append(Check(
        "once_per_level", not facts.already_claimed_level,
        _("No 求学圆梦 subsidy before at this level (%(level)s).") % {"level": facts.level_label}
        if not facts.already_claimed_level
        else _("A 求学圆梦 subsidy at this level (%(level)s) has already been claimed: once per person per level.")
        % {"level": facts.level_label},
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


# ---------------------------------------------------------------- who reviews a claim next
# One rule for the review actions and the claim page (issue 14 Build 4): county review by a
# county (or city) officer over the claim's county, city approval by the claim's city, province
# approval by the province, decisions during the public notice by city or province; HRSS officers,
# or trade-union officers for 求学圆梦 (群团组织相关资金). Maker ≠ checker: nobody who made,
# submitted or already reviewed the claim takes a review step (the notice decision aside).

REVIEW_STAGE_OF_STATUS: dict[str, str] = {
    "submitted": "county",
    "county_reviewed": "city",
    "city_approved": "province",
    "public_notice": "notice",
}
REVIEW_STAGE_LEVELS: dict[str, frozenset[str]] = {
    "county": frozenset({"county", "city"}),
    "city": frozenset({"city"}),
    "province": frozenset({"province"}),
    "notice": frozenset({"city", "province"}),
}


@dataclass(frozen=True)
class ClaimReviewFacts:
    status: str
    union_review: bool  # 求学圆梦: the trade union reviews, not HRSS
    reviewer_ids: frozenset[int]  # maker, submitter, county, city and province reviewers so far


@dataclass(frozen=True)
class ReviewerFacts:
    user_id: int
    role: str
    level: str  # the officer's region level, "" without a region
    in_scope: bool  # the officer's region covers the claim's county


@dataclass(frozen=True)
class ReviewDecision:
    stage: str  # county / city / province / notice, "" when the claim waits for no review
    allowed: bool
    refusal: str = ""  # not_waiting / wrong_role / wrong_level / maker_checker


def review_step(claim: ClaimReviewFacts, reviewer: ReviewerFacts, *, stage: str | None = None) -> ReviewDecision:
    """May ``reviewer`` take the claim's next review step now (or ``stage``, when an action
    names it)? Checked in order: the claim waits for that step, the role and region, the level,
    maker ≠ checker."""
    stage = stage if stage is not None else REVIEW_STAGE_OF_STATUS.get(claim.status, "")
    if not stage:
        return ReviewDecision("", False, "not_waiting")
    wanted_role = "union_officer" if claim.union_review else "hrss_officer"
    if reviewer.role != wanted_role or not reviewer.in_scope:
        return ReviewDecision(stage, False, "wrong_role")
    if reviewer.level not in REVIEW_STAGE_LEVELS[stage]:
        return ReviewDecision(stage, False, "wrong_level")
    if stage != "notice" and reviewer.user_id in claim.reviewer_ids:
        return ReviewDecision(stage, False, "maker_checker")
    return ReviewDecision(stage, True)
