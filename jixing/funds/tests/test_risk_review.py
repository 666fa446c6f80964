"""Risk on the review page (issue 13): the claim page and the review queue (pages and API) show
the open findings and cases touching the claim; approving while a high-severity finding is open
needs a written reason, stored and audited, and counted per city in the dispatch report."""

from __future__ import annotations

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jixing.core import risk
from jixing.core.models import AuditEvent
from jixing.funds import actions
from jixing.funds.models import ClaimStatus, RiskApproval
from jixing.funds.tests import factories as f
from jixing.supervision.models import Finding

pytestmark = pytest.mark.django_db


def finding(subject, *, severity: str, organisation_id=None, code: str = "R03", key: str = "") -> Finding:
    return Finding.objects.create(
        code=code, fingerprint=f"{code}-{subject._meta.label}-{subject.pk}-{severity}-{key}",
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk),
        subject_label=str(subject)[:100], organisation_id=organisation_id, county_id="370102", severity=severity,
        evidence={}, last_seen_at=timezone.now())


def test_supervision_registers_its_provider_in_core():
    assert risk.providers_ready()


def test_approving_with_a_high_finding_open_needs_a_reason(personas):
    w = f.funded_class(personas)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    high = finding(w.project.organiser, severity="high", organisation_id=w.project.organiser_id)
    finding(w.enrollments[0].person, severity="medium", code="R10")
    with pytest.raises(ValidationError) as refused:
        actions.county_review(claim, by=personas.dave)
    assert "1 条高风险" in " ".join(refused.value.messages) and "R03" in " ".join(refused.value.messages)
    assert f.Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED
    actions.county_review(claim, by=personas.dave, note="线索已核实为设备故障，机构已整改")
    approval = RiskApproval.objects.get()
    assert (approval.stage, approval.high_findings, approval.by_id) == (ClaimStatus.COUNTY_REVIEWED, 1, personas.dave.pk)
    assert {r["id"] for r in approval.risks} >= {high.pk}
    event = AuditEvent.objects.get(event="funds.claim.approve_despite_risk")
    assert event.detail["reason"].startswith("线索已核实") and event.detail["high_findings"] == [high.pk]


def test_a_medium_finding_alone_needs_no_reason(personas):
    w = f.funded_class(personas)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    finding(w.klass, severity="medium", code="R11")
    actions.county_review(claim, by=personas.dave)
    assert not RiskApproval.objects.exists()


def test_the_claim_page_and_queue_show_the_risks_by_severity(client, personas):
    w = f.funded_class(personas)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    finding(w.project.organiser, severity="high", organisation_id=w.project.organiser_id)
    finding(w.klass, severity="medium", code="R11")
    finding(w.enrollments[1].person, severity="low", code="R10")
    client.force_login(personas.dave)
    page = client.get(reverse("funds:claim_detail", args=[claim.pk])).content.decode()
    assert 'id="risk-panel"' in page and "高 1 · 中 1 · 低 1" in page and "须写明理由" in page
    assert page.index("R03") < page.index("R11") < page.index("R10")  # by severity
    queue = client.get(reverse("funds:review_queue")).content.decode()
    assert claim.number in queue and "高 1" in queue
    refused = client.post(reverse("funds:claim_approve", args=[claim.pk]), {"note": ""}, follow=True)
    assert "高风险" in refused.content.decode()
    client.force_login(personas.ivan)  # the claimant does not see the supervision panel
    assert 'id="risk-panel"' not in client.get(reverse("funds:claim_detail", args=[claim.pk])).content.decode()


def test_the_api_shows_the_risks(client, personas):
    w = f.funded_class(personas)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    high = finding(w.klass, severity="high", code="R12")
    client.force_login(personas.dave)
    detail = client.get(f"/api/v1/funds/claims/{claim.pk}").json()
    assert [(r["kind"], r["id"], r["severity"], r["touches"]) for r in detail["risks"]] == [
        ("finding", high.pk, "high", ["class"])]
    assert detail["lines"][0]["attendance"]["captured"] == 19
    queue = client.get("/api/v1/funds/review-queue").json()
    [row] = [c for c in queue["items"] if c["id"] == claim.pk]
    assert (row["risks_high"], row["risks_medium"]) == (1, 0)
    answer = client.post(f"/api/v1/funds/claims/{claim.pk}/approve", json.dumps({"note": ""}),
                         content_type="application/json")
    assert answer.status_code == 422


def test_the_dispatch_report_counts_risky_approvals_per_city(personas):
    from jixing.stats.actions import dispatch_figures

    w = f.funded_class(personas)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    finding(w.project.organiser, severity="high", organisation_id=w.project.organiser_id)
    actions.county_review(claim, by=personas.dave, note="已核实")
    today = timezone.localdate()
    data = dispatch_figures(period=today.replace(day=1), today=today)
    assert data["risk_approvals"] == {"370100": 1}
