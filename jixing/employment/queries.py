"""Reads of the employment service: candidate matching, recommended posts, outcome timelines
and reports, skill pay statistics. Every user-facing read starts from ``visible_to(user)``.

For other apps:
- ``employed_within_6_months(enrollment_ids) -> dict[int, bool]`` (funds: the employment
  uplift of 鲁人社字〔2025〕37号; stats), and ``employment_evidence`` for the reasons;
- ``outcomes_for_enrollments(enrollment_ids)`` → ``rules.Outcome`` per enrollment;
- ``outcome_report(user, group_by)`` for any scoped rollup.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core.actor import Actor
from jixing.registry.models import Person, Region, RegionLevel, SkillLevel

from . import rules
from .models import (
    InsuranceContribution,
    JobDemand,
    JobDemandStatus,
    Placement,
    Referral,
    ReferralStatus,
    SkillPayReport,
    VerificationStatus,
)

CANDIDATE_LIMIT = 50


# ------------------------------------------------------------------ credentials and matching


def _demand_facts(demand: JobDemand) -> rules.DemandFacts:
    return rules.DemandFacts(occupation_id=demand.occupation_id, level=demand.level_id, county=demand.county_id)


def _completed_enrollments(user: Actor) -> QuerySet[Any]:
    from jixing.training.models import Enrollment

    return Enrollment.objects.visible_to(user).completed()


def credentials_for(person_ids: Iterable[int], *, enrollments: QuerySet[Any] | None = None) -> dict[int, list[rules.Credential]]:
    """Person → completed trainings (from ``enrollments``, default all) and valid certificates."""
    from jixing.evaluation.models import Certificate
    from jixing.training.models import Enrollment

    ids = list({int(i) for i in person_ids})
    out: dict[int, list[rules.Credential]] = defaultdict(list)
    if not ids:
        return out
    base = enrollments if enrollments is not None else Enrollment.objects.completed()
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        rows = base.filter(person_id__in=chunk, training_class__project__occupation__isnull=False).values_list(
            "person_id", "training_class__project__occupation_id", "training_class__project__level_id",
            "completed_on", "id")
        for person_id, occupation_id, level, completed_on, enrollment_id in rows:
            out[person_id].append(rules.Credential("training", occupation_id, level, completed_on, enrollment_id))
        certs = Certificate.objects.valid().filter(person_id__in=chunk).values_list(
            "person_id", "occupation_id", "level_id", "issued_on")
        for person_id, occupation_id, level, issued_on in certs:
            out[person_id].append(rules.Credential("certificate", occupation_id, level, issued_on))
    return out


def _employed_since(person_ids: Sequence[int], today: dt.date) -> dict[int, dt.date]:
    rows = (Placement.objects.verified().filter(person_id__in=person_ids, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).values_list("person_id", "start_date"))
    out: dict[int, dt.date] = {}
    for person_id, start in rows:
        out[person_id] = max(out.get(person_id, start), start)
    return out


@dataclass(frozen=True)
class CandidateRow:
    match: rules.Match
    person: Person
    enrollment_id: int | None


def candidates_for(demand: JobDemand, user: Actor, *, today: dt.date | None = None,
                   limit: int = CANDIDATE_LIMIT) -> list[CandidateRow]:
    """Completed trainees the user may see whose occupation, level and county fit the demand,
    same county first, then same city, then the rest of the province; each with its reasons."""
    from jixing.evaluation.models import Certificate

    today = today or timezone.localdate()
    completed = _completed_enrollments(user)
    in_occupation = set(completed.filter(training_class__project__occupation_id=demand.occupation_id)
                        .values_list("person_id", flat=True))
    certified = set(Certificate.objects.valid().filter(occupation_id=demand.occupation_id)
                    .filter(person_id__in=completed.values("person_id")).values_list("person_id", flat=True))
    person_ids = sorted(in_occupation | certified)
    if not person_ids:
        return []
    credentials = credentials_for(person_ids, enrollments=completed)
    referred = set(Referral.objects.filter(demand=demand, person_id__in=person_ids).values_list("person_id", flat=True))
    employed = _employed_since(person_ids, today)
    regions = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "current_region_id"))
    facts = [
        rules.CandidateFacts(
            person_id=pid, region=regions.get(pid, ""), credentials=tuple(credentials.get(pid, ())),
            already_referred=pid in referred, employed_since=employed.get(pid),
        )
        for pid in person_ids
    ]
    ranked = rules.rank_candidates(_demand_facts(demand), facts, today=today)[:limit]
    persons = Person.objects.in_bulk([m.person_id for m in ranked])
    return [
        CandidateRow(m, persons[m.person_id], m.basis.enrollment_id if m.basis else None)
        for m in ranked if m.person_id in persons
    ]


def referable_person(user: Actor, person_id: int) -> Person | None:
    """A person the user may refer: one who completed training the user can see."""
    if not _completed_enrollments(user).filter(person_id=person_id).exists():
        return None
    return Person.objects.filter(pk=person_id).first()


def match_for_person(demand: JobDemand, person: Person, *, user: Actor) -> rules.Match | None:
    """The match of one person the user may refer: None unless they completed training the
    user can see (officers: their region's projects; institutions: their own trainees)."""
    completed = _completed_enrollments(user).filter(person=person)
    if not completed.exists():
        return None
    credentials = credentials_for([person.pk], enrollments=completed)
    today = timezone.localdate()
    facts = rules.CandidateFacts(
        person_id=person.pk, region=person.current_region_id, credentials=tuple(credentials.get(person.pk, ())),
        already_referred=Referral.objects.filter(demand=demand, person=person).exists(),
        employed_since=_employed_since([person.pk], today).get(person.pk),
    )
    return rules.match_candidate(_demand_facts(demand), facts, today=today)


def recommended_demands(person: Person, *, limit: int = 30) -> list[tuple[JobDemand, list[str]]]:
    """Open demands that fit what the person completed or is certified in; same county first,
    then same city, then by the top of the wage range."""
    credentials = credentials_for([person.pk]).get(person.pk, [])
    if not credentials:
        return []
    today = timezone.localdate()
    occupations = {c.occupation_id for c in credentials}
    demands = (JobDemand.objects.open().filter(occupation_id__in=occupations, deadline__gte=today)
               .select_related("employer", "occupation", "level", "county"))
    out: list[tuple[int, Decimal, JobDemand, list[str]]] = []
    region = person.current_region_id
    for d in demands:
        if not rules.demand_fits_person(_demand_facts(d), credentials):
            continue
        reasons = [_("Matches your training or certificate in %(occupation)s.") % {"occupation": d.occupation.name}]
        if d.county_id == region:
            tier = 0
            reasons.append(_("In your county."))
        elif d.county_id[:4] == region[:4]:
            tier = 1
            reasons.append(_("In your city."))
        else:
            tier = 2
        out.append((tier, -d.wage_max, d, reasons))
    out.sort(key=lambda r: (r[0], r[1], r[2].pk))
    return [(d, reasons) for _t, _w, d, reasons in out[:limit]]


# ------------------------------------------------------------------ demands, referrals, placements


def demands_for(user: Actor, *, status: str = "", q: str = "", mine: bool = False) -> QuerySet[JobDemand]:
    qs = (JobDemand.objects.visible_to(user).select_related("employer", "occupation", "level", "county")
          .annotate(referral_count=Count("referrals", distinct=True),
                    hired_count=Count("referrals", filter=Q(referrals__status=ReferralStatus.HIRED), distinct=True))
          .order_by("-created_at", "-id"))
    if status in JobDemandStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(employer__name__icontains=q) | Q(occupation__name__icontains=q))
    if mine and getattr(user, "organisation_id", None):
        qs = qs.filter(employer_id=user.organisation_id)
    return qs


