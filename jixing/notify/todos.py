"""To-dos: what waits for this user's action, since when, and whether it is overdue.

A to-do is not a stored row: it is the object itself in a state that waits for someone
(a claim submitted waits for the county; a case awaiting explanation waits for the
institution). So a to-do disappears the moment the action is taken, and nothing can get out
of step. Each kind reads through the model's ``visible_to`` and the same maker ≠ checker
rule as the action. Deadlines per kind: ``settings.JIXING_TODO_DEADLINE_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.actor import Actor
from jixing.evaluation.models import EvaluationFiling, FilingStatus
from jixing.funds.models import Claim, ClaimStatus, SubsidyItem
from jixing.supervision.models import Case, CaseStatus
from jixing.training.models import ProjectStatus, TrainingProject


def _level(user: Actor) -> str:
    region = getattr(user, "region", None) if user.region_id else None
    return str(region.level) if region is not None else ""


@dataclass(frozen=True)
class TodoKind:
    code: str
    label: str | Promise
    roles: frozenset[str]
    levels: frozenset[str]  # officers' region levels ("" = any / not an officer)
    waiting: Callable[[], models.QuerySet[Any]]  # every object in the waiting state
    for_user: Callable[[Any, models.QuerySet[Any]], models.QuerySet[Any]]  # narrowed to what this user acts on
    since: str  # datetime field the wait is counted from
    county: str  # path to the county code, for the dispatch report
    url_name: str
    due_field: str = ""  # a date field that sets its own deadline (an explanation's due date)

    def applies_to(self, user: Actor) -> bool:
        return user.role in self.roles and (not self.levels or _level(user) in self.levels)

    @property
    def deadline_days(self) -> int:
        return int(settings.JIXING_TODO_DEADLINE_DAYS.get(self.code, 5))


def _visible(model: type[models.Model]) -> Callable[[Any, models.QuerySet[Any]], models.QuerySet[Any]]:
    def narrow(user: Actor, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
        return qs.filter(pk__in=model._default_manager.all().visible_to(user).values("pk"))  # type: ignore[attr-defined]
    return narrow


def _claims_not_mine(user: Actor, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Maker ≠ checker: not the claims this officer made, submitted or already reviewed; and, as
    in the review queue, the trade union reviews the 求学圆梦 (education) claims, HRSS the rest."""
    mine = (Q(created_by=user) | Q(submitted_by=user) | Q(county_reviewed_by=user) | Q(city_approved_by=user))
    education = Q(subsidy_item=SubsidyItem.EDUCATION)
    qs = qs.filter(education) if user.role == Role.UNION_OFFICER else qs.exclude(education)
    return _visible(Claim)(user, qs).exclude(mine)


