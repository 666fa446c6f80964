"""Claim pages: lists, review queue, create, detail and every review step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core import risk
from jixing.core.access import get_for_user
from jixing.core.actor import Actor
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.workflow import history
from jixing.training.models import TrainingProject

from .. import access, actions, queries
from ..forms import ClaimCreateForm, NoteForm, PayeeChoiceForm, ReasonForm
from ..lists import CLAIMS
from ..models import ZERO, Claim, ClaimLine, ClaimStatus, PayeeAccount, SubsidyItem
from ..queries import CLAIM_MAKERS, CLAIM_READERS, REVIEWERS
from .common import _page


@require_roles(*CLAIM_READERS)
def claim_list(request: AuthedRequest) -> HttpResponse:
    listing = CLAIMS.page(request)
    return TemplateResponse(request, "funds/claim_list.html", {
        "page_obj": listing.page_obj, "listing": listing, "statuses": ClaimStatus.choices,
        "status": request.GET.get("status", ""), "items": SubsidyItem.choices, "item": request.GET.get("item", ""),
        "q": request.GET.get("q", ""), "can_create": request.user.role in CLAIM_MAKERS,
    })


@require_roles(*REVIEWERS)
def review_queue(request: AuthedRequest) -> HttpResponse:
    claims = queries.review_queue(request.user).prefetch_related("lines")
    page = _page(request, claims)
    counts = queries.risk_counts_for_claims(page.object_list)
    for claim in page.object_list:
        claim.risk_counts = counts[claim.pk]  # type: ignore[attr-defined]
    return TemplateResponse(request, "funds/review_queue.html", {"page_obj": page})


def _enrollment_label(d: queries.LineDraft) -> str:
    return f"{d.label} · {d.enrollment.training_class.code if d.enrollment else ''}"


@never_cache
@require_roles(*CLAIM_MAKERS)
def claim_create(request: AuthedRequest) -> HttpResponse:
    """Choose a project, see every completed trainee with the checks and the amount the rule
    engine gives, tick the ones to claim for."""
    project_id = request.POST.get("project") or request.GET.get("project")
    projects = queries.claimable_projects(request.user)
    project = None
    if project_id:
        try:
            project = projects.get(pk=int(project_id))
        except (TrainingProject.DoesNotExist, ValueError):
            raise Http404 from None  # missing and out of scope alike (README)
    context: dict[str, Any] = {"projects": projects[:100], "project": project}
    if project is None:
        return TemplateResponse(request, "funds/claim_create.html", context)
    item = request.POST.get("subsidy_item") or request.GET.get("item") or queries.default_item_for(project)
    if item not in queries.ORGANISATION_ITEMS:
        item = queries.default_item_for(project)
    org = request.user.organisation
    assert org is not None, "an institution account has an organisation (user_org_role_has_organisation)"
    drafts = queries.evaluate_enrollments(
        project, list(queries.claimable_enrollments(project)[:500]), item=item, payee_kind=queries.payee_kind_for(org),
        claimant_blocked=org.is_blocked_on(timezone.localdate()),
    )
    items = [(k, v) for k, v in SubsidyItem.choices if k in queries.ORGANISATION_ITEMS]
    choices = [(d.enrollment.pk, _enrollment_label(d)) for d in drafts if d.enrollment is not None]
    if request.method == "POST":
        form = ClaimCreateForm(request.POST, user=request.user, enrollment_choices=choices, items=items)
        if form.is_valid():
            d = form.cleaned_data
            done = run_action(request, lambda: actions.create_claim(
                by=request.user, project=project, enrollment_ids=d["enrollments"], subsidy_item=d["subsidy_item"] or item,
                payee_account=d["payee_account"],
            ), form=form, show_forbidden=True,
                success=lambda claim: _("Claim %(number)s saved as a draft; check it and submit it.") % {"number": claim.number},
                then=lambda claim: redirect("funds:claim_detail", pk=claim.pk))
            if done:
                return done
    else:
        form = ClaimCreateForm(user=request.user, enrollment_choices=choices, items=items,
                               initial={"project": project.pk, "subsidy_item": item,
                                        "enrollments": [d.enrollment.pk for d in drafts if d.ok and d.enrollment]})
    context.update({"form": form, "drafts": drafts, "item": item, "items": items,
                    "eligible_total": sum((d.amount for d in drafts if d.ok), ZERO)})
    return TemplateResponse(request, "funds/claim_create.html", context)


def _claim(request: AuthedRequest, pk: int) -> Claim:
    qs = Claim.objects.select_related(
        "organisation", "person", "project", "county", "fund_source", "action", "rule_table", "budget", "payee_account",
        "submitted_by", "county_reviewed_by", "city_approved_by", "province_approved_by",
    )
    return get_for_user(qs, request.user, pk)


def _next_step(user: Actor, claim: Claim) -> str:
    """The review step this officer may take now, by the rule the actions apply
    (``rules.review_step``); "maker" when only maker ≠ checker stands in the way."""
    decision = queries.review_decision(user, claim)
    if decision.refusal == "maker_checker":
        return "maker"
    return decision.stage if decision.allowed else ""


@require_roles(*CLAIM_READERS)
def claim_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    lines = claim.lines.select_related(
        "person", "training_class", "certificate", "study__employer", "rule_table").order_by("status", "id")
    if request.user.role == Role.TRAINEE and claim.person_id != request.user.person_id:
        lines = lines.filter(person_id=request.user.person_id)
    is_claimant = access.is_claimant_staff(request.user, claim)
    line_list = list(lines)
    show_risks = request.user.role in queries.RISK_READERS
    evidence = queries.line_attendance(line_list) if show_risks or is_claimant else {}
    for line in line_list:
        line.attendance_evidence = evidence.get(line.pk)  # type: ignore[attr-defined]
    risks = queries.claim_risks(claim) if show_risks else []
    accounts: QuerySet[PayeeAccount] = PayeeAccount.objects.none()
    if is_claimant:
        accounts = PayeeAccount.objects.active().filter(**_claimant_lookup(claim))
    return TemplateResponse(request, "funds/claim_detail.html", {
        "claim": claim, "lines": line_list, "history": _history_rows(claim, ClaimStatus), "step": _next_step(request.user, claim),
        "is_claimant": is_claimant, "note_form": NoteForm(), "reason_form": ReasonForm(),
        "payee_form": PayeeChoiceForm(queryset=accounts, initial={"payee_account": claim.payee_account_id}) if is_claimant and claim.is_editable else None,
        "orders": claim.payment_orders.select_related("batch", "payee_account").order_by("id"),
        "recoveries": claim.recovery_orders.all() if request.user.role != Role.TRAINEE else [],
        "show_risks": show_risks, "risks": risks, "risk_counts": risk.count_by_severity(risks),
        "risk_ready": risk.providers_ready(),
    })


def _claimant_lookup(claim: Claim) -> dict[str, int | None]:
    """Filter for the claimant's payee accounts: its organisation's, else its person's."""
    return {"organisation_id": claim.organisation_id} if claim.organisation_id else {"person_id": claim.person_id}