def referrals_for(user: Actor, *, status: str = "") -> QuerySet[Referral]:
    qs = Referral.objects.visible_to(user).select_related(
        "demand", "demand__employer", "person", "referred_by", "referring_organisation")
    if status in ReferralStatus.values:
        qs = qs.filter(status=status)
    return qs


def placements_for(user: Actor, *, status: str = "", source: str = "") -> QuerySet[Placement]:
    qs = Placement.objects.visible_to(user).select_related("person", "employer", "county", "enrollment")
    if status in VerificationStatus.values:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    return qs


def verification_queue(user: Actor) -> QuerySet[Placement]:
    return placements_for(user, status=VerificationStatus.UNVERIFIED).order_by("created_at", "id")


# ------------------------------------------------------------------ outcome timelines


def _timelines(enrollments: Sequence[Any]) -> dict[int, rules.Timeline]:
    """enrollment id → Timeline; ``enrollments`` come with training_class and project loaded."""
    from jixing.evaluation.models import Certificate

    person_ids = sorted({e.person_id for e in enrollments})
    if not person_ids:
        return {}
    earliest = min(e.training_class.start_date for e in enrollments)
    latest = max(e.completed_on for e in enrollments)
    first = rules.add_months(rules.month_start(earliest), -rules.BEFORE_MONTHS)
    last = rules.add_months(latest, 15)
    contributions: dict[int, list[rules.Contribution]] = defaultdict(list)
    rows = InsuranceContribution.objects.filter(person_id__in=person_ids, month__gte=first, month__lte=last)
    for person_id, month, uscc, base in rows.values_list("person_id", "month", "employer_uscc", "base").distinct().order_by():
        contributions[person_id].append(rules.Contribution(month, uscc, base))
    placements: dict[int, list[rules.PlacementFact]] = defaultdict(list)
    for p in Placement.objects.filter(person_id__in=person_ids).exclude(status=VerificationStatus.REJECTED):
        placements[p.person_id].append(rules.PlacementFact(
            start=p.start_date, end=p.end_date, kind=p.kind, source=p.source,
            verified=p.status == VerificationStatus.VERIFIED, employer_uscc=p.employer_uscc,
            monthly_wage=p.monthly_wage,
        ))
    certificates: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    any_certificates: dict[int, list[dt.date]] = defaultdict(list)
    for person_id, occupation_id, issued_on in Certificate.objects.valid().filter(person_id__in=person_ids).values_list(
            "person_id", "occupation_id", "issued_on"):
        certificates[(person_id, occupation_id)].append(issued_on)
        any_certificates[person_id].append(issued_on)
    out: dict[int, rules.Timeline] = {}
    for e in enrollments:
        occupation_id = e.training_class.project.occupation_id
        certs = certificates[(e.person_id, occupation_id)] if occupation_id else any_certificates[e.person_id]
        out[e.pk] = rules.Timeline(
            training_start=e.training_class.start_date, completed_on=e.completed_on,
            contributions=tuple(contributions.get(e.person_id, ())),
            placements=tuple(placements.get(e.person_id, ())),
            certificates=tuple(certs),
        )
    return out


