"""Browser journey (issue 17): the Lixia HRSS officer prepares the 自主参训 claim from the list of
approved records; the person sees it on their own list."""

from __future__ import annotations

import pytest

from jixing.funds.models import Claim
from jixing.funds.tests import factories as f
from jixing.funds.tests.test_self_training_claims import record
from jixing.web.tests.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_prepares_a_self_training_claim_from_the_list(page, live_server, personas):
    f.rule_table(personas)
    f.budget(personas)
    record(personas)
    record(personas, claimable=False, course="电子商务直播运营")
    login(page, live_server, personas.dave)
    page.goto(f"{live_server.url}/funds/self-training/")
    assert "所在市规则不对自主参训给予补贴。" in page.content()
    screenshot(page, "self-training-1-officer-list")
    with page.expect_navigation():
        page.click("form[action*='/funds/self-training/'] button[type=submit]")
    claim = Claim.objects.get()
    assert page.url.endswith(f"/funds/claims/{claim.pk}/") and "自主参训补贴" in page.content()
    screenshot(page, "self-training-2-claim")
    page.context.clear_cookies()
    login(page, live_server, personas.trent)
    page.goto(f"{live_server.url}/funds/self-training/")
    assert claim.number in page.content()
    screenshot(page, "self-training-3-person-list")
