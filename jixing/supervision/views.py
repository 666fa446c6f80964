"""Supervision pages: dashboard, findings with their evidence, cases and their steps, the
institution's own findings and explanation page, rule settings. HTTP only: each view parses,
calls one action or query, renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role, User
from jixing.core.access import get_for_user
from jixing.core.pages import run_action, show_refusal
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.refusals import REFUSALS
from jixing.core.workflow import history
from jixing.registry.models import Person
from jixing.registry.validators import normalise_id_number

from . import access, actions, evidence, queries, rules
from .forms import (
    AssignForm,
    CertificatesForm,
    ClearFindingForm,
    DecideForm,
    ExplanationForm,
    LiftMeasureForm,
    OpenCaseForm,
    PersonRestrictionForm,
    ReasonForm,
    RecoveryForm,
    ReferralForm,
    RequestExplanationForm,
    SanctionForm,
    rule_setting_form,
)
from .lists import CASES, FINDINGS
from .models import Case, CaseStatus, Explanation, Finding, FindingStatus, RuleEditorGrant, RuleSetting, Severity
from .roles import EVERY_VIEWER, OFFICER, ORGS, READERS


def _history(obj: Any, choices: Any) -> list[dict[str, Any]]:
    """Status changes with their labels in the user's language."""
    labels = dict(choices)
    return [{"at": h.at, "by": h.by, "reason": h.reason, "from_label": labels.get(h.from_status, h.from_status),
             "to_label": labels.get(h.to_status, h.to_status)} for h in history(obj)]


def _form_errors(request: AuthedRequest, form: Any) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


# ---------------------------------------------------------------- dashboard

@require_roles(*READERS)
def dashboard(request: AuthedRequest) -> HttpResponse:
    data = queries.dashboard(request.user)
    return TemplateResponse(request, "supervision/dashboard.html", {
        "data": data, "chart": {"trend": data["trend"], "by_city": data["by_city"], "by_rule": data["by_rule"]},
        "can_run": request.user.role == OFFICER,
    })


@require_roles(OFFICER)
@require_POST
def run_now(request: AuthedRequest) -> HttpResponse:
    actions.start_run(by=request.user, full=request.POST.get("full") == "1")
    messages.success(request, _("The supervision run was started; findings appear when it finishes."))
    return redirect("supervision:dashboard")


# ---------------------------------------------------------------- findings

@require_roles(*EVERY_VIEWER)
def finding_list(request: AuthedRequest) -> HttpResponse:
    code = request.GET.get("rule", "")
    status = request.GET.get("status", "unresolved")
    try:
        org = int(request.GET.get("organisation") or 0) or None
    except ValueError:
        org = None
    listing = FINDINGS.page(request)
    return TemplateResponse(request, "supervision/finding_list.html", {
        "page": listing.page_obj, "page_obj": listing.page_obj, "listing": listing, "severities": Severity.choices, "rules": rules.by_code(), "statuses": FindingStatus.choices, "code": code, "status": status,
        "organisation": org, "can_open_case": request.user.role == OFFICER,
    })


@require_roles(*EVERY_VIEWER)
def finding_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    finding = get_for_user(Finding.objects.select_related("organisation", "county", "case"), request.user, pk)
    is_org = request.user.role in ORGS
    return TemplateResponse(request, "supervision/finding_detail.html", {
        "finding": finding, "rule": finding.rule, "view": evidence.layout(finding),
        "explanations": finding.explanations.order_by("submitted_at"),
        "history": _history(finding, FindingStatus.choices), "is_org": is_org, "is_officer": request.user.role == OFFICER,
        "explain_form": ExplanationForm() if is_org and finding.status in (FindingStatus.OPEN, FindingStatus.EXPLAINED) else None,
        "clear_form": ClearFindingForm() if finding.status in (FindingStatus.OPEN, FindingStatus.EXPLAINED) else None,
        "open_cases": Case.objects.visible_to(request.user).filter(
            organisation_id=finding.organisation_id).exclude(status__in=Case.DECIDED) if finding.organisation_id else [],
    })


@require_roles(OFFICER)
@require_POST
def finding_clear(request: AuthedRequest, pk: int) -> HttpResponse:
    finding = get_for_user(Finding.objects.all(), request.user, pk)
    form = ClearFindingForm(request.POST)
    if form.is_valid():
        run_action(request, lambda: actions.clear_finding(finding, by=request.user, reasons=form.cleaned_data["reasons"]),
                   success=_("The finding was cleared."))
    else:
        _form_errors(request, form)
    return redirect("supervision:finding", pk=finding.pk)