def _projects_not_mine(user: Actor, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return _visible(TrainingProject)(user, qs).exclude(Q(created_by=user) | Q(submitted_by=user))


def _filings_not_mine(user: Actor, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return _visible(EvaluationFiling)(user, qs).exclude(submitted_by=user)


def _cases_to_review(user: Actor, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return _visible(Case)(user, qs).filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))


HRSS = frozenset({Role.HRSS_OFFICER})
# The trade union reviews the claims of its action (求学圆梦) at county and city level; each
# reviewer's visible_to keeps it to those claims.
REVIEWERS = frozenset({Role.HRSS_OFFICER, Role.UNION_OFFICER})

KINDS: tuple[TodoKind, ...] = (
    TodoKind("claim_county", _("Claims awaiting county review"), REVIEWERS, frozenset({"county"}),
             lambda: Claim.objects.active().filter(status=ClaimStatus.SUBMITTED), _claims_not_mine,
             "submitted_at", "county_id", "funds:claim_detail"),
    TodoKind("claim_city", _("Claims awaiting city approval"), REVIEWERS, frozenset({"city"}),
             lambda: Claim.objects.active().filter(status=ClaimStatus.COUNTY_REVIEWED), _claims_not_mine,
             "county_reviewed_at", "county_id", "funds:claim_detail"),
    TodoKind("claim_province", _("Claims awaiting province approval"), HRSS, frozenset({"province"}),
             lambda: Claim.objects.active().filter(status=ClaimStatus.CITY_APPROVED), _claims_not_mine,
             "city_approved_at", "county_id", "funds:claim_detail"),
    TodoKind("claim_payable", _("Claims payable: put them in a payment batch"), frozenset({Role.FINANCE_OFFICER}),
             frozenset({"county", "city"}), lambda: Claim.objects.active().filter(status=ClaimStatus.PAYABLE),
             _visible(Claim), "updated_at", "county_id", "funds:claim_detail"),
    TodoKind("claim_returned", _("Returned claims to correct and resubmit"), frozenset({Role.INSTITUTION, Role.TRAINEE}),
             frozenset(), lambda: Claim.objects.active().filter(status=ClaimStatus.RETURNED), _visible(Claim),
             "updated_at", "county_id", "funds:claim_detail"),
    TodoKind("project_review", _("Training projects awaiting review"), HRSS, frozenset({"county", "city"}),
             lambda: TrainingProject.objects.filter(status=ProjectStatus.SUBMITTED), _projects_not_mine,
             "updated_at", "county_id", "training:project_detail"),
    TodoKind("filing_accept", _("Evaluation filings to accept"), HRSS, frozenset({"city", "province"}),
             lambda: EvaluationFiling.objects.filter(status=FilingStatus.SUBMITTED), _filings_not_mine,
             "created_at", "organisation__county_id", "evaluation:filing_detail"),
    TodoKind("case_explain", _("Supervision cases to explain"), frozenset({Role.INSTITUTION}), frozenset(),
             lambda: Case.objects.filter(status=CaseStatus.AWAITING_EXPLANATION), _visible(Case),
             "updated_at", "county_id", "supervision:case", due_field="explanation_due"),
    TodoKind("case_review", _("Explanations to assess"), HRSS, frozenset(),
             lambda: Case.objects.filter(status=CaseStatus.EXPLAINED), _cases_to_review,
             "updated_at", "county_id", "supervision:case"),
)
BY_CODE = {k.code: k for k in KINDS}


@dataclass(frozen=True)
class Todo:
    kind: str
    kind_label: str | Promise
    title: str
    url: str
    since: dt.datetime
    age_days: int
    deadline: dt.date
    overdue: bool


@dataclass(frozen=True)
class TodoGroup:
    kind: str
    label: str | Promise
    count: int
    overdue: int
    items: list[Todo]


def _deadline(kind: TodoKind, obj: Any, since: dt.datetime) -> dt.date:
    if kind.due_field and getattr(obj, kind.due_field, None):
        due: dt.date = getattr(obj, kind.due_field)
        return due
    return timezone.localdate(since) + dt.timedelta(days=kind.deadline_days)


def todos_for(user: Actor, *, limit: int = 20, now: dt.datetime | None = None) -> list[TodoGroup]:
    """The user's to-dos grouped by kind, oldest first, each kind's total and overdue count."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    groups: list[TodoGroup] = []
    for kind in KINDS:
        if not kind.applies_to(user):
            continue
        qs = kind.for_user(user, kind.waiting()).order_by(kind.since, "pk")
        total = qs.count()
        if not total:
            continue
        overdue_q = Q(**{f"{kind.since}__lt": now - dt.timedelta(days=kind.deadline_days)})
        if kind.due_field:
            overdue_q = Q(**{f"{kind.due_field}__lt": today}) | (Q(**{f"{kind.due_field}__isnull": True}) & overdue_q)
        items = []
        for obj in qs[:limit]:
            since = getattr(obj, kind.since) or obj.updated_at
            deadline = _deadline(kind, obj, since)
            items.append(Todo(kind=kind.code, kind_label=kind.label, title=str(obj),
                              url=reverse(kind.url_name, args=[obj.pk]), since=since,
                              age_days=max(0, (now - since).days), deadline=deadline, overdue=deadline < today))
        groups.append(TodoGroup(kind=kind.code, label=kind.label, count=total,
                                overdue=qs.filter(overdue_q).count(), items=items))
    return groups


def overdue_by_county(day: dt.date) -> dict[str, int]:
    """Registered with core.overdue for the dispatch report: to-dos past their deadline on
    ``day``, counted by the county of the object."""
    end_of_day = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    counts: Counter[str] = Counter()
    for kind in KINDS:
        limit = end_of_day - dt.timedelta(days=kind.deadline_days)
        q = Q(**{f"{kind.since}__lt": limit})
        if kind.due_field:
            q = Q(**{f"{kind.due_field}__lt": day}) | (Q(**{f"{kind.due_field}__isnull": True}) & q)
        for row in kind.waiting().filter(q).order_by().values(kind.county).annotate(n=models.Count("pk")):
            if row[kind.county]:
                counts[row[kind.county]] += row["n"]
    return dict(counts)
