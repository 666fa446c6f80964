"""Browser journey (求学圆梦): a frontline worker records their graduated study on "My subsidies"
and claims the education subsidy for it; the claim shows the amount capped at the tuition paid."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.funds.models import Claim, ClaimStatus, StudyRecord
from jixing.web.tests.browser import login, screenshot

from . import factories as f
from .test_education import account, education_table, employer

pytestmark = pytest.mark.browser


def test_a_worker_records_a_study_and_claims_the_education_subsidy(page, live_server, personas) -> None:
    education_table(personas, amount="3000")
    account(personas)
    company = employer()
    graduated = f.today() - dt.timedelta(days=30)

    login(page, live_server, personas.trent)
    page.goto(f"{live_server.url}/funds/my/")
    page.click("summary:has-text('登记学历学习')")
    page.fill("#id_school", "山东开放大学")
    page.fill("#id_programme", "机电一体化技术")
    page.select_option("#id_level", "college")
    page.select_option("#id_mode", "open_university")
    page.fill("#id_enrolled_on", (graduated - dt.timedelta(days=900)).isoformat())
    page.fill("#id_graduated_on", graduated.isoformat())
    page.fill("#id_tuition_paid", "2400")
    page.select_option("#id_employer", str(company.pk))
    page.click("text=保存学历学习")
    page.locator("td", has_text="机电一体化技术").wait_for()
    study = StudyRecord.objects.get(person=personas.lixia_person)
    screenshot(page, "funds-education-1-recorded")

    page.locator("tr", has_text="机电一体化技术").locator("button").click()
    page.wait_for_url(f"{live_server.url}/funds/claims/*/")
    claim = Claim.objects.get(lines__study=study)
    assert claim.amount == 2400 and claim.status == ClaimStatus.DRAFT  # 3,000 capped at the tuition paid
    assert "2,400.00" in page.content()
    screenshot(page, "funds-education-2-claim")
