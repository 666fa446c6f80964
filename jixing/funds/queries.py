"""Reads for funds: rule tables as plain data, the facts a claim line is judged on, balances,
queues and lists for pages and the API. Lists start from a ``visible_to(user)`` queryset."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import risk
from jixing.core.access import scope_for, within_region
from jixing.evaluation.models import Certificate, OutsideCertificate
from jixing.evaluation.queries import certificates_for, highest_certificate_levels
from jixing.registry.models import (
    Organisation,
    OrganisationKind,
    Person,
    PersonRestriction,
    Region,
    RegionLevel,
    live_memberships,
)
from jixing.training import conf as training_conf
from jixing.training import queries as training_queries
from jixing.training import rules as training_rules
from jixing.training.models import Enrollment, ProjectType, TrainingProject

from . import rules
from .models import (
    ZERO,
    Account,
    AccountKind,
    Budget,
    CertificateType,
    Claim,
    ClaimLine,
    ClaimStatus,
    InsuranceMonthsRule,
    IssueKind,
    LineStatus,
    OrderStatus,
    PayeeKind,
    PaymentBatch,
    PaymentOrder,
    Posting,
    PostingLine,
    ReconciliationIssue,
    RecoveryOrder,
    RecoveryPart,
    StaffEducationReport,
    StudyRecord,
    SubsidyItem,
    SubsidyRuleTable,
)

# Who may open which pages (the querysets then narrow to each user's scope).
BUDGET_READERS = frozenset({Role.FINANCE_OFFICER, Role.HRSS_OFFICER, Role.AUDITOR})
BUDGET_WRITERS = frozenset({Role.FINANCE_OFFICER})
CLAIM_READERS = frozenset({
    Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION, Role.TRAINEE,
    Role.UNION_OFFICER,
})
CLAIM_MAKERS = frozenset({Role.INSTITUTION})
REVIEWERS = frozenset({Role.HRSS_OFFICER, Role.UNION_OFFICER})
PAYMENT_READERS = frozenset({Role.FINANCE_OFFICER, Role.AUDITOR})
PAYMENT_WRITERS = frozenset({Role.FINANCE_OFFICER})
RECOVERY_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION})
RECOVERY_MAKERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER})
RULE_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION, Role.SECTOR_OFFICER})
STAFF_EDUCATION_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION})
PAYEE_HOLDERS = frozenset({Role.INSTITUTION, Role.TRAINEE})

# Items that count as "a subsidised training" for the per-person caps (DESIGN.md key rules;
# subsidy_rules.md 2.1: 职业培训补贴, 技能提升补贴, 学徒制 and 创业培训 each count once a year,
# 累计不超过3次; the same occupation and level only once). Living allowances and evaluation
# subsidies ride on a training and are not counted separately.
# Used only when no rule table is in force (the line then fails on the missing table anyway).
DEFAULT_DECLARED_SHARE = Decimal("0.200")

TRAINING_ITEMS = frozenset({
    SubsidyItem.VOCATIONAL_TRAINING, SubsidyItem.SKILL_UPGRADE, SubsidyItem.APPRENTICESHIP, SubsidyItem.ENTREPRENEURSHIP,
})
# 生活费补贴 is the trainee's: claimed by the trainee, paid to their social security card account.
ORGANISATION_ITEMS = (
    SubsidyItem.VOCATIONAL_TRAINING, SubsidyItem.APPRENTICESHIP, SubsidyItem.ENTREPRENEURSHIP, SubsidyItem.EVALUATION,
)


def city_code(region_code: str) -> str:
    return region_code[:4] + "00"


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- rule tables


def rule_table_data(table: SubsidyRuleTable) -> rules.RuleTable:
    rates = tuple(
        rules.Rate(
            id=r.pk, item=r.item, amount=r.amount, payee_kind=r.payee_kind, certificate_type=r.certificate_type,
            level=r.level_id, occupation=r.occupation.key if r.occupation is not None else None,
            target_group=r.target_group.code if r.target_group is not None else None, note=r.note,
        )
        for r in table.rates.select_related("occupation", "target_group").order_by("id")
    )
    uplifts = tuple(
        rules.Uplift(
            id=u.pk, kind=u.kind, percent=u.percent, fixed_amount=u.fixed_amount, item=u.item,
            target_group=u.target_group.code if u.target_group is not None else None,
            note=u.target_group.name if u.target_group is not None else u.note,
        )
        for u in table.uplifts.select_related("target_group").order_by("id")
    )
    return rules.RuleTable(
        id=table.pk, city=table.city_id, version=table.version, valid_from=table.valid_from,
        rates=rates, uplifts=uplifts, name=table.name,
        shortage_occupations=frozenset(table.shortage_occupations.values_list("key", flat=True)),
    )


class TableCache:
    """Rule tables of the cities a batch of lines needs, loaded once."""

    def __init__(self) -> None:
        self._by_city: dict[str, list[SubsidyRuleTable]] = {}
        self._data: dict[int, rules.RuleTable] = {}

    def tables(self, city: str) -> list[SubsidyRuleTable]:
        if city not in self._by_city:
            self._by_city[city] = list(SubsidyRuleTable.objects.filter(city_id=city).order_by("valid_from"))
        return self._by_city[city]

    def in_force(self, city: str, day: dt.date) -> SubsidyRuleTable | None:
        chosen = None
        for table in self.tables(city):
            if table.valid_from <= day:
                chosen = table
        return chosen

    def data(self, table: SubsidyRuleTable) -> rules.RuleTable:
        if table.pk not in self._data:
            self._data[table.pk] = rule_table_data(table)
        return self._data[table.pk]


def table_in_force(city: str, day: dt.date) -> SubsidyRuleTable | None:
    return SubsidyRuleTable.objects.filter(city_id=city, valid_from__lte=day).order_by("-valid_from").first()


def rule_tables_for(user: Any, *, city: str = "") -> QuerySet[SubsidyRuleTable]:
    qs = SubsidyRuleTable.objects.visible_to(user).select_related("city")
    if city:
        qs = qs.filter(city_id=city)
    return qs.annotate(claim_count=Count("claims")).order_by("city_id", "-valid_from")


# ---------------------------------------------------------------- line facts


@dataclass
class LineDraft:
    """A claim line as it would be written: who, what for, the checks and the amount."""

    person: Person
    item: str
    year: int
    on_date: dt.date
    checks: tuple[rules.Check, ...]
    decision: rules.SubsidyDecision
    table: SubsidyRuleTable | None
    enrollment: Enrollment | None = None
    certificate: Certificate | None = None
    study: StudyRecord | None = None
    occupation_id: int | None = None
    level_id: int | None = None
    employed: bool | None = None
    employment_reasons: tuple[str, ...] = ()
    extra_reasons: list[dict[str, str | None]] = field(default_factory=list)
    outside_certificate: OutsideCertificate | None = None
    # 技能提升补贴: months of unemployment insurance found, and the region that handles the claim
    insured_months: int | None = None
    route_county: str | None = None

    @property
    def ok(self) -> bool:
        return rules.all_passed(self.checks) and self.decision.eligible

    @property
    def problems(self) -> list[str]:
        out = rules.failed_reasons(self.checks)
        if not self.decision.eligible:
            out += [r.text for r in self.decision.reasons if r.code in {"no_table", "no_rate"}]
        return out

    @property
    def amount(self) -> Decimal:
        return self.decision.amount if self.ok else ZERO

    @property
    def label(self) -> str:
        return f"{self.person.name}（{self.person.masked_id_number}）"

    def reasons_json(self) -> list[dict[str, str | None]]:
        return self.decision.reasons_json() + self.extra_reasons


def group_codes(person_ids: Iterable[int], day_of: dict[int, dt.date]) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for m, group in live_memberships(list(person_ids)):
        day = day_of.get(m.person_id)
        if day and m.is_valid_on(day):
            out[m.person_id].add(group.code)
    return {pid: frozenset(codes) for pid, codes in out.items()}


def _line_key(training_class_id: int | None, certificate_id: int | None) -> str:
    return f"class:{training_class_id}" if training_class_id else f"cert:{certificate_id}"


def prior_subsidies(person_ids: Iterable[int], *, exclude_line_ids: Iterable[int] = ()) -> dict[int, list[training_rules.PriorTraining]]:
    """Live claim lines of counted items, as the training cap rules' ``PriorTraining`` (one
    per class or certificate, whatever fund paid it)."""
    out: dict[int, dict[str, training_rules.PriorTraining]] = defaultdict(dict)
    rows = (
        ClaimLine.objects.live().filter(person_id__in=list(person_ids), subsidy_item__in=list(TRAINING_ITEMS))
        .exclude(pk__in=list(exclude_line_ids))
        .exclude(claim__status__in=[ClaimStatus.REJECTED, ClaimStatus.CANCELLED])
        .values("person_id", "training_class_id", "certificate_id", "year", "occupation_id", "level_id")
    )
    for row in rows:
        key = _line_key(row["training_class_id"], row["certificate_id"])
        out[row["person_id"]][key] = training_rules.PriorTraining(
            class_code=key, year=row["year"], subsidised=True,
            occupation_id=row["occupation_id"], level_order=row["level_id"],
        )
    return {pid: list(v.values()) for pid, v in out.items()}


def cap_checks(
    person: Person, *, key: str, on_date: dt.date, occupation_id: int | None, occupation_name: str,
    level_id: int | None, level_name: str, prior: Sequence[training_rules.PriorTraining],
    certificates: Sequence[tuple[int, int]],
) -> tuple[rules.Check, ...]:
    """The per-person caps, decided by the training app's rules (reused, not rewritten)."""
    candidate = training_rules.Candidate(
        birth_date=person.birth_date, sex=person.sex, prior=tuple(prior), certificates=tuple(certificates),
    )
    offer = training_rules.Offer(
        class_code=key, start_date=on_date, occupation_id=occupation_id, occupation_name=occupation_name,
        level_order=level_id, level_name=level_name,
    )
    policy = training_conf.eligibility_policy()
    results = (
        training_rules.check_yearly_cap(candidate, offer, policy),
        training_rules.check_same_occupation_level(candidate, offer, policy),
        training_rules.check_certificate_level(candidate, offer, policy),
    )
    return tuple(rules.Check(r.code, r.ok, r.message) for r in results)


