"""Browser journeys through the account-security pages (SECURITY.md A1, A4, B1)."""

from __future__ import annotations

import pyotp
import pytest
from django.test import override_settings

from jixing.accounts.models import User
from jixing.core.testing import TEST_PASSWORD
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_walks_a_staff_user_through_first_enrolment_and_then_the_code(page, live_server, personas) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "dave")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url("**/accounts/login/enrol/**")
    secret = page.locator(".enrol-secret strong").inner_text().replace(" ", "")
    assert page.locator(".enrol-uri a").get_attribute("href").startswith("otpauth://totp/")
    screenshot(page, "accounts-totp-enrol")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("form.otp-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert User.objects.get(username="dave").totp_secret == secret


def test_it_lets_an_institution_create_and_revoke_an_api_token(page, live_server, personas) -> None:
    login(page, live_server, personas.ivan)
    page.click("nav.sidebar >> text=API 令牌")
    page.fill("#id_name", "教务系统对接")
    page.click("form.filters button[type=submit]")
    raw = page.locator(".raw-token").inner_text().strip()
    assert raw.startswith("jx_")
    screenshot(page, "accounts-api-tokens")
    page.click("text=吊销")
    page.wait_for_selector(".badge.bad")
    assert raw not in page.content()


def test_it_shows_the_auditor_the_audit_log_with_filters(page, live_server, personas) -> None:
    login(page, live_server, personas.audrey)
    page.click("nav.sidebar >> text=审计日志")
    page.wait_for_selector("table.audit-log")
    page.fill("#id_event", "login.")
    page.click("form.filters button[type=submit]")
    assert page.locator("table.audit-log tbody tr").count() >= 1
    page.click("text=校验哈希链")
    page.wait_for_selector(".notice.ok")
    screenshot(page, "accounts-audit-log")


def test_it_makes_a_user_with_an_admin_set_password_change_it(page, live_server, personas) -> None:
    User.objects.filter(pk=personas.bob.pk).update(must_change_password=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url("**/accounts/password/**")
    screenshot(page, "accounts-password-change")
    page.fill("#id_old_password", TEST_PASSWORD)
    page.fill("#id_new_password1", "Qilu-Skills-2025!")
    page.fill("#id_new_password2", "Qilu-Skills-2025!")
    page.click("form.password-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert not User.objects.get(pk=personas.bob.pk).must_change_password
