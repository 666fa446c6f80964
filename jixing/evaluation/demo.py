"""Demo evaluation data (runs after training's demo): filings for the demo evaluation
institutions and a few enterprises, sessions for most completed enrollments (grouped by city ×
occupation × level), results reviewed and locked, certificates, a pending correction, a
suspended filing and a handful of direct recognitions. Everything goes through the actions,
so rules, numbering and audit rows are the real ones. Deterministic: ``ctx.rng`` only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.demo import DemoContext
from jixing.registry.models import Occupation, Organisation, OrganisationKind, Person, SkillLevel
from jixing.training.models import Enrollment, EnrollmentStatus

from . import actions
from .models import EvaluationMode, FilingKind

SHARE_EVALUATED = 0.7  # share of completed enrollments that sit an evaluation
MAX_CANDIDATES = {"small": 300, "medium": 3000}
LEVELS = (2, 3, 4)


def _org_user(org: Organisation, role: str) -> User:
    """The organisation's demo account, or a login-less staff account for it."""
    user = User.objects.filter(organisation=org, role=role).order_by("id").first()
    if user is None:
        user = User(username=f"org{org.pk}-{role}"[:150], role=role, organisation=org, is_demo=True)
        user.set_unusable_password()
        user.save()
    return user


def _officer() -> User | None:
    return User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").order_by("id").first()


def _score(ctx: DemoContext, mean: float) -> Decimal:
    value = max(0.0, min(100.0, ctx.rng.gauss(mean, 11)))
    return Decimal(str(round(value, 1)))


def _completed(ctx: DemoContext) -> list[Enrollment]:
    shared = ctx.shared.get("enrollments")
    ids = [e.pk for e in shared if e.status == EnrollmentStatus.COMPLETED] if shared else None
    qs = Enrollment.objects.completed().filter(training_class__project__occupation__isnull=False)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return list(qs.select_related("person", "training_class__project__county", "training_class__project__level")
                .order_by("id"))


def _occupation_id(e: Enrollment) -> int:
    occupation_id = e.training_class.project.occupation_id
    assert occupation_id is not None, "_completed() keeps only projects with an occupation"
    return occupation_id


def seed(ctx: DemoContext) -> None:
    officer = _officer()
    if officer is None:
        return
    today = timezone.localdate()
    start, end = dt.date(today.year - 4, 1, 1), dt.date(today.year + 2, 12, 31)
    levels = {lv.pk: lv for lv in SkillLevel.objects.all()}
    persons: list[Person] = list(ctx.shared.get("persons") or Person.objects.order_by("id")[:2000])
    completed = _completed(ctx)
    ctx.rng.shuffle(completed)
    completed = completed[: min(int(len(completed) * SHARE_EVALUATED), MAX_CANDIDATES.get(ctx.scale, 300))]

    occupations = sorted({_occupation_id(e) for e in completed}) or list(
        Occupation.objects.order_by("id").values_list("pk", flat=True)[:6])
    occ_objs = {o.pk: o for o in Occupation.objects.filter(pk__in=occupations)}
    evaluators = list(Organisation.objects.filter(kind=OrganisationKind.EVALUATION_INSTITUTION).order_by("id"))
    filings = []
    for n, org in enumerate(evaluators):
        user = _org_user(org, Role.EVALUATOR)
        examiners = [persons[(n * 7 + k) % len(persons)] for k in range(2)] if persons else []
        filing = actions.submit_filing(
            organisation=org, kind=FilingKind.EVALUATION_INSTITUTION, valid_from=start, valid_to=end,
            scopes=[(occ_objs[o], levels[lv]) for o in occupations for lv in LEVELS], examiners=examiners, by=user,
        )
        filings.append((actions.approve_filing(filing, by=officer), user))
    if len(filings) > 2:
        # one filing suspended to show the refusal of new sessions
        filing, user = filings.pop()
        actions.suspend_filing(filing, by=officer, reason="考评员数量不足，暂停受理新批次（演示数据）")
    by_city: dict[str, tuple[Any, User]] = {}
    for filing, user in filings:
        by_city.setdefault(filing.organisation.county_id[:4], (filing, user))

    # enterprise self-evaluation filings for the first few enterprises
    for org in Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("id")[:3]:
        if not persons:
            break
        user = _org_user(org, Role.INSTITUTION)
        # on the statistics bureau's list of enterprises above designated size (seed 二(二) 规模以上)
        Organisation.objects.filter(pk=org.pk).update(above_size_list_year=start.year - 1)
        org.above_size_list_year = start.year - 1
        filing = actions.submit_filing(
            organisation=org, kind=FilingKind.ENTERPRISE, valid_from=start, valid_to=end,
            scopes=[(occ_objs[o], levels[lv]) for o in occupations[:2] for lv in (3, 4)],
            examiners=[persons[(org.pk * 3) % len(persons)]], by=user,
        )
        actions.approve_filing(filing, by=officer)

    groups: dict[tuple[str, int, int], list[Enrollment]] = defaultdict(list)
    for e in completed:
        project = e.training_class.project
        level = project.level_id or 2
        if level in LEVELS:  # 技师 and above are left out of the demo sessions
            groups[(project.county_id[:4], _occupation_id(e), level)].append(e)

    certificates: list[Any] = []
    sessions = 0
    for (city, occupation_id, level), enrollments in sorted(groups.items()):
        if not filings:
            break
        filing, user = by_city.get(city, filings[0])
        ended = max(max(e.training_class.end_date, e.completed_on or e.training_class.end_date) for e in enrollments)
        date = ended + dt.timedelta(days=ctx.rng.randrange(3, 15))
        if level == 4:
            # 高级工 needs 中级工 first (rules.APPLICATION_CONDITIONS): an earlier 中级工 session
            # for the same people, a year before their 高级工 course ended
            earlier = _run_session(ctx, filing, user, officer, occ_objs[occupation_id], levels[3],
                                   ended - dt.timedelta(days=400), [(e.person, None) for e in enrollments], today)
            sessions += earlier[0]
            certificates.extend(earlier[1])
        done = _run_session(ctx, filing, user, officer, occ_objs[occupation_id], levels[level], date,
                            [(e.person, e) for e in enrollments], today, may_wait=bool(certificates))
        sessions += done[0]
        certificates.extend(done[1])

    _corrections(ctx, certificates, officer)
    certificates.extend(_recognitions(ctx, persons, occ_objs, levels, officer))
    ctx.shared["certificates"] = certificates
    ctx.counts["evaluation_filings"] = len(evaluators)
    ctx.counts["evaluation_sessions"] = sessions
    ctx.counts["certificates"] = len(certificates)


