"""Employment pages: job demands, matching and referral, placements and their verification,
outcome reports, skill-linked pay, recommended posts. HTTP only: parse, call one action or
query, render. Objects come through ``get_for_user`` (missing and forbidden both answer 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.core.access import get_for_user
from jixing.core.actor import Actor
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.workflow import history
from jixing.registry.models import Person

from . import access, actions, queries, roles
from .forms import (
    DemandStatusForm,
    JobDemandForm,
    OutcomeFilterForm,
    PlacementForm,
    ReferForm,
    ReferralResultForm,
    ResubmitForm,
    SkillPayForm,
    VerifyForm,
)
from .models import (
    HeldBenefitPeriod,
    HeldContribution,
    InsuranceContribution,
    JobDemand,
    JobDemandStatus,
    Placement,
    PlacementSource,
    Referral,
    ReferralStatus,
    SkillPayReport,
    VerificationStatus,
)

PAGE_SIZE = 25


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _can_refer(user: Actor, demand: JobDemand) -> bool:
    if demand.status != JobDemandStatus.OPEN:
        return False
    if access.is_region_officer(user):
        return access.can_manage_demand(user, demand)
    return access.is_training_org_user(user)


# ------------------------------------------------------------------ job demands


@require_roles(*roles.DEMAND_READERS)
def demand_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:50]
    mine = request.GET.get("mine") == "1"
    demands = queries.demands_for(request.user, status=status, q=q, mine=mine)
    can_create = access.is_enterprise_user(request.user) or access.is_region_officer(request.user)
    return TemplateResponse(request, "employment/demand_list.html", {
        "page_obj": _page(request, demands), "status": status, "q": q, "mine": mine,
        "statuses": JobDemandStatus.choices, "can_create": can_create,
        "is_enterprise": access.is_enterprise_user(request.user),
    })


@require_roles(*roles.DEMAND_WRITERS)
def demand_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (access.is_enterprise_user(user) or access.is_region_officer(user)):
        raise PermissionDenied
    form = JobDemandForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = user.organisation
        employer = org if org is not None and access.is_enterprise_user(user) else data["employer"]
        done = run_action(request, lambda: actions.create_job_demand(
            by=user, employer=employer, title=data["title"], occupation=data["occupation"], level=data["level"],
            posts=data["posts"], wage_min=data["wage_min"], wage_max=data["wage_max"], county=data["county"],
            deadline=data["deadline"], description=data["description"], chain=data.get("chain")),
            form=form, success=_("The job demand was posted."),
            then=lambda demand: redirect("employment:demand_detail", pk=demand.pk))
        if done:
            return done
    return TemplateResponse(request, "employment/demand_form.html", {"form": form})


@require_roles(*roles.DEMAND_DETAIL_READERS)
def demand_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    from jixing.training.models import TrainingProject

    demand = get_for_user(JobDemand.objects.select_related("employer", "occupation", "level", "county"), request.user, pk)
    user = request.user
    can_manage = access.can_manage_demand(user, demand)
    can_refer = _can_refer(user, demand)
    referrals = (Referral.objects.visible_to(user).filter(demand=demand)
                 .select_related("person", "referred_by", "referring_organisation"))
    projects = (TrainingProject.objects.visible_to(user).filter(job_demand=demand)
                .select_related("organiser", "occupation", "level"))
    hired = demand.referrals.filter(status=ReferralStatus.HIRED).count()
    return TemplateResponse(request, "employment/demand_detail.html", {
        "demand": demand, "can_manage": can_manage, "can_refer": can_refer,
        "candidates": queries.candidates_for(demand, user) if can_refer else [],
        "referrals": referrals, "projects": projects, "hired": hired,
        "result_form": ReferralResultForm(), "transitions": _demand_moves(demand) if can_manage else [],
        "history": history(demand) if can_manage else [],
        "is_trainee": user.role == "trainee",
    })


def _demand_moves(demand: JobDemand) -> list[tuple[str, str]]:
    labels = {JobDemandStatus.FILLED: _("Mark as filled"), JobDemandStatus.CLOSED: _("Close"),
              JobDemandStatus.OPEN: _("Reopen")}
    return [(to, labels[to]) for frm, to in sorted(JobDemand.TRANSITIONS) if frm == demand.status]


@require_POST
@require_roles(*roles.DEMAND_WRITERS)
def demand_status(request: AuthedRequest, pk: int) -> HttpResponse:
    demand = get_for_user(JobDemand.objects.all(), request.user, pk)
    form = DemandStatusForm(request.POST)
    if form.is_valid():
        run_action(request, lambda: actions.move_job_demand(demand, form.cleaned_data["to"], by=request.user,
                                                            reason=form.cleaned_data["reason"]),
                   success=lambda _moved: _("The job demand is now %(status)s.") % {"status": demand.get_status_display()})
    return redirect("employment:demand_detail", pk=demand.pk)


@require_POST
@require_roles(*roles.REFERRERS)
def demand_refer(request: AuthedRequest, pk: int) -> HttpResponse:
    demand = get_for_user(JobDemand.objects.all(), request.user, pk)
    form = ReferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person to refer."))
        return redirect("employment:demand_detail", pk=demand.pk)
    person = queries.referable_person(request.user, form.cleaned_data["person"])
    back = redirect("employment:demand_detail", pk=demand.pk)
    if person is None:
        messages.error(request, _("Not a completed trainee you can refer."))
        return back
    return run_action(request, lambda: actions.refer_candidate(demand, person, by=request.user, note=form.cleaned_data["note"]),
                      success=_("%(name)s was referred to the employer.") % {"name": person.name}, then=back)


# ------------------------------------------------------------------ referrals


@require_roles(*roles.REFERRAL_READERS)
def referral_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    referrals = queries.referrals_for(request.user, status=status)
    return TemplateResponse(request, "employment/referral_list.html", {
        "page_obj": _page(request, referrals), "status": status, "statuses": ReferralStatus.choices,
        "result_form": ReferralResultForm(),
    })


@require_POST
@require_roles(*roles.RESULT_RECORDERS)
def referral_result(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_for_user(Referral.objects.select_related("demand", "demand__employer", "person"), request.user, pk)
    form = ReferralResultForm(request.POST)
    back = request.POST.get("back") == "demand"
    if form.is_valid():
        d = form.cleaned_data
        run_action(request, lambda: actions.record_referral_result(
            referral, d["to"], by=request.user, note=d["note"], interviewed_on=d["interviewed_on"],
            start_date=d["start_date"], monthly_wage=d["monthly_wage"]),
            success=lambda _recorded: _("Recorded: %(name)s %(status)s.")
            % {"name": referral.person.name, "status": referral.get_status_display()})
    else:
        messages.error(request, _("Check the result form."))
    if back:
        return redirect("employment:demand_detail", pk=referral.demand_id)
    return redirect("employment:referral_list")


# ------------------------------------------------------------------ placements


@require_roles(*roles.PLACEMENT_READERS)
def placement_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    source = request.GET.get("source", "")
    placements = queries.placements_for(request.user, status=status, source=source)
    return TemplateResponse(request, "employment/placement_list.html", {
        "page_obj": _page(request, placements), "status": status, "source": source,
        "statuses": VerificationStatus.choices, "sources": PlacementSource.choices,
        "can_report": request.user.role in roles.PLACEMENT_REPORTERS,
    })


@require_roles(*roles.PLACEMENT_REPORTERS)
def placement_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = PlacementForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if user.role == "trainee":
            person = user.person
            assert person is not None, "a trainee account has a person (user_trainee_has_person)"
        else:
            person = Person.objects.with_id_number(d["id_number"]).first()

        def report() -> Placement:
            if person is None:
                raise ValidationError({"id_number": _("No person with this ID number is registered.")})
            try:
                return actions.report_placement(
                    by=user, person=person, kind=d["kind"], start_date=d["start_date"], end_date=d.get("end_date"),
                    monthly_wage=d["monthly_wage"], employer_uscc=d.get("employer_uscc", ""),
                    employer_name=d.get("employer_name", ""), business_licence_uscc=d.get("business_licence_uscc", ""),
                    post=d["post"], evidence=d["evidence"])
            except PermissionDenied:  # shown on the form, as the ID number is the one to correct
                raise ValidationError({"id_number": _(
                    "You may only report placements of persons who completed your training.")}) from None

        done = run_action(request, report, form=form, success=_("The placement was recorded."),
                          then=lambda placement: redirect("employment:placement_detail", pk=placement.pk))
        if done:
            return done
    return TemplateResponse(request, "employment/placement_form.html", {"form": form})


@require_roles(*roles.PLACEMENT_READERS)
def placement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    placement = get_for_user(
        Placement.objects.select_related("person", "employer", "county", "enrollment", "enrollment__training_class",
                                         "referral", "verified_by", "reported_by"),
        request.user, pk)
    user = request.user
    can_verify = (placement.status == VerificationStatus.UNVERIFIED and access.is_region_officer(user)
                  and placement.reported_by_id != user.pk)
    evidence = None
    if placement.enrollment_id:
        evidence = queries.employment_evidence([placement.enrollment_id]).get(placement.enrollment_id)
    contributions = []
    if access.is_region_officer(user) or user.role == "auditor":
        contributions = list(InsuranceContribution.objects.visible_to(user).filter(
            person=placement.person, employer_uscc=placement.employer_uscc).order_by("month")[:24]) \
            if placement.employer_uscc else []
    return TemplateResponse(request, "employment/placement_detail.html", {
        "placement": placement, "can_verify": can_verify, "verify_form": VerifyForm(),
        "can_resubmit": placement.status == VerificationStatus.REJECTED and placement.reported_by_id == user.pk,
        "resubmit_form": ResubmitForm(), "history": history(placement), "evidence": evidence,
        "contributions": contributions,
    })


@require_POST
@require_roles(*roles.VERIFIERS)
def placement_verify(request: AuthedRequest, pk: int) -> HttpResponse:
    placement = get_for_user(Placement.objects.all(), request.user, pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        if form.cleaned_data["decision"] == "verify":
            run_action(request, lambda: actions.verify_placement(placement, by=request.user, note=note),
                       success=_("The placement was verified."))
        else:
            run_action(request, lambda: actions.reject_placement(placement, by=request.user, note=note),
                       success=_("The placement was rejected."))
    if request.POST.get("back") == "queue":
        return redirect("employment:verification_queue")
    return redirect("employment:placement_detail", pk=placement.pk)


@require_POST
@require_roles(*roles.PLACEMENT_REPORTERS)
def placement_resubmit(request: AuthedRequest, pk: int) -> HttpResponse:
    placement = get_for_user(Placement.objects.all(), request.user, pk)
    form = ResubmitForm(request.POST)
    if form.is_valid():
        run_action(request, lambda: actions.resubmit_placement(placement, by=request.user, evidence=form.cleaned_data["evidence"]),
                   success=_("The placement is back in the verification queue."))
    return redirect("employment:placement_detail", pk=placement.pk)


@require_roles(*roles.VERIFIERS)
def verification_queue(request: AuthedRequest) -> HttpResponse:
    queue = queries.verification_queue(request.user).exclude(reported_by=request.user)
    return TemplateResponse(request, "employment/verification_queue.html", {
        "page_obj": _page(request, queue), "verify_form": VerifyForm(),
    })


# ------------------------------------------------------------------ outcomes


@require_roles(*roles.OUTCOME_READERS)
def outcomes(request: AuthedRequest) -> HttpResponse:
    form = OutcomeFilterForm(request.GET or None)
    group_by, year = "city", None
    if form.is_valid():
        group_by, year = form.cleaned_data["group_by"], form.cleaned_data["year"]
    if request.user.role == "institution" and not request.GET.get("group_by"):
        group_by = "project"
    rows, total = queries.outcome_report(request.user, group_by, year=year)
    trainees = queries.trainee_outcomes(request.user, limit=100) if request.user.role == "institution" else []
    chart = {
        "labels": [r.label for r in rows],
        "within": [float(r.summary.within_6_months.share * 100) if r.summary.within_6_months.share is not None else None
                   for r in rows],
        "q2": [float(r.summary.q2.share * 100) if r.summary.q2.share is not None else None for r in rows],
    }
    return TemplateResponse(request, "employment/outcomes.html", {
        "form": form, "rows": rows, "total": total, "group_by": group_by, "trainees": trainees, "chart": chart,
        "as_of": timezone.localdate(),
    })


# ------------------------------------------------------------------ skill-linked pay


@require_roles(*roles.PAY_READERS)
def pay(request: AuthedRequest) -> HttpResponse:
    user = request.user
    try:
        year = int(request.GET.get("year", "")) if request.GET.get("year") else None
    except ValueError:
        year = None
    enterprise = access.is_enterprise_user(user)
    form = SkillPayForm(request.POST or None) if enterprise else None
    if request.method == "POST":
        if not enterprise:
            raise PermissionDenied
        assert form is not None
        if form.is_valid():
            d = form.cleaned_data
            done = run_action(request, lambda: actions.save_skill_pay_report(
                by=user, year=d["year"], level=d["level"], workers=d["workers"],
                average_monthly_pay=d["average_monthly_pay"], starting_monthly_pay=d["starting_monthly_pay"]),
                form=form, success=_("The pay report was saved."), then=redirect(f"{request.path}?year={d['year']}"))
            if done:
                return done
    if user.role == "institution" and not enterprise:
        raise PermissionDenied
    stats = queries.pay_statistics(user, year=year)
    benchmark = queries.province_pay_by_level(stats.year) if enterprise and stats.year else []
    chart = {
        "levels": [lv.name for lv, _cell in stats.by_level],
        "average": [float(c.average) if c.average is not None else None for _lv, c in stats.by_level],
        "starting": [float(c.starting) if c.starting is not None else None for _lv, c in stats.by_level],
    }
    own = SkillPayReport.objects.visible_to(user).select_related("level").order_by("-year", "level_id") if enterprise else []
    return TemplateResponse(request, "employment/pay.html", {
        "stats": stats, "chart": chart, "form": form, "own": own, "benchmark": benchmark, "enterprise": enterprise,
    })


# ------------------------------------------------------------------ trainee


@require_roles(*roles.TRAINEES)
def recommended(request: AuthedRequest) -> HttpResponse:
    person = Person.objects.visible_to(request.user).get(pk=request.user.person_id)
    return TemplateResponse(request, "employment/recommended.html", {
        "rows": queries.recommended_demands(person),
        "referrals": Referral.objects.visible_to(request.user).select_related("demand", "demand__employer")[:20],
    })


# ------------------------------------------------------------------ social-insurance data


@require_roles(*roles.INSURANCE_READERS)
def insurance(request: AuthedRequest) -> HttpResponse:
    held = HeldContribution.objects.visible_to(request.user)
    waiting = held.filter(matched_person__isnull=True)
    summary = {
        "contributions": InsuranceContribution.objects.visible_to(request.user).count(),
        "held_waiting": waiting.count(),
        "held_matched": held.filter(matched_person__isnull=False).count(),
        "held_periods_waiting": HeldBenefitPeriod.objects.visible_to(request.user).filter(
            matched_person__isnull=True).count(),
        "unlinked_employers": InsuranceContribution.objects.visible_to(request.user).filter(employer__isnull=True)
        .values("employer_uscc").distinct().count(),
        "placements_from_insurance": Placement.objects.visible_to(request.user).filter(
            source=PlacementSource.INSURANCE).count(),
    }
    by_month = (waiting.values("month").annotate(rows=Count("id"), persons=Count("id_number_hash", distinct=True))
                .order_by("-month")[:12])
    return TemplateResponse(request, "employment/insurance.html", {
        "summary": summary, "by_month": by_month,
        "can_rematch": request.user.role in roles.INSURANCE_WRITERS,
    })


@require_POST
@require_roles(*roles.INSURANCE_WRITERS)
def insurance_rematch(request: AuthedRequest) -> HttpResponse:
    result = actions.rematch_held_contributions(by=request.user)
    messages.success(request, _("%(rows)d held rows matched to %(persons)d persons; %(confirmed)d placements "
                                "confirmed, %(derived)d derived.")
                     % {"rows": result["held_rows_matched"], "persons": result["persons_matched"],
                        "confirmed": result["placements_confirmed"], "derived": result["placements_derived"]})
    if result["benefit_periods_matched"]:
        messages.success(request, _("%(n)d held benefit periods attached to their persons.")
                         % {"n": result["benefit_periods_matched"]})
    return redirect("employment:insurance")
