"""Issue 16 (Build 5): the eight-level ladder is complete for persons — an enterprise records its
employees' 学徒工, 特级技师 and 首席技师 levels (no certificate) after the conditions and the
employment check; each refusal carries its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jixing.core.models import AuditEvent
from jixing.evaluation import actions, rules
from jixing.evaluation.models import EmploymentBasis, LevelAppointment

from . import factories as f

pytestmark = pytest.mark.django_db


def facts(level: int, *, cert: int | None = None, appointed: int | None = None, kind: str = "enterprise",
          on: dt.date = dt.date(2026, 5, 1)) -> rules.AppointmentFacts:
    return rules.AppointmentFacts(organisation_kind=kind, organisation_blocked=False, level_order=level,
                                  level_name=str(level), appointed_on=on, today=dt.date(2026, 6, 1),
                                  held_certificate_level=cert, held_appointment_level=appointed)


@pytest.mark.parametrize(("f_", "ok"), [
    (facts(1), True), (facts(1, cert=2), False), (facts(7, cert=6), True), (facts(7, cert=5), False),
    (facts(8, cert=6, appointed=7), True), (facts(8, cert=6), False), (facts(7, cert=6, appointed=7), False),
    (facts(4), False), (facts(7, cert=6, kind="private_institution"), False),
    (facts(1, on=dt.date(2026, 7, 1)), False),
])
def test_appointment_conditions(f_, ok):
    assert rules.check_appointment(f_).ok is ok


@pytest.fixture
def enterprise(personas):
    org, kate = f.enterprise(personas)
    actions.record_enterprise_roster(organisation=org, persons=[personas.shizhong_person], by=kate)
    return org, kate


def appoint(org, kate, person, level, occ=None):
    return actions.appoint_level(organisation=org, person=person, occupation=occ or f.occupation(1), level=f.level(level),
                                 appointed_on=f.today(), basis="企业技能等级评聘委员会决定（2026）1号", by=kate)


def test_it_records_the_ladder_up_to_chief_technician(personas, enterprise):
    org, kate = enterprise
    worker = personas.shizhong_person
    with pytest.raises(ValidationError, match="高级技师"):
        appoint(org, kate, worker, 7)
    rec = actions.propose_recognition(organisation=org, person=worker, occupation=f.occupation(1), level=f.level(6),
                                      achievements="全国技术能手", evidence="表彰文件", by=kate)
    actions.approve_recognition(rec, by=personas.erin, reason="业绩突出")
    special = appoint(org, kate, worker, 7)
    assert special.employment_basis == EmploymentBasis.ROSTER and special.level_id == 7
    chief = appoint(org, kate, worker, 8)
    assert chief.level_id == 8
    with pytest.raises(ValidationError):
        appoint(org, kate, worker, 8)  # already held
    assert AuditEvent.objects.filter(event="evaluation.level_appointment.record").count() == 2
    actions.end_appointment(chief, by=kate, ended_on=f.today(), reason="离职")
    assert LevelAppointment.objects.active().filter(person=worker).count() == 1


def test_an_apprentice_must_be_the_enterprises_employee(personas, enterprise):
    org, kate = enterprise
    assert appoint(org, kate, personas.shizhong_person, 1, occ=f.occupation(2)).level_id == 1
    with pytest.raises(ValidationError, match="名册"):
        appoint(org, kate, personas.lixia_person, 1)


def test_a_certificate_level_cannot_be_appointed_and_others_cannot_appoint(personas, enterprise):
    org, kate = enterprise
    with pytest.raises(ValidationError, match="发证等级"):
        appoint(org, kate, personas.shizhong_person, 3)
    with pytest.raises(PermissionDenied):
        appoint(org, personas.ivan, personas.shizhong_person, 1)


def test_the_api_records_and_lists_appointments(client, personas, enterprise):
    import json

    org, kate = enterprise
    client.force_login(kate)
    answer = client.post("/api/v1/evaluation/level-appointments", json.dumps({
        "name": personas.shizhong_person.name, "id_number": personas.shizhong_person.id_number,
        "occupation_id": f.occupation(1).pk, "level": 1, "appointed_on": str(f.today()), "basis": "学徒协议",
    }), content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["employment_basis"] == "roster" and personas.shizhong_person.id_number not in answer.content.decode()
    listed = client.get("/api/v1/evaluation/level-appointments").json()
    assert [a["level_name"] for a in listed["items"]] == ["学徒工"]
    roster = client.post("/api/v1/evaluation/enterprise-roster", json.dumps({"employees": [
        {"name": "不存在", "id_number": personas.lixia_person.id_number}]}), content_type="application/json")
    assert roster.status_code == 422 and "1" in roster.content.decode()


def test_the_page_uploads_a_roster_and_records_an_apprentice(client, personas):
    org, kate = f.enterprise(personas)
    worker = personas.shizhong_person
    client.force_login(kate)
    assert client.get("/evaluation/appointments/").status_code == 200
    client.post("/evaluation/roster/", {"employees": f"{worker.id_number}，{worker.name}\n"})
    answer = client.post("/evaluation/appointments/", {
        "id_number": worker.id_number, "occupation": f.occupation(1).pk, "level": 1,
        "appointed_on": str(f.today()), "basis": "学徒协议"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert LevelAppointment.objects.get().employment_basis == EmploymentBasis.ROSTER
    client.force_login(personas.erin)  # the officer of the enterprise's county sees it
    assert worker.name in client.get("/evaluation/appointments/").content.decode()