def _enrollments(ids: Iterable[int]) -> QuerySet[Any]:
    from jixing.training.models import Enrollment

    return (Enrollment.objects.completed().filter(pk__in=list(ids))
            .select_related("training_class", "training_class__project"))


def timelines_for(enrollment_ids: Iterable[int]) -> dict[int, rules.Timeline]:
    ids = list({int(i) for i in enrollment_ids})
    out: dict[int, rules.Timeline] = {}
    for start in range(0, len(ids), 2000):
        out.update(_timelines(list(_enrollments(ids[start:start + 2000]))))
    return out


def employment_evidence(enrollment_ids: Iterable[int], *, as_of: dt.date | None = None) -> dict[int, rules.Measure]:
    """Enrollment id → the within-6-months measure with its reasons and evidence. Only
    completed enrollments appear in the answer."""
    as_of = as_of or timezone.localdate()
    return {pk: rules.employed_within_6_months(t, as_of=as_of) for pk, t in timelines_for(enrollment_ids).items()}


def employed_within_6_months(enrollment_ids: Iterable[int], *, as_of: dt.date | None = None) -> dict[int, bool]:
    """Enrollment id → True when the trainee was employed within 6 months of completion
    (鲁人社字〔2025〕37号), shown by contribution records or a VERIFIED placement. Every id
    asked for is in the answer: False for not (yet) employed, for a window still open and for
    enrollments that are not completed."""
    ids = [int(i) for i in enrollment_ids]
    evidence = employment_evidence(ids, as_of=as_of)
    return {pk: evidence[pk].met if pk in evidence else False for pk in ids}


