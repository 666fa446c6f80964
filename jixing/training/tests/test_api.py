"""The training API: an institution's system pushes a project, classes, sessions, a roster and
attendance with its API token; officers decide; scope, roles and mass assignment hold."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from jixing.accounts.models import ApiToken
from jixing.core.models import AuditEvent
from jixing.plan.models import Action
from jixing.registry.idgen import make_id_number
from jixing.training import rules
from jixing.training.models import Attendance, Enrollment, ProjectStatus, TrainingProject

from .factories import make_class, make_enrollment, make_project, make_sessions, make_teacher, occupation

pytestmark = pytest.mark.django_db
API = "/api/v1/training"
START = dt.date(2026, 3, 2)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def token(personas):
    _token, raw = ApiToken.issue(user=personas.ivan, name="教务系统")
    return raw


def call(client: Client, method: str, url: str, body: dict | None = None, *, token: str | None = None):
    headers = {"HTTP_X_API_TOKEN": token} if token else {}
    if method == "get":
        return client.get(API + url, **headers)
    return getattr(client, method)(API + url, json.dumps(body or {}), content_type="application/json", **headers)


def project_body(**overrides) -> dict:
    body = {
        "name": "养老护理员（四级）培训", "action": 4, "target": "elderly_care", "project_type": "employment_skill",
        "occupation_id": occupation().pk, "level": 3, "county": "370102", "planned_person_times": 50, "hours": 60,
        "fund_source": "employment_subsidy", "required_groups": [],
    }
    body.update(overrides)
    return body


def test_it_runs_the_chain_through_the_api(client, personas, token):
    created = call(client, "post", "/projects", project_body(status="approved", organiser_id=999), token=token)
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["status"] == "draft" and project["organiser_id"] == personas.institution.pk  # no mass assignment
    assert project["required_attendance_rate"] == "0.800"
    assert call(client, "post", f"/projects/{project['id']}/submit", token=token).status_code == 200

    client.force_login(personas.dave)
    approved = call(client, "post", f"/projects/{project['id']}/approve", {"reason": "同意"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    client.logout()

    teacher = call(client, "post", "/teachers", {"name": "钱老师", "id_number": make_id_number("370102", dt.date(1980, 1, 1), 501)},
                   token=token).json()
    klass = call(client, "post", f"/projects/{project['id']}/classes", {
        "name": "第1期", "site_address": "历下区经十路1号", "county": "370102", "latitude": "36.651200",
        "longitude": "117.120000", "capacity": 30, "start_date": "2026-03-02", "end_date": "2026-03-06",
        "teacher_ids": [teacher["id"]],
    }, token=token)
    assert klass.status_code == 201, klass.content
    klass = klass.json()
    assert klass["code"].startswith("BJ-370102-2026-")
    session = call(client, "post", f"/classes/{klass['id']}/sessions", {
        "starts_at": "2026-03-02T08:00:00", "ends_at": "2026-03-02T12:00:00", "hours": "4.0",
        "teacher_id": teacher["id"], "topic": "老年人生活照护",
    }, token=token)
    assert session.status_code == 201, session.content

    young = make_id_number("370102", dt.date(1992, 1, 1), 102)
    # 开班备案: no enrollment before the county accepts the filing; the filing is made before the start
    refused = call(client, "post", f"/classes/{klass['id']}/enrollments", {"name": "王小丽", "id_number": young}, token=token)
    assert refused.status_code == 409 and "备案" in refused.json()["detail"]
    with time_machine.travel(dt.datetime(2026, 2, 20, 9, 0, tzinfo=SHANGHAI)):
        filed = call(client, "post", f"/classes/{klass['id']}/filing", {"roster_plan": "历下区失业人员30人"}, token=token)
    assert filed.status_code == 200, filed.content
    assert filed.json()["filing_status"] == "filed" and filed.json()["filing_days_ahead"] == 10
    assert not filed.json()["filing_short_notice"]
    client.force_login(personas.dave)
    queue = call(client, "get", "/class-filings").json()
    assert [c["id"] for c in queue["items"]] == [klass["id"]]
    accepted = call(client, "post", f"/classes/{klass['id']}/filing/accept")
    assert accepted.status_code == 200 and accepted.json()["filing_status"] == "accepted", accepted.content
    client.logout()

    enrolled = call(client, "post", f"/classes/{klass['id']}/enrollments",
                    {"name": "王小丽", "id_number": young, "subsidised": False}, token=token)
    assert enrolled.status_code == 201, enrolled.content
    body = enrolled.json()
    assert body["eligible"] and body["subsidised"]
    assert {r["code"] for r in body["eligibility"]} == set(rules.RULE_CODES)
    assert body["id_number_masked"].startswith("370102") and young not in enrolled.content.decode()

    old = call(client, "post", f"/classes/{klass['id']}/enrollments",
               {"name": "赵大海", "id_number": make_id_number("370102", dt.date(1955, 1, 1), 301)}, token=token).json()
    assert not old["subsidised"]
    assert [r["code"] for r in old["eligibility"] if not r["ok"]] == [rules.WORKING_AGE]

    checked = call(client, "post", "/attendance", {
        "class_code": klass["code"], "id_number": young, "check_in_at": "2026-03-02T07:56:00+08:00",
        "check_out_at": "2026-03-02T12:01:00+08:00", "method": "qr", "device_id": "QR-1",
    }, token=token)
    assert checked.status_code == 201, checked.content
    assert checked.json()["credited_hours"] == "4.0"
    assert Enrollment.objects.get(pk=body["id"]).attendance_rate == Decimal("1.000")


@pytest.fixture
def course(personas):
    k = make_class(make_project(personas), start=START, days=3)
    make_sessions(k, make_teacher(personas.institution))
    return k, [make_enrollment(k, personas.lixia_person), make_enrollment(k, personas.shizhong_person)]


def test_it_takes_bulk_attendance_and_rejects_bad_rows(client, personas, token, course):
    k, _enrollments = course
    rows = [
        {"class_code": k.code, "id_number": personas.lixia_person.id_number, "check_in": "2026-03-02 07:55",
         "check_out": "2026-03-02 12:00", "method": "人脸"},
        {"class_code": k.code, "id_number": personas.shizhong_person.id_number, "check_in": "2026-03-02 07:58",
         "check_out": "2026-03-02 07:00", "method": "face"},
        {"class_code": "BJ-NOPE", "id_number": personas.lixia_person.id_number, "check_in": "2026-03-02 07:55",
         "method": "face"},
    ]
    answer = call(client, "post", "/attendance/bulk", {"rows": rows}, token=token)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["created"] == 1
    assert [(r["row"], r["field"]) for r in body["rejected"]] == [(2, "签退时间"), (3, "班级编号")]
    assert Attendance.objects.count() == 1
    assert AuditEvent.objects.filter(event="training.attendance.import").count() == 1


def test_it_rejects_a_class_code_with_a_nul_character_as_unknown(client, personas, token, course):
    # PostgreSQL refuses NUL in a query: the lookup answered 500 (schemathesis, institution token).
    rows = [{"class_code": "BJ\x00X", "id_number": personas.lixia_person.id_number, "check_in": "2026-03-02 07:55",
             "method": "face"}]
    answer = call(client, "post", "/attendance/bulk", {"rows": rows}, token=token)
    assert answer.status_code == 200, answer.content
    assert [(r["row"], r["field"]) for r in answer.json()["rejected"]] == [(1, "班级编号")]
    assert Attendance.objects.count() == 0


def test_it_answers_404_out_of_scope_and_403_for_other_roles(client, personas, token, course):
    k, enrollments = course
    client.force_login(personas.carol)  # Qingdao
    assert client.get(f"{API}/classes/{k.pk}").status_code == 404
    assert client.get(f"{API}/projects/{k.project_id}").status_code == 404
    assert client.get(f"{API}/enrollments/{enrollments[0].pk}").status_code == 404
    assert client.get(f"{API}/projects").json()["count"] == 0
    client.force_login(personas.bob)
    assert client.get(f"{API}/classes/{k.pk}").status_code == 200
    client.force_login(personas.sam)
    assert client.get(f"{API}/projects").status_code == 403
    client.force_login(personas.trent)
    assert client.get(f"{API}/projects").status_code == 403
    mine = client.get(f"{API}/my/enrollments").json()
    assert [e["id"] for e in mine] == [enrollments[0].pk]
    assert client.get(f"{API}/enrollments/{enrollments[1].pk}").status_code == 404
    client.logout()
    assert client.get(f"{API}/projects").status_code == 401


def test_it_refuses_self_approval_with_403(client, personas):
    project = make_project(personas, status=ProjectStatus.SUBMITTED, created_by=personas.dave)
    client.force_login(personas.dave)
    answer = call(client, "post", f"/projects/{project.pk}/approve")
    assert answer.status_code == 403
    assert TrainingProject.objects.get(pk=project.pk).status == ProjectStatus.SUBMITTED


def test_it_answers_409_for_a_forbidden_transition_and_422_for_a_missing_reason(client, personas, token):
    project = make_project(personas, status=ProjectStatus.APPROVED)
    assert call(client, "post", f"/projects/{project.pk}/submit", token=token).status_code == 409
    submitted = make_project(personas, status=ProjectStatus.SUBMITTED)
    client.force_login(personas.dave)
    assert call(client, "post", f"/projects/{submitted.pk}/reject", {"reason": ""}).status_code == 422


def test_it_refuses_editing_an_approved_project(client, personas, token):
    project = make_project(personas, status=ProjectStatus.APPROVED)
    answer = call(client, "patch", f"/projects/{project.pk}", {"hours": 1}, token=token)
    assert answer.status_code == 422
    assert TrainingProject.objects.get(pk=project.pk).hours == 60


def test_it_edits_a_draft_and_ignores_unknown_fields(client, personas, token):
    project = make_project(personas, status=ProjectStatus.DRAFT)
    answer = call(client, "patch", f"/projects/{project.pk}", {"hours": 72, "status": "approved", "action": 3},
                  token=token)
    assert answer.status_code == 200, answer.content
    project.refresh_from_db()
    assert (project.hours, project.status, project.action) == (72, ProjectStatus.DRAFT, Action.objects.get(number=3))


def test_it_lets_an_officer_override_through_the_api(client, personas, course):
    _k, enrollments = course
    client.force_login(personas.dave)
    answer = call(client, "post", f"/enrollments/{enrollments[0].pk}/override", {"reason": "经核实符合条件"})
    assert answer.status_code == 200 and answer.json()["override_reason"] == "经核实符合条件"
    client.force_login(personas.ivan)
    assert call(client, "post", f"/enrollments/{enrollments[1].pk}/override", {"reason": "x"}).status_code == 403


def test_it_refuses_a_full_class_with_409(client, personas, token):
    k = make_class(make_project(personas), start=START, capacity=1)
    make_enrollment(k, personas.lixia_person)
    answer = call(client, "post", f"/classes/{k.pk}/enrollments",
                  {"name": personas.shizhong_person.name, "id_number": personas.shizhong_person.id_number}, token=token)
    assert answer.status_code == 409
    assert Enrollment.objects.filter(training_class=k).count() == 1