@require_roles(*ORGS)
@require_POST
def finding_explain(request: AuthedRequest, pk: int) -> HttpResponse:
    finding = get_for_user(Finding.objects.all(), request.user, pk)
    form = ExplanationForm(request.POST, request.FILES)
    if form.is_valid():
        run_action(request, lambda: actions.submit_explanation(by=request.user, finding=finding, text=form.cleaned_data["text"],
                                                               attachment=form.cleaned_data.get("attachment")),
                   success=_("Your explanation was submitted."))
    else:
        _form_errors(request, form)
    return redirect("supervision:finding", pk=finding.pk)


# ---------------------------------------------------------------- cases

@require_roles(*EVERY_VIEWER)
def case_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    listing = CASES.page(request)
    return TemplateResponse(request, "supervision/case_list.html", {
        "page": listing.page_obj, "page_obj": listing.page_obj, "listing": listing, "status": status,
        "statuses": CaseStatus.choices})


@require_roles(OFFICER)
@require_POST
def case_open(request: AuthedRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("findings") if str(i).isdigit()]
    form = OpenCaseForm(request.POST, finding_ids=ids)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(request.POST.get("back") or "supervision:findings")
    chosen = list(Finding.objects.visible_to(request.user).filter(pk__in=form.cleaned_data["findings"]))
    if len(chosen) != len(set(form.cleaned_data["findings"])):
        raise Http404
    return run_action(request, lambda: actions.open_case(chosen, by=request.user, title=form.cleaned_data["title"],
                                                         assign_to=request.user),
                      success=lambda case: _("Case %(n)s was opened.") % {"n": case.number},
                      then=lambda case: redirect("supervision:case", pk=case.pk),
                      fallback=redirect(request.POST.get("back") or "supervision:findings"))


@require_roles(OFFICER)
@require_POST
def finding_add_to_case(request: AuthedRequest, pk: int) -> HttpResponse:
    finding = get_for_user(Finding.objects.all(), request.user, pk)
    case = get_for_user(Case.objects.all(), request.user, request.POST.get("case"))
    return run_action(request, lambda: actions.add_findings(case, [finding], by=request.user),
                      success=_("The finding was added to case %(n)s.") % {"n": case.number},
                      then=redirect("supervision:case", pk=case.pk))


def _officers_for(case: Case) -> list[User]:
    prefixes = {case.county_id[:2] + "0000", case.county_id[:4] + "00", case.county_id}
    return list(User.objects.filter(role=Role.HRSS_OFFICER, is_active=True, region_id__in=prefixes).order_by("region_id", "username"))


@require_roles(*EVERY_VIEWER)
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_for_user(Case.objects.select_related("organisation", "county", "assigned_to", "decided_by"), request.user, pk)
    findings = list(case.findings.order_by("code", "id"))
    is_officer = request.user.role == OFFICER
    ctx: dict[str, Any] = {
        "case": case, "findings": findings, "measures": case.measures.select_related("by", "restriction"),
        "explanations": case.explanations.select_related("submitted_by"), "history": _history(case, CaseStatus.choices),
        "is_officer": is_officer, "is_org": request.user.role in ORGS,
        "views": [(f, evidence.layout(f)) for f in findings],
        "org_blocked": case.organisation.is_blocked_on(timezone.localdate()),
    }
    if is_officer:
        ctx.update({
            "assign_form": AssignForm(officers=_officers_for(case), initial={"officer": case.assigned_to_id}),
            "request_form": RequestExplanationForm(initial={"due": timezone.localdate() + dt.timedelta(days=10)}),
            "decide_form": DecideForm(), "reason_form": ReasonForm(), "recovery_form": RecoveryForm(initial={
                "deadline": timezone.localdate() + dt.timedelta(days=30)}),
            "sanction_form": SanctionForm(initial={"until": timezone.localdate() + dt.timedelta(days=365)}),
            "certificates_form": CertificatesForm(), "referral_form": ReferralForm(),
            "person_form": PersonRestrictionForm(),
        })
    return TemplateResponse(request, "supervision/case_detail.html", ctx)


def _step_assign(request: AuthedRequest, case: Case) -> None:
    form = AssignForm(request.POST, officers=_officers_for(case))
    if not form.is_valid():
        return _form_errors(request, form)
    actions.assign_case(case, by=request.user, officer=User.objects.get(pk=form.cleaned_data["officer"]))
    messages.success(request, _("The case was assigned."))


