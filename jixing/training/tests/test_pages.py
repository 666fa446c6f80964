"""Training pages through HTTP: each works for its roles, refuses other roles (403) and
answers 404 for objects outside the user's scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixing.accounts.models import Role
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation, make_user
from jixing.registry.idgen import make_id_number
from jixing.training.models import (
    Attendance,
    Enrollment,
    ProjectStatus,
    TrainingClass,
    TrainingProject,
)

from .factories import at, make_class, make_enrollment, make_project, make_sessions, make_teacher, project_data

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


@pytest.fixture
def scheduled_class(personas):
    project = make_project(personas)
    klass = make_class(project, start=START, days=3)
    teacher = make_teacher(personas.institution)
    sessions = make_sessions(klass, teacher)
    enrollment = make_enrollment(klass, personas.lixia_person)
    return {"project": project, "klass": klass, "sessions": sessions, "teacher": teacher, "enrollment": enrollment}


def get(client, user, name, *args, **kwargs):
    client.force_login(user)
    return client.get(reverse(f"training:{name}", args=args), **kwargs)


@pytest.mark.parametrize("who", ["alice", "bob", "dave", "frank", "grace", "ivan", "audrey"])
@pytest.mark.parametrize("page", ["project_list", "class_list"])
def test_it_shows_lists_to_readers(client, personas, scheduled_class, who, page):
    answer = get(client, getattr(personas, who), page)
    assert answer.status_code == 200


@pytest.mark.parametrize("who", ["trent", "judy", "sam", "sue"])
@pytest.mark.parametrize("page", ["project_list", "class_list", "approvals", "today", "teacher_list"])
def test_it_refuses_lists_to_other_roles(client, personas, scheduled_class, who, page):
    assert get(client, getattr(personas, who), page).status_code == 403


def test_it_lists_only_projects_in_scope(client, personas, scheduled_class):
    qingdao = make_project(personas, county="370202", name="青岛项目")
    assert scheduled_class["project"].code in get(client, personas.bob, "project_list").content.decode()
    assert qingdao.code not in get(client, personas.bob, "project_list").content.decode()
    assert scheduled_class["project"].code not in get(client, personas.carol, "project_list").content.decode()


@pytest.mark.parametrize("page", ["project_detail", "class_detail"])
def test_it_answers_404_outside_scope(client, personas, scheduled_class, page):
    obj = scheduled_class["project"] if page == "project_detail" else scheduled_class["klass"]
    assert get(client, personas.ivan, page, obj.pk).status_code == 200
    assert get(client, personas.dave, page, obj.pk).status_code == 200
    assert get(client, personas.carol, page, obj.pk).status_code == 404
    assert get(client, personas.erin, page, obj.pk).status_code == 404
    other = make_user("olga", Role.INSTITUTION, organisation=make_organisation("另一学校", "370102", seed=9))
    assert get(client, other, page, obj.pk).status_code == 404
    assert get(client, personas.dave, page, 999_999).status_code == 404


def test_it_shows_the_chain_on_the_project_page(client, personas, scheduled_class):
    page = get(client, personas.ivan, "project_detail", scheduled_class["project"].pk).content.decode()
    assert scheduled_class["klass"].code in page and "→" in page


def test_an_institution_creates_edits_and_submits_a_project(client, personas):
    client.force_login(personas.ivan)
    data = project_data()
    form = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    form.update(is_subsidised="on", requires_certificate="on", status="approved")
    answer = client.post(reverse("training:project_create"), form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    project = TrainingProject.objects.get()
    assert project.status == ProjectStatus.DRAFT and project.organiser == personas.institution
    form["hours"] = 80
    assert client.post(reverse("training:project_edit", args=[project.pk]), form).status_code == 302
    assert client.post(reverse("training:project_move", args=[project.pk, "submit"])).status_code == 302
    project.refresh_from_db()
    assert (project.hours, project.status) == (80, ProjectStatus.SUBMITTED)
    assert client.get(reverse("training:project_edit", args=[project.pk])).status_code == 200
    client.post(reverse("training:project_edit", args=[project.pk]), {**form, "hours": 99})
    assert TrainingProject.objects.get(pk=project.pk).hours == 80  # locked once submitted


def test_an_officer_decides_from_the_approval_queue(client, personas):
    project = make_project(personas, status=ProjectStatus.SUBMITTED)
    mine = make_project(personas, status=ProjectStatus.SUBMITTED, created_by=personas.dave, name="本人项目")
    queue = get(client, personas.dave, "approvals").content.decode()
    assert project.code in queue and mine.code not in queue
    answer = client.post(reverse("training:project_move", args=[project.pk, "return"]), {"reason": ""})
    assert answer.status_code == 302
    assert TrainingProject.objects.get(pk=project.pk).status == ProjectStatus.SUBMITTED  # reason required
    client.post(reverse("training:project_move", args=[project.pk, "approve"]), {"reason": ""})
    assert TrainingProject.objects.get(pk=project.pk).status == ProjectStatus.APPROVED
    assert client.post(reverse("training:project_move", args=[mine.pk, "approve"])).status_code == 403
    assert TrainingProject.objects.get(pk=mine.pk).status == ProjectStatus.SUBMITTED
    client.force_login(personas.carol)
    assert client.post(reverse("training:project_move", args=[mine.pk, "approve"])).status_code == 404


def test_an_institution_opens_a_class_and_schedules_sessions(client, personas, scheduled_class):
    client.force_login(personas.ivan)
    answer = client.post(reverse("training:class_create", args=[scheduled_class["project"].pk]), {
        "name": "第2期", "site_address": "历下区", "county": "370102", "latitude": "36.65", "longitude": "117.12",
        "capacity": 20, "start_date": "2026-04-01", "end_date": "2026-04-03", "teachers": [scheduled_class["teacher"].pk],
    })
    assert answer.status_code == 302
    klass = TrainingClass.objects.get(name="第2期")
    assert klass.code.startswith("BJ-370102-2026-")
    ok = client.post(reverse("training:session_add", args=[klass.pk]), {
        "day": "2026-04-01", "start": "08:00", "end": "12:00", "hours": "4", "teacher": scheduled_class["teacher"].pk, "topic": "安全"})
    assert ok.status_code == 302
    clash = client.post(reverse("training:session_add", args=[scheduled_class["klass"].pk]), {
        "day": "2026-04-01", "start": "09:00", "end": "10:00", "hours": "1", "teacher": scheduled_class["teacher"].pk, "topic": "冲突"})
    assert clash.status_code == 400 and klass.code in clash.content.decode()


def test_an_institution_enrolls_and_imports_a_roster(client, personas, scheduled_class):
    klass = scheduled_class["klass"]
    client.force_login(personas.ivan)
    answer = client.post(reverse("training:enroll", args=[klass.pk]), {
        "name": "赵大海", "id_number": make_id_number("370102", dt.date(1955, 1, 1), 301)})
    assert answer.status_code == 302
    old = Enrollment.objects.get(person__name="赵大海")
    assert not old.subsidised
    csv_bytes = ("姓名,公民身份号码,手机号码,人员类别\n王小丽," + make_id_number("370102", dt.date(1992, 1, 1), 102)
                 + ",,\n李四,370102199201010000,,\n").encode()
    page = client.post(reverse("training:roster_upload", args=[klass.pk]),
                       {"file": SimpleUploadedFile("roster.csv", csv_bytes, content_type="text/csv")})
    assert page.status_code == 200
    assert Enrollment.objects.filter(training_class=klass, person__name="王小丽").exists()
    content = page.content.decode()
    assert "李四" not in content and ">3<" in content  # the rejected row is named by its number
    roster = get(client, personas.ivan, "class_detail", klass.pk).content.decode()
    assert "赵大海" in roster


def test_it_refuses_enrolling_into_another_institutions_class(client, personas, scheduled_class):
    other = make_user("olga", Role.INSTITUTION, organisation=make_organisation("另一学校", "370102", seed=9))
    client.force_login(other)
    answer = client.post(reverse("training:enroll", args=[scheduled_class["klass"].pk]),
                         {"name": personas.shizhong_person.name, "id_number": personas.shizhong_person.id_number})
    assert answer.status_code == 404
    assert not Enrollment.objects.filter(person=personas.shizhong_person).exists()


def test_a_teacher_records_a_roll_call(client, personas, scheduled_class):
    session = scheduled_class["sessions"][1]
    client.force_login(personas.ivan)
    answer = client.post(reverse("training:roll_call", args=[session.pk]), {
        "enrollment": scheduled_class["enrollment"].pk, "check_in": "08:00", "check_out": "11:00"})
    assert answer.status_code == 302
    assert Attendance.objects.get().credited_hours == Decimal("3.0")
    bad = client.post(reverse("training:roll_call", args=[session.pk]), {
        "enrollment": scheduled_class["enrollment"].pk, "check_in": "08:00", "check_out": "11:00"})
    assert bad.status_code == 400


def test_officers_see_todays_classes_with_live_counts(client, personas, scheduled_class):
    with time_machine.travel(at(START, 9), tick=False):
        Attendance.objects.create(enrollment=scheduled_class["enrollment"], session=scheduled_class["sessions"][0],
                                  person=personas.lixia_person, training_class=scheduled_class["klass"], check_in_at=at(START, 7, 58),
                                  method="face")
        page = get(client, personas.dave, "today")
        assert page.status_code == 200 and scheduled_class["klass"].code in page.content.decode()
        partial = get(client, personas.dave, "today", HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in partial and "100%" in partial
        assert scheduled_class["klass"].code not in get(client, personas.carol, "today").content.decode()


def test_a_trainee_sees_own_classes_and_enrollments_only(client, personas, scheduled_class):
    assert scheduled_class["klass"].name in get(client, personas.trent, "my_classes").content.decode()
    assert get(client, personas.trent, "enrollment_detail", scheduled_class["enrollment"].pk).status_code == 200
    other = make_enrollment(scheduled_class["klass"], personas.shizhong_person)
    assert get(client, personas.trent, "enrollment_detail", other.pk).status_code == 404
    assert get(client, personas.ivan, "my_classes").status_code == 403


def test_an_officer_overrides_from_the_enrollment_page(client, personas, scheduled_class):
    enrollment = scheduled_class["enrollment"]
    Enrollment.objects.filter(pk=enrollment.pk).update(subsidised=False, eligible=False)
    page = get(client, personas.dave, "enrollment_detail", enrollment.pk).content.decode()
    assert reverse("training:enrollment_override", args=[enrollment.pk]) in page
    client.post(reverse("training:enrollment_override", args=[enrollment.pk]), {"reason": "经核实符合条件"})
    enrollment.refresh_from_db()
    assert enrollment.subsidised and enrollment.override_by == personas.dave
    assert AuditEvent.objects.filter(event="training.enrollment.override").count() == 1
    client.force_login(personas.ivan)
    assert client.post(reverse("training:enrollment_override", args=[enrollment.pk]), {"reason": "x"}).status_code == 403


def test_closing_a_class_from_its_page(client, personas, scheduled_class):
    client.force_login(personas.ivan)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=at(START, 0).tzinfo)):
        assert client.post(reverse("training:class_close", args=[scheduled_class["klass"].pk])).status_code == 302
    assert TrainingClass.objects.get(pk=scheduled_class["klass"].pk).closed_at is not None


def test_an_institution_registers_a_teacher(client, personas):
    client.force_login(personas.ivan)
    answer = client.post(reverse("training:teacher_list"), {
        "name": "孙老师", "id_number": make_id_number("370102", dt.date(1978, 5, 5), 503), "qualification": "高级技师"})
    assert answer.status_code == 302
    assert "孙老师" in client.get(reverse("training:teacher_list")).content.decode()
