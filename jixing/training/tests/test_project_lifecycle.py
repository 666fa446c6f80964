"""Project lifecycle through the actions: every transition, forbidden ones, maker ≠ checker,
reasons, locking after approval, blocked organisations, job-demand links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jixing.accounts.models import Role
from jixing.core.models import AuditEvent, StatusChange
from jixing.core.testing import make_organisation, make_user
from jixing.core.workflow import IllegalTransition
from jixing.employment.models import JobDemand
from jixing.registry.models import OrganisationKind, OrganisationStatus
from jixing.training import actions
from jixing.training.models import TYPES_NEEDING_DEMAND, ProjectStatus, ProjectType, TrainingProject

from .factories import make_project, occupation, project_data

pytestmark = pytest.mark.django_db

S = ProjectStatus
VERB_TARGET = {
    "submit": S.SUBMITTED, "approve": S.APPROVED, "return": S.RETURNED, "reject": S.REJECTED,
    "start": S.RUNNING, "finish": S.FINISHED, "close": S.CLOSED,
}
ORGANISER_VERBS = {"submit", "start", "finish"}


def actor(personas, verb):
    return personas.ivan if verb in ORGANISER_VERBS else personas.dave


def history(project):
    return list(StatusChange.objects.filter(object_id=str(project.pk), content_type__model="trainingproject")
                .values_list("from_status", "to_status", "by__username", "reason"))


def test_it_runs_a_project_from_draft_to_closed(personas):
    project = actions.create_project(by=personas.ivan, data=project_data())
    assert project.status == S.DRAFT and project.code.startswith("XM-370102-")
    actions.submit_project(project, by=personas.ivan)
    actions.return_project(project, by=personas.dave, reason="请补充师资信息")
    actions.update_project(project, by=personas.ivan, data={"hours": 72})
    actions.submit_project(project, by=personas.ivan)
    actions.approve_project(project, by=personas.dave)
    actions.start_project(project, by=personas.ivan)
    actions.finish_project(project, by=personas.ivan)
    actions.close_project(project, by=personas.dave, reason="结项")
    project.refresh_from_db()
    assert project.status == S.CLOSED
    assert project.approved_by == personas.dave and project.approved_at is not None
    assert history(project) == [
        (S.DRAFT, S.SUBMITTED, "ivan", ""),
        (S.SUBMITTED, S.RETURNED, "dave", "请补充师资信息"),
        (S.RETURNED, S.SUBMITTED, "ivan", ""),
        (S.SUBMITTED, S.APPROVED, "dave", ""),
        (S.APPROVED, S.RUNNING, "ivan", ""),
        (S.RUNNING, S.FINISHED, "ivan", ""),
        (S.FINISHED, S.CLOSED, "dave", "结项"),
    ]
    events = list(AuditEvent.objects.filter(object_id=str(project.pk), object_type="training.trainingproject")
                  .values_list("event", flat=True))
    assert events == [
        "training.project.create", "training.project.submit", "training.project.returned",
        "training.project.update", "training.project.submit", "training.project.approved",
        "training.project.start", "training.project.finish", "training.project.close",
    ]


def test_it_rejects_a_submitted_project_with_a_reason(personas):
    project = make_project(personas, status=S.SUBMITTED)
    actions.reject_project(project, by=personas.bob, reason="与已有项目重复")
    assert TrainingProject.objects.get(pk=project.pk).status == S.REJECTED
    assert history(project)[-1] == (S.SUBMITTED, S.REJECTED, "bob", "与已有项目重复")


ALL_PAIRS = [(f, v) for f in S.values for v in VERB_TARGET]


@pytest.mark.parametrize(("status", "verb"), ALL_PAIRS)
def test_it_allows_exactly_the_transitions_of_the_table(personas, status, verb):
    project = make_project(personas, status=status, created_by=personas.ivan)
    allowed = (status, VERB_TARGET[verb]) in TrainingProject.TRANSITIONS
    reason = "理由" if verb in actions.MOVES_NEEDING_REASON else ""
    if allowed:
        actions.move_project(project, verb, by=actor(personas, verb), reason=reason)
        assert TrainingProject.objects.get(pk=project.pk).status == VERB_TARGET[verb]
    else:
        with pytest.raises((IllegalTransition, ValidationError)):
            actions.move_project(project, verb, by=actor(personas, verb), reason=reason)
        assert TrainingProject.objects.get(pk=project.pk).status == status
        assert not StatusChange.objects.filter(object_id=str(project.pk), content_type__model="trainingproject").exists()


@pytest.mark.parametrize("verb", ["approve", "return", "reject"])
def test_it_refuses_self_approval(personas, verb):
    """An officer who made or submitted the application cannot decide on it (G1)."""
    project = make_project(personas, status=S.SUBMITTED, created_by=personas.dave)
    with pytest.raises(PermissionDenied):
        actions.move_project(project, verb, by=personas.dave, reason="x")
    project.submitted_by = personas.bob
    project.created_by = personas.ivan
    project.save()
    with pytest.raises(PermissionDenied):
        actions.move_project(project, verb, by=personas.bob, reason="x")
    assert TrainingProject.objects.get(pk=project.pk).status == S.SUBMITTED


@pytest.mark.parametrize("who", ["carol", "erin", "frank", "grace", "ivan", "audrey", "trent"])
def test_it_lets_only_an_officer_in_scope_approve(personas, who):
    project = make_project(personas, status=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        actions.approve_project(project, by=getattr(personas, who))
    assert TrainingProject.objects.get(pk=project.pk).status == S.SUBMITTED


@pytest.mark.parametrize("verb", ["return", "reject"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_it_requires_a_reason_to_return_or_reject(personas, verb, reason):
    project = make_project(personas, status=S.SUBMITTED)
    with pytest.raises(ValidationError):
        actions.move_project(project, verb, by=personas.dave, reason=reason)
    assert TrainingProject.objects.get(pk=project.pk).status == S.SUBMITTED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.RUNNING, S.FINISHED, S.CLOSED, S.REJECTED])
def test_it_locks_the_data_once_submitted(personas, status):
    project = make_project(personas, status=status)
    with pytest.raises(ValidationError) as err:
        actions.update_project(project, by=personas.ivan, data={"hours": 999})
    assert err.value.code == "locked"
    assert TrainingProject.objects.get(pk=project.pk).hours == 60


def test_it_lets_only_the_organiser_edit_or_submit(personas):
    other = make_organisation("另一培训学校", "370102", seed=9)
    stranger = make_user("olga", Role.INSTITUTION, organisation=other)
    project = make_project(personas, status=S.DRAFT)
    with pytest.raises(PermissionDenied):
        actions.update_project(project, by=stranger, data={"hours": 1})
    with pytest.raises(PermissionDenied):
        actions.submit_project(project, by=stranger)
    with pytest.raises(PermissionDenied):
        actions.submit_project(project, by=personas.dave)


@pytest.mark.parametrize("status", [OrganisationStatus.SUSPENDED, OrganisationStatus.BLACKLISTED])
def test_it_refuses_projects_from_a_blocked_organisation(personas, status):
    project = make_project(personas, status=S.DRAFT)
    org = personas.institution
    org.status, org.status_until, org.status_reason = status, dt.date(2099, 1, 1), "虚假培训"
    org.save()
    with pytest.raises(ValidationError) as err:
        actions.submit_project(project, by=personas.ivan)
    assert err.value.code == "organisation_blocked"
    with pytest.raises(ValidationError):
        actions.create_project(by=personas.ivan, data=project_data())
    assert TrainingProject.objects.get(pk=project.pk).status == S.DRAFT


def test_it_lets_an_organisation_submit_again_once_its_suspension_ends(personas):
    project = make_project(personas, status=S.DRAFT)
    org = personas.institution
    org.status, org.status_until = OrganisationStatus.SUSPENDED, dt.date(2020, 1, 1)
    org.save()
    actions.submit_project(project, by=personas.ivan)
    assert project.status == S.SUBMITTED


def _enterprise_with_demand(personas, name="济南重汽配套有限公司", seed=3):
    enterprise = make_organisation(name, "370102", OrganisationKind.ENTERPRISE, seed=seed)
    demand = JobDemand.objects.create(
        employer=enterprise, title="焊工", occupation=occupation(), posts=20, wage_min=Decimal("5000"),
        wage_max=Decimal("8000"), county_id="370102", deadline=dt.date(2026, 12, 31), created_by=personas.ivan,
    )
    return enterprise, demand


@pytest.mark.parametrize("project_type", sorted(TYPES_NEEDING_DEMAND))
def test_it_requires_a_job_demand_for_order_type_projects(personas, project_type):
    enterprise, demand = _enterprise_with_demand(personas)
    project = actions.create_project(by=personas.ivan, data=project_data(project_type=project_type, partner=enterprise))
    with pytest.raises(ValidationError) as err:
        actions.submit_project(project, by=personas.ivan)
    assert "job_demand" in err.value.message_dict
    actions.update_project(project, by=personas.ivan, data={"job_demand": demand})
    actions.submit_project(project, by=personas.ivan)
    assert project.status == S.SUBMITTED


def test_it_requires_the_demand_to_be_the_partners(personas):
    enterprise, _demand = _enterprise_with_demand(personas)
    _other, foreign_demand = _enterprise_with_demand(personas, "青岛某公司", seed=4)
    with pytest.raises(ValidationError) as err:
        actions.create_project(by=personas.ivan, data=project_data(
            project_type=ProjectType.ORDER, partner=enterprise, job_demand=foreign_demand))
    assert "job_demand" in err.value.message_dict


def test_it_takes_the_partner_from_the_demand(personas):
    enterprise, demand = _enterprise_with_demand(personas)
    project = actions.create_project(by=personas.ivan, data=project_data(project_type=ProjectType.ORDER, job_demand=demand))
    assert project.partner_id == enterprise.pk


def test_it_requires_a_partner_for_apprenticeships(personas):
    project = actions.create_project(by=personas.ivan, data=project_data(project_type=ProjectType.APPRENTICESHIP))
    with pytest.raises(ValidationError) as err:
        actions.submit_project(project, by=personas.ivan)
    assert "partner" in err.value.message_dict


def test_it_requires_an_occupation_and_level_or_a_special_ability(personas):
    project = actions.create_project(by=personas.ivan, data=project_data(occupation=None, level=None))
    with pytest.raises(ValidationError):
        actions.submit_project(project, by=personas.ivan)
    actions.update_project(project, by=personas.ivan, data={"special_ability": "直播电商运营专项能力"})
    actions.submit_project(project, by=personas.ivan)
    assert project.status == S.SUBMITTED


def test_it_defaults_the_required_attendance_rate_to_80_percent(personas):
    data = project_data()
    data.pop("required_attendance_rate")
    project = actions.create_project(by=personas.ivan, data=data)
    assert project.required_attendance_rate == Decimal("0.800")


def test_it_refuses_finishing_while_a_class_is_open(personas):
    from .factories import make_class

    project = make_project(personas, status=S.RUNNING)
    make_class(project)
    with pytest.raises(ValidationError):
        actions.finish_project(project, by=personas.ivan)
