"""Trainers end to end: an institution registers a trainer and links verified certificates; the
province records a competition whose result raises the grade; 马兰花 accreditation, course
versions and activities with person-times; pages, API and scope (another organisation or
region answers 404)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from jixing.accounts.models import Role
from jixing.core.class_checks import run_class_checks
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation, make_user
from jixing.evaluation import engineer_actions
from jixing.evaluation.engineer_models import DigitalField
from jixing.registry.models import Region
from jixing.trainers import actions, capacity, queries
from jixing.trainers.models import MalanhuaActivity, TeacherClassLimit, TrainerProfile

pytestmark = pytest.mark.django_db


def _engineer_cert(p, person):
    field = DigitalField.objects.get(key="cloud-computing")
    s = engineer_actions.create_engineer_session(by=p.judy, organisation=p.evaluation_body, field=field,
                                                 level="junior", date=dt.date(2026, 10, 1), site="济南")
    c = engineer_actions.add_engineer_candidate(s, by=p.judy, person=person)
    engineer_actions.record_engineer_score(c, by=p.judy, score="90")
    return engineer_actions.lock_engineer_session(s, by=p.bob)[0]


def test_it_registers_verifies_and_raises_a_trainer(personas) -> None:
    p = personas
    profile = actions.register_trainer(by=p.ivan, person=p.lixia_person, category="entrepreneurship")
    assert profile.teacher.organisation_id == p.institution.pk and profile.grade == 1
    with pytest.raises(ValidationError):
        actions.register_trainer(by=p.ivan, person=p.lixia_person, category="vocational")
    with pytest.raises(ValidationError, match="NOPE"):  # the number is named
        actions.add_qualification(profile, by=p.ivan, number="NOPE")
    others = _engineer_cert(p, p.shizhong_person)
    with pytest.raises(ValidationError, match="王市中|李历下"):  # the holder is named
        actions.add_qualification(profile, by=p.ivan, number=others.number)
    cert = _engineer_cert(p, p.lixia_person)
    actions.add_qualification(profile, by=p.ivan, number=cert.number)
    actions.record_trainer_training(profile, by=p.ivan, course="SYB 师资培训", provider="省就业中心", hours=40,
                                    started_on=dt.date(2026, 3, 1), ended_on=dt.date(2026, 3, 5))
    with pytest.raises(PermissionDenied):  # a city officer does not run competitions
        actions.create_competition(by=p.bob, name="x", category="entrepreneurship", tier="provincial",
                                   held_on=dt.date(2026, 9, 1), organiser="")
    comp = actions.create_competition(by=p.alice, name="山东省创业指导师职业技能大赛", category="entrepreneurship",
                                      tier="provincial", held_on=dt.date(2026, 9, 1), organiser="省人社厅")
    entry = actions.record_result(comp, by=p.alice, profile=profile, award="first", rank=1)
    profile.refresh_from_db()
    assert entry.grade_before == 1 and entry.grade_after == 2 and profile.grade == 2
    acc = actions.accredit_malanhua(profile, by=p.alice, accredited_on=dt.date(2026, 9, 10))
    assert acc.number.startswith("MLH2026") and acc.valid_to == dt.date(2029, 9, 10)
    version = actions.add_course_version(by=p.alice, course="马兰花创业培训（创办企业）", version="2026版", hours=80,
                                         released_on=dt.date(2026, 1, 1))
    lixia = Region.objects.get(pk="370102")
    with pytest.raises(ValidationError, match="李历下"):  # the unaccredited trainer is named
        actions.record_activity(by=p.dave, kind="volunteer", title="创培在身边·历下", county=lixia,
                                held_on=dt.date(2026, 9, 1), person_times=30, trainers=[profile])
    with pytest.raises(PermissionDenied):  # Qingdao's officer records nothing in Lixia
        actions.record_activity(by=p.carol, kind="volunteer", title="x", county=lixia,
                                held_on=dt.date(2026, 10, 1), person_times=30, trainers=[profile])
    actions.record_activity(by=p.dave, kind="volunteer", title="创培在身边·历下", county=lixia,
                            held_on=dt.date(2026, 10, 1), person_times=30, trainers=[profile], course_version=version)
    actions.record_activity(by=p.ivan, kind="bootcamp", title="创业训练营", county=lixia,
                            held_on=dt.date(2026, 11, 1), person_times=45, trainers=[profile])
    assert queries.malanhua_person_times(p.bob, year=2026) == {"volunteer": 30, "bootcamp": 45, "total": 75}
    assert queries.malanhua_person_times(p.carol, year=2026) == {"total": 0}
    assert AuditEvent.objects.filter(event__startswith="trainers.").count() >= 8


def test_it_checks_the_teacher_to_class_limit(personas) -> None:
    from jixing.training.tests import factories as tf

    p = personas
    klass = tf.make_class(tf.make_project(p))
    teacher = tf.make_teacher(p.institution)
    klass.teachers.add(teacher)
    assert run_class_checks(klass) == []  # no limit in force yet: the register is not required
    TeacherClassLimit.objects.create(valid_from=klass.start_date, classes_per_trainer=2, basis="test")
    reasons = run_class_checks(klass)  # the hook training calls when a class is filed
    assert len(reasons) == 2 and "赵老师" in reasons[0]  # unregistered teacher; limit 0 < 1 class
    actions.register_trainer(by=p.ivan, person=teacher.person, category="vocational")
    assert capacity.capacity_for_class(klass).ok and run_class_checks(klass) == []
    for _ in range(2):
        tf.make_class(tf.make_project(p))  # three classes at once, one trainer × 2
    decision = capacity.capacity_for_class(klass)
    assert not decision.ok and decision.limit == 2
    assert capacity.institution_capacity(p.institution.pk, on=klass.start_date)["running"] == 3


def test_it_serves_pages_with_scope(personas) -> None:
    p = personas
    inst = Client()
    inst.force_login(p.ivan)
    r = inst.post(reverse("trainers:trainer_list"), {"id_number": p.lixia_person.id_number, "category": "vocational"})
    assert r.status_code == 302
    profile = TrainerProfile.objects.get()
    detail = reverse("trainers:trainer_detail", args=[profile.pk])
    bad = inst.post(detail, {"form": "training", "course": "x", "provider": "y", "hours": "8",
                             "started_on": "2026-03-05", "ended_on": "2026-03-01"})
    assert bad.status_code == 400 and not profile.training_records.exists()
    assert inst.post(detail, {"form": "training", "course": "课程设计", "provider": "省职教中心", "hours": "16",
                              "started_on": "2026-03-01", "ended_on": "2026-03-02"}).status_code == 302
    other_org = make_organisation("市中培训学校", "370103", seed=7)
    stranger = Client()
    stranger.force_login(make_user("olga", Role.INSTITUTION, organisation=other_org))
    assert stranger.get(detail).status_code == 404
    qingdao = Client()
    qingdao.force_login(p.carol)
    assert qingdao.get(detail).status_code == 404
    city = Client()
    city.force_login(p.bob)
    assert city.get(detail).status_code == 200
    assert city.post(reverse("trainers:competition_list"), {"name": "x"}).status_code == 200  # no form for a city
    prov = Client()
    prov.force_login(p.alice)
    r = prov.post(reverse("trainers:competition_list"), {"name": "山东省职业培训师大赛", "category": "vocational",
                                                        "tier": "provincial", "held_on": "2026-08-01", "organiser": "省人社厅"})
    assert r.status_code == 302
    comp_url = r["Location"]
    assert prov.post(comp_url, {"profile": profile.pk, "award": "second", "rank": "2"}).status_code == 302
    profile.refresh_from_db()
    assert profile.grade == 2
    for client in (inst, city, prov):
        assert client.get(reverse("trainers:malanhua")).status_code == 200
        assert client.get(reverse("trainers:trainer_list")).status_code == 200
    trainee = Client()
    trainee.force_login(p.trent)
    assert trainee.get(reverse("trainers:trainer_list")).status_code in (403, 404)


def test_it_runs_the_api(personas) -> None:
    p = personas
    api = "/api/v1/trainers"
    inst = Client()
    inst.force_login(p.ivan)
    r = inst.post(f"{api}/", json.dumps({"id_number": p.lixia_person.id_number, "category": "entrepreneurship",
                                         "grade": 4}), content_type="application/json")
    assert r.status_code == 201 and r.json()["grade"] == 1
    tid = r.json()["id"]
    cert = _engineer_cert(p, p.lixia_person)
    assert inst.post(f"{api}/{tid}/qualifications", json.dumps({"number": cert.number}),
                     content_type="application/json").status_code == 201
    assert inst.post(f"{api}/{tid}/training", json.dumps({"course": "c", "provider": "p", "hours": 0,
                                                          "started_on": "2026-01-01", "ended_on": "2026-01-02"}),
                     content_type="application/json").status_code == 422
    prov = Client()
    prov.force_login(p.alice)
    comp = prov.post(f"{api}/competitions/", json.dumps({"name": "全国创业指导师大赛", "category": "entrepreneurship",
                                                         "tier": "national", "held_on": "2026-10-10"}),
                     content_type="application/json")
    assert comp.status_code == 201
    res = prov.post(f"{api}/competitions/{comp.json()['id']}/results",
                    json.dumps({"trainer_id": tid, "award": "third"}), content_type="application/json")
    assert res.status_code == 201 and res.json()["grade_after"] == 3
    qingdao = Client()
    qingdao.force_login(p.carol)
    assert qingdao.get(f"{api}/{tid}").status_code == 404
    assert qingdao.post(f"{api}/competitions/", json.dumps({"name": "x", "category": "vocational", "tier": "city",
                                                            "held_on": "2026-10-10"}),
                        content_type="application/json").status_code == 403
    profile = TrainerProfile.objects.get(pk=tid)
    actions.accredit_malanhua(profile, by=p.alice, accredited_on=dt.date(2026, 1, 1))
    act = inst.post(f"{api}/malanhua/activities", json.dumps({
        "kind": "bootcamp", "title": "创业训练营", "county": "370102", "held_on": "2026-06-01", "person_times": 50,
        "trainer_ids": [tid]}), content_type="application/json")
    assert act.status_code == 201 and MalanhuaActivity.objects.get().organiser_id == p.institution.pk
    assert inst.get(f"{api}/malanhua/person-times", {"year": 2026}).json()["total"] == 50


def test_it_refuses_a_class_filing_taught_by_unregistered_teachers_once_the_limit_is_in_force(personas) -> None:
    """training.file_class runs the check through core.class_checks: nothing refused before the
    province enters a limit; after it, the unregistered teacher is named under "teachers"."""
    import time_machine

    from jixing.training.actions import file_class
    from jixing.training.models import FilingStatus, TrainingClass
    from jixing.training.tests import factories as tf

    p = personas
    start = dt.date(2026, 3, 2)
    klass = tf.make_class(tf.make_project(p), start=start, days=3)
    TrainingClass.objects.filter(pk=klass.pk).update(filing_status=FilingStatus.UNFILED)
    klass.refresh_from_db()
    tf.make_sessions(klass, tf.make_teacher(p.institution))
    TeacherClassLimit.objects.create(valid_from=dt.date(2026, 1, 1), classes_per_trainer=2, basis="test")
    with time_machine.travel(dt.datetime(2026, 2, 20, 9, tzinfo=tf.TZ), tick=False), pytest.raises(ValidationError) as refused:
        file_class(klass, by=p.ivan, roster_plan="面向历下区失业人员招收30人")
    assert "teachers" in refused.value.message_dict and "赵老师" in " ".join(refused.value.message_dict["teachers"])
    klass.refresh_from_db()
    assert klass.filing_status == FilingStatus.UNFILED
    TeacherClassLimit.objects.all().delete()
    with time_machine.travel(dt.datetime(2026, 2, 20, 9, tzinfo=tf.TZ), tick=False):
        file_class(klass, by=p.ivan, roster_plan="面向历下区失业人员招收30人")
    assert klass.filing_status == FilingStatus.FILED
