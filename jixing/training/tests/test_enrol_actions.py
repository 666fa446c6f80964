"""register_and_enrol / register_teacher own their transaction (STYLE.md habit 16): a refused
enrolment leaves no newly registered person behind, on the page, in the API and in the action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person
from jixing.training import actions, enrol_actions
from jixing.training.models import Enrollment, Teacher

from .factories import make_class, make_project, make_trainee

pytestmark = pytest.mark.django_db


def _full_class(personas):
    klass = make_class(make_project(personas), capacity=1)
    actions.enroll(klass, make_trainee("学员甲", seq=201), by=personas.ivan)
    return klass


def _new_number(seq: int) -> str:
    return make_id_number("370102", dt.date(1991, 2, 3), seq)


def test_it_registers_and_enrols_a_new_person_in_one_step(personas):
    klass = make_class(make_project(personas))
    enrollment = enrol_actions.register_and_enrol(klass, by=personas.ivan, name="钱新人", id_number=_new_number(211))
    assert enrollment.person.name == "钱新人" and enrollment.training_class == klass


def test_it_keeps_no_new_person_when_the_enrolment_is_refused(personas):
    klass = _full_class(personas)
    with pytest.raises(actions.EnrollmentRefused):
        enrol_actions.register_and_enrol(klass, by=personas.ivan, name="孙未录", id_number=_new_number(212))
    assert not Person.objects.filter(name="孙未录").exists()


def test_it_shows_a_refused_enrolment_on_the_page_and_registers_no_one(client, personas):
    klass = _full_class(personas)
    client.force_login(personas.ivan)
    answer = client.post(reverse("training:enroll", args=[klass.pk]), {"name": "李未录", "id_number": _new_number(213)})
    assert answer.status_code == 400
    assert not Person.objects.filter(name="李未录").exists()
    assert Enrollment.objects.filter(training_class=klass).count() == 1


def test_it_answers_409_in_the_api_and_registers_no_one(client, personas):
    klass = _full_class(personas)
    client.force_login(personas.ivan)
    answer = client.post(f"/api/v1/training/classes/{klass.pk}/enrollments",
                         {"name": "周未录", "id_number": _new_number(214)}, content_type="application/json")
    assert answer.status_code == 409, answer.content
    assert not Person.objects.filter(name="周未录").exists()


def test_it_registers_a_teacher_with_the_person(personas):
    teacher = enrol_actions.register_teacher(by=personas.ivan, name="吴老师", id_number=_new_number(215),
                                             qualification="高级技师")
    assert teacher.organisation_id == personas.ivan.organisation_id and teacher.person.name == "吴老师"


def test_it_refuses_a_teacher_from_an_officer_and_registers_no_one(personas):
    with pytest.raises(PermissionDenied):
        enrol_actions.register_teacher(by=personas.alice, name="郑老师", id_number=_new_number(216))
    assert not Person.objects.filter(name="郑老师").exists() and not Teacher.objects.filter(person__name="郑老师").exists()
