"""Evaluation API: public verification (auth=None), scoped lists and details, result entry."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from jixing.accounts.models import Role
from jixing.core.testing import make_organisation, make_user
from jixing.evaluation import actions
from jixing.evaluation.models import EvaluationResult
from jixing.registry.models import OrganisationKind

from . import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/evaluation"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def as_user(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_it_verifies_publicly_with_masked_data(client, personas) -> None:
    cert = f.locked_pass(personas).certificates[0]
    body = client.get(f"{API}/certificates/verify", {"number": cert.number, "name": "李历下"}).json()
    assert body["found"] and body["valid"]
    assert body["holder"] == "李**" and "id_number" not in body  # no part of the ID is public
    assert body["level"] == "初级工" and body["national_level"] == "五级/初级工"
    wrong = client.get(f"{API}/certificates/verify", {"number": cert.number, "name": "李"}).json()
    assert wrong["found"] is False and wrong["holder"] == ""
    actions.revoke_certificate(cert, by=personas.erin, reason="违规发证")
    revoked = client.get(f"{API}/certificates/verify", {"number": cert.number, "name": "李历下"}).json()
    assert revoked["found"] and revoked["valid"] is False and "违规发证" not in json.dumps(revoked, ensure_ascii=False)


def test_it_needs_login_for_everything_else(client, personas) -> None:
    for url in ("/certificates", "/filings", "/sessions"):
        assert client.get(API + url).status_code == 401


def test_it_scopes_lists_and_details(client, personas) -> None:
    p = personas
    done = f.locked_pass(p)
    other_org = make_organisation("青岛技能评价中心", "370202", OrganisationKind.EVALUATION_INSTITUTION)
    olga = make_user("olga", Role.EVALUATOR, organisation=other_org)
    as_user(client, olga)
    assert client.get(f"{API}/sessions").json()["items"] == []
    assert client.get(f"{API}/sessions/{done.session.pk}").status_code == 404
    assert client.get(f"{API}/filings/{done.session.filing_id}").status_code == 404
    assert client.get(f"{API}/certificates/{done.certificates[0].pk}").status_code == 404
    as_user(client, p.judy)
    detail = client.get(f"{API}/sessions/{done.session.pk}").json()
    assert detail["candidates"][0]["certificate_number"] == done.certificates[0].number
    assert detail["candidates"][0]["id_number_masked"] == p.lixia_person.masked_id_number
    as_user(client, p.trent)
    mine = client.get(f"{API}/certificates").json()["items"]
    assert [c["number"] for c in mine] == [done.certificates[0].number]
    assert client.get(f"{API}/sessions").status_code == 403


def test_it_records_results_through_the_api_and_ignores_extra_fields(client, personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p))
    cand = actions.add_applicant(s, p.shizhong_person, years_of_work=2, by=p.judy)
    as_user(client, p.judy)
    url = f"{API}/sessions/{s.pk}/candidates/{cand.pk}/result"
    bad = client.post(url, json.dumps({"theory": 101, "practical": 60, "examiner_id": s.examiners.first().pk}),
                      content_type="application/json")
    assert bad.status_code == 422 and not EvaluationResult.objects.exists()
    ok = client.post(url, json.dumps({"theory": "55", "practical": "90", "examiner_id": s.examiners.first().pk,
                                      "passed": True, "status": "locked"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["passed"] is False and ok.json()["status"] == "draft"
    stranger = client.post(url, json.dumps({"theory": "55", "practical": "90", "examiner_id": p.qingdao_person.pk}),
                           content_type="application/json")
    assert stranger.status_code == 422
    assert client.post(f"{API}/sessions/{s.pk}/submit").json()["status"] == "submitted"
    assert client.post(f"{API}/sessions/{s.pk}/lock").status_code == 403
    as_user(client, p.erin)
    locked = client.post(f"{API}/sessions/{s.pk}/lock").json()
    assert locked["status"] == "locked" and locked["candidates"][0]["certificate_number"] is None