def _employment(enrollment_ids: list[int], as_of: dt.date) -> dict[int, tuple[bool | None, tuple[str, ...]]]:
    """Enrollment id → (employed within 6 months: True / False / None while the window is
    open, the employment app's reasons)."""
    from jixing.employment.queries import employment_evidence

    out: dict[int, tuple[bool | None, tuple[str, ...]]] = {}
    for pk, measure in employment_evidence(enrollment_ids, as_of=as_of).items():
        out[pk] = (measure.met if measure.observed else None, tuple(measure.reasons))
    return out


def default_item_for(project: TrainingProject) -> str:
    if project.project_type == ProjectType.APPRENTICESHIP:
        return SubsidyItem.APPRENTICESHIP
    if project.project_type == ProjectType.ENTREPRENEURSHIP:
        return SubsidyItem.ENTREPRENEURSHIP
    return SubsidyItem.VOCATIONAL_TRAINING


def payee_kind_for(organisation: Organisation) -> str:
    return PayeeKind.ENTERPRISE if organisation.kind == OrganisationKind.ENTERPRISE else PayeeKind.INSTITUTION


def _matching_certificate(
    certs: Sequence[Certificate], *, occupation_id: int | None, level_id: int | None, since: dt.date
) -> Certificate | None:
    for cert in certs:  # newest first
        if cert.issued_on < since:
            continue
        if occupation_id and cert.occupation_id != occupation_id:
            continue
        if level_id and cert.level_id != level_id:
            continue
        return cert
    return None


