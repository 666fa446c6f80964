"""Funds pages. HTTP only: parse, call one action or query, render. Objects are fetched
through ``get_for_user`` so missing and forbidden both answer 404; every view declares its
roles (B2); state changes are POST with CSRF (B6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core import risk
from jixing.core.access import get_for_user
from jixing.core.permissions import ANY_ROLE, AuthedRequest, require_roles
from jixing.core.workflow import IllegalTransition, history
from jixing.evaluation.models import Certificate, OutsideCertificate
from jixing.registry.models import RegionLevel
from jixing.training.models import Enrollment, TrainingProject

from . import actions, bankfiles, queries
from .forms import (
    AllocationForm,
    AppropriationForm,
    BudgetForm,
    ClaimCreateForm,
    EducationClaimForm,
    ExportForm,
    InstalmentForm,
    LivingAllowanceClaimForm,
    NoteForm,
    OutsideCertificateClaimForm,
    PayeeAccountForm,
    PayeeChoiceForm,
    PersonClaimForm,
    ReasonForm,
    RecoveryForm,
    ResolveForm,
    ReturnFileForm,
    RuleCopyForm,
    StaffEducationForm,
    StudyRecordForm,
    apply_errors,
)
from .lists import CLAIMS, PAYMENTS
from .models import (
    FRONTLINE_MIN_SHARE,
    BatchStatus,
    Budget,
    Claim,
    ClaimLine,
    ClaimStatus,
    PayeeAccount,
    PaymentBatch,
    ReconciliationIssue,
    RecoveryOrder,
    RecoveryStatus,
    StudyRecord,
    SubsidyItem,
    SubsidyRuleTable,
)
from .queries import (
    BUDGET_READERS,
    BUDGET_WRITERS,
    CLAIM_MAKERS,
    CLAIM_READERS,
    PAYEE_HOLDERS,
    PAYMENT_READERS,
    PAYMENT_WRITERS,
    RECOVERY_MAKERS,
    RECOVERY_READERS,
    REVIEWERS,
    RULE_READERS,
    STAFF_EDUCATION_READERS,
)

PAGE_SIZE = 25


def _page(request: HttpRequest, qs: Any, size: int = PAGE_SIZE) -> Any:
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _fail(request: HttpRequest, exc: Exception) -> None:
    """Show an action's refusal as one message per reason."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    elif isinstance(exc, actions.Conflict):
        messages.error(request, exc.message)
    else:
        messages.error(request, str(exc) or _("Not allowed."))


ACTION_ERRORS = (ValidationError, PermissionDenied, IllegalTransition, actions.Conflict)


@require_roles(ANY_ROLE)
def index(request: AuthedRequest) -> HttpResponse:
    role = request.user.role
    if role == Role.FINANCE_OFFICER:
        return redirect("funds:budget_list")
    if role in (Role.HRSS_OFFICER, Role.UNION_OFFICER):
        return redirect("funds:review_queue")
    if role == Role.TRAINEE:
        return redirect("funds:my_subsidies")
    if role in CLAIM_READERS:
        return redirect("funds:claim_list")
    raise PermissionDenied


# ====================================================================== budgets


@require_roles(*BUDGET_READERS)
def budget_list(request: AuthedRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    budgets = list(queries.budgets_for(request.user, year=year, fund_source=request.GET.get("source", "")))
    balances = queries.balances_of(budgets)
    rows = [(b, balances[b.pk]) for b in budgets]
    form = BudgetForm(user=request.user, initial={"year": year}) if request.user.role in BUDGET_WRITERS else None
    return TemplateResponse(request, "funds/budget_list.html", {
        "rows": rows, "year": year, "years": range(2025, max(2027, timezone.localdate().year) + 1),
        "totals": queries.budget_summary(request.user, year=year), "form": form,
        "blocked": queries.open_issues_blocking(request.user.region_id).exists() if request.user.region_id else False,
    })


@require_POST
@require_roles(*BUDGET_WRITERS)
def budget_create(request: AuthedRequest) -> HttpResponse:
    form = BudgetForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            budget = actions.create_budget(by=request.user, fund_source=d["fund_source"], year=d["year"], region=d["region"],
                                           action=d["action"], amount=d["amount"], document=d["document"])
        except ACTION_ERRORS as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Budget created."))
            return redirect("funds:budget_detail", pk=budget.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))  # an ErrorList yields its messages as str
    return redirect("funds:budget_list")


