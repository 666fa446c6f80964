"""Browser journey: the province officer reads the dashboard (charts drawn, tables), drills
into a city, opens the records behind a figure and generates a dispatch report."""

from __future__ import annotations

import pytest

from jixing.stats.tests.factories import known_dataset
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def test_it_walks_the_province_through_progress_and_a_dispatch_report(page, live_server, personas):
    known_dataset(personas.alice)
    login(page, live_server, personas.alice)
    page.goto(f"{live_server.url}/stats/?year=2026")
    page.wait_for_selector("#chart-ranking canvas")  # ECharts drew the city ranking
    screenshot(page, "stats-1-dashboard")
    assert "进度看板" in page.locator("h1").inner_text()
    assert page.locator("#chart-trend canvas").count() == 1

    page.select_option("select[name=region]", "370100")
    page.wait_for_url("**region=370100**")
    screenshot(page, "stats-2-jinan")
    assert "济南市" in page.locator("h1").inner_text()

    page.click("text=2025–2027年补贴性培训人次 >> xpath=.. >> a")
    page.wait_for_url("**/stats/records/**")
    screenshot(page, "stats-3-records")
    assert page.locator("table.data tbody tr").count() == 4  # Jinan: 3 in 2026 + 1 in 2025

    page.goto(f"{live_server.url}/stats/reports/")
    page.fill("#id_period", "2026-13")
    page.click("text=立即生成")
    assert "年-月" in page.locator(".errorlist").inner_text()
    page.fill("#id_period", "2025-06")
    page.click("text=立即生成")
    page.wait_for_url("**/stats/reports/*/")
    screenshot(page, "stats-4-report")
    assert "调度通报" in page.locator("h1").inner_text()
