"""Pages of industrial chains, chain leaders, skill-master studios (seed 一(七)), named programmes
and young people's self-arranged training (一(四), 一(五)). Thin: parse → one action → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.accounts.roles import READERS
from jixing.core import audit
from jixing.core.access import get_for_user
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.registry.models import Person

from . import access, chain_actions, programme_actions
from .chain_forms import ChainLeaderForm, ReviewForm, SelfTrainingForm, StudioForm, StudioMemberForm
from .chain_models import ChainLeader, ChainTier, IndustrialChain, MasterStudio, StudioMember
from .chain_queries import reason_texts
from .programme_models import Programme, SelfArrangedTraining, SelfTrainingStatus

CHAIN_READERS = (*READERS, Role.INSTITUTION)
SELF_TRAINING_ROLES = (Role.TRAINEE, Role.HRSS_OFFICER, Role.AUDITOR)


def _errors(request: AuthedRequest, form: Any, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or _("You may not do this."))
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_roles(*CHAIN_READERS)
def chain_list(request: AuthedRequest) -> HttpResponse:
    leaders = ChainLeader.objects.visible_to(request.user).filter(archived_at__isnull=True)
    studios = MasterStudio.objects.visible_to(request.user).filter(archived_at__isnull=True)
    chains = IndustrialChain.objects.select_related("lead_department").annotate(
        leader_count=Count("leaders", filter=Q(leaders__in=leaders), distinct=True),
        studio_count=Count("studios", filter=Q(studios__in=studios), distinct=True),
    )
    tiers = [(label, [c for c in chains if c.tier == value]) for value, label in ChainTier.choices]
    return TemplateResponse(request, "plan/chains/list.html", {
        "tiers": tiers, "placeholders": sum(1 for c in chains if c.is_placeholder)})


@require_roles(*CHAIN_READERS)
def chain_detail(request: AuthedRequest, code: str) -> HttpResponse:
    chain = get_object_or_404(IndustrialChain.objects.select_related("lead_department"), code=code)
    form = ChainLeaderForm(request.POST or None, user=request.user)
    may_manage = access.can_manage(request.user)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                chain_actions.recognise_chain_leader(by=request.user, chain=chain, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                _errors(request, form, exc)
            else:
                messages.success(request, _("The chain-leader enterprise is recorded."))
                return redirect("plan:chain_detail", code=chain.code)
    return TemplateResponse(request, "plan/chains/detail.html", {
        "chain": chain, "form": form, "may_manage": may_manage,
        "leaders": ChainLeader.objects.visible_to(request.user).filter(chain=chain, archived_at__isnull=True)
        .select_related("organisation__county"),
        "studios": MasterStudio.objects.visible_to(request.user).filter(chain=chain, archived_at__isnull=True)
        .select_related("host", "county"),
        "occupations": chain.key_occupations.all(),
    }, status=400 if form.errors else 200)


@require_roles(*CHAIN_READERS)
def studio_list(request: AuthedRequest) -> HttpResponse:
    may_manage = access.can_manage(request.user)
    form = StudioForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                studio = chain_actions.register_studio(by=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                _errors(request, form, exc)
            else:
                messages.success(request, _("The studio is registered."))
                return redirect("plan:studio_detail", pk=studio.pk)
    studios = (MasterStudio.objects.visible_to(request.user).filter(archived_at__isnull=True)
               .select_related("host", "chain", "county", "occupation")
               .annotate(masters=Count("members", filter=Q(members__role="master", members__archived_at__isnull=True,
                                                           members__left_on__isnull=True)),
                         apprentices=Count("members", filter=Q(members__role="apprentice", members__archived_at__isnull=True,
                                                               members__left_on__isnull=True))))
    return TemplateResponse(request, "plan/chains/studios.html", {
        "studios": studios, "form": form, "may_manage": may_manage}, status=400 if form.errors else 200)


@require_roles(*CHAIN_READERS)
def studio_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    studio = get_for_user(MasterStudio.objects.select_related("host", "chain", "county", "occupation"), request.user, pk)
    may_edit = access.can_edit_members(request.user, studio)
    form = StudioMemberForm(request.POST or None, studio=studio)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            person = Person.objects.with_id_number(data["id_number"]).filter(archived_at__isnull=True).first()
            if person is None:
                form.add_error("id_number", _("No registered person has this ID number; register the person first."))
            else:
                try:
                    chain_actions.add_studio_member(studio, by=request.user, person=person, role=data["role"],
                                                    joined_on=data["joined_on"], master=data["master"])
                except (ValidationError, PermissionDenied) as exc:
                    _errors(request, form, exc)
                else:
                    messages.success(request, _("%(name)s is added to the studio's roll.") % {"name": person.name})
                    return redirect("plan:studio_detail", pk=studio.pk)
    members = StudioMember.objects.filter(studio=studio, archived_at__isnull=True).select_related("person", "master__person")
    return TemplateResponse(request, "plan/chains/studio_detail.html", {
        "studio": studio, "members": members, "form": form, "may_edit": may_edit}, status=400 if form.errors else 200)


@require_roles(*CHAIN_READERS)
def programme_list(request: AuthedRequest) -> HttpResponse:
    programmes = Programme.objects.select_related("action", "department").annotate(project_count=Count("projects"))
    return TemplateResponse(request, "plan/programmes/list.html", {"programmes": programmes})


@require_roles(*SELF_TRAINING_ROLES)
def self_training_list(request: AuthedRequest) -> HttpResponse:
    is_trainee = request.user.role == Role.TRAINEE
    form = SelfTrainingForm(request.POST or None, request.FILES or None) if is_trainee else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            evidence = data.pop("evidence")
            try:
                record = programme_actions.submit_self_training(by=request.user, data=data, evidence=evidence)
            except (ValidationError, PermissionDenied) as exc:
                _errors(request, form, exc)
            else:
                messages.success(request, _("Your self-arranged training is recorded and waits for review."))
                return redirect("plan:self_training_detail", pk=record.pk)
    records = SelfArrangedTraining.objects.visible_to(request.user).select_related("person", "county", "programme")
    status = request.GET.get("status", "" if is_trainee else SelfTrainingStatus.SUBMITTED)
    if status in SelfTrainingStatus.values:
        records = records.filter(status=status)
    return TemplateResponse(request, "plan/programmes/self_training_list.html", {
        "records": records[:200], "form": form, "status": status, "statuses": SelfTrainingStatus.choices,
        "is_trainee": is_trainee}, status=400 if form is not None and form.errors else 200)


@require_roles(*SELF_TRAINING_ROLES)
def self_training_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_for_user(SelfArrangedTraining.objects.select_related("person", "county", "programme", "occupation",
                                                                     "city_rule", "reviewed_by"), request.user, pk)
    may_review = access.can_review(request.user, record) and record.status == SelfTrainingStatus.SUBMITTED
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied
        if form.is_valid():
            try:
                programme_actions.review_self_training(record, by=request.user,
                                                       approve=form.cleaned_data["decision"] == "approve",
                                                       reason=form.cleaned_data["reason"])
            except (ValidationError, PermissionDenied) as exc:
                _errors(request, form, exc)
            else:
                messages.success(request, _("The review is recorded."))
                return redirect("plan:self_training_detail", pk=record.pk)
    return TemplateResponse(request, "plan/programmes/self_training_detail.html", {
        "record": record, "form": form, "may_review": may_review, "reasons": reason_texts(record.claim_reasons),
    }, status=400 if form.errors else 200)


@require_roles(*SELF_TRAINING_ROLES)
def self_training_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    record = get_for_user(SelfArrangedTraining.objects.all(), request.user, pk)
    if not record.evidence:
        raise Http404
    audit.record("plan.self_training.evidence_download", actor=request.user, obj=record)
    return FileResponse(record.evidence.open("rb"), as_attachment=True, filename=record.evidence_name or "evidence")
