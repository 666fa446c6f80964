"""数字技术工程师 ladder: pure rung rules, the session → score → lock flow through actions, HTTP
and the API, scope (another region / organisation answers 404), and the ladder kept apart from
the skill ladder."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jixing.core.models import AuditEvent
from jixing.evaluation import engineer_actions, engineer_queries
from jixing.evaluation.engineer_models import DigitalField, EngineerCertificate, EngineerLevel
from jixing.evaluation.engineer_rules import EngineerCandidacyFacts, check_engineer_candidacy, engineer_passed
from jixing.evaluation.models import Certificate


@pytest.mark.parametrize(("level", "held", "open_", "ok"), [
    (1, None, True, True),
    (2, None, True, False),  # 中级 needs 初级 first
    (2, 1, True, True),
    (3, 1, True, False),  # one rung at a time
    (1, 1, True, False),  # already held
    (2, 3, True, False),  # higher held
    (1, None, False, False),  # session locked
])
def test_engineer_candidacy_rule(level, held, open_, ok) -> None:
    decision = check_engineer_candidacy(EngineerCandidacyFacts(level_order=level, held_order=held, session_open=open_))
    assert decision.ok is ok
    assert ok or decision.reasons


@pytest.mark.parametrize(("score", "passed"), [(Decimal("59.99"), False), (Decimal("60"), True), (Decimal("100"), True)])
def test_engineer_pass_mark(score, passed) -> None:
    assert engineer_passed(score) is passed


def _session(p, level=EngineerLevel.JUNIOR):
    field = DigitalField.objects.get(key="artificial-intelligence")
    return engineer_actions.create_engineer_session(by=p.judy, organisation=p.evaluation_body, field=field,
                                                    level=level, date=dt.date(2026, 11, 20), site="济南市历下区")


@pytest.mark.django_db
def test_it_certifies_engineers_apart_from_the_skill_ladder(personas) -> None:
    p = personas
    assert DigitalField.objects.count() == 10
    s = _session(p)
    a = engineer_actions.add_engineer_candidate(s, by=p.judy, person=p.lixia_person)
    b = engineer_actions.add_engineer_candidate(s, by=p.judy, person=p.shizhong_person)
    engineer_actions.record_engineer_score(a, by=p.judy, score="82")
    with pytest.raises(ValidationError) as refused:
        engineer_actions.record_engineer_score(b, by=p.judy, score="101")
    assert "score" in refused.value.message_dict
    with pytest.raises(Exception):  # every score before the lock
        engineer_actions.lock_engineer_session(s, by=p.bob)
    engineer_actions.record_engineer_score(b, by=p.judy, score="40")
    with pytest.raises(Exception):  # carol (Qingdao) is outside the site's region
        engineer_actions.lock_engineer_session(s, by=p.carol)
    issued = engineer_actions.lock_engineer_session(s, by=p.bob)
    assert [c.person_id for c in issued] == [p.lixia_person.pk]
    assert not Certificate.objects.exists()  # the skill ladder never sees it
    assert AuditEvent.objects.filter(event__startswith="evaluation.engineer").count() >= 4
    # the next rung: 高级 refused without 中级, 中级 accepted
    senior = _session(p, EngineerLevel.SENIOR)
    with pytest.raises(ValidationError) as refused:
        engineer_actions.add_engineer_candidate(senior, by=p.judy, person=p.lixia_person)
    assert len(refused.value.messages) == 1  # only the missing lower rung
    inter = _session(p, EngineerLevel.INTERMEDIATE)
    engineer_actions.add_engineer_candidate(inter, by=p.judy, person=p.lixia_person)
    progress = engineer_queries.engineer_progress(p.alice, year=issued[0].issued_on.year)
    assert progress.certificates == 1 and progress.counted_extra == 1
    assert engineer_queries.engineer_progress(p.carol, year=issued[0].issued_on.year).certificates == 0


@pytest.mark.django_db
def test_it_runs_the_engineer_pages_with_scope(personas) -> None:
    p = personas
    site = Client()
    site.force_login(p.judy)
    home = reverse("evaluation:engineer_home")
    assert site.get(home).status_code == 200
    field = DigitalField.objects.get(key="big-data")
    bad = site.post(home, {"field": field.pk, "level": "junior", "date": "", "site": "x"})
    assert bad.status_code == 400
    r = site.post(home, {"field": field.pk, "level": "junior", "date": "2026-11-25", "site": "济南"})
    assert r.status_code == 302
    s = field.engineersession_set.get()
    url = reverse("evaluation:engineer_session", args=[s.pk])
    assert site.post(url, {"id_number": p.lixia_person.id_number}).status_code == 302
    cand = s.candidates.get()
    site.post(reverse("evaluation:engineer_score", args=[s.pk, cand.pk]), {"score": "75", "passed": "on"})
    cand.refresh_from_db()
    assert cand.score == Decimal("75.00") and cand.passed
    other = Client()
    other.force_login(p.ivan)  # another organisation
    assert other.get(url).status_code == 404
    qingdao = Client()
    qingdao.force_login(p.carol)
    assert qingdao.get(url).status_code == 404
    assert qingdao.post(reverse("evaluation:engineer_lock", args=[s.pk])).status_code == 404
    officer = Client()
    officer.force_login(p.bob)
    officer.post(reverse("evaluation:engineer_lock", args=[s.pk]))
    assert EngineerCertificate.objects.filter(person=p.lixia_person).count() == 1
    page = officer.get(reverse("evaluation:engineer_certificates"))
    assert page.status_code == 200 and "大数据" in page.content.decode()


@pytest.mark.django_db
def test_it_runs_the_engineer_api(personas) -> None:
    p = personas
    api = "/api/v1/evaluation/engineers"
    site = Client()
    site.force_login(p.judy)
    field = DigitalField.objects.get(key="blockchain")
    r = site.post(f"{api}/sessions", json.dumps({"field_id": field.pk, "level": "junior", "date": "2026-11-26",
                                                 "site": "济南", "status": "locked"}), content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "planned"
    sid = r.json()["id"]
    r = site.post(f"{api}/sessions/{sid}/candidates", json.dumps({"id_number": p.lixia_person.id_number}),
                  content_type="application/json")
    assert r.status_code == 201
    cid = r.json()["id"]
    assert site.post(f"{api}/sessions/{sid}/candidates/{cid}/score", json.dumps({"score": 120}),
                     content_type="application/json").status_code == 422
    assert site.post(f"{api}/sessions/{sid}/candidates/{cid}/score", json.dumps({"score": "66"}),
                     content_type="application/json").json()["passed"] is True
    assert site.post(f"{api}/sessions/{sid}/lock").status_code == 403
    qingdao = Client()
    qingdao.force_login(p.carol)
    assert qingdao.post(f"{api}/sessions/{sid}/lock").status_code == 404
    officer = Client()
    officer.force_login(p.bob)
    certs = officer.post(f"{api}/sessions/{sid}/lock").json()
    assert len(certs) == 1 and certs[0]["level"] == "junior"
    assert officer.get(f"{api}/progress").json()["certificates"] == 1
    assert len(officer.get(f"{api}/fields").json()) == 10