def outcomes_for_enrollments(enrollment_ids: Iterable[int], *, as_of: dt.date | None = None) -> dict[int, rules.Outcome]:
    as_of = as_of or timezone.localdate()
    return {pk: rules.outcome_for(t, as_of=as_of) for pk, t in timelines_for(enrollment_ids).items()}


# ------------------------------------------------------------------ outcome reports

GROUPINGS = ("project", "institution", "action", "city")


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    summary: rules.OutcomeSummary


def _group(e: Any, group_by: str, cities: dict[str, str]) -> tuple[str, str]:
    project = e.training_class.project
    if group_by == "project":
        return project.code, f"{project.code} {project.name}"
    if group_by == "institution":
        return str(project.organiser_id), project.organiser.name
    if group_by == "action":
        return f"{project.action.number:02d}", f"（{project.action.number}）{project.action.name}"
    city = project.county_id[:4] + "00"
    return city, cities.get(city, city)


def outcome_report(user: Actor, group_by: str = "city", *, as_of: dt.date | None = None, year: int | None = None,
                   project_id: int | None = None) -> tuple[list[ReportRow], rules.OutcomeSummary]:
    """Outcome measures of the completed enrollments the user may see, grouped by project,
    institution, action or city; with the total. ``year`` filters by the completion year."""
    if group_by not in GROUPINGS:
        group_by = "city"
    as_of = as_of or timezone.localdate()
    qs = (_completed_enrollments(user)
          .select_related("training_class", "training_class__project", "training_class__project__organiser",
                          "training_class__project__action").order_by("id"))
    if year:
        qs = qs.filter(completed_on__year=year)
    if project_id:
        qs = qs.filter(training_class__project_id=project_id)
    cities = dict(Region.objects.filter(level=RegionLevel.CITY).values_list("code", "name"))
    grouped: dict[str, list[rules.Outcome]] = defaultdict(list)
    labels: dict[str, str] = {}
    everything: list[rules.Outcome] = []
    batch: list[Any] = []

    def flush() -> None:
        timelines = _timelines(batch)
        for e in batch:
            outcome = rules.outcome_for(timelines[e.pk], as_of=as_of)
            key, label = _group(e, group_by, cities)
            labels[key] = label
            grouped[key].append(outcome)
            everything.append(outcome)
        batch.clear()

    for e in qs.iterator(chunk_size=2000):
        batch.append(e)
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    rows = [ReportRow(k, labels[k], rules.summarise(v)) for k, v in sorted(grouped.items())]
    return rows, rules.summarise(everything)


@dataclass(frozen=True)
class TraineeOutcome:
    enrollment: Any
    outcome: rules.Outcome


def trainee_outcomes(user: Actor, *, project_id: int | None = None, limit: int = 200,
                     as_of: dt.date | None = None) -> list[TraineeOutcome]:
    """Per-trainee outcomes (latest completions first) for an institution's or officer's list."""
    as_of = as_of or timezone.localdate()
    qs = (_completed_enrollments(user)
          .select_related("person", "training_class", "training_class__project").order_by("-completed_on", "-id"))
    if project_id:
        qs = qs.filter(training_class__project_id=project_id)
    enrollments = list(qs[:limit])
    timelines = _timelines(enrollments)
    return [TraineeOutcome(e, rules.outcome_for(timelines[e.pk], as_of=as_of)) for e in enrollments]


# ------------------------------------------------------------------ skill-linked pay


@dataclass(frozen=True)
class PayCell:
    workers: int
    average: Decimal | None  # worker-weighted average monthly pay
    starting: Decimal | None  # mean starting pay over the enterprises that reported one
    enterprises: int


def _pay_cell(reports: Sequence[SkillPayReport]) -> PayCell:
    workers = sum(r.workers for r in reports)
    weighted = sum((r.average_monthly_pay * r.workers for r in reports), Decimal(0))
    starts = [r.starting_monthly_pay for r in reports if r.starting_monthly_pay is not None]
    average = (weighted / workers).quantize(rules.CENT, rounding=ROUND_HALF_UP) if workers else None
    starting = (sum(starts, Decimal(0)) / len(starts)).quantize(rules.CENT, rounding=ROUND_HALF_UP) if starts else None
    return PayCell(workers, average, starting, len({r.enterprise_id for r in reports}))