@require_roles(*BUDGET_READERS)
def budget_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = get_for_user(Budget.objects.select_related("fund_source", "region", "action", "parent"), request.user, pk)
    children = list(budget.children.select_related("region").order_by("region_id"))
    balances = queries.balances_of([budget, *children])
    can_write = request.user.role in BUDGET_WRITERS
    lines = _page(request, queries.postings_for_budget(budget), size=30)
    for line in lines:
        line.ref_url = queries.posting_reference_url(line.posting)
    return TemplateResponse(request, "funds/budget_detail.html", {
        "budget": budget, "balance": balances[budget.pk], "children": [(c, balances[c.pk]) for c in children],
        "page_obj": lines, "can_write": can_write,
        "allocate_form": AllocationForm(parent_region=budget.region) if can_write and budget.region.level != RegionLevel.COUNTY else None,
        "appropriate_form": AppropriationForm() if can_write else None,
        "claims": budget.claims.order_by("-id")[:20],
    })


@require_POST
@require_roles(*BUDGET_WRITERS)
def budget_allocate(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = get_for_user(Budget.objects.select_related("region", "fund_source"), request.user, pk)
    form = AllocationForm(request.POST, parent_region=budget.region)
    if form.is_valid():
        try:
            actions.allocate(budget, by=request.user, region=form.cleaned_data["region"], amount=form.cleaned_data["amount"],
                             document=form.cleaned_data["document"])
        except ACTION_ERRORS as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Allocated."))
    else:
        messages.error(request, _("Check the region and the amount."))
    return redirect("funds:budget_detail", pk=budget.pk)


@require_POST
@require_roles(*BUDGET_WRITERS)
def budget_appropriate(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = get_for_user(Budget.objects.select_related("region", "fund_source"), request.user, pk)
    form = AppropriationForm(request.POST)
    if form.is_valid():
        try:
            actions.appropriate(budget, by=request.user, amount=form.cleaned_data["amount"], document=form.cleaned_data["document"])
        except ACTION_ERRORS as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Appropriation recorded."))
    else:
        messages.error(request, _("Check the amount."))
    return redirect("funds:budget_detail", pk=budget.pk)


# ====================================================================== claims


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
            try:
                claim = actions.create_claim(
                    by=request.user, project=project, enrollment_ids=form.cleaned_data["enrollments"],
                    subsidy_item=form.cleaned_data["subsidy_item"] or item,
                    payee_account=form.cleaned_data["payee_account"],
                )
            except actions.ClaimRefused as exc:
                apply_errors(form, exc)
            except ACTION_ERRORS as exc:
                apply_errors(form, exc) if isinstance(exc, ValidationError) else _fail(request, exc)
            else:
                messages.success(request, _("Claim %(number)s saved as a draft; check it and submit it.") % {"number": claim.number})
                return redirect("funds:claim_detail", pk=claim.pk)
    else:
        form = ClaimCreateForm(user=request.user, enrollment_choices=choices, items=items,
                               initial={"project": project.pk, "subsidy_item": item,
                                        "enrollments": [d.enrollment.pk for d in drafts if d.ok and d.enrollment]})
    context.update({"form": form, "drafts": drafts, "item": item, "items": items,
                    "eligible_total": sum((d.amount for d in drafts if d.ok), queries.ZERO)})
    return TemplateResponse(request, "funds/claim_create.html", context)


def _claim(request: AuthedRequest, pk: int) -> Claim:
    qs = Claim.objects.select_related(
        "organisation", "person", "project", "county", "fund_source", "action", "rule_table", "budget", "payee_account",
        "submitted_by", "county_reviewed_by", "city_approved_by", "province_approved_by",
    )
    return get_for_user(qs, request.user, pk)


def _next_step(user: Any, claim: Claim) -> str:
    """The review step this officer could take now (the action re-checks everything)."""
    wanted = Role.UNION_OFFICER if actions.reviewed_by_union(claim) else Role.HRSS_OFFICER
    if user.role != wanted or not user.region_id:
        return ""
    level = user.region.level
    steps: dict[str, str] = {
        ClaimStatus.SUBMITTED: "county" if level in (RegionLevel.COUNTY, RegionLevel.CITY) else "",
        ClaimStatus.COUNTY_REVIEWED: "city" if level == RegionLevel.CITY else "",
        ClaimStatus.CITY_APPROVED: "province" if level == RegionLevel.PROVINCE else "",
        ClaimStatus.PUBLIC_NOTICE: "notice" if level in (RegionLevel.CITY, RegionLevel.PROVINCE) else "",
    }
    step = steps.get(claim.status, "")
    reviewers = {claim.created_by_id, claim.submitted_by_id, claim.county_reviewed_by_id, claim.city_approved_by_id}
    if step and step != "notice" and user.pk in reviewers:
        return "maker"
    return step


@require_roles(*CLAIM_READERS)
def claim_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    lines = claim.lines.select_related(
        "person", "training_class", "certificate", "study__employer", "rule_table").order_by("status", "id")
    if request.user.role == Role.TRAINEE and claim.person_id != request.user.person_id:
        lines = lines.filter(person_id=request.user.person_id)
    is_claimant = actions._claimant_staff(request.user, claim)
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


def _claim_post(request: AuthedRequest, pk: int, run: Any, success: str) -> HttpResponse:
    claim = _claim(request, pk)
    try:
        run(claim)
    except ACTION_ERRORS as exc:
        _fail(request, exc)
    else:
        messages.success(request, success)
    return redirect("funds:claim_detail", pk=claim.pk)


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


def _with_reason(request: AuthedRequest, pk: int, verb: Any, success: str) -> HttpResponse:
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
    try:
        actions.exclude_line(line, by=request.user, reason=form.cleaned_data["reason"])
    except ACTION_ERRORS as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Line excluded."))
    return redirect("funds:claim_detail", pk=claim.pk)


# ====================================================================== persons, payee accounts


@require_roles(Role.TRAINEE)
def my_subsidies(request: AuthedRequest) -> HttpResponse:
    return _my_subsidies_page(request)


def _my_subsidies_page(request: AuthedRequest, study_form: StudyRecordForm | None = None, status: int = 200) -> HttpResponse:
    return TemplateResponse(request, "funds/my_subsidies.html", status=status, context={
        "lines": queries.my_subsidies(request.user),
        "certificates": [(cert, queries.evaluate_certificate(cert.person, cert))
                         for cert in queries.my_certificates_to_claim(request.user)],
        "claim_form": PersonClaimForm(user=request.user),
        "outside_certificates": [(cert, queries.evaluate_certificate(person, cert))
                                 for cert in queries.my_outside_certificates_to_claim(request.user)
                                 if (person := request.user.person) is not None],
        "living_allowances": queries.my_living_allowances_to_claim(request.user),
        "has_account": PayeeAccount.objects.active().filter(person_id=request.user.person_id).exists(),
        "studies": queries.my_studies(request.user), "study_form": study_form or StudyRecordForm(user=request.user),
        "education_form": EducationClaimForm(user=request.user),
    })


@require_POST
@require_roles(Role.TRAINEE)
def my_study(request: AuthedRequest) -> HttpResponse:
    """Record one of the trainee's own studies (求学圆梦)."""
    form = StudyRecordForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_study(
                by=request.user, school=data["school"], programme=data["programme"], level=data["level"],
                mode=data["mode"], student_number=data["student_number"], enrolled_on=data["enrolled_on"],
                graduated_on=data["graduated_on"], tuition_paid=data["tuition_paid"] or 0, employer=data["employer"],
                frontline_post=data["frontline_post"], chsi_report_number=data["chsi_report_number"],
                chsi_verification_code=data["chsi_verification_code"], evidence_note=data["evidence_note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your study has been recorded."))
            return redirect("funds:my_subsidies")
    return _my_subsidies_page(request, study_form=form, status=400)


Basis = TypeVar("Basis", bound=models.Model)


def _own_object(model: type[Basis], raw: str, person_id: int) -> Basis:
    """The trainee's own certificate, enrollment or study named in a POST; 404 for anything else
    (missing, malformed or another person's alike)."""
    found = (model._default_manager.filter(pk=int(raw), person_id=person_id).first()
             if raw.isascii() and raw.isdigit() and len(raw) < 19 else None)
    if found is None:
        raise Http404
    return found


def _own_claim_view(request: AuthedRequest, form: forms.Form, model: type[Basis], key: str, invalid: str,
                    create: Callable[[Basis, Any], Claim]) -> HttpResponse:
    """POST of a person's own claim (a certificate or a study of theirs, and their account).
    Another person's object answers 404, like the API: it is not in the trainee's data."""
    person_id = request.user.person_id
    assert person_id is not None, "a trainee account has a person (user_trainee_has_person)"
    basis = _own_object(model, request.POST.get(key, ""), person_id)
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("funds:my_subsidies")
    try:
        claim = create(basis, form.cleaned_data["payee_account"])
    except ACTION_ERRORS as exc:
        _fail(request, exc)
        return redirect("funds:my_subsidies")
    messages.success(request, _("Claim %(number)s saved; submit it to send it for review.") % {"number": claim.number})
    return redirect("funds:claim_detail", pk=claim.pk)


@require_POST
@require_roles(Role.TRAINEE)
def my_education_claim(request: AuthedRequest) -> HttpResponse:
    return _own_claim_view(
        request, EducationClaimForm(request.POST, user=request.user), StudyRecord, "study",
        _("Choose a study and a bank account."),
        lambda study, account: actions.create_education_claim(by=request.user, study=study, payee_account=account),
    )


@require_POST
@require_roles(Role.TRAINEE)
def my_claim(request: AuthedRequest) -> HttpResponse:
    return _own_claim_view(
        request, PersonClaimForm(request.POST, user=request.user), Certificate, "certificate",
        _("Choose a certificate and a bank account."),
        lambda cert, account: actions.create_person_claim(by=request.user, certificate=cert, payee_account=account),
    )


@require_POST
@require_roles(Role.TRAINEE)
def my_living_allowance_claim(request: AuthedRequest) -> HttpResponse:
    return _own_claim_view(
        request, LivingAllowanceClaimForm(request.POST, user=request.user), Enrollment, "enrollment",
        _("Choose a training and a bank account."),
        lambda enrollment, account: actions.create_living_allowance_claim(
            by=request.user, enrollment=enrollment, payee_account=account),
    )


@require_POST
@require_roles(Role.TRAINEE)
def my_outside_claim(request: AuthedRequest) -> HttpResponse:
    """技能提升补贴 on a certificate of the imported national register listed as the trainee's."""
    form = OutsideCertificateClaimForm(request.POST, user=request.user)
    person = request.user.person
    assert person is not None, "a trainee account has a person (user_trainee_has_person)"
    raw = request.POST.get("outside_certificate", "")
    # another person's register row (or none) answers 404, like the API
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19 and OutsideCertificate.objects.filter(
            pk=int(raw), id_number_hash=person.id_number_hash).exists()):
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Choose a certificate and a bank account."))
        return redirect("funds:my_subsidies")
    cert = next((c for c in queries.my_outside_certificates_to_claim(request.user)
                 if c.pk == form.cleaned_data["outside_certificate"]), None)
    if cert is None:
        messages.error(request, _("This certificate has already been claimed."))
        return redirect("funds:my_subsidies")
    try:
        claim = actions.create_outside_certificate_claim(
            by=request.user, number=cert.number, occupation=cert.occupation, level_order=cert.level_id,
            payee_account=form.cleaned_data["payee_account"])
    except ACTION_ERRORS as exc:
        _fail(request, exc)
        return redirect("funds:my_subsidies")
    messages.success(request, _("Claim %(number)s saved; submit it to send it for review.") % {"number": claim.number})
    return redirect("funds:claim_detail", pk=claim.pk)


@never_cache
@require_roles(*PAYEE_HOLDERS)
def payee_accounts(request: AuthedRequest) -> HttpResponse:
    accounts = PayeeAccount.objects.visible_to(request.user).active().order_by("-id")
    if request.method == "POST":
        form = PayeeAccountForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            card = data.pop("social_security_card", False)
            try:
                if card and request.user.person is not None:
                    actions.register_card_account(by=request.user, person=request.user.person,
                                                  bank_name=data["bank_name"], account_number=data["account_number"])
                else:
                    actions.register_payee_account(by=request.user, **data)
            except ACTION_ERRORS as exc:
                if isinstance(exc, ValidationError):
                    apply_errors(form, exc)
                else:
                    _fail(request, exc)
            else:
                messages.success(request, _("Bank account registered."))
                return redirect("funds:payee_accounts")
    else:
        holder = ""
        if request.user.organisation is not None:
            holder = request.user.organisation.name
        elif request.user.person is not None:
            holder = request.user.person.name
        form = PayeeAccountForm(initial={"holder_name": holder})
    return TemplateResponse(request, "funds/payee_accounts.html", {"accounts": accounts, "form": form})


# ====================================================================== payments


@require_roles(*PAYMENT_READERS)
def batch_list(request: AuthedRequest) -> HttpResponse:
    region = request.user.region_id
    listing = PAYMENTS.page(request)
    return TemplateResponse(request, "funds/batch_list.html", {
        "page_obj": listing.page_obj, "listing": listing, "statuses": BatchStatus.choices,
        "payable": queries.payable_claims(region).count() if region else 0,
        "blocking": list(queries.open_issues_blocking(region).select_related("batch")[:20]) if region else [],
        "can_write": request.user.role in PAYMENT_WRITERS,
    })


@require_POST
@require_roles(*PAYMENT_WRITERS)
def batch_create(request: AuthedRequest) -> HttpResponse:
    try:
        result = actions.create_payment_batch(by=request.user)
    except ACTION_ERRORS as exc:
        _fail(request, exc)
        return redirect("funds:batch_list")
    for refused in result.refused:
        messages.warning(request, f"{refused['claim']}：{refused['reason']}")
    assert result.batch is not None
    messages.success(request, _("Batch %(number)s created with %(n)d orders.") % {
        "number": result.batch.number, "n": result.batch.order_count})
    return redirect("funds:batch_detail", pk=result.batch.pk)


@require_roles(*PAYMENT_READERS)
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_for_user(PaymentBatch.objects.select_related("region", "created_by", "exported_by"), request.user, pk)
    return TemplateResponse(request, "funds/batch_detail.html", {
        "batch": batch,
        "orders": batch.orders.select_related("claim", "payee_account").order_by("number"),
        "returns": batch.returns.select_related("uploaded_by"),
        "issues": batch.issues.select_related("order", "resolved_by").order_by("resolved_at", "id"),
        "can_write": request.user.role in PAYMENT_WRITERS,
        "export_form": ExportForm(), "return_form": ReturnFileForm(), "resolve_form": ResolveForm(),
    })


@never_cache
@require_POST
@require_roles(*PAYMENT_WRITERS)
def batch_export(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_for_user(PaymentBatch.objects.all(), request.user, pk)
    form = ExportForm(request.POST)
    fmt = form.cleaned_data["format"] if form.is_valid() else "csv"
    try:
        bank_file = bankfiles.export_payment_file(batch, by=request.user, fmt=fmt)
    except ACTION_ERRORS as exc:
        _fail(request, exc)
        return redirect("funds:batch_detail", pk=batch.pk)
    response = HttpResponse(bank_file.content, content_type=bank_file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{bank_file.file_name}"'
    return response


@require_POST
@require_roles(*PAYMENT_WRITERS)
def batch_reconcile(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_for_user(PaymentBatch.objects.all(), request.user, pk)
    form = ReturnFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the bank's return file."))
        return redirect("funds:batch_detail", pk=batch.pk)
    try:
        parsed = bankfiles.parse_uploaded(form.cleaned_data["file"])
        result = actions.reconcile_bank_return(batch, by=request.user, rows=parsed.rows,
                                               file_name=form.cleaned_data["file"].name, file_sha256=parsed.sha256)
    except bankfiles.ReturnFileError as exc:
        messages.error(request, exc.message)
    except ACTION_ERRORS as exc:
        _fail(request, exc)
    else:
        if result.replay:
            messages.info(request, _("This file was already read; nothing changed."))
        elif result.ok:
            messages.success(request, _("Reconciled: %(ok)d paid, %(failed)d failed, no mismatch.") % {
                "ok": result.succeeded, "failed": result.failed})
        else:
            messages.error(request, _("%(n)d mismatch(es) found; the next batch is blocked until they are resolved.") % {
                "n": len(result.issues)})
    return redirect("funds:batch_detail", pk=batch.pk)


@require_POST
@require_roles(*PAYMENT_WRITERS)
def issue_resolve(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = get_for_user(ReconciliationIssue.objects.select_related("batch"), request.user, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            actions.resolve_issue(issue, by=request.user, resolution=form.cleaned_data["resolution"],
                                  order_outcome=form.cleaned_data["order_outcome"])
        except ACTION_ERRORS as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Mismatch resolved."))
    else:
        messages.error(request, _("Explain how the mismatch was resolved."))
    return redirect("funds:batch_detail", pk=issue.batch_id)


# ====================================================================== recoveries


@never_cache
@require_roles(*RECOVERY_READERS)
def recovery_list(request: AuthedRequest) -> HttpResponse:
    form = None
    if request.user.role in RECOVERY_MAKERS:
        form = RecoveryForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            claim = None
            if d["claim"]:
                claim = Claim.objects.visible_to(request.user).filter(number=d["claim"].strip()).first()
                if claim is None:
                    form.add_error("claim", _("No such claim in your region."))
            payer = d["organisation"] if d["payer_kind"] == "organisation" else (claim.person if claim else None)
            if payer is None and not form.errors:
                form.add_error("organisation", _("Choose the organisation, or give the claim of the person."))
            if payer is not None and not form.errors:  # payer None has added an error above
                try:
                    order = actions.create_recovery_order(by=request.user, payer=payer, amount=d["amount"], reason=d["reason"],
                                                          deadline=d["deadline"], claim=claim, case_ref=d["case_ref"])
                except ACTION_ERRORS as exc:
                    if isinstance(exc, ValidationError):
                        apply_errors(form, exc)
                    else:
                        _fail(request, exc)
                else:
                    messages.success(request, _("Recovery order %(number)s issued.") % {"number": order.number})
                    return redirect("funds:recovery_detail", pk=order.pk)
    elif request.method == "POST":
        raise PermissionDenied
    status = request.GET.get("status", "")
    return TemplateResponse(request, "funds/recovery_list.html", {
        "page_obj": _page(request, queries.recoveries_for(request.user, status=status)), "form": form, "status": status,
        "overdue_count": queries.overdue_recoveries(request.user).count(),
    })


@require_roles(*RECOVERY_READERS)
def recovery_overdue(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "funds/recovery_overdue.html", {
        "recoveries": queries.overdue_recoveries(request.user), "today": timezone.localdate(),
    })


@require_roles(*RECOVERY_READERS)
def recovery_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    order = get_for_user(RecoveryOrder.objects.select_related("payer_organisation", "payer_person", "claim", "county"),
                         request.user, pk)
    can_receive = request.user.role == Role.FINANCE_OFFICER
    return TemplateResponse(request, "funds/recovery_detail.html", {
        "order": order, "parts": order.parts.select_related("claim", "budget", "budget__region"),
        "instalments": order.instalments.select_related("recorded_by"), "history": _history_rows(order, RecoveryStatus),
        "can_receive": can_receive and order.outstanding > 0 and order.status not in ("received", "written_off"),
        "instalment_form": InstalmentForm(initial={"received_on": timezone.localdate(), "amount": order.outstanding}),
        "reason_form": ReasonForm(),
    })


@require_POST
@require_roles(Role.FINANCE_OFFICER)
def recovery_instalment(request: AuthedRequest, pk: int) -> HttpResponse:
    order = get_for_user(RecoveryOrder.objects.all(), request.user, pk)
    form = InstalmentForm(request.POST)
    if form.is_valid():
        try:
            actions.record_recovery_instalment(order, by=request.user, **form.cleaned_data)
        except ACTION_ERRORS as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Received money recorded and returned to the budget."))
    else:
        messages.error(request, _("Check the amount and the date."))
    return redirect("funds:recovery_detail", pk=order.pk)


@require_POST
@require_roles(Role.FINANCE_OFFICER)
def recovery_write_off(request: AuthedRequest, pk: int) -> HttpResponse:
    order = get_for_user(RecoveryOrder.objects.all(), request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            actions.write_off_recovery(order, by=request.user, reason=form.cleaned_data["reason"])
        except ACTION_ERRORS as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Outstanding amount written off."))
    else:
        messages.error(request, _("Give a reason."))
    return redirect("funds:recovery_detail", pk=order.pk)


# ====================================================================== rule tables


@require_roles(*RULE_READERS)
def rule_list(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "funds/rule_list.html", {"tables": queries.rule_tables_for(request.user)})


@require_roles(*RULE_READERS)
def rule_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    table = get_for_user(SubsidyRuleTable.objects.select_related("city", "created_by"), request.user, pk)
    can_copy = request.user.role == Role.HRSS_OFFICER and request.user.region_id and (
        request.user.region_id == table.city_id or request.user.region_id == "370000")
    return TemplateResponse(request, "funds/rule_detail.html", {
        "table": table, "rates": table.rates.select_related("level", "occupation", "target_group"),
        "uplifts": table.uplifts.select_related("target_group"), "shortage": table.shortage_occupations.order_by("name"),
        "versions": SubsidyRuleTable.objects.filter(city=table.city).order_by("-valid_from"),
        "copy_form": RuleCopyForm(initial={"valid_from": timezone.localdate() + dt.timedelta(days=1)}) if can_copy else None,
    })


@require_POST
@require_roles(Role.HRSS_OFFICER)
def rule_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    table = get_for_user(SubsidyRuleTable.objects.select_related("city"), request.user, pk)
    form = RuleCopyForm(request.POST)
    if form.is_valid():
        try:
            new = actions.copy_rule_table(table, by=request.user, **form.cleaned_data)
        except ACTION_ERRORS as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Version %(v)s created; adjust its rates before the first claim uses it.") % {"v": new.version})
            return redirect("funds:rule_detail", pk=new.pk)
    else:
        messages.error(request, _("Choose the day the new version starts."))
    return redirect("funds:rule_detail", pk=table.pk)


# ====================================================================== staff education funds


@never_cache
@require_roles(*STAFF_EDUCATION_READERS)
def staff_education(request: AuthedRequest) -> HttpResponse:
    is_enterprise = request.user.role == Role.INSTITUTION and request.user.organisation is not None and \
        request.user.organisation.kind == "enterprise"
    form = None
    if is_enterprise:
        form = StaffEducationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                actions.report_staff_education(by=request.user, **form.cleaned_data)
            except ACTION_ERRORS as exc:
                if isinstance(exc, ValidationError):
                    apply_errors(form, exc)
                else:
                    _fail(request, exc)
            else:
                messages.success(request, _("Report saved."))
                return redirect("funds:staff_education")
    elif request.method == "POST":
        raise PermissionDenied
    try:
        year = int(request.GET.get("year") or timezone.localdate().year - 1)
    except ValueError:
        year = timezone.localdate().year - 1
    below_only = request.GET.get("below") == "1"
    return TemplateResponse(request, "funds/staff_education.html", {
        "form": form, "year": year, "below_only": below_only,
        "reports": queries.staff_education_reports(request.user, year=year, below_only=below_only),
        "stats": queries.staff_education_stats(request.user, year=year),
        "by_city": queries.staff_education_by_city(request.user, year=year) if not is_enterprise else [],
        "minimum": int(FRONTLINE_MIN_SHARE * 100), "years": range(timezone.localdate().year, 2023, -1),
    })

