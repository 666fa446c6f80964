"""Cases end to end through HTTP and actions: a violation carried to a recovery order and a
blacklist that then blocks a new claim and a new project submission; scope; bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixing.core.models import AuditEvent, StatusChange
from jixing.core.testing import make_user
from jixing.funds import actions as funds_actions
from jixing.funds.models import RecoveryOrder
from jixing.funds.tests import factories as ff
from jixing.registry.models import Organisation, OrganisationStatus
from jixing.supervision import access, actions
from jixing.supervision.engine import run_rules
from jixing.supervision.models import Case, CaseStatus, Finding, FindingStatus, MeasureKind

from . import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def plant_old_trainees(org: Organisation, n: int = 2) -> list[Finding]:
    klass = f.training_class(f.project(org))
    for _ in range(n):
        f.enroll(f.person(birth=dt.date(1950, 1, 1)), klass)
    run_rules(codes=["R06"], full=True)
    return list(Finding.objects.filter(organisation=org).order_by("id"))


def test_it_carries_a_violation_to_recovery_and_a_blacklist_that_blocks_new_claims(personas, client):
    funded = ff.funded_class(personas, trainees=2)  # a paid claim of the Lixia institution
    ff.claim_in(funded, "paying")
    ff.paid_batch(funded)
    findings = plant_old_trainees(personas.institution)
    assert len(findings) == 2

    client.force_login(personas.dave)
    response = client.post(reverse("supervision:case_open"),
                           {"findings": [x.pk for x in findings], "title": "虚假学员"})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("supervision:case", args=[case.pk])
    assert case.status == CaseStatus.INVESTIGATING and case.assigned_to == personas.dave
    assert set(Finding.objects.values_list("status", flat=True)) == {FindingStatus.IN_CASE}

    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    client.post(reverse("supervision:case_step", args=[case.pk, "request"]),
                {"questions": "请说明两名学员的年龄情况", "due": due})
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_EXPLANATION

    # the institution sees its case and answers with an attachment
    client.force_login(personas.ivan)
    page = client.get(reverse("supervision:case_explain", args=[case.pk]))
    assert page.status_code == 200 and "请说明两名学员的年龄情况" in page.content.decode()
    client.post(reverse("supervision:case_explain", args=[case.pk]), {
        "text": "学员信息录入有误", "attachment": SimpleUploadedFile("说明.pdf", PDF, "application/pdf")})
    case.refresh_from_db()
    assert case.status == CaseStatus.EXPLAINED
    explanation = case.explanations.get()
    assert explanation.attachment_name == "说明.pdf" and len(explanation.attachment_sha256) == 64

    # a decision without reasons is refused with a message
    client.force_login(personas.dave)
    response = client.post(reverse("supervision:case_step", args=[case.pk, "decide"]),
                           {"decision": "violation", "reasons": ""}, follow=True)
    assert "理由" in response.content.decode() or "reasons" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.EXPLAINED

    client.post(reverse("supervision:case_step", args=[case.pk, "decide"]),
                {"decision": "violation", "reasons": "两名学员已超过法定退休年龄，属虚假学员。"})
    case.refresh_from_db()
    assert case.status == CaseStatus.VIOLATION and case.decided_by == personas.dave
    assert set(Finding.objects.values_list("status", flat=True)) == {FindingStatus.CONFIRMED}

    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    client.post(reverse("supervision:case_step", args=[case.pk, "recovery"]),
                {"amount": "100.00", "deadline": deadline, "reason": "追回虚假学员的培训补贴"})
    order = RecoveryOrder.objects.get()
    assert order.amount == Decimal("100.00") and order.case_ref == case.number
    assert order.payer_organisation == personas.institution

    until = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    client.post(reverse("supervision:case_step", args=[case.pk, "sanction"]),
                {"kind": "blacklist", "until": until, "reason": "骗取培训补贴资金"})
    org = Organisation.objects.get(pk=personas.institution.pk)
    assert org.status == OrganisationStatus.BLACKLISTED and org.status_until.isoformat() == until
    assert case.number in org.status_reason
    assert {m.kind for m in case.measures.all()} == {MeasureKind.RECOVERY, MeasureKind.BLACKLIST}

    # the blacklist blocks a new claim …
    personas.ivan.refresh_from_db()
    with pytest.raises(funds_actions.ClaimRefused):
        funds_actions.create_claim(by=personas.ivan, project=funded.project,
                                   enrollment_ids=[funded.enrollments[0].pk])
    # … and a new project submission
    from django.core.exceptions import ValidationError

    from jixing.training import actions as training_actions

    draft = f.project(org, creator=personas.ivan, status="draft")
    with pytest.raises(ValidationError, match="暂停|黑名单|suspended|blacklisted"):
        training_actions.submit_project(draft, by=personas.ivan)

    client.post(reverse("supervision:case_step", args=[case.pk, "close"]), {"reason": "处理措施已全部落实。"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    # every step left a status-change row and an audit row
    steps = list(StatusChange.objects.filter(object_id=str(case.pk), content_type__model="case")
                 .values_list("to_status", flat=True))
    assert steps == ["open", "investigating", "awaiting_explanation", "explained", "violation", "closed"]
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {"supervision.case.open", "supervision.case.decide", "supervision.case.recovery",
            "organisation.status", "supervision.case.close"} <= events


def test_it_refuses_an_oversized_or_disguised_attachment(personas, client):
    findings = plant_old_trainees(personas.institution, n=1)
    case = actions.open_case(findings, by=personas.dave, assign_to=personas.dave)
    actions.request_explanation(case, by=personas.dave, questions="请说明", due=dt.date.today())
    client.force_login(personas.ivan)
    url = reverse("supervision:case_explain", args=[case.pk])
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (actions.ATTACHMENT_MAX_BYTES + 1), "application/pdf")
    response = client.post(url, {"text": "说明", "attachment": big})
    assert response.status_code == 200 and "10 MB" in response.content.decode()
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(url, {"text": "说明", "attachment": fake})
    assert response.status_code == 200 and "PDF" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_EXPLANATION and not case.explanations.exists()


def test_it_shows_an_institution_only_its_own_findings(personas, client):
    mine = plant_old_trainees(personas.institution, n=1)[0]
    other_org = f.organisation("370103")
    theirs = plant_old_trainees(other_org, n=1)[0]
    client.force_login(personas.ivan)
    page = client.get(reverse("supervision:mine")).content.decode()
    assert mine.subject_label in page and theirs.subject_label not in page
    assert client.get(reverse("supervision:finding", args=[mine.pk])).status_code == 200
    assert client.get(reverse("supervision:finding", args=[theirs.pk])).status_code == 404
    api = client.get("/api/v1/supervision/findings").json()
    assert [x["id"] for x in api["items"]] == [mine.pk]
    assert client.get(f"/api/v1/supervision/findings/{theirs.pk}").status_code == 404


def test_it_keeps_officers_to_their_region(personas, client):
    finding = plant_old_trainees(personas.institution, n=1)[0]  # Lixia, Jinan
    client.force_login(personas.carol)  # Qingdao
    assert client.get(reverse("supervision:finding", args=[finding.pk])).status_code == 404
    response = client.post(reverse("supervision:case_open"), {"findings": [finding.pk]})
    assert response.status_code == 404 and not Case.objects.exists()
    client.force_login(personas.erin)  # Shizhong, the neighbouring county
    assert client.get(reverse("supervision:finding", args=[finding.pk])).status_code == 404
    client.force_login(personas.bob)  # Jinan city
    assert client.get(reverse("supervision:finding", args=[finding.pk])).status_code == 200


def test_it_refuses_a_case_mixing_institutions(personas):
    a = plant_old_trainees(personas.institution, n=1)
    b = plant_old_trainees(f.organisation("370102"), n=1)
    with pytest.raises(Exception, match="一个机构|one institution"):
        actions.open_case([a[0], b[0]], by=personas.bob)


def test_it_lets_an_institution_explain_one_finding(personas, client):
    finding = plant_old_trainees(personas.institution, n=1)[0]
    client.force_login(personas.ivan)
    client.post(reverse("supervision:finding_explain", args=[finding.pk]), {"text": "该学员为返聘技术顾问"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.EXPLAINED
    client.force_login(personas.dave)
    client.post(reverse("supervision:finding_clear", args=[finding.pk]), {"reasons": "核实为误报，已确认不享受补贴。"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLEARED


def test_it_runs_cases_through_the_api(personas, client):
    findings = plant_old_trainees(personas.institution, n=1)
    client.force_login(personas.dave)
    response = client.post("/api/v1/supervision/cases", {"finding_ids": [findings[0].pk]}, content_type="application/json")
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    url = f"/api/v1/supervision/cases/{case_id}/transition"
    assert client.post(url, {"action": "assign", "officer": "dave"}, content_type="application/json").json()["status"] == "investigating"
    refused = client.post(url, {"action": "decide", "violation": True, "reasons": ""}, content_type="application/json")
    assert refused.status_code == 422 and "reasons" in refused.json()["detail"]
    done = client.post(url, {"action": "decide", "violation": False, "reasons": "经核查年龄信息录入错误，已更正。"},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cleared"
    detail = client.get(f"/api/v1/supervision/findings/{findings[0].pk}").json()
    assert detail["status"] == "cleared" and detail["evidence"]["age_on_start"] == 75


def test_it_refuses_out_of_range_rule_parameters(personas, client):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # not yet approved
        actions.update_rule_setting("R03", by=personas.alice, enabled=True, severity="", params={"min_trainees": 5})
    actions.grant_rule_editor(personas.alice, by=personas.sue)
    client.force_login(personas.alice)
    url = reverse("supervision:rule_edit", args=["R03"])
    response = client.post(url, {"enabled": "on", "severity": "", "param_min_trainees": "2",
                                 "param_window_minutes": "3", "param_spot_decimals": "5"})
    [message] = response.context["form"].errors["param_min_trainees"]
    assert "3" in message and "500" in message and "2" in message  # the range and the refused value
    from jixing.supervision.models import RuleSetting

    assert not RuleSetting.objects.exists()
    client.post(url, {"enabled": "on", "severity": "medium", "param_min_trainees": "12",
                      "param_window_minutes": "5", "param_spot_decimals": "5"})
    setting = RuleSetting.objects.get(code="R03")
    assert setting.params == {"min_trainees": 12, "window_minutes": 5, "spot_decimals": 5}
    assert setting.severity == "medium"


def test_it_lets_only_the_security_admin_approve_rule_editors(personas, client):
    client.force_login(personas.alice)
    assert client.post(reverse("supervision:rule_editor", args=[personas.bob.pk])).status_code == 403
    client.force_login(personas.sue)
    client.post(reverse("supervision:rule_editor", args=[personas.bob.pk]))
    assert access.can_edit_rules(personas.bob)
    client.post(reverse("supervision:rule_editor", args=[personas.bob.pk]), {"revoke": "1"})
    assert not access.can_edit_rules(personas.bob)


def test_it_shows_the_dashboard_and_pages(personas, client):
    plant_old_trainees(personas.institution, n=2)
    client.force_login(personas.bob)
    for name in ("supervision:dashboard", "supervision:findings", "supervision:cases", "supervision:rules"):
        assert client.get(reverse(name)).status_code == 200, name
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert "R06" in page
    client.force_login(personas.ivan)
    assert client.get(reverse("supervision:dashboard")).status_code == 403
    client.force_login(make_user("eve", "trainee", person=personas.shizhong_person))
    assert client.get(reverse("supervision:findings")).status_code == 403
