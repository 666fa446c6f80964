"""Project quality review: indicators against dated thresholds put a project in the queue; the
officer adjusts (never below enrolled trainees), suspends (no new classes or enrollments),
reinstates or terminates it, each audited, recorded with the indicators and told to the
institution; pages and API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jixing.core.models import AuditEvent, StatusChange
from jixing.core.workflow import IllegalTransition
from jixing.notify.models import Notification
from jixing.stats import quality
from jixing.stats.models import QualityThreshold
from jixing.training import actions, quality_actions
from jixing.training.models import ProjectStatus, TrainingProject
from jixing.training.quality import DecisionKind, QualityState
from jixing.training.tests.factories import make_class, make_enrollment, make_project, make_trainee

pytestmark = pytest.mark.django_db


@pytest.fixture
def weak(personas):
    """A running project of 12 trainees attending 50% (threshold 80%, from 10 trainees)."""
    project = make_project(personas, status=ProjectStatus.RUNNING, planned_person_times=40)
    klass = make_class(project, start=timezone.localdate() - dt.timedelta(days=3), days=20, capacity=40)
    for i in range(12):
        enrollment = make_enrollment(klass, make_trainee(f"学员{i}", seq=600 + i))
        enrollment.attendance_rate = Decimal("0.500")
        enrollment.save(update_fields=["attendance_rate"])
    return project


@pytest.fixture
def good(personas):
    project = make_project(personas, status=ProjectStatus.RUNNING)
    klass = make_class(project, start=timezone.localdate() - dt.timedelta(days=3), days=20, capacity=40)
    for i in range(12):
        enrollment = make_enrollment(klass, make_trainee(f"优学员{i}", seq=700 + i))
        enrollment.attendance_rate = Decimal("0.950")
        enrollment.save(update_fields=["attendance_rate"])
    return project


def test_a_project_under_threshold_is_in_the_queue(personas, weak, good):
    rows = quality.review_queue(personas.dave, today=timezone.localdate())
    assert [r.project.pk for r in rows] == [weak.pk]
    assert rows[0].indicators.breaches == ["attendance_rate"]
    assert rows[0].indicators.attendance_rate == Decimal("0.500")
    # out of scope: a Qingdao officer sees neither
    assert quality.review_queue(personas.carol, today=timezone.localdate()) == []


def test_thresholds_are_dated(personas, weak):
    today = timezone.localdate()
    QualityThreshold.objects.create(
        effective_from=today + dt.timedelta(days=1), min_attendance_rate=Decimal("0.400"),
        min_completion_rate=Decimal("0"), min_pass_rate_vs_peers=Decimal("0"), min_employment_rate=Decimal("0"),
        max_open_findings=10)
    assert quality.review_queue(personas.dave, today=today)
    assert quality.review_queue(personas.dave, today=today + dt.timedelta(days=1)) == []


def test_suspend_stops_new_classes_and_enrollments(personas, weak, django_capture_on_commit_callbacks):
    ind = quality.project_indicators(weak, today=timezone.localdate()).snapshot()
    with pytest.raises(ValidationError):
        quality_actions.suspend(weak, by=personas.dave, reason="")
    with pytest.raises(PermissionDenied):
        quality_actions.suspend(weak, by=personas.carol, reason="出勤率低")
    with django_capture_on_commit_callbacks(execute=True):
        decision = quality_actions.suspend(weak, by=personas.dave, reason="出勤率50%，低于80%", indicators=ind)
    weak.refresh_from_db()
    assert weak.quality_state == QualityState.SUSPENDED and not weak.accepts_classes
    assert weak.status == ProjectStatus.RUNNING  # classes running continue; claims for completions continue
    assert decision.kind == DecisionKind.SUSPEND and decision.indicators["attendance_rate"] == "0.500"
    assert StatusChange.objects.filter(object_id=str(weak.pk), to_status="suspended").exists()
    assert AuditEvent.objects.filter(event="training.project.quality_suspend", object_id=str(weak.pk)).exists()
    assert Notification.objects.filter(user=personas.ivan, event="training.project.quality_suspend").exists()
    with pytest.raises(ValidationError) as exc:
        actions.create_class(weak, by=personas.ivan, data={})
    assert exc.value.code == "suspended"
    klass = weak.classes.get()
    with pytest.raises(ValidationError):
        actions.enroll(klass, make_trainee("新学员", seq=650), by=personas.ivan)
    # still in the queue (suspended) so it can be reinstated or terminated
    assert [r.project.pk for r in quality.review_queue(personas.dave, today=timezone.localdate())] == [weak.pk]
    quality_actions.reinstate(weak, by=personas.dave, reason="已整改")
    weak.refresh_from_db()
    assert weak.accepts_classes


def test_terminate_is_final(personas, weak):
    quality_actions.terminate(weak, by=personas.dave, reason="多次整改不到位")
    weak.refresh_from_db()
    assert weak.quality_state == QualityState.TERMINATED
    with pytest.raises(IllegalTransition):
        quality_actions.reinstate(weak, by=personas.dave, reason="再议")
    assert quality.review_queue(personas.dave, today=timezone.localdate()) == []


def test_adjust_never_below_enrolled(personas, weak):
    with pytest.raises(ValidationError) as exc:
        quality_actions.adjust(weak, by=personas.dave, reason="缩减规模", changes={"planned_person_times": 11})
    assert "12" in str(exc.value)
    quality_actions.adjust(weak, by=personas.dave, reason="缩减规模", changes={"planned_person_times": 12, "hours": 80})
    weak.refresh_from_db()
    assert (weak.planned_person_times, weak.hours) == (12, 80)
    assert weak.quality_decisions.get().changes["before"]["planned_person_times"] == 40


def test_maker_cannot_decide(personas, weak):
    TrainingProject.objects.filter(pk=weak.pk).update(created_by=personas.dave)
    weak.refresh_from_db()
    with pytest.raises(PermissionDenied):
        quality_actions.suspend(weak, by=personas.dave, reason="出勤率低")


def test_pages_and_api(client, personas, weak):
    client.force_login(personas.dave)
    page = client.get("/stats/quality/")
    assert page.status_code == 200 and weak.code in page.content.decode()
    assert client.get(f"/stats/quality/projects/{weak.pk}/").status_code == 200
    response = client.post(f"/stats/quality/projects/{weak.pk}/decide/", {"kind": "suspend", "reason": "出勤率低"})
    assert response.status_code == 302
    weak.refresh_from_db()
    assert weak.quality_state == QualityState.SUSPENDED
    api = client.get("/api/v1/stats/quality/queue")
    assert api.status_code == 200 and api.json()[0]["quality_state"] == "suspended"
    bad = client.post(f"/api/v1/stats/quality/projects/{weak.pk}/decisions",
                      data=json.dumps({"kind": "adjust", "reason": "x", "planned_person_times": 5}),
                      content_type="application/json")
    assert bad.status_code == 422
    ok = client.post(f"/api/v1/stats/quality/projects/{weak.pk}/decisions",
                     data=json.dumps({"kind": "reinstate", "reason": "已整改"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["quality_state"] == "normal"
    # the institution sees the decisions on its project page
    client.force_login(personas.ivan)
    detail = client.get(f"/training/projects/{weak.pk}/").content.decode()
    assert "出勤率低" in detail and "已整改" in detail
    assert client.get("/stats/quality/").status_code == 403


def test_a_suspension_costs_the_institution_scorecard_points(personas, weak):
    from jixing.stats.rules import institution_scorecard
    from jixing.stats.scorecards import institution_facts

    year = timezone.localdate().year
    before = institution_scorecard(institution_facts([personas.institution.pk], year=year, today=timezone.localdate())[
        personas.institution.pk])
    quality_actions.suspend(weak, by=personas.dave, reason="出勤率低")
    facts = institution_facts([personas.institution.pk], year=year, today=timezone.localdate())[personas.institution.pk]
    after = institution_scorecard(facts)
    assert facts.quality_actions == 1
    assert any("quality review" in r for r in after.reasons)
    assert after.score <= before.score
