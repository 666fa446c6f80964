"""First browser journey: a city officer signs in, finds a person by full ID number, sees
the masked record, and meets the 404 page for a person outside the city."""

from __future__ import annotations

import pytest

from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def test_it_walks_bob_from_login_to_a_masked_person_and_a_foreign_404(page, live_server, personas):
    bob, person, foreign = personas.bob, personas.shizhong_person, personas.qingdao_person
    full_number = person.id_number

    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "foundation-1-login")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    login(page, live_server, bob)
    screenshot(page, "foundation-2-workbench")
    assert "工作台" in page.locator("h1").inner_text()

    page.click("nav.sidebar >> text=人员")
    page.wait_for_url(f"{live_server.url}/registry/persons/")
    screenshot(page, "foundation-3-person-list")
    assert full_number not in page.content()

    page.fill("#id_q", full_number)
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/registry/persons/{person.pk}/")
    screenshot(page, "foundation-4-person-detail")
    assert page.locator("h1").inner_text().startswith(person.name)
    assert page.locator("[data-field=id_number]").inner_text() == person.masked_id_number
    assert full_number not in page.content()
    assert full_number not in page.url

    response = page.goto(f"{live_server.url}/registry/persons/{foreign.pk}/")
    assert response is not None and response.status == 404
    screenshot(page, "foundation-5-not-found")
    assert foreign.name not in page.content()
    assert "未找到" in page.locator("h1").inner_text()