def evaluate_enrollments(
    project: TrainingProject, enrollments: Sequence[Enrollment], *, item: str, payee_kind: str,
    claimant_blocked: bool = False, exclude_line_ids: Iterable[int] = (), as_of: dt.date | None = None,
    tables: TableCache | None = None,
) -> list[LineDraft]:
    """Judge each enrollment as a claim line of ``item``: the checks and the rule engine's amount.

    Reasons are stored on the line, so they are always produced in Chinese.
    """
    as_of = as_of or today()
    tables = tables or TableCache()
    exclude = list(exclude_line_ids)
    person_ids = [e.person_id for e in enrollments]
    certs = certificates_for(person_ids, valid_only=False) if enrollments else {}
    held: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (pid, occ), level in highest_certificate_levels(person_ids).items():
        held[pid].append((occ, level))
    prior = prior_subsidies(person_ids, exclude_line_ids=exclude)
    claimed = set(
        ClaimLine.objects.live().filter(
            person_id__in=person_ids, subsidy_item=item, training_class_id__in=[e.training_class_id for e in enrollments]
        ).exclude(pk__in=exclude).values_list("person_id", "training_class_id")
    )
    day_of = {e.person_id: e.completed_on or as_of for e in enrollments}
    groups = group_codes(person_ids, day_of)
    employment = _employment([e.pk for e in enrollments], as_of) if enrollments else {}
    city = city_code(project.county_id)
    occupation_key = project.occupation.key if project.occupation is not None else None
    occupation_name = project.occupation.name if project.occupation is not None else project.special_ability
    level_name = project.level.name if project.level is not None else ""
    sessions = training_queries.attendance_evidence(enrollments)
    restricted = trainee_restrictions(person_ids, as_of)

    drafts: list[LineDraft] = []
    with translation.override("zh-hans"):
        for e in enrollments:
            on_date = e.completed_on or as_of
            klass = e.training_class
            valid_certs = [c for c in certs.get(e.person_id, []) if c.is_valid]
            cert = _matching_certificate(
                valid_certs, occupation_id=project.occupation_id, level_id=project.level_id, since=klass.start_date
            )
            if cert is None and project.requires_certificate:
                # A revoked certificate is named in the reasons rather than reported as missing.
                cert = _matching_certificate(
                    certs.get(e.person_id, []), occupation_id=project.occupation_id, level_id=project.level_id,
                    since=klass.start_date,
                )
            key = _line_key(e.training_class_id, None)
            caps: tuple[rules.Check, ...] = ()
            if item in TRAINING_ITEMS:
                caps = cap_checks(
                    e.person, key=key, on_date=on_date, occupation_id=project.occupation_id,
                    occupation_name=occupation_name, level_id=project.level_id, level_name=level_name,
                    prior=prior.get(e.person_id, ()),
                    # This training's own certificate is not "a higher level already held".
                    certificates=held.get(e.person_id, ()),
                )
            table = tables.in_force(city, on_date)
            # Issue 13: captured attendance counts fully, declared only up to the city's share.
            share = table.declared_attendance_share if table is not None else DEFAULT_DECLARED_SHARE
            evidence = training_rules.evidenced_attendance(sessions.get(e.pk, []), share)
            facts = rules.LineFacts(
                item=item, on_date=as_of,
                enrollment_status=e.status, attendance_rate=evidence.rate, attendance_evidence=evidence,
                required_attendance_rate=project.required_attendance_rate,
                enrollment_subsidised=e.subsidised, project_subsidised=project.is_subsidised,
                requires_certificate=project.requires_certificate or item == SubsidyItem.EVALUATION,
                certificate=_cert_facts(cert),
                expected_occupation=occupation_key if project.occupation_id else None,
                expected_level=project.level_id,
                already_claimed=(e.person_id, e.training_class_id) in claimed,
                cap_checks=caps, claimant_blocked=claimant_blocked,
            )
            checks = rules.check_line(facts)
            if e.person_id in restricted:
                # The trainee is barred from subsidies (blacklist or a case decision): the line is
                # refused even though the institution claims it, with the restriction named.
                text = _("The trainee is under a restriction and may not receive subsidies.")
                checks = (rules.Check("trainee_restricted", False, f"{text}（{restricted[e.person_id]}）"), *checks)
            if cert is not None and cert.is_valid:
                certificate_type = CertificateType.SKILL_LEVEL
            elif project.special_ability:
                certificate_type = CertificateType.SPECIAL_ABILITY
            else:
                certificate_type = CertificateType.TRAINING
            employed, employment_reasons = employment.get(e.pk, (None, ()))
            case = rules.SubsidyCase(
                item=item, payee_kind=payee_kind, certificate_type=certificate_type,
                level=cert.level_id if cert is not None else project.level_id,
                occupation=occupation_key, occupation_name=occupation_name,
                target_groups=groups.get(e.person_id, frozenset()), employed_within_6_months=employed,
            )
            decision = rules.compute_subsidy(tables.data(table) if table else None, case)
            extra = [{"code": "employment_evidence", "text": text, "amount": None} for text in employment_reasons]
            drafts.append(LineDraft(
                person=e.person, item=item, year=on_date.year, on_date=on_date, checks=checks, decision=decision,
                table=table, enrollment=e, certificate=cert if cert is not None and cert.is_valid else None,
                occupation_id=project.occupation_id, level_id=project.level_id,
                employed=employed, employment_reasons=employment_reasons, extra_reasons=extra,
            ))
    return drafts