@dataclass(frozen=True)
class PayStatistics:
    year: int | None
    years: list[int]
    levels: list[SkillLevel]
    by_level: list[tuple[SkillLevel, PayCell]]
    cities: list[tuple[str, str, list[PayCell | None]]]  # code, name, one cell per level


def pay_statistics(user: Actor, *, year: int | None = None) -> PayStatistics:
    """Pay by skill level (province or the user's region) and by city × level, for one year."""
    visible = SkillPayReport.objects.visible_to(user)
    years = sorted(set(visible.values_list("year", flat=True)), reverse=True)
    if year is None and years:
        year = years[0]
    reports = list(visible.filter(year=year).select_related("enterprise")) if year else []
    levels = list(SkillLevel.objects.order_by("order"))
    by_level_reports: dict[int, list[SkillPayReport]] = defaultdict(list)
    by_city: dict[str, dict[int, list[SkillPayReport]]] = defaultdict(lambda: defaultdict(list))
    for r in reports:
        by_level_reports[r.level_id].append(r)
        by_city[r.enterprise.county_id[:4] + "00"][r.level_id].append(r)
    names = dict(Region.objects.filter(code__in=list(by_city)).values_list("code", "name"))
    cities = [
        (code, names.get(code, code), [_pay_cell(cells[lv.pk]) if cells.get(lv.pk) else None for lv in levels])
        for code, cells in sorted(by_city.items())
    ]
    return PayStatistics(
        year=year, years=years, levels=levels,
        by_level=[(lv, _pay_cell(by_level_reports[lv.pk])) for lv in levels],
        cities=cities,
    )


def province_pay_by_level(year: int) -> list[tuple[SkillLevel, PayCell]]:
    """Province-wide benchmark for an enterprise comparing its own pay (aggregates only)."""
    reports = list(SkillPayReport.objects.filter(year=year))
    by_level: dict[int, list[SkillPayReport]] = defaultdict(list)
    for r in reports:
        by_level[r.level_id].append(r)
    return [(lv, _pay_cell(by_level[lv.pk])) for lv in SkillLevel.objects.order_by("order")]


def contribution_months_at(person_id: int, *, employer_id: int, employer_uscc: str,
                           since: dt.date, until: dt.date) -> list[dt.date]:
    """Months from ``since`` to ``until`` in which the employer (matched by the organisation or
    its credit code) paid the person's social-insurance contributions (funds: 求学圆梦 asks that
    the person be insured at the employer on the claim date). Every row counts whatever its
    insurance type: the contribution file carries no type column yet (issue 12)."""
    return list(
        InsuranceContribution.objects.filter(person_id=person_id, month__gte=since.replace(day=1), month__lte=until)
        .filter(Q(employer_id=employer_id) | Q(employer_uscc=employer_uscc))
        .order_by("month").values_list("month", flat=True).distinct()
    )


# ---------------------------------------------------------------- employment at an enterprise (core.employment)

# Contribution files reach us a month or two late, so a person counts as the enterprise's employee
# on a day when it paid any insurance for them in that month or the two before (local assumption,
# docs/evaluation_ladder.md).
INSURED_LOOKBACK_MONTHS = 2


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def person_insured_by(person_id: int, uscc: str, on: dt.date) -> bool:
    """Any insurance contribution of ``uscc`` for the person in ``on``'s month or the lookback before."""
    from .models import InsuranceContribution

    return InsuranceContribution.objects.filter(
        person_id=person_id, employer_uscc=uscc,
        month__gte=_month_start(on, INSURED_LOOKBACK_MONTHS), month__lte=_month_start(on, 0),
    ).exists()


def employer_in_records(uscc: str) -> bool:
    from .models import HeldContribution, InsuranceContribution

    return (InsuranceContribution.objects.filter(employer_uscc=uscc).exists()
            or HeldContribution.objects.filter(employer_uscc=uscc).exists())
