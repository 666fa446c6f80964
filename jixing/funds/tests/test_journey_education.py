"""Browser journey (issue 12, Build 5): a frontline worker records a new enrolment with its
学信网 report and claims 求学圆梦; the Lixia trade-union officer reviews it in the browser."""

from __future__ import annotations

import pytest

from jixing.accounts.models import Role
from jixing.core.testing import make_user
from jixing.funds.models import Claim, ClaimStatus
from jixing.funds.tests.test_education import account, education_table, employer, insure
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def test_it_claims_a_new_enrolment_and_the_union_reviews_it(page, live_server, personas):
    education_table(personas)
    acct = account(personas)
    org = employer()
    insure(personas.lixia_person, org)
    union = make_user("ulan", Role.UNION_OFFICER, region_id="370102")

    login(page, live_server, personas.trent)
    page.goto(f"{live_server.url}/funds/my/")
    page.click("#studies summary")
    page.fill("#id_school", "山东开放大学")
    page.fill("#id_programme", "机械设计制造及其自动化")
    page.select_option("#id_level", "bachelor")
    page.select_option("#id_mode", "open_university")
    page.fill("#id_enrolled_on", "2025-03-01")
    page.fill("#id_chsi_report_number", "2025A1B2C3D4E5")
    page.fill("#id_chsi_verification_code", "A1B2-C3D4")  # wrong shape: refused, naming the field
    page.select_option("#id_employer", str(org.pk))
    page.fill("#id_frontline_post", "数控车工")
    page.click("#studies form.stack button[type=submit]")
    assert "在线验证码应为16位" in page.content()
    page.fill("#id_chsi_verification_code", "A1B2C3D4E5F6G7H8")
    page.click("#studies form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/funds/my/")
    screenshot(page, "education-1-my-studies")
    assert "入学日期 2025-03-01，不早于本市起始日期 2024-09-01" in page.content()
    page.select_option("#studies select[name=payee_account]", str(acct.pk))
    page.click("#studies form.inline button[type=submit]")
    page.wait_for_url("**/funds/claims/*/")
    page.click("text=提交")
    page.wait_for_url("**/funds/claims/*/")

    page.context.clear_cookies()
    login(page, live_server, union)
    page.goto(f"{live_server.url}/funds/review/")
    screenshot(page, "education-2-union-queue")
    page.click("table a[href*='/funds/claims/']")
    page.wait_for_url("**/funds/claims/*/")
    screenshot(page, "education-3-union-claim")
    page.click("form[action$='/approve/'] button[type=submit]")
    page.wait_for_url("**/funds/claims/*/")
    claim = Claim.objects.get(person=personas.lixia_person)
    assert claim.status == ClaimStatus.COUNTY_REVIEWED and claim.county_reviewed_by == union