def trainee_restrictions(person_ids: Sequence[int], day: dt.date) -> dict[int, str]:
    """Person id → what bars them on ``day`` (registry.PersonRestriction in force), in one query."""
    found: dict[int, str] = {}
    for restriction in PersonRestriction.objects.filter(person_id__in=person_ids).in_force_on(day).order_by(
            "starts_on", "id"):
        found.setdefault(restriction.person_id, restriction.describe())
    return found


def _cert_facts(cert: Certificate | None) -> rules.CertificateFacts | None:
    if cert is None:
        return None
    return rules.CertificateFacts(
        number=cert.number, valid=cert.is_valid, issued_on=cert.issued_on,
        occupation=cert.occupation.key, level=cert.level_id,
    )


def insurance_facts(person: Person, day: dt.date) -> tuple[rules.InsuranceFacts, str | None, tuple[rules.BenefitPeriod, ...]]:
    """The unemployment-insurance facts of a person on ``day`` (the certificate's issue date):
    months paid by type, benefit periods, the insured city and the months rule in force there."""
    from jixing.employment.models import InsuranceContribution, InsuranceType, UnemploymentBenefitPeriod

    rows = list(InsuranceContribution.objects.filter(person=person, month__lte=day)
                .values_list("month", "insurance_type", "insured_city"))
    unemployment = [(m, c) for m, t, c in rows if t == InsuranceType.UNEMPLOYMENT]
    periods = tuple(rules.BenefitPeriod(p.starts_on, p.ends_on, p.city)
                    for p in UnemploymentBenefitPeriod.objects.filter(person=person, starts_on__lte=day))
    city = rules.insured_city_on(unemployment, periods, day)
    requirement = rules.requirement_in_force(
        [rules.MonthsRequirement(r.city, r.valid_from, r.months, r.basis) for r in InsuranceMonthsRule.objects.all()],
        city or city_code(person.current_region_id)[:4], day,
    )
    facts = rules.InsuranceFacts(
        on_date=day, unemployment_months=frozenset(m for m, _c in unemployment),
        other_type_months=frozenset(m for m, t, _c in rows if t != InsuranceType.UNEMPLOYMENT),
        benefit_periods=periods, requirement=requirement,
    )
    return facts, city, periods


def _held_levels(person: Person) -> list[tuple[int, int]]:
    """(occupation, highest level order) the person holds: certificates issued here and those
    found in the national register under their ID number."""
    held: dict[int, int] = {occ: level for (_pid, occ), level in highest_certificate_levels([person.pk]).items()}
    for occ, level in OutsideCertificate.objects.filter(id_number_hash=person.id_number_hash).values_list(
            "occupation_id", "level_id"):
        held[occ] = max(held.get(occ, 0), level)
    return list(held.items())


def block_detail(person: Person, day: dt.date) -> str:
    """Which restriction bars the person on ``day``: its kind, since when, until when, the
    document or case that decided it, and its reason (empty when none is in force)."""
    restriction = person.restriction_on(day)
    return "" if restriction is None else restriction.describe()


