"""Browser journey: a member of the public verifies a certificate by number and name."""

from __future__ import annotations

import pytest

from jixing.web.tests.browser import screenshot

from . import factories as f

pytestmark = pytest.mark.browser


def test_it_lets_the_public_verify_a_certificate(page, live_server, personas) -> None:
    cert = f.locked_pass(personas).certificates[0]
    page.goto(f"{live_server.url}/evaluation/verify/")
    assert page.locator("h1").inner_text() == "职业技能等级证书查验"
    page.fill("#id_number", cert.number)
    page.fill("#id_name", "李历下")
    page.click("#verify-form button[type=submit]")
    result = page.locator("#verify-result")
    result.wait_for()
    text = result.inner_text()
    screenshot(page, "evaluation-verify-valid")
    assert "证书真实有效" in text
    assert "李**" in text and personas.lixia_person.masked_id_number not in text
    assert "初级工" in text and "五级/初级工" in text
    assert personas.lixia_person.id_number not in page.content()
    # a wrong name gets the same answer as an unknown number
    page.fill("#id_number", cert.number)
    page.fill("#id_name", "李历上")
    page.click("#verify-form button[type=submit]")
    page.locator("#verify-result").wait_for()
    assert "未查到" in page.locator("#verify-result").inner_text()
    screenshot(page, "evaluation-verify-not-found")
