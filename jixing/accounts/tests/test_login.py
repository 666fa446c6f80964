"""Login, lockout, throttle, session rotation, logout (SECURITY.md A2, A3, C1, D4)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from jixing.core.models import AuditEvent, AuditOutcome
from jixing.core.testing import TEST_PASSWORD

LOGIN = "/accounts/login/"


def _login(client, username: str, password: str, ip: str = "10.0.0.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_logs_in_with_the_right_password_and_rotates_the_session_id(client, personas) -> None:
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    response = _login(client, "dave", TEST_PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_it_locks_the_account_after_five_failures_and_refuses_the_right_password(client, personas) -> None:
    for _ in range(5):
        response = _login(client, "dave", "wrong-Password-1")
        assert response.status_code == 200
    response = _login(client, "dave", TEST_PASSWORD)
    assert response.status_code == 200
    assert not _signed_in(client)
    # The locked account hears what a wrong password hears.
    wrong = _login(client, "erin", "wrong-Password-1")
    assert response.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    personas.dave.refresh_from_db()
    assert personas.dave.is_locked
    assert AuditEvent.objects.filter(event="login.locked", object_id=str(personas.dave.pk)).count() == 1


def test_it_unlocks_after_the_lockout_period(client, personas) -> None:
    for _ in range(5):
        _login(client, "dave", "wrong-Password-1")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=9), tick=False):
        _login(client, "dave", TEST_PASSWORD)
        assert not _signed_in(client)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11), tick=False):
        response = _login(client, "dave", TEST_PASSWORD)
        assert response.status_code == 302
        assert _signed_in(client)
    personas.dave.refresh_from_db()
    assert personas.dave.failed_logins == 0 and personas.dave.locked_until is None


def test_it_answers_an_unknown_user_exactly_like_a_wrong_password(client, personas) -> None:
    unknown = _login(client, "nobody-here", "wrong-Password-1")
    wrong = _login(client, "dave", "wrong-Password-1")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert list(unknown.context["form"].non_field_errors()) != []


def test_it_audits_each_failure_with_user_ip_and_outcome(client, personas) -> None:
    _login(client, "dave", "wrong-Password-1", ip="10.1.2.3")
    _login(client, "nobody-here", "wrong-Password-1", ip="10.1.2.4")
    rows = list(AuditEvent.objects.filter(event="login.failed").order_by("id"))
    assert [(r.actor_label, r.ip, r.outcome) for r in rows] == [
        ("dave", "10.1.2.3", AuditOutcome.FAILED),
        ("nobody-here", "10.1.2.4", AuditOutcome.FAILED),
    ]
    assert rows[0].object_type == "accounts.user" and rows[0].object_id == str(personas.dave.pk)
    assert rows[0].detail == {"failures": 1}
    assert all(r.at is not None for r in rows)


def test_it_audits_a_successful_login_completely(client, personas) -> None:
    _login(client, "dave", TEST_PASSWORD, ip="10.9.9.9")
    row = AuditEvent.objects.get(event="login.succeeded")
    assert (row.actor_id, row.actor_label, row.ip, row.object_type, row.object_id, row.outcome) == (
        personas.dave.pk, "dave", "10.9.9.9", "accounts.user", str(personas.dave.pk), AuditOutcome.OK,
    )


@override_settings(JIXING_IP_FAILURES_PER_HOUR=3)
def test_it_throttles_an_ip_that_sprays_many_accounts(client, personas) -> None:
    for name in ("alice", "bob", "carol"):
        _login(client, name, "wrong-Password-1", ip="10.6.6.6")
    # The right password for a fourth, untouched account is refused from that address …
    response = _login(client, "dave", TEST_PASSWORD, ip="10.6.6.6")
    assert response.status_code == 200 and not _signed_in(client)
    assert AuditEvent.objects.filter(event="login.throttled", actor_label="dave", ip="10.6.6.6").count() == 1
    # … but not from another one, and no account got locked by it.
    assert _login(client, "dave", TEST_PASSWORD, ip="10.7.7.7").status_code == 302
    personas.alice.refresh_from_db()
    assert not personas.alice.is_locked


@override_settings(JIXING_IP_FAILURES_PER_HOUR=3, JIXING_TRUSTED_PROXIES=0)
def test_it_ignores_a_forged_forwarded_for_header_when_no_proxy_is_trusted(client, personas) -> None:
    for n, name in enumerate(("alice", "bob", "carol")):
        _login(client, name, "wrong-Password-1", ip="10.6.6.6", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = _login(client, "dave", TEST_PASSWORD, ip="10.6.6.6", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert not _signed_in(client) and response.status_code == 200


@override_settings(JIXING_TRUSTED_PROXIES=1)
def test_it_takes_the_client_address_from_one_trusted_proxy(client, personas) -> None:
    _login(client, "dave", "wrong-Password-1", ip="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7")
    assert AuditEvent.objects.get(event="login.failed").ip == "198.51.100.7"


def test_it_destroys_the_session_row_at_logout_and_audits_it(client, personas) -> None:
    _login(client, "dave", TEST_PASSWORD, ip="10.3.3.3")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post("/accounts/logout/", REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not Session.objects.filter(session_key=key).exists()
    row = AuditEvent.objects.get(event="logout")
    assert (row.actor_label, row.ip, row.outcome, row.object_id) == ("dave", "10.3.3.3", AuditOutcome.OK, str(personas.dave.pk))
    assert client.get("/").status_code == 302


def test_it_refuses_logout_by_get(client, personas) -> None:
    client.force_login(personas.dave)
    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in(client)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x"])
def test_it_never_redirects_off_site_after_login(client, personas, next_url) -> None:
    response = client.post(LOGIN, {"username": "dave", "password": TEST_PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