def _step_request(request: AuthedRequest, case: Case) -> None:
    form = RequestExplanationForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    actions.request_explanation(case, by=request.user, questions=form.cleaned_data["questions"], due=form.cleaned_data["due"])
    messages.success(request, _("The institution was asked to explain."))


def _step_resume(request: AuthedRequest, case: Case) -> None:
    actions.resume_investigation(case, by=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The investigation was resumed."))


def _step_decide(request: AuthedRequest, case: Case) -> None:
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    actions.decide_case(case, by=request.user, violation=form.cleaned_data["decision"] == "violation",
                        reasons=form.cleaned_data["reasons"])
    messages.success(request, _("The decision was recorded."))


def _step_recovery(request: AuthedRequest, case: Case) -> None:
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    measure = actions.order_recovery(case, by=request.user, amount=form.cleaned_data["amount"],
                                     deadline=form.cleaned_data["deadline"], reason=form.cleaned_data["reason"])
    messages.success(request, _("Recovery order %(n)s was issued.") % {"n": measure.reference})


def _step_sanction(request: AuthedRequest, case: Case) -> None:
    form = SanctionForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    actions.sanction_institution(case, by=request.user, blacklist=form.cleaned_data["kind"] == "blacklist",
                                 until=form.cleaned_data["until"], reason=form.cleaned_data["reason"])
    messages.success(request, _("The institution's status was changed."))


def _step_certificates(request: AuthedRequest, case: Case) -> None:
    from jixing.evaluation.models import Certificate

    form = CertificatesForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    numbers = [n.strip() for n in form.cleaned_data["numbers"].replace(",", "\n").splitlines() if n.strip()]
    certs = list(Certificate.objects.visible_to(request.user).filter(number__in=numbers, status="valid"))
    missing = sorted(set(numbers) - {c.number for c in certs})
    if missing:
        raise ValidationError(_("No valid certificate you may revoke has the number(s): %(n)s.") % {"n": ", ".join(missing)})
    actions.revoke_certificates(case, by=request.user, certificates=certs, reason=form.cleaned_data["reason"])
    messages.success(request, _("%(n)d certificate(s) were revoked.") % {"n": len(certs)})


def _step_referral(request: AuthedRequest, case: Case) -> None:
    form = ReferralForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    actions.refer_to_judiciary(case, by=request.user, authority=form.cleaned_data["authority"], note=form.cleaned_data["note"])
    messages.success(request, _("The referral was recorded."))


def _step_restrict_person(request: AuthedRequest, case: Case) -> None:
    form = PersonRestrictionForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    number = normalise_id_number(form.cleaned_data["id_number"])
    person = Person.objects.visible_to(request.user).with_id_number(number).first()
    if person is None:
        raise ValidationError(_("No person with this ID number is registered in the data you may see."))
    actions.restrict_person(case, by=request.user, person=person, blacklist=form.cleaned_data["kind"] == "blacklist",
                            until=form.cleaned_data["until"], reason=form.cleaned_data["reason"])
    messages.success(request, _("%(name)s (%(id)s) may not claim subsidies while the restriction is in force.")
                     % {"name": person.name, "id": person.masked_id_number})


def _step_lift_restriction(request: AuthedRequest, case: Case) -> None:
    form = LiftMeasureForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    measure = case.measures.filter(pk=form.cleaned_data["measure"]).first()
    if measure is None:
        raise ValidationError(_("Only a restriction of a person is lifted here."))
    actions.lift_person_restriction(measure, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("The restriction was lifted."))


def _step_overturn(request: AuthedRequest, case: Case) -> None:
    actions.overturn_decision(case, by=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The decision was overturned; its restrictions of persons were lifted."))


def _step_close(request: AuthedRequest, case: Case) -> None:
    actions.close_case(case, by=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The case was closed."))


STEPS: dict[str, Callable[[AuthedRequest, Case], None]] = {
    "assign": _step_assign, "request": _step_request, "resume": _step_resume, "decide": _step_decide,
    "recovery": _step_recovery, "sanction": _step_sanction, "certificates": _step_certificates,
    "referral": _step_referral, "close": _step_close, "restrict_person": _step_restrict_person,
    "lift_restriction": _step_lift_restriction, "overturn": _step_overturn,
}


@require_roles(OFFICER)
@require_POST
def case_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    case = get_for_user(Case.objects.all(), request.user, pk)
    handler = STEPS.get(step)
    if handler is None:
        raise Http404
    try:
        handler(request, case)
    except REFUSALS as exc:  # a refused step, a refusal of permission included, is a message on the case page
        show_refusal(request, exc)
    return redirect("supervision:case", pk=case.pk)


# ---------------------------------------------------------------- the institution's side

@require_roles(*ORGS)
def my_findings(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "supervision/my_findings.html", queries.institution_overview(request.user))


@require_roles(*ORGS)
def case_explain(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_for_user(Case.objects.select_related("organisation"), request.user, pk)
    form = ExplanationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, lambda: actions.submit_explanation(
            by=request.user, case=case, text=form.cleaned_data["text"], attachment=form.cleaned_data.get("attachment")),
            form=form, success=_("Your explanation was submitted."), then=redirect("supervision:case", pk=case.pk))
        if done:
            return done
    findings = list(case.findings.order_by("code", "id"))
    return TemplateResponse(request, "supervision/case_explain.html", {
        "case": case, "form": form, "views": [(f, evidence.layout(f)) for f in findings],
        "explanations": case.explanations.all()})


@require_roles(*EVERY_VIEWER)
def attachment(request: AuthedRequest, pk: int) -> FileResponse:
    explanation = Explanation.objects.filter(pk=pk).exclude(attachment="").first()
    if explanation is None:
        raise Http404
    target = explanation.case or explanation.finding
    assert target is not None, "an explanation belongs to a case or a finding (explanation_case_or_finding)"
    model = Case if explanation.case_id else Finding
    get_for_user(model.objects.all(), request.user, target.pk)  # 404 unless the user may see it
    response = FileResponse(explanation.attachment.open("rb"), as_attachment=True,
                            filename=explanation.attachment_name or explanation.attachment.name)
    return response


# ---------------------------------------------------------------- rules

@require_roles(Role.HRSS_OFFICER, Role.AUDITOR, Role.SECURITY_ADMIN)
def rule_list(request: AuthedRequest) -> HttpResponse:
    settings = {s.code: s for s in RuleSetting.objects.select_related("updated_by")}
    rows = []
    for code, rule in rules.by_code().items():
        stored = settings.get(code)
        values = {**rule.defaults(), **(stored.params if stored else {})}
        severity = (stored.severity if stored else "") or rule.severity
        rows.append({"rule": rule, "setting": stored, "available": rule.available(), "severity": severity,
                     "severity_label": Severity(severity).label,
                     "params": [(p, values.get(p.name, p.default)) for p in rule.params]})
    ctx: dict[str, Any] = {"rows": rows, "can_edit": access.can_edit_rules(request.user)}
    if request.user.role == Role.SECURITY_ADMIN:
        ctx["officers"] = User.objects.filter(role=Role.HRSS_OFFICER, is_active=True).order_by("region_id", "username")
        ctx["granted"] = set(RuleEditorGrant.objects.filter(revoked_at__isnull=True).values_list("user_id", flat=True))
    return TemplateResponse(request, "supervision/rule_list.html", ctx)


@require_roles(Role.HRSS_OFFICER)
def rule_edit(request: AuthedRequest, code: str) -> HttpResponse:
    rule = rules.by_code().get(code)
    if rule is None or not access.can_edit_rules(request.user):
        raise Http404
    stored = RuleSetting.objects.filter(code=code).first()
    values = {**rule.defaults(), **(stored.params if stored else {})}
    initial = {"enabled": stored.enabled if stored else True, "severity": stored.severity if stored else "",
               **{f"param_{k}": v for k, v in values.items()}}
    form = rule_setting_form(rule, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        params = {p.name: form.cleaned_data.get(f"param_{p.name}", "") for p in rule.params}
        done = run_action(request, lambda: actions.update_rule_setting(
            code, by=request.user, enabled=form.cleaned_data["enabled"], severity=form.cleaned_data["severity"], params=params),
            form=form, rename={p.name: f"param_{p.name}" for p in rule.params},
            success=_("The settings of rule %(code)s were saved.") % {"code": code}, then=redirect("supervision:rules"))
        if done:
            return done
    return TemplateResponse(request, "supervision/rule_edit.html", {"rule": rule, "form": form})


@require_roles(Role.SECURITY_ADMIN)
@require_POST
def rule_editor_grant(request: AuthedRequest, user_id: int) -> HttpResponse:
    user = User.objects.filter(pk=user_id, role=Role.HRSS_OFFICER).first()
    if user is None:
        raise Http404
    change = actions.revoke_rule_editor if request.POST.get("revoke") == "1" else actions.grant_rule_editor
    return run_action(request, lambda: change(user, by=request.user), then=redirect("supervision:rules"))
