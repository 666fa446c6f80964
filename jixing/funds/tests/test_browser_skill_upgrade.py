"""The trainee's 我的补贴 page shows each certificate's insurance and routing checks; the
reviewer sees, on the claim line, the months found and the account kind (browser)."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.funds import actions
from jixing.funds.tests import factories as f
from jixing.web.tests.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_months_found_and_the_account_kind(page, live_server, personas) -> None:
    f.rule_table(personas)
    f.rule_table(personas, city="370200")
    person = personas.lixia_person
    refused = f.certificate(person, occ=f.occupation(1), lvl=3, issued_on=f.today() - dt.timedelta(days=40))
    cert = f.certificate(person, lvl=3, issued_on=f.today() - dt.timedelta(days=200))
    f.insured(person, months=12, until=cert.issued_on, city="3702")
    card = f.card_account(personas, person)
    login(page, live_server, personas.trent)
    page.goto("/funds/my/")
    screenshot(page, "funds-my-subsidies-insurance")
    body = page.locator("main").inner_text()
    assert "累计缴费" in body and refused.number in body
    claim = actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=card)
    page.goto(f"/funds/claims/{claim.pk}/")
    screenshot(page, "funds-claim-line-months-account")
    text = page.locator("main").inner_text()
    assert "查到的失业保险缴费月数" in text and "社会保障卡金融账户" in text and "3702" in text