def _history_rows(obj: Any, statuses: Any) -> list[dict[str, Any]]:
    labels = dict(statuses.choices)
    return [{"at": h.at, "by": h.by.username if h.by is not None else _("system"), "to": labels.get(h.to_status, h.to_status),
             "reason": h.reason} for h in history(obj)]


def _claim_post(request: AuthedRequest, pk: int, run: Callable[[Claim], object], success: str) -> HttpResponse:
    claim = _claim(request, pk)
    return run_action(request, lambda: run(claim), success=success, then=redirect("funds:claim_detail", pk=claim.pk),
                      show_forbidden=True)


@require_POST
@require_roles(*CLAIM_MAKERS, Role.TRAINEE)
def claim_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _claim_post(request, pk, lambda c: actions.submit_claim(c, by=request.user), _("Claim submitted for review."))


@require_POST
@require_roles(*CLAIM_MAKERS, Role.TRAINEE)
def claim_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return _claim_post(request, pk, lambda c: actions.cancel_claim(c, by=request.user), _("Claim withdrawn."))


@require_POST
@require_roles(*CLAIM_MAKERS, Role.TRAINEE)
def claim_payee(request: AuthedRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    form = PayeeChoiceForm(request.POST, queryset=PayeeAccount.objects.active().filter(**_claimant_lookup(claim)))
    if not form.is_valid():
        messages.error(request, _("Choose one of the claimant's bank accounts."))
        return redirect("funds:claim_detail", pk=claim.pk)
    return _claim_post(request, pk, lambda c: actions.set_claim_payee_account(
        c, by=request.user, payee_account=form.cleaned_data["payee_account"]), _("Bank account saved."))


@require_POST
@require_roles(*REVIEWERS)
def claim_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _claim_post(request, pk, lambda c: actions.approve_claim(c, by=request.user, note=note), _("Approved."))


def _with_reason(request: AuthedRequest, pk: int, verb: Callable[..., object], success: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("funds:claim_detail", pk=pk)
    return _claim_post(request, pk, lambda c: verb(c, by=request.user, reason=form.cleaned_data["reason"]), success)


@require_POST
@require_roles(*REVIEWERS)
def claim_return(request: AuthedRequest, pk: int) -> HttpResponse:
    return _with_reason(request, pk, actions.return_claim, _("Returned to the claimant."))


@require_POST
@require_roles(*REVIEWERS)
def claim_reject(request: AuthedRequest, pk: int) -> HttpResponse:
    return _with_reason(request, pk, actions.reject_claim, _("Claim rejected."))


@require_POST
@require_roles(*REVIEWERS, *CLAIM_MAKERS)
def line_exclude(request: AuthedRequest, pk: int, line_pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    line = ClaimLine.objects.filter(claim=claim, pk=line_pk).first()
    form = ReasonForm(request.POST)
    if line is None or not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("funds:claim_detail", pk=claim.pk)
    return run_action(request, lambda: actions.exclude_line(line, by=request.user, reason=form.cleaned_data["reason"]),
                      success=_("Line excluded."), then=redirect("funds:claim_detail", pk=claim.pk), show_forbidden=True)
