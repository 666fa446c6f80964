"""The facts a claim line is judged on: enrollments, certificates and studies as drafts for the rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from jixing.evaluation.models import Certificate, OutsideCertificate
from jixing.evaluation.queries import certificates_for, highest_certificate_levels
from jixing.plan.models import SelfArrangedTraining
from jixing.registry.models import Organisation, OrganisationKind, Person, PersonRestriction, Region, live_memberships
from jixing.training import conf as training_conf
from jixing.training import queries as training_queries
from jixing.training import rules as training_rules
from jixing.training.models import Enrollment, ProjectType, TrainingProject

from .. import rules
from ..models import (
    ZERO,
    CertificateType,
    ClaimLine,
    ClaimStatus,
    InsuranceMonthsRule,
    PayeeKind,
    StudyRecord,
    SubsidyItem,
    SubsidyRuleTable,
)
from .common import DEFAULT_DECLARED_SHARE, TRAINING_ITEMS, city_code, today
from .rule_tables import TableCache, rule_table_data, table_in_force

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
    # 自主参训: the approved plan.SelfArrangedTraining the line pays
    self_training: SelfArrangedTraining | None = None

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


# A self-arranged training has no skill level; for the "same occupation and level once" cap it
# counts as this pseudo-level, so the same occupation is subsidised once as 自主参训 (assumption,
# docs/self_training_claims.md).
SELF_TRAINING_LEVEL = 0


def _line_key(training_class_id: int | None, certificate_id: int | None, self_training_id: int | None = None) -> str:
    if self_training_id:
        return f"self:{self_training_id}"
    return f"class:{training_class_id}" if training_class_id else f"cert:{certificate_id}"


def prior_subsidies(person_ids: Iterable[int], *, exclude_line_ids: Iterable[int] = ()) -> dict[int, list[training_rules.PriorTraining]]:
    """Live claim lines of counted items, as the training cap rules' ``PriorTraining`` (one
    per class or certificate, whatever fund paid it)."""
    out: dict[int, dict[str, training_rules.PriorTraining]] = defaultdict(dict)
    rows = (
        ClaimLine.objects.live().filter(person_id__in=list(person_ids), subsidy_item__in=list(TRAINING_ITEMS))
        .exclude(pk__in=list(exclude_line_ids))
        .exclude(claim__status__in=[ClaimStatus.REJECTED, ClaimStatus.CANCELLED])
        .values("person_id", "training_class_id", "certificate_id", "self_training_id", "year", "occupation_id", "level_id")
    )
    for row in rows:
        key = _line_key(row["training_class_id"], row["certificate_id"], row["self_training_id"])
        level = row["level_id"]
        if row["self_training_id"] and level is None:
            level = SELF_TRAINING_LEVEL  # 自主参训 has no level: one per occupation (docs/self_training_claims.md)
        out[row["person_id"]][key] = training_rules.PriorTraining(
            class_code=key, year=row["year"], subsidised=True,
            occupation_id=row["occupation_id"], level_order=level,
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