def _run_session(ctx: DemoContext, filing: Any, user: User, officer: User, occupation: Occupation, level: SkillLevel,
                 date: dt.date, people: list[tuple[Person, Enrollment | None]], today: dt.date,
                 may_wait: bool = True) -> tuple[int, list[Any]]:
    """One session: candidates (refusals skipped), scores, submission and, mostly, the lock."""
    if not (filing.valid_from <= date <= filing.valid_to):
        return 0, []
    try:
        session = actions.create_session(
            filing=filing, occupation=occupation, level=level, mode=EvaluationMode.SOCIAL, date=date,
            site=f"{filing.organisation.name}考点", examiners=list(filing.examiners.all()), by=user,
        )
    except ValidationError:
        return 0, []
    examiners = list(session.examiners.all())
    entered = 0
    for person, enrollment in people:
        years = ctx.rng.randrange(1, 5) if level.pk == 2 else ctx.rng.randrange(6, 16)
        try:
            if enrollment is not None:
                cand = actions.add_enrollment_candidate(session, enrollment, years_of_work=years, by=user)
            else:
                cand = actions.add_applicant(session, person, years_of_work=years, by=user)
        except ValidationError:
            continue
        if date > today:
            continue  # a session still to come: candidates only
        mean = 80.0 if enrollment is None else 76.0
        actions.record_result(cand, theory=_score(ctx, mean), practical=_score(ctx, mean + 2),
                              examiner=examiners[entered % len(examiners)], by=user)
        entered += 1
    if not entered:
        return 1, []
    actions.submit_results(session, by=user)
    from_training = any(e is not None for _p, e in people)
    if may_wait and from_training and ctx.rng.random() < 0.15:
        return 1, []  # left for an officer to review
    return 1, actions.lock_results(session, by=officer)


def _corrections(ctx: DemoContext, certificates: list[Any], officer: User) -> None:
    """One correction waiting for review, to show the versioned record."""
    if not certificates:
        return
    result = certificates[0].result
    user = result.entered_by
    actions.correct_result(result, theory=result.theory_score, practical=min(Decimal(100), result.practical_score + 3),
                           comprehensive=result.comprehensive_score, examiner=result.examiner,
                           reason="复核评分表发现技能考核分项漏计3分（演示数据）", by=user)


def _employee(org: Organisation, persons: list[Person], user: User, start: int) -> Person | None:
    """A person the enterprise employs: from the insurance records when they know the enterprise,
    else put on the roster the enterprise uploads (marked as a roster basis)."""
    from jixing.core import employment as records

    if records.employer_in_records(org.uscc):
        today = timezone.localdate()
        for person in (persons[start:] + persons[:start])[:500]:
            if records.employment_evidence(person.pk, org.uscc, today) == records.INSURANCE:
                return person
        return None
    person = persons[start]
    actions.record_enterprise_roster(organisation=org, persons=[person], by=user)
    return person


def _recognitions(ctx: DemoContext, persons: list[Person], occs: dict[int, Occupation],
                  levels: dict[int, SkillLevel], officer: User) -> list[Any]:
    enterprises = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("id")[:2])
    if not enterprises or not persons or not occs:
        return []
    issued = []
    plans = [(4, "approve"), (5, "approve"), (4, "reject"), (3, "pending")]
    occ_list = list(occs.values())
    for i, (level, outcome) in enumerate(plans):
        org = enterprises[i % len(enterprises)]
        user = _org_user(org, Role.INSTITUTION)
        person = _employee(org, persons, user, (i * 13 + 5) % len(persons))
        if person is None:
            continue
        try:
            rec = actions.propose_recognition(
                organisation=org, person=person, occupation=occ_list[i % len(occ_list)], level=levels[level],
                achievements=["全国技术能手，主持完成工艺改进项目3项", "省级职业技能大赛一等奖", "班组长，业绩一般",
                              "带徒12名，获市级技术标兵"][i],
                evidence=["人社部表彰文件；发明专利2项", "大赛获奖证书", "企业推荐函", "市总工会表彰文件"][i], by=user,
            )
        except (ValidationError, PermissionDenied):
            continue
        if outcome == "approve":
            issued.append(actions.approve_recognition(rec, by=officer, reason="技艺高超、业绩突出，材料齐全，同意直接认定"))
        elif outcome == "reject":
            actions.reject_recognition(rec, by=officer, reason="业绩证明材料不足以支持破格认定")
    return issued