def evaluate_certificate(
    person: Person, certificate: Certificate | OutsideCertificate, *, exclude_line_ids: Iterable[int] = (),
    as_of: dt.date | None = None,
) -> LineDraft:
    """Judge a person's own claim for 技能提升补贴 on one certificate (issued here, or found in
    the national register): the 12-month window, caps, the block list, unemployment insurance on
    the issue date and where the claim is handled (参保地)."""
    as_of = as_of or today()
    exclude = list(exclude_line_ids)
    item = SubsidyItem.SKILL_UPGRADE
    outside = certificate if isinstance(certificate, OutsideCertificate) else None
    own = certificate if isinstance(certificate, Certificate) else None
    prior = prior_subsidies([person.pk], exclude_line_ids=exclude).get(person.pk, [])
    lines = ClaimLine.objects.live().filter(person=person, subsidy_item=item).exclude(pk__in=exclude)
    claimed = (lines.filter(outside_certificate=outside) if outside else lines.filter(certificate=own)).exists()
    issued_on = certificate.issued_on
    groups = group_codes([person.pk], {person.pk: issued_on}).get(person.pk, frozenset())
    key = f"outside:{certificate.pk}" if outside else _line_key(None, certificate.pk)
    facts_in, insured_city, _periods = insurance_facts(person, issued_on)
    known_city = insured_city is not None and Region.objects.filter(code=f"{insured_city}00").exists()
    route, route_check = rules.route_by_insured_city(insured_city, person.current_region_id, known_city=known_city)
    detail = block_detail(person, as_of)
    with translation.override("zh-hans"):
        caps = cap_checks(
            person, key=key, on_date=issued_on, occupation_id=certificate.occupation_id,
            occupation_name=certificate.occupation.name, level_id=certificate.level_id,
            level_name=certificate.level.name, prior=prior, certificates=_held_levels(person),
        )
        cert_facts = rules.CertificateFacts(
            number=certificate.number, valid=own.is_valid if own else True, issued_on=issued_on,
            occupation=certificate.occupation.key, level=certificate.level_id,
        )
        insurance_check = rules.check_insurance(facts_in)
        facts = rules.LineFacts(
            item=item, on_date=as_of, certificate=cert_facts, already_claimed=claimed,
            cap_checks=caps, claimant_blocked=bool(detail), claimant_block_detail=detail,
            extra_checks=(insurance_check, route_check),
        )
        checks = rules.check_line(facts)
        city = city_code(route) if route else city_code(person.current_region_id)
        table = table_in_force(city, issued_on)
        case = rules.SubsidyCase(
            item=item, payee_kind=PayeeKind.PERSON, certificate_type=CertificateType.SKILL_LEVEL,
            level=certificate.level_id, occupation=certificate.occupation.key,
            occupation_name=certificate.occupation.name, target_groups=groups,
        )
        decision = rules.compute_subsidy(rule_table_data(table) if table else None, case)
    return LineDraft(
        person=person, item=item, year=issued_on.year, on_date=issued_on, checks=checks,
        decision=decision, table=table, certificate=own, outside_certificate=outside,
        occupation_id=certificate.occupation_id, level_id=certificate.level_id,
        insured_months=rules.insured_months_on(facts_in.unemployment_months, issued_on), route_county=route,
    )


EDUCATION_START_DEFAULT = dt.date(2024, 9, 1)  # the 2025 notices; each city's table holds its own


def evaluate_study(
    person: Person, study: StudyRecord, *, exclude_line_ids: Iterable[int] = (), as_of: dt.date | None = None,
) -> LineDraft:
    """Judge a person's own 求学圆梦 claim on one study record (docs/education_subsidy.md):
    newly enrolled on/after the city's start date, 学信网 report, frontline post, insured at
    the employer on the claim date, once per person per 学历层次; the city's EDUCATION rate,
    capped at the tuition paid only where the city's table says so."""
    from jixing.employment.queries import contribution_months_at

    as_of = as_of or today()
    item = SubsidyItem.EDUCATION
    claimed = (ClaimLine.objects.live().filter(person=person, subsidy_item=item, study_level=study.level)
               .exclude(pk__in=list(exclude_line_ids)).exists())
    table = table_in_force(city_code(person.current_region_id), as_of)
    employer = study.employer
    months: list[dt.date] = []
    if employer is not None:
        months = contribution_months_at(person.pk, employer_id=employer.pk, employer_uscc=employer.uscc,
                                        since=as_of - dt.timedelta(days=62), until=as_of)
    with translation.override("zh-hans"):
        checks = rules.check_study(rules.StudyFacts(
            on_date=as_of, level_label=str(study.get_level_display()), enrolled_on=study.enrolled_on,
            enrolled_from=table.education_enrolled_from if table else EDUCATION_START_DEFAULT,
            report_number=study.chsi_report_number, verification_code=study.chsi_verification_code,
            employer_name=employer.name if employer is not None else "", frontline_post=study.frontline_post,
            insured_months=tuple(months), already_claimed_level=claimed,
        ))
        # a fixed amount per person: no target-group or employment uplifts are asked for
        case = rules.SubsidyCase(item=item, payee_kind=PayeeKind.PERSON)
        decision = rules.compute_subsidy(rule_table_data(table) if table else None, case)
        if table is not None and table.education_tuition_cap:
            decision = rules.cap_at_tuition(decision, study.tuition_paid)
    return LineDraft(
        person=person, item=item, year=as_of.year, on_date=as_of, checks=checks, decision=decision, table=table,
        study=study,
    )


def claimable_enrollments(project: TrainingProject) -> QuerySet[Enrollment]:
    """Completed enrollments of a project, newest first (the claim page's candidates)."""
    return (
        Enrollment.objects.completed().filter(training_class__project=project)
        .select_related("person", "training_class").order_by("-completed_on", "id")
    )


def claimable_projects(user: Any) -> QuerySet[TrainingProject]:
    """Projects an institution or enterprise may claim for: it organises them (or is the
    apprenticeship partner) and they have completed enrollments."""
    org = getattr(user, "organisation_id", None)
    if not org:
        return TrainingProject.objects.none()
    return (
        TrainingProject.objects.filter(Q(organiser_id=org) | Q(partner_id=org, project_type=ProjectType.APPRENTICESHIP))
        .filter(classes__enrollments__status="completed").distinct().select_related("county", "occupation", "level")
        .order_by("-created_at")
    )


