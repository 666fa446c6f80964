"""揭榜领题 pages: the lists (榜单), a list with its topics and criteria, applying, an
application with its score sheets, award or rejection, and its milestones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role, User
from jixing.core.access import get_for_user
from jixing.core.pages import attempt, run_action, show_refusal
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.refusals import REFUSALS
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Occupation, Organisation, OrganisationKind, Region, RegionLevel

from . import access, topic_actions
from .roles import READERS
from .topics import ApplicationStatus, KeyMilestone, Topic, TopicApplication, TopicList, TopicListStatus


class TopicListForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=150)
    deadline = forms.DateField(label=gettext_lazy("application deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=gettext_lazy("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    criteria = forms.CharField(label=gettext_lazy("scoring sheet"), widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=gettext_lazy("One criterion a line: name, a vertical bar, the maximum score (方案质量|40)."))
    panel = forms.CharField(label=gettext_lazy("expert panel"), help_text=gettext_lazy("User names, separated by commas."))

    def clean_criteria(self) -> list[tuple[str, int]]:
        out = []
        for line_no, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, top = line.partition("|")
            try:
                out.append((name.strip(), int(top.strip())))
            except ValueError:
                raise ValidationError(_("Line %(line)d: write the name, a vertical bar and the maximum score.")
                                      % {"line": line_no}) from None
        return out

    def clean_panel(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["panel"].split(",") if n.strip()]
        users = list(User.objects.filter(username__in=names, is_active=True))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise ValidationError(_("Unknown user: %(names)s") % {"names": ", ".join(missing)})
        return users


class TopicForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=150)
    action = forms.ModelChoiceField(label=gettext_lazy("action"), queryset=Action.objects.order_by("number"))
    fund_source = forms.ModelChoiceField(label=gettext_lazy("fund source"), queryset=FundSource.objects.order_by("id"))
    occupation = forms.ModelChoiceField(label=gettext_lazy("occupation"), queryset=Occupation.objects.order_by("code"),
                                        required=False)
    industry_chain = forms.CharField(label=gettext_lazy("industry chain"), max_length=100, required=False)
    expected_person_times = forms.IntegerField(label=gettext_lazy("expected person-times"), min_value=1)
    outcome_requirements = forms.CharField(label=gettext_lazy("outcome requirements"), widget=forms.Textarea(attrs={"rows": 3}))
    budget_cap = forms.DecimalField(label=gettext_lazy("budget cap (yuan)"), min_value=Decimal("0.01"), decimal_places=2)


class ApplicationForm(forms.Form):
    plan = forms.CharField(label=gettext_lazy("training plan"), widget=forms.Textarea(attrs={"rows": 5}))
    partner = forms.ModelChoiceField(label=gettext_lazy("partner enterprise"), required=False,
                                     queryset=Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("name"))
    county = forms.ModelChoiceField(label=gettext_lazy("county"), queryset=Region.objects.filter(level=RegionLevel.COUNTY)
                                    .order_by("code"))
    planned_person_times = forms.IntegerField(label=gettext_lazy("planned person-times"), min_value=1)
    hours = forms.IntegerField(label=gettext_lazy("training hours"), min_value=1)
    requested_budget = forms.DecimalField(label=gettext_lazy("requested budget (yuan)"), min_value=Decimal("0.01"),
                                          decimal_places=2)


@require_roles(*READERS)
def topic_lists(request: AuthedRequest) -> HttpResponse:
    form = TopicListForm(request.POST or None)
    can_publish = access.is_province_officer(request.user)
    if request.method == "POST":
        if not can_publish:
            raise PermissionDenied
        if form.is_valid():
            try:
                topic_list = topic_actions.create_topic_list(
                    by=request.user, title=form.cleaned_data["title"], deadline=form.cleaned_data["deadline"],
                    description=form.cleaned_data["description"], criteria=form.cleaned_data["criteria"],
                    panel=form.cleaned_data["panel"])
            except REFUSALS as exc:  # a refused panel member (permission) is a message on the page
                show_refusal(request, exc)
            else:
                return redirect("training:topic_list", pk=topic_list.pk)
    lists = TopicList.objects.visible_to(request.user).prefetch_related("topics")
    return TemplateResponse(request, "training/topics/lists.html",
                            {"lists": lists, "form": form, "can_publish": can_publish})


@require_roles(*READERS)
def topic_list(request: AuthedRequest, pk: int) -> HttpResponse:
    board = get_for_user(TopicList.objects.all(), request.user, pk)
    is_province = access.is_province_officer(request.user)
    form = TopicForm(request.POST or None)
    if request.method == "POST":
        if not is_province:
            raise PermissionDenied
        if request.POST.get("publish"):
            return run_action(request, lambda: topic_actions.publish_topic_list(board, by=request.user),
                              success=_("The list is published."), then=redirect("training:topic_list", pk=board.pk))
        if request.POST.get("close"):
            return run_action(request, lambda: topic_actions.close_topic_list(
                board, by=request.user, reason=request.POST.get("reason", "")[:300]),
                success=_("The list is closed for applications."), then=redirect("training:topic_list", pk=board.pk))
        if form.is_valid() and attempt(request, lambda: topic_actions.add_topic(board, by=request.user, data=form.cleaned_data)):
            return redirect("training:topic_list", pk=board.pk)
    visible = TopicApplication.objects.visible_to(request.user)
    topics = [(t, visible.filter(topic=t).select_related("applicant", "partner"))
              for t in board.topics.select_related("occupation", "action", "fund_source")]
    return TemplateResponse(request, "training/topics/list_detail.html", {
        "board": board, "topics": topics, "criteria": board.criteria.all(), "form": form,
        "is_province": is_province, "is_open": board.status == TopicListStatus.PUBLISHED,
        "is_draft": board.status == TopicListStatus.DRAFT,
        "can_apply": request.user.role == Role.INSTITUTION and board.status == TopicListStatus.PUBLISHED,
    })


@require_roles(Role.INSTITUTION)
def topic_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    topic = Topic.objects.filter(topic_list__in=TopicList.objects.visible_to(request.user)).filter(pk=pk).first()
    if topic is None:
        raise Http404
    organisation = Organisation.objects.filter(pk=request.user.organisation_id or -1).first()
    form = ApplicationForm(request.POST or None, initial={"county": organisation.county_id if organisation else None,
                                                          "planned_person_times": topic.expected_person_times})
    if request.method == "POST" and form.is_valid():
        done = attempt(request, lambda: topic_actions.apply(topic, by=request.user, data=form.cleaned_data))
        if done:
            messages.success(request, _("Your application is submitted."))
            return redirect("training:topic_application", pk=done.result.pk)
    return TemplateResponse(request, "training/topics/apply.html", {"topic": topic, "form": form})


@require_roles(*READERS)
def topic_application(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_for_user(TopicApplication.objects.select_related("topic__topic_list", "applicant", "partner", "project"),
                               request.user, pk)
    board = application.topic.topic_list
    is_expert = board.panel.filter(pk=request.user.pk).exists()
    is_province = access.is_province_officer(request.user)
    reviews = application.reviews.select_related("expert").prefetch_related("scores__criterion")
    own_review = next((r for r in reviews if r.expert_id == request.user.pk), None)
    shown_reviews = list(reviews) if (is_province or application.status != ApplicationStatus.SUBMITTED) else (
        [own_review] if own_review else [])
    return TemplateResponse(request, "training/topics/application.html", {
        "application": application, "board": board, "criteria": board.criteria.all(),
        "reviews": shown_reviews, "average": topic_actions.average_score(application),
        "chain_bonus": topic_actions.chain_leader_bonus(application),
        "ranking_score": topic_actions.ranking_score(application),
        "can_score": is_expert and own_review is None and application.status == ApplicationStatus.SUBMITTED,
        "can_decide": is_province and application.status == ApplicationStatus.SUBMITTED,
        "is_province": is_province,
        "is_applicant": request.user.role == Role.INSTITUTION and request.user.organisation_id == application.applicant_id,
        "milestones": application.milestones.all(),
        "payable": topic_actions.decided_payable(application),
    })


@require_POST
@require_roles(Role.HRSS_OFFICER, Role.INSTITUTION, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.EVALUATOR)
def topic_score(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_for_user(TopicApplication.objects.all(), request.user, pk)
    conflict = bool(request.POST.get("conflict_of_interest"))
    scores = {c.pk: request.POST.get(f"score_{c.pk}", "") for c in application.topic.topic_list.criteria.all()}
    return run_action(request, lambda: topic_actions.score(
        application, by=request.user, scores=scores, conflict_of_interest=conflict,
        conflict_note=request.POST.get("conflict_note", ""), comment=request.POST.get("comment", "")),
        success=_("Your score sheet is submitted and locked."), then=redirect("training:topic_application", pk=application.pk))


def _milestones_from_post(request: AuthedRequest) -> list[dict[str, Any]]:
    out = []
    for i in range(1, 6):
        title = request.POST.get(f"m{i}_title", "").strip()
        if not title:
            continue
        try:
            due: Any = dt.date.fromisoformat(request.POST.get(f"m{i}_due", ""))
        except ValueError:
            due = None
        out.append({"title": title, "due_date": due, "amount": request.POST.get(f"m{i}_amount", "")})
    return out


@require_POST
@require_roles(Role.HRSS_OFFICER)
def topic_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_for_user(TopicApplication.objects.all(), request.user, pk)
    back = redirect("training:topic_application", pk=application.pk)
    if request.POST.get("decision") == "award":
        return run_action(request, lambda: topic_actions.award(
            application, by=request.user, awarded_budget=request.POST.get("awarded_budget", ""),
            milestones=_milestones_from_post(request), reason=request.POST.get("reason", "")),
            success=_("Awarded: the provincial key project is set up."), then=back)
    return run_action(request, lambda: topic_actions.reject(application, by=request.user, reason=request.POST.get("reason", "")),
                      success=_("The application is not awarded."), then=back)


@require_POST
@require_roles(Role.HRSS_OFFICER, Role.INSTITUTION)
def milestone_action(request: AuthedRequest, pk: int) -> HttpResponse:
    milestone = get_for_user(KeyMilestone.objects.select_related("application"), request.user, pk)
    verb = request.POST.get("verb", "")
    if verb == "report":
        def act() -> object:
            return topic_actions.report_milestone(milestone, by=request.user, report=request.POST.get("report", ""))
    elif verb in {"accept", "fail", "send_back"}:
        def act() -> object:
            return topic_actions.decide_milestone(milestone, by=request.user, accepted=verb == "accept",
                                                  payable_amount=request.POST.get("payable_amount", ""),
                                                  note=request.POST.get("note", ""), send_back=verb == "send_back")
    else:
        raise Http404
    run_action(request, act, success=_("Milestone %(number)s recorded.") % {"number": milestone.number})
    return redirect("training:topic_application", pk=milestone.application_id)
