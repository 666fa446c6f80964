"""Journey: the county returns a claim; the institution sees it unread in the top bar with a
link to the claim, and the claim leaves the county officer's to-dos. Then the delivery log.
Screenshots in /tmp/jixing-screens."""

from __future__ import annotations

import pytest

from jixing.funds.models import ClaimStatus
from jixing.funds.tests import factories as f
from jixing.notify.models import Notification
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def test_it_tells_the_institution_of_a_returned_claim_and_clears_the_county_todo(page, live_server, personas) -> None:
    w = f.funded_class(personas, trainees=2)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)

    login(page, live_server, personas.dave)
    card = page.locator("#todo-card")
    assert claim.number in card.inner_text()
    screenshot(page, "notify-todos-dave-before")
    card.locator(f"a:has-text('{claim.number}')").click()
    page.wait_for_url(f"{live_server.url}/funds/claims/{claim.pk}/")
    page.click("summary")
    page.fill("#id_reason", "花名册缺少学员签名，请补齐后重新提交")
    page.click("button[formaction$='/return/']")
    page.wait_for_selector(".msg-success")
    page.goto(f"{live_server.url}/")
    assert claim.number not in page.locator("#todo-card").inner_text()
    screenshot(page, "notify-todos-dave-after")

    page.context.clear_cookies()
    login(page, live_server, personas.ivan)
    assert page.locator("#notify-unread").inner_text() == "1"
    assert claim.number in page.locator("#todo-card").inner_text()  # now the institution's to-do
    screenshot(page, "notify-workbench-ivan")
    page.click("#notify-bell")
    page.wait_for_url(f"{live_server.url}/notify/")
    row = page.locator("tr.unread")
    assert row.count() == 1 and "花名册缺少学员签名" in row.inner_text()
    screenshot(page, "notify-inbox-ivan")
    row.locator("a").click()
    page.wait_for_url(f"{live_server.url}/funds/claims/{claim.pk}/")
    assert page.locator("#notify-unread").count() == 0
    assert Notification.objects.get(user=personas.ivan).read_at is not None


def test_it_shows_the_delivery_log_with_reasons(page, live_server, personas) -> None:
    from jixing.funds import actions as funds
    from jixing.notify import actions

    personas.ivan.email = "ivan@example.cn"
    personas.ivan.save(update_fields=["email"])
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    person_claim_user = f.person_user(personas.shizhong_person, "tina")
    actions.record_sms_consent(person_claim_user, by=person_claim_user, given=False)
    funds.return_claim(claim, by=personas.dave, reason="缺少签名")  # committed: live_server uses real transactions
    assert Notification.objects.filter(user=personas.ivan).count() == 1

    login(page, live_server, personas.alice)
    page.goto(f"{live_server.url}/notify/deliveries/")
    rows = page.locator("table.deliveries tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-status") == "sent"
    assert "i***@example.cn" in rows.first.inner_text()
    screenshot(page, "notify-delivery-log")
    page.goto(f"{live_server.url}/notify/preferences/")
    screenshot(page, "notify-preferences-alice")