# ---------------------------------------------------------------- budgets and balances


def balances_of(budgets: Iterable[Budget]) -> dict[int, dict[str, Decimal]]:
    ids = [b.pk for b in budgets]
    out: dict[int, dict[str, Decimal]] = {pk: {k: ZERO for k in AccountKind.values if k != AccountKind.TREASURY} for pk in ids}
    for budget_id, kind, balance in Account.objects.filter(budget_id__in=ids).values_list("budget_id", "kind", "balance"):
        out[budget_id][kind] = balance
    for pk, row in out.items():
        row["total"] = sum(row.values(), ZERO)
        out[pk] = row
    return out


def budget_for_claim(claim: Claim, year: int) -> Budget | None:
    """The budget a claim is charged to: same fund source and year, the claim's county, then
    its city, then the province; an action-earmarked budget before a general one."""
    county = claim.county_id
    regions = [county, city_code(county), county[:2] + "0000"]
    candidates = list(
        Budget.objects.filter(fund_source_id=claim.fund_source_id, year=year, region_id__in=regions)
        .filter(Q(action__isnull=True) | Q(action_id=claim.action_id))
    )

    def rank(b: Budget) -> tuple[int, int]:
        return (regions.index(b.region_id), 0 if b.action_id else 1)

    return min(candidates, key=rank, default=None)


def budgets_for(user: Any, *, year: int | None = None, fund_source: str = "", region: str = "") -> QuerySet[Budget]:
    qs = Budget.objects.visible_to(user).select_related("fund_source", "region", "action", "parent")
    if year:
        qs = qs.filter(year=year)
    if fund_source:
        qs = qs.filter(fund_source__code=fund_source)
    if region:
        qs = qs.filter(within_region("region", region))
    return qs.order_by("year", "region_id", "fund_source_id", "action_id")


def budget_summary(user: Any, *, year: int | None = None) -> dict[str, Decimal]:
    budgets = list(budgets_for(user, year=year))
    # Avoid double counting money allocated down the tree: sum every budget's own accounts
    # (allocated-out money has left the parent's available account already).
    totals = dict.fromkeys(("available", "committed", "paid", "receivable", "written_off"), ZERO)
    for row in balances_of(budgets).values():
        for k in totals:
            totals[k] += row[k]
    return totals


def postings_for_budget(budget: Budget) -> QuerySet[PostingLine]:
    return (
        PostingLine.objects.filter(account__budget=budget).select_related("posting", "account", "posting__created_by")
        .order_by("-posting__posted_at", "-id")
    )


def posting_reference_url(posting: Posting) -> str:
    from django.urls import reverse

    try:
        pk = int(posting.reference_id)
    except ValueError:
        return ""
    if posting.reference_type == "claim":
        return reverse("funds:claim_detail", args=[pk])
    if posting.reference_type == "recovery_order":
        return reverse("funds:recovery_detail", args=[pk])
    if posting.reference_type == "payment_order":
        order = PaymentOrder.objects.filter(pk=pk).only("batch_id").first()
        return reverse("funds:batch_detail", args=[order.batch_id]) if order and order.batch_id else ""
    if posting.reference_type == "allocation":
        return ""
    return ""


# ---------------------------------------------------------------- claims


def claims_for(user: Any, *, status: str = "", item: str = "", q: str = "") -> QuerySet[Claim]:
    qs = Claim.objects.visible_to(user).select_related("organisation", "person", "county", "project", "fund_source")
    if status:
        qs = qs.filter(status=status)
    if item:
        qs = qs.filter(subsidy_item=item)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(organisation__name__icontains=q) | Q(project__name__icontains=q))
    return qs.order_by("-created_at", "-id")


def review_queue(user: Any) -> QuerySet[Claim]:
    """Claims waiting for this officer's level: county review, city approval, province approval.
    HRSS officers review every item but 求学圆梦, which trade-union officers review."""
    role = getattr(user, "role", None)
    if role not in REVIEWERS or not user.region_id:
        return Claim.objects.none()
    level = user.region.level
    statuses: list[str] = []
    if level in (RegionLevel.COUNTY, RegionLevel.CITY):
        statuses.append(ClaimStatus.SUBMITTED)
    if level == RegionLevel.CITY:
        statuses.append(ClaimStatus.COUNTY_REVIEWED)
    if level == RegionLevel.PROVINCE:
        statuses.append(ClaimStatus.CITY_APPROVED)
    qs = claims_for(user).filter(status__in=statuses)
    qs = qs.filter(subsidy_item=SubsidyItem.EDUCATION) if role == Role.UNION_OFFICER else qs.exclude(subsidy_item=SubsidyItem.EDUCATION)
    return qs.order_by("submitted_at", "id")


def line_counts(claim: Claim) -> dict[str, int]:
    lines = claim.lines.all()
    return {"live": lines.filter(status=LineStatus.LIVE).count(), "excluded": lines.filter(status=LineStatus.EXCLUDED).count()}


def my_subsidies(user: Any) -> QuerySet[ClaimLine]:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return ClaimLine.objects.none()
    return (
        ClaimLine.objects.filter(person_id=person_id)
        .select_related("claim", "training_class", "certificate", "study", "claim__organisation")
        .order_by("-created_at")
    )


