"""The claim page as a county reviewer sees it with open supervision risks (issue 13)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from jixing.funds.models import ClaimStatus
from jixing.funds.tests import factories as f
from jixing.supervision.models import Finding
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def test_the_reviewer_sees_the_risk_panel_and_line_evidence(page, live_server, personas):
    w = f.funded_class(personas, trainees=2)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    org = w.project.organiser
    Finding.objects.create(code="R03", fingerprint="demo-r03", subject_type=ContentType.objects.get_for_model(org),
                           subject_id=str(org.pk), subject_label=org.name, organisation=org, county_id="370102",
                           severity="high", evidence={}, last_seen_at=timezone.now())
    page.set_default_timeout(60_000)
    login(page, live_server, personas.dave)
    page.goto(f"{live_server.url}/funds/claims/{claim.pk}/")
    panel = page.locator("#risk-panel").inner_text()
    assert "高 1" in panel and "R03" in panel
    assert page.locator(".attendance-evidence").count() == 2
    screenshot(page, "attendance-6-claim-risk-panel")
    page.click("#approve-claim")
    assert "高风险" in page.locator(".messages").inner_text()
