"""Employment API (/api/v1/employment/): job demands, matching, referrals, placements and their
verification, outcome reports, skill pay reports. Every endpoint checks roles with
``require_api_roles`` and reads through ``visible_to``; missing and forbidden both answer 404.
Personal data leaves only masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jixing.core.access import get_for_user
from jixing.core.api_contract import Year
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.registry.models import Occupation, Organisation, Person, Region, SkillLevel
from jixing.registry.validators import parse_resident_id

from . import access, actions, queries, roles, rules
from .models import JobDemand, Placement, Referral

router = Router(tags=["employment"])


# ------------------------------------------------------------------ schemas


class DemandOut(Schema):
    id: int
    employer: int = Field(alias="employer_id")
    employer_name: str = Field(alias="employer.name")
    title: str
    occupation: int = Field(alias="occupation_id")
    occupation_name: str = Field(alias="occupation.name")
    level: int | None = Field(alias="level_id", description="SkillLevel order 1..8 (学徒工 … 首席技师), null for any level.")
    posts: int
    wage_min: Decimal
    wage_max: Decimal
    county: str = Field(alias="county_id", description="GB/T 2260 county code.")
    deadline: dt.date
    description: str
    status: str


class DemandIn(Schema):
    """Fields a caller may set; anything else in the body is ignored (SECURITY.md B5)."""

    employer: int | None = Field(None, description="Organisation id; enterprises post for themselves (omit).")
    title: str = Field(max_length=100)
    occupation: int
    level: int | None = None
    posts: int = Field(ge=1, le=10000)
    wage_min: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    wage_max: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    county: str | None = Field(None, max_length=6, description="Defaults to the enterprise's county.")
    deadline: dt.date
    description: str = Field("", max_length=2000)


class StatusIn(Schema):
    to: str = Field(description="open, filled or closed")
    reason: str = Field("", max_length=300)


class MatchOut(Schema):
    person: int
    name: str
    id_number_masked: str
    tier: str = Field(description="same_county, same_city or elsewhere")
    score: int
    reasons: list[str]
    enrollment: int | None


class ReferralIn(Schema):
    demand: int
    person: int
    note: str = Field("", max_length=300)


class ReferralOut(Schema):
    id: int
    demand: int = Field(alias="demand_id")
    person: int = Field(alias="person_id")
    person_name: str = Field(alias="person.name")
    id_number_masked: str = Field(alias="person.masked_id_number")
    status: str
    match_score: int
    match_reasons: list[str]
    created_at: dt.datetime


class ReferralResultIn(Schema):
    to: str = Field(description="interviewed, hired or declined")
    interviewed_on: dt.date | None = None
    start_date: dt.date | None = Field(None, description="Required when hired.")
    monthly_wage: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2, description="Required when hired.")
    note: str = Field("", max_length=300)


class PlacementOut(Schema):
    id: int
    person: int = Field(alias="person_id")
    person_name: str = Field(alias="person.name")
    id_number_masked: str = Field(alias="person.masked_id_number")
    enrollment: int | None = Field(alias="enrollment_id")
    kind: str
    employer: int | None = Field(alias="employer_id")
    employer_uscc: str
    employer_name: str
    business_licence_uscc: str
    county: str = Field(alias="county_id")
    post: str
    start_date: dt.date
    end_date: dt.date | None
    monthly_wage: Decimal
    source: str
    status: str
    verification_note: str


class PlacementIn(Schema):
    id_number: str = Field("", max_length=18, description="The person's ID number; trainees omit it (themselves).")
    kind: str = Field(description="employed, flexible or startup")
    employer_uscc: str = Field("", max_length=18)
    employer_name: str = Field("", max_length=120)
    business_licence_uscc: str = Field("", max_length=18)
    post: str = Field("", max_length=100)
    start_date: dt.date
    end_date: dt.date | None = None
    monthly_wage: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    evidence: str = Field("", max_length=2000)


class VerificationIn(Schema):
    decision: str = Field(description="verify or reject")
    note: str = Field("", max_length=300)


class RateOut(Schema):
    met: int
    observed: int
    share: Decimal | None


class SummaryOut(Schema):
    completers: int
    within_6_months: RateOut
    q2: RateOut
    q4: RateOut
    median_q2_wage: Decimal | None
    median_wage_change: Decimal | None
    wage_rose: RateOut
    certificate: RateOut


class OutcomeRowOut(Schema):
    key: str
    label: str
    summary: SummaryOut


class OutcomeReportOut(Schema):
    group_by: str
    as_of: dt.date
    rows: list[OutcomeRowOut]
    total: SummaryOut


class PayIn(Schema):
    year: Year
    level: int = Field(ge=1, le=8, description="SkillLevel order 1..8.")
    workers: int = Field(ge=0)
    average_monthly_pay: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    starting_monthly_pay: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)


class PayCellOut(Schema):
    level: int
    level_name: str
    enterprises: int
    workers: int
    average: Decimal | None
    starting: Decimal | None


class PayOut(Schema):
    year: int | None
    by_level: list[PayCellOut]


class PayReportOut(Schema):
    id: int
    enterprise: int = Field(alias="enterprise_id")
    year: int
    level: int = Field(alias="level_id")
    workers: int
    average_monthly_pay: Decimal
    starting_monthly_pay: Decimal | None


def _summary(s: rules.OutcomeSummary) -> dict[str, Any]:
    def rate(r: rules.Rate) -> dict[str, Any]:
        return {"met": r.met, "observed": r.observed, "share": r.share}

    return {
        "completers": s.completers, "within_6_months": rate(s.within_6_months), "q2": rate(s.q2), "q4": rate(s.q4),
        "median_q2_wage": s.median_q2_wage, "median_wage_change": s.median_wage_change,
        "wage_rose": rate(s.wage_rose), "certificate": rate(s.certificate),
    }


# ------------------------------------------------------------------ demands


@router.get("/demands", response=list[DemandOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_demands(request: AuthedRequest, status: str = "", q: str = "") -> Any:
    require_api_roles(request, *roles.DEMAND_DETAIL_READERS)
    return queries.demands_for(request.user, status=status, q=q[:50])


@router.get("/demands/{demand_id}", response=DemandOut)
def get_demand(request: AuthedRequest, demand_id: int) -> Any:
    require_api_roles(request, *roles.DEMAND_DETAIL_READERS)
    return get_for_user(JobDemand.objects.select_related("employer", "occupation"), request.user, demand_id)


@router.post("/demands", response={201: DemandOut})
def create_demand(request: AuthedRequest, payload: DemandIn) -> Any:
    require_api_roles(request, *roles.DEMAND_WRITERS)
    user = request.user
    if user.organisation is not None and access.is_enterprise_user(user):
        employer = user.organisation
    else:
        if payload.employer is None:
            raise ValidationError({"employer": _("Choose the enterprise.")})
        employer = get_for_user(Organisation.objects.all(), user, payload.employer)
    occupation = Occupation.objects.filter(pk=payload.occupation).first()
    if occupation is None:
        raise ValidationError({"occupation": _("Unknown occupation.")})
    level = SkillLevel.objects.filter(pk=payload.level).first() if payload.level else None
    county = Region.objects.filter(pk=payload.county).first() if payload.county else None
    if payload.county and county is None:
        raise ValidationError({"county": _("Unknown region code.")})
    demand = actions.create_job_demand(
        by=user, employer=employer, title=payload.title, occupation=occupation, level=level, posts=payload.posts,
        wage_min=payload.wage_min, wage_max=payload.wage_max, county=county, deadline=payload.deadline,
        description=payload.description,
    )
    return Status(201, demand)


@router.post("/demands/{demand_id}/status", response=DemandOut)
def move_demand(request: AuthedRequest, demand_id: int, payload: StatusIn) -> Any:
    require_api_roles(request, *roles.DEMAND_WRITERS)
    demand = get_for_user(JobDemand.objects.select_related("employer", "occupation"), request.user, demand_id)
    return actions.move_job_demand(demand, payload.to, by=request.user, reason=payload.reason)


@router.get("/demands/{demand_id}/matches", response=list[MatchOut])
def demand_matches(request: AuthedRequest, demand_id: int) -> Any:
    require_api_roles(request, *roles.REFERRERS)
    demand = get_for_user(JobDemand.objects.all(), request.user, demand_id)
    if access.is_enterprise_user(request.user) or (
            access.is_region_officer(request.user) and not access.can_manage_demand(request.user, demand)):
        raise PermissionDenied
    tiers = {rules.SAME_COUNTY: "same_county", rules.SAME_CITY: "same_city", rules.ELSEWHERE: "elsewhere"}
    return [
        {"person": c.person.pk, "name": c.person.name, "id_number_masked": c.person.masked_id_number,
         "tier": tiers[c.match.tier], "score": c.match.score, "reasons": list(c.match.reasons),
         "enrollment": c.enrollment_id}
        for c in queries.candidates_for(demand, request.user)
    ]


# ------------------------------------------------------------------ referrals


@router.get("/referrals", response=list[ReferralOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_referrals(request: AuthedRequest, status: str = "") -> Any:
    require_api_roles(request, *roles.REFERRAL_READERS)
    return queries.referrals_for(request.user, status=status)


@router.post("/referrals", response={201: ReferralOut})
def create_referral(request: AuthedRequest, payload: ReferralIn) -> Any:
    require_api_roles(request, *roles.REFERRERS)
    demand = get_for_user(JobDemand.objects.all(), request.user, payload.demand)
    person = queries.referable_person(request.user, payload.person)
    if person is None:
        raise Http404
    return Status(201, actions.refer_candidate(demand, person, by=request.user, note=payload.note))


@router.post("/referrals/{referral_id}/result", response=ReferralOut)
def referral_result(request: AuthedRequest, referral_id: int, payload: ReferralResultIn) -> Any:
    require_api_roles(request, *roles.RESULT_RECORDERS)
    referral = get_for_user(Referral.objects.select_related("demand", "demand__employer", "person"), request.user,
                            referral_id)
    return actions.record_referral_result(
        referral, payload.to, by=request.user, note=payload.note, interviewed_on=payload.interviewed_on,
        start_date=payload.start_date, monthly_wage=payload.monthly_wage,
    )


# ------------------------------------------------------------------ placements


@router.get("/placements", response=list[PlacementOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_placements(request: AuthedRequest, status: str = "", source: str = "") -> Any:
    require_api_roles(request, *roles.PLACEMENT_READERS)
    return queries.placements_for(request.user, status=status, source=source)


@router.get("/placements/{placement_id}", response=PlacementOut)
def get_placement(request: AuthedRequest, placement_id: int) -> Any:
    require_api_roles(request, *roles.PLACEMENT_READERS)
    return get_for_user(Placement.objects.select_related("person"), request.user, placement_id)


@router.post("/placements", response={201: PlacementOut})
def create_placement(request: AuthedRequest, payload: PlacementIn) -> Any:
    require_api_roles(request, *roles.PLACEMENT_REPORTERS)
    user = request.user
    if user.role == "trainee":
        person = user.person
        assert person is not None, "a trainee account has a person (user_trainee_has_person)"
    else:
        try:
            number = parse_resident_id(payload.id_number).number
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages})
        person = Person.objects.with_id_number(number).first()
        if person is None:
            raise ValidationError({"id_number": _("No person with this ID number is registered.")})
    placement = actions.report_placement(
        by=user, person=person, kind=payload.kind, start_date=payload.start_date, end_date=payload.end_date,
        monthly_wage=payload.monthly_wage, employer_uscc=payload.employer_uscc, employer_name=payload.employer_name,
        business_licence_uscc=payload.business_licence_uscc, post=payload.post, evidence=payload.evidence,
    )
    return Status(201, placement)


@router.post("/placements/{placement_id}/verification", response=PlacementOut)
def verify_placement(request: AuthedRequest, placement_id: int, payload: VerificationIn) -> Any:
    require_api_roles(request, *roles.VERIFIERS)
    placement = get_for_user(Placement.objects.select_related("person"), request.user, placement_id)
    if payload.decision == "verify":
        return actions.verify_placement(placement, by=request.user, note=payload.note)
    if payload.decision == "reject":
        return actions.reject_placement(placement, by=request.user, note=payload.note)
    raise ValidationError({"decision": _("Say verify or reject.")})


# ------------------------------------------------------------------ outcomes and pay


@router.get("/outcomes", response=OutcomeReportOut)
def outcome_report(request: AuthedRequest, group_by: str = "city", year: Year | None = None) -> Any:
    require_api_roles(request, *roles.OUTCOME_READERS)
    if group_by not in queries.GROUPINGS:
        raise ValidationError({"group_by": _("Group by project, institution, action or city.")})
    from django.utils import timezone

    as_of = timezone.localdate()
    rows, total = queries.outcome_report(request.user, group_by, year=year, as_of=as_of)
    return {
        "group_by": group_by, "as_of": as_of, "total": _summary(total),
        "rows": [{"key": r.key, "label": r.label, "summary": _summary(r.summary)} for r in rows],
    }


@router.get("/pay", response=PayOut)
def pay_statistics(request: AuthedRequest, year: Year | None = None) -> Any:
    require_api_roles(request, *roles.PAY_READERS)
    if request.user.role == "institution" and not access.is_enterprise_user(request.user):
        raise PermissionDenied
    stats = queries.pay_statistics(request.user, year=year)
    return {"year": stats.year, "by_level": [
        {"level": lv.pk, "level_name": lv.name, "enterprises": c.enterprises, "workers": c.workers,
         "average": c.average, "starting": c.starting} for lv, c in stats.by_level
    ]}


@router.post("/pay", response=PayReportOut)
def report_pay(request: AuthedRequest, payload: PayIn) -> Any:
    require_api_roles(request, *roles.PAY_REPORTERS)
    level = get_object_or_404(SkillLevel, pk=payload.level)
    return actions.save_skill_pay_report(
        by=request.user, year=payload.year, level=level, workers=payload.workers,
        average_monthly_pay=payload.average_monthly_pay, starting_monthly_pay=payload.starting_monthly_pay,
    )