def my_outside_certificates_to_claim(user: Any) -> list[OutsideCertificate]:
    """Certificates from the imported national register whose ID number is the trainee's, within
    12 months and not yet claimed for 技能提升补贴 (the claim itself re-checks every part)."""
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    if person is None or not person.id_number_hash:
        return []
    since = today() - dt.timedelta(days=366)
    claimed = set(
        ClaimLine.objects.live().filter(person_id=person.pk, subsidy_item=SubsidyItem.SKILL_UPGRADE)
        .values_list("outside_certificate_id", flat=True)
    )
    return [
        c for c in OutsideCertificate.objects.filter(id_number_hash=person.id_number_hash, issued_on__gte=since)
        .select_related("occupation", "level").order_by("-issued_on")
        if c.pk not in claimed
    ]


def my_living_allowances_to_claim(user: Any) -> list[tuple[Enrollment, LineDraft]]:
    """A trainee's completed enrollments not yet claimed for 生活费补贴, each judged as the
    person's own line (the claim itself judges again)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    claimed = set(
        ClaimLine.objects.live().filter(person_id=person_id, subsidy_item=SubsidyItem.LIVING_ALLOWANCE)
        .values_list("enrollment_id", flat=True)
    )
    enrollments = (
        Enrollment.objects.filter(person_id=person_id, status="completed")
        .exclude(pk__in=[pk for pk in claimed if pk is not None])
        .select_related("person", "training_class__project")
        .order_by("-pk")
    )
    return [
        (e, evaluate_enrollments(e.training_class.project, [e], item=SubsidyItem.LIVING_ALLOWANCE,
                                 payee_kind=PayeeKind.PERSON)[0])
        for e in enrollments
    ]


def my_certificates_to_claim(user: Any) -> list[Certificate]:
    """A trainee's valid certificates within 12 months, not yet claimed for 技能提升补贴."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    since = today() - dt.timedelta(days=366)
    claimed = set(
        ClaimLine.objects.live().filter(person_id=person_id, subsidy_item=SubsidyItem.SKILL_UPGRADE)
        .values_list("certificate_id", flat=True)
    )
    return [
        c for c in Certificate.objects.valid().filter(person_id=person_id, issued_on__gte=since)
        .select_related("occupation", "level").order_by("-issued_on")
        if c.pk not in claimed
    ]


