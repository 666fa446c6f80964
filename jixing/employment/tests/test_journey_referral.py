"""Browser journey: a county officer opens a job demand, sees the matching trainees ranked with
their reasons, and refers one; the referral appears with its reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.employment.models import Referral
from jixing.web.tests.browser import login, screenshot

from . import factories as f

pytestmark = pytest.mark.browser


def test_it_walks_dave_from_a_demand_to_a_referral(page, live_server, personas):
    p = personas
    ent = f.enterprise()
    eve = f.enterprise_user(ent)
    demand = f.demand(ent, eve, title="数控焊工")
    f.completed_training(p.lixia_person, p.institution, p.dave, completed_on=dt.date(2025, 6, 30))
    f.certificate(p.lixia_person, p.evaluation_body, p.judy, p.dave, issued_on=dt.date(2025, 7, 20))
    f.completed_training(p.shizhong_person, p.institution, p.dave, level=4, completed_on=dt.date(2025, 6, 30))

    login(page, live_server, p.dave)
    page.click("nav.sidebar >> text=岗位需求")
    page.wait_for_url(f"{live_server.url}/employment/demands/")
    screenshot(page, "employment-1-demands")
    page.click("text=数控焊工")
    page.wait_for_url(f"{live_server.url}/employment/demands/{demand.pk}/")
    rows = page.locator("#matches tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-person") == str(p.lixia_person.pk)  # same county, certified
    assert "同县" in rows.nth(0).inner_text() and "同市" in rows.nth(1).inner_text()
    assert "持有该职业证书" in rows.nth(0).inner_text()
    assert p.lixia_person.id_number not in page.content()
    screenshot(page, "employment-2-matches")

    rows.nth(0).locator("button", has_text="推荐").click()
    page.wait_for_url(f"{live_server.url}/employment/demands/{demand.pk}/")
    assert "已将李历下推荐给用人单位" in page.locator(".messages").inner_text()
    referred = page.locator("#referrals tbody tr")
    assert referred.count() == 1 and "已推荐" in referred.nth(0).inner_text()
    assert page.locator("#matches tbody tr").count() == 1  # the referred person left the list
    screenshot(page, "employment-3-referred")
    r = Referral.objects.get()
    assert (r.person, r.demand, r.referred_by) == (p.lixia_person, demand, p.dave)

    # the enterprise records the interview and the hire on the same page
    page.context.clear_cookies()
    login(page, live_server, eve)
    page.goto(f"{live_server.url}/employment/demands/{demand.pk}/")
    form = page.locator("#referrals form.result-form")
    form.locator("select[name=to]").select_option("interviewed")
    form.locator("button").click()
    page.wait_for_url(f"{live_server.url}/employment/demands/{demand.pk}/")
    form = page.locator("#referrals form.result-form")
    form.locator("select[name=to]").select_option("hired")
    form.locator("input[name=start_date]").fill("2025-11-03")
    form.locator("input[name=monthly_wage]").fill("5800")
    form.locator("button").click()
    page.wait_for_url(f"{live_server.url}/employment/demands/{demand.pk}/")
    assert "已录用" in page.locator("#referrals tbody tr").nth(0).inner_text()
    screenshot(page, "employment-4-hired")

    # and the officer verifies the placement from the queue
    page.context.clear_cookies()
    login(page, live_server, p.dave)
    page.goto(f"{live_server.url}/employment/verification/")
    row = page.locator("table.data tbody tr").nth(0)
    assert "李历下" in row.inner_text() and "企业确认" in row.inner_text()
    screenshot(page, "employment-5-queue")
    row.locator("button", has_text="核验通过").click()
    page.wait_for_url(f"{live_server.url}/employment/verification/")
    assert "没有待核验的记录" in page.locator("table.data").inner_text()
    from jixing.employment.models import Placement

    assert Placement.objects.get().status == "verified"


def test_it_shows_outcomes_and_pay_charts(page, live_server, personas):
    from decimal import Decimal

    from jixing.employment.models import SkillPayReport

    p = personas
    ent = f.enterprise()
    eve = f.enterprise_user(ent)
    f.completed_training(p.lixia_person, p.institution, p.dave, start=dt.date(2025, 3, 1),
                         completed_on=dt.date(2025, 4, 15))
    f.completed_training(p.shizhong_person, p.institution, p.dave, start=dt.date(2025, 3, 1),
                         completed_on=dt.date(2025, 4, 15), county="370103")
    f.contributions(p.lixia_person, ent.uscc, [f"2025-{m:02d}" for m in range(5, 13)], base="5200", employer=ent)
    for order, pay in ((2, "4300"), (3, "5200"), (4, "6400"), (5, "8200")):
        SkillPayReport.objects.create(enterprise=ent, year=2024, level_id=order, workers=10,
                                      average_monthly_pay=Decimal(pay), starting_monthly_pay=Decimal(pay) * Decimal("0.8"),
                                      reported_by=eve)

    login(page, live_server, p.bob)
    page.goto(f"{live_server.url}/employment/outcomes/")
    page.wait_for_selector("#outcome-chart canvas")
    rows = page.locator("#outcome-table tbody tr")
    assert rows.count() == 1 and "济南市" in rows.nth(0).inner_text()
    assert "50% (1/2)" in rows.nth(0).inner_text()  # employed within 6 months: lixia yes, shizhong no
    screenshot(page, "employment-6-outcomes")

    page.goto(f"{live_server.url}/employment/pay/")
    page.wait_for_selector("#pay-chart canvas")
    assert "5,200.00" in page.locator("#pay-by-level").inner_text()
    screenshot(page, "employment-7-pay")
