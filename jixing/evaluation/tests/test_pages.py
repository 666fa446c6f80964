"""Evaluation pages: scope (404 outside), the result-entry flow over HTTP, public verification
with masking, rate limiting and audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from jixing.accounts.models import Role
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation, make_user
from jixing.evaluation import actions
from jixing.evaluation.models import Candidate, Certificate, EvaluationResult, ResultStatus, SessionStatus
from jixing.registry.models import OrganisationKind

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


# ------------------------------------------------------------------ scope


def test_it_shows_an_evaluator_only_its_own_filings_and_sessions(client, personas) -> None:
    p = personas
    mine = f.approved_filing(p)
    s = f.session(p, mine)
    other_org = make_organisation("青岛技能评价中心", "370202", OrganisationKind.EVALUATION_INSTITUTION)
    olga = make_user("olga", Role.EVALUATOR, organisation=other_org)
    theirs = f.approved_filing(p, org=other_org, submitter=olga, examiners=[f.examiner(seq=72, county="370202")])
    their_session = f.session(p, theirs, by=olga)
    logged_in(client, p.judy)
    listing = client.get(reverse("evaluation:filing_list")).content.decode()
    assert mine.code in listing and theirs.code not in listing
    assert client.get(reverse("evaluation:filing_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("evaluation:session_detail", args=[their_session.pk])).status_code == 404
    assert client.get(reverse("evaluation:session_detail", args=[s.pk])).status_code == 200
    sessions = client.get(reverse("evaluation:session_list")).content.decode()
    assert s.code in sessions and their_session.code not in sessions
    # writes into another organisation's session answer 404 and change nothing
    cand = actions.add_applicant(their_session, p.qingdao_person, years_of_work=2, by=olga)
    response = client.post(reverse("evaluation:result_record", args=[their_session.pk, cand.pk]),
                           {"theory": "90", "practical": "90", "examiner": their_session.examiners.first().pk})
    assert response.status_code == 404
    assert not EvaluationResult.objects.exists()
    # a Qingdao officer does not see a Jinan filing
    logged_in(client, p.carol)
    assert client.get(reverse("evaluation:filing_detail", args=[mine.pk])).status_code == 404


def test_it_keeps_trainees_to_their_own_certificates(client, personas) -> None:
    p = personas
    done = f.locked_pass(p)
    cert = done.certificates[0]
    logged_in(client, p.trent)
    page = client.get(reverse("evaluation:certificate_list")).content.decode()
    assert cert.number in page
    other = f.locked_pass(p, person=p.shizhong_person).certificates[0]
    assert client.get(reverse("evaluation:certificate_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("evaluation:session_list")).status_code == 403


# ------------------------------------------------------------------ flow over HTTP


def test_it_runs_a_session_from_candidates_to_locked_results_over_http(client, personas) -> None:
    p = personas
    filing = f.approved_filing(p)
    s = f.session(p, filing)
    enrollment = f.completed_enrollment(p.lixia_person)
    logged_in(client, p.judy)
    id_number = p.lixia_person.id_number
    client.post(reverse("evaluation:session_add_candidate", args=[s.pk]), {"id_number": id_number, "years_of_work": "0"})
    cand = Candidate.objects.get(session=s)
    assert cand.enrollment == enrollment
    page = client.get(reverse("evaluation:session_detail", args=[s.pk])).content.decode()
    assert id_number not in page and p.lixia_person.masked_id_number in page
    url = reverse("evaluation:result_record", args=[s.pk, cand.pk])
    response = client.post(url, {"theory": "120", "practical": "70", "examiner": s.examiners.first().pk}, follow=True)
    assert not EvaluationResult.objects.exists()
    assert "100" in response.content.decode()
    client.post(url, {"theory": "78", "practical": "66", "examiner": s.examiners.first().pk,
                      "status": "locked", "passed": "true", "version": "9"})
    result = EvaluationResult.objects.get()
    assert (result.status, result.version, result.passed) == (ResultStatus.DRAFT, 1, True)
    client.post(reverse("evaluation:session_submit", args=[s.pk]))
    s.refresh_from_db()
    assert s.status == SessionStatus.SUBMITTED
    # judy cannot lock her own submission
    assert client.post(reverse("evaluation:session_lock", args=[s.pk])).status_code == 403
    logged_in(client, p.erin)
    client.post(reverse("evaluation:session_lock", args=[s.pk]))
    s.refresh_from_db()
    assert s.status == SessionStatus.LOCKED
    cert = Certificate.objects.get()
    assert cert.person == p.lixia_person
    assert cert.number in client.get(reverse("evaluation:session_detail", args=[s.pk])).content.decode()


def test_it_refuses_a_session_outside_filing_validity_over_http(client, personas) -> None:
    p = personas
    filing = f.approved_filing(p)
    logged_in(client, p.judy)
    response = client.post(reverse("evaluation:session_create"), {
        "filing": filing.pk, "occupation": f.occupation(0).pk, "level": f.level(2).pk, "mode": "social",
        "date": (filing.valid_to + dt.timedelta(days=1)).isoformat(), "site": "济南",
        "examiners": [e.pk for e in filing.examiners.all()],
    })
    assert response.status_code == 200
    assert not filing.sessions.exists()
    assert filing.valid_to.isoformat() in response.content.decode()


def test_it_lets_an_officer_approve_a_filing_but_not_the_filer(client, personas) -> None:
    p = personas
    logged_in(client, p.judy)
    response = client.post(reverse("evaluation:filing_create"), {
        "kind": "evaluation_institution", "valid_from": "2025-01-01", "valid_to": "2027-12-31",
        "occupations": [f.occupation(0).pk], "levels": [2, 3], "examiner_ids": f.examiner().id_number,
    })
    filing = p.evaluation_body.evaluation_filings.get()
    assert response.status_code == 302 and filing.scopes.count() == 2
    assert client.post(reverse("evaluation:filing_decide", args=[filing.pk]), {"decision": "approve"}).status_code == 403
    logged_in(client, p.erin)
    client.post(reverse("evaluation:filing_decide", args=[filing.pk]), {"decision": "approve"})
    filing.refresh_from_db()
    assert filing.status == "approved" and filing.code


def test_it_handles_direct_recognition_over_http(client, personas) -> None:
    p = personas
    org, kate = f.enterprise(p)
    actions.record_enterprise_roster(organisation=org, persons=[p.shizhong_person], by=kate)
    logged_in(client, kate)
    client.post(reverse("evaluation:recognition_create"), {
        "id_number": p.shizhong_person.id_number, "occupation": f.occupation(1).pk, "level": 4,
        "achievements": "省级技能大赛一等奖", "evidence": "获奖证书编号 2024-001",
    })
    rec = org.direct_recognitions.get()
    logged_in(client, p.erin)
    assert "王市中" in client.get(reverse("evaluation:review_queue")).content.decode()
    client.post(reverse("evaluation:recognition_decide", args=[rec.pk]), {"decision": "approve", "reason": "业绩突出"})
    cert = Certificate.objects.get()
    assert cert.mode == "direct" and cert.level_id == 4


# ------------------------------------------------------------------ public verification


def test_it_verifies_a_certificate_by_number_and_name_with_masked_data(client, personas) -> None:
    p = personas
    cert = f.locked_pass(p).certificates[0]
    before = AuditEvent.objects.filter(event="certificate.verify").count()
    response = client.post(reverse("evaluation:verify"), {"number": cert.number.lower(), "name": "李历下"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "李**" in page and p.lixia_person.masked_id_number not in page  # no part of the ID is public
    assert "李历下" not in page.replace('value="李历下"', "") and p.lixia_person.id_number not in page
    assert "初级工" in page and p.evaluation_body.name in page
    assert AuditEvent.objects.filter(event="certificate.verify").count() == before + 1


def _result_section(page: str) -> str:
    return page[page.index('id="verify-result"'):page.index("</section>")]


def test_it_gives_one_answer_for_a_wrong_name_or_an_unknown_number(client, personas) -> None:
    cert = f.locked_pass(personas).certificates[0]
    unknown = cert.number[:-1] + ("9" if cert.number[-1] != "9" else "8")
    pages = [
        client.post(reverse("evaluation:verify"), {"number": number, "name": name}).content.decode()
        for number, name in [(cert.number, "李历上"), (unknown, "李历下"), (cert.number, "")]
    ]
    assert _result_section(pages[0]) == _result_section(pages[1])
    assert "badge bad" in _result_section(pages[0])
    for page in pages:
        assert personas.lixia_person.masked_id_number not in page and "李**" not in page
    assert list(AuditEvent.objects.filter(event="certificate.verify").values_list("outcome", flat=True)) == ["failed"] * 2


def test_it_explains_a_malformed_number(client, personas) -> None:
    page = client.post(reverse("evaluation:verify"), {"number": "ABC123", "name": "李历下"}).content.decode()
    assert "21" in _result_section(page)


def test_it_shows_a_revoked_certificate_as_revoked(client, personas) -> None:
    p = personas
    cert = f.locked_pass(p).certificates[0]
    actions.revoke_certificate(cert, by=p.erin, reason="考试作弊")
    page = client.post(reverse("evaluation:verify"), {"number": cert.number, "name": "李历下"}).content.decode()
    assert "revoked" in page or "撤销" in page
    assert "考试作弊" not in page


def test_it_rate_limits_verification_per_ip_across_page_and_api(client, personas, settings) -> None:
    settings.JIXING_VERIFY_PER_MINUTE = 3
    cert = f.locked_pass(personas).certificates[0]
    for _ in range(2):
        assert client.post(reverse("evaluation:verify"), {"number": cert.number, "name": "李历下"}).status_code == 200
    api = client.get("/api/v1/evaluation/certificates/verify", {"number": cert.number, "name": "李历下"})
    assert api.status_code == 200 and api.json()["valid"] is True
    assert client.post(reverse("evaluation:verify"), {"number": cert.number, "name": "李历下"}).status_code == 429
    assert client.get("/api/v1/evaluation/certificates/verify", {"number": cert.number, "name": "李历下"}).status_code == 429
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.post(reverse("evaluation:verify"), {"number": cert.number, "name": "李历下"}).status_code == 200


def test_it_serves_the_verify_page_without_login(client) -> None:
    response = client.get(reverse("evaluation:verify"))
    assert response.status_code == 200


def test_it_refuses_extra_fields_on_result_entry_via_form(client, personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p))
    cand = actions.add_applicant(s, p.shizhong_person, years_of_work=3, by=p.judy)
    logged_in(client, p.judy)
    client.post(reverse("evaluation:result_record", args=[s.pk, cand.pk]),
                {"theory": "50", "practical": "50", "examiner": s.examiners.first().pk, "passed": "on"})
    assert EvaluationResult.objects.get().passed is False
    assert Decimal("50") == EvaluationResult.objects.get().theory_score


def test_it_puts_evaluation_tiles_on_the_workbench(client, personas) -> None:
    p = personas
    f.locked_pass(p)
    for user, text in ((p.erin, "待审核的评价事项"), (p.judy, "已颁发证书"), (p.trent, "我的有效证书")):
        logged_in(client, user)
        page = client.get("/").content.decode()
        assert text in page, user.username