def my_studies(user: Any) -> list[tuple[StudyRecord, ClaimLine | None, LineDraft | None]]:
    """A trainee's study records, each with its live 求学圆梦 line if it has been claimed, else
    what a claim today would find (every check with its reason, and the amount)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    studies = list(StudyRecord.objects.filter(person_id=person_id).select_related("employer", "person")
                   .order_by("-enrolled_on", "-id"))
    lines = {
        ln.study_id: ln for ln in ClaimLine.objects.live().filter(study__in=studies, subsidy_item=SubsidyItem.EDUCATION)
        .select_related("claim")
    }
    out: list[tuple[StudyRecord, ClaimLine | None, LineDraft | None]] = []
    for s in studies:
        line = lines.get(s.pk)
        out.append((s, line, None if line is not None else evaluate_study(s.person, s)))
    return out


def paid_to_claim(claim_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = (
        PaymentOrder.objects.filter(claim_id__in=list(claim_ids), status=OrderStatus.SUCCEEDED)
        .values("claim_id").annotate(total=Sum("amount"))
    )
    return {r["claim_id"]: r["total"] for r in rows}


def recovered_from_claim(claim_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = RecoveryPart.objects.filter(claim_id__in=list(claim_ids)).values("claim_id").annotate(total=Sum("amount"))
    return {r["claim_id"]: r["total"] for r in rows}


# ---------------------------------------------------------------- payments


def batches_for(user: Any) -> QuerySet[PaymentBatch]:
    return PaymentBatch.objects.visible_to(user).select_related("region", "created_by").annotate(
        open_issues=Count("issues", filter=Q(issues__resolved_at__isnull=True))
    ).order_by("-created_at", "-id")


def open_issues_blocking(region_code: str) -> QuerySet[ReconciliationIssue]:
    return ReconciliationIssue.objects.open().filter(batch__region_id=region_code)


def payable_claims(region_code: str) -> QuerySet[Claim]:
    return Claim.objects.filter(
        within_region("county", region_code), status=ClaimStatus.PAYABLE,
    ).order_by("id")


ISSUE_LABELS = dict(IssueKind.choices)


# ---------------------------------------------------------------- recoveries


def recoveries_for(user: Any, *, status: str = "") -> QuerySet[RecoveryOrder]:
    qs = RecoveryOrder.objects.visible_to(user).select_related("payer_organisation", "payer_person", "claim", "county")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def overdue_recoveries(user: Any, day: dt.date | None = None) -> QuerySet[RecoveryOrder]:
    day = day or today()
    return recoveries_for(user).filter(Q(status="overdue") | Q(status__in=["open", "partially_received"], deadline__lt=day)).order_by("deadline")


def recoverable_claims(payer: Organisation | Person) -> list[tuple[Claim, Decimal]]:
    """Paid claims of a payer with what can still be recovered from each (paid − raised)."""
    field_name = "organisation" if isinstance(payer, Organisation) else "person"
    claims = list(Claim.objects.filter(**{field_name: payer}, status=ClaimStatus.PAID).order_by("id"))
    paid = paid_to_claim(c.pk for c in claims)
    raised = recovered_from_claim(c.pk for c in claims)
    out = []
    for c in claims:
        left = paid.get(c.pk, ZERO) - raised.get(c.pk, ZERO)
        if left > 0:
            out.append((c, left))
    return out


# ---------------------------------------------------------------- staff education funds


@dataclass(frozen=True)
class StaffEducationStats:
    year: int
    reports: int
    extracted: Decimal
    spent: Decimal
    spent_frontline: Decimal
    below_minimum: int

    @property
    def frontline_share(self) -> Decimal | None:
        return (self.spent_frontline / self.spent).quantize(Decimal("0.0001")) if self.spent else None


def staff_education_reports(user: Any, *, year: int | None = None, below_only: bool = False) -> list[StaffEducationReport]:
    qs = StaffEducationReport.objects.visible_to(user).select_related("enterprise", "enterprise__county")
    if year:
        qs = qs.filter(year=year)
    reports = list(qs.order_by("-year", "enterprise__name"))
    if below_only:
        reports = [r for r in reports if r.below_frontline_minimum]
    return reports


def staff_education_stats(user: Any, *, year: int) -> StaffEducationStats:
    """Totals for a year in the user's scope, and how many enterprises spent less than 60% on
    frontline workers (中办发〔2022〕58号 §(十八))."""
    reports = staff_education_reports(user, year=year)
    return StaffEducationStats(
        year=year, reports=len(reports),
        extracted=sum((r.extracted for r in reports), ZERO),
        spent=sum((r.spent for r in reports), ZERO),
        spent_frontline=sum((r.spent_frontline for r in reports), ZERO),
        below_minimum=sum(1 for r in reports if r.below_frontline_minimum),
    )


def staff_education_by_city(user: Any, *, year: int) -> list[dict[str, Any]]:
    cities = dict(Region.objects.filter(level=RegionLevel.CITY).values_list("code", "name"))
    rows: dict[str, dict[str, Any]] = {}
    for r in staff_education_reports(user, year=year):
        code = city_code(r.enterprise.county_id)
        row = rows.setdefault(code, {"city": cities.get(code, code), "reports": 0, "spent": ZERO,
                                     "spent_frontline": ZERO, "below": 0})
        row["reports"] += 1
        row["spent"] += r.spent
        row["spent_frontline"] += r.spent_frontline
        row["below"] += 1 if r.below_frontline_minimum else 0
    for row in rows.values():
        row["share"] = (row["spent_frontline"] / row["spent"] * 100).quantize(Decimal("0.1")) if row["spent"] else None
    return [rows[k] for k in sorted(rows)]


def scope_region_code(user: Any) -> str | None:
    scope = scope_for(user)
    return user.region_id if scope.region_prefix and getattr(user, "region_id", None) else None


def education_subsidised_persons(*, year: int, region_prefix: str | None = None) -> set[int]:
    """Persons paid a 求学圆梦 education subsidy whose bank payment succeeded in ``year``
    (target ``frontline_education``: 每年补贴不少于1万名一线职工学历与能力提升)."""
    lines = ClaimLine.objects.filter(
        status=LineStatus.LIVE, study__isnull=False, claim__subsidy_item=SubsidyItem.EDUCATION,
        claim__payment_orders__status=OrderStatus.SUCCEEDED, claim__payment_orders__returned_at__year=year,
    )
    if region_prefix:
        lines = lines.filter(within_region("claim__county", region_prefix))
    return set(lines.values_list("person_id", flat=True).distinct())


# ------------------------------------------------------------------ risk on the review page (issue 13)


# Officers who review, pay or audit claims see the open supervision risks touching them.
RISK_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR})


def claim_risk_subjects(claim: Claim) -> risk.RiskSubjects:
    """The institution, classes and persons a claim touches (what supervision may have flagged)."""
    lines = ClaimLine.objects.filter(claim=claim).values_list("training_class_id", "person_id")
    classes = {c for c, _p in lines if c}
    persons = {p for _c, p in lines}
    orgs = {o for o in (claim.organisation_id, claim.project.organiser_id if claim.project is not None else None) if o}
    return risk.RiskSubjects(organisation_ids=frozenset(orgs), class_ids=frozenset(classes),
                             person_ids=frozenset(persons), claim_ids=frozenset({claim.pk}))


def claim_risks(claim: Claim) -> list[risk.Risk]:
    return risk.open_risks(claim_risk_subjects(claim))


def risk_counts_for_claims(claims: Iterable[Claim]) -> dict[int, dict[str, int]]:
    """Open risks by severity for each claim of a review-queue page (one provider call per claim)."""
    return {c.pk: risk.count_by_severity(claim_risks(c)) for c in claims}


def line_attendance(lines: Iterable[ClaimLine]) -> dict[int, training_rules.EvidencedAttendance]:
    """Each training line's sessions as money counts them now: captured / declared / missing."""
    rows = [ln for ln in lines if ln.enrollment_id]
    if not rows:
        return {}
    enrollments = list(Enrollment.objects.filter(pk__in=[ln.enrollment_id for ln in rows]))
    sessions = training_queries.attendance_evidence(enrollments)
    out = {}
    for ln in rows:
        share = ln.rule_table.declared_attendance_share if ln.rule_table is not None else DEFAULT_DECLARED_SHARE
        out[ln.pk] = training_rules.evidenced_attendance(sessions.get(ln.enrollment_id or 0, []), share)
    return out
