"""Session limits (SECURITY.md A3, D4)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from jixing.core.models import AuditEvent
from jixing.core.testing import TEST_PASSWORD


def _login(client, username: str = "dave") -> None:
    response = client.post("/accounts/login/", {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_it_keeps_the_session_limits_within_the_baseline() -> None:
    assert settings.JIXING_SESSION_IDLE_SECONDS <= 30 * 60
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY
    assert "jixing.accounts.middleware.SessionTimeoutMiddleware" in settings.MIDDLEWARE


def test_it_sends_a_request_after_31_idle_minutes_to_the_login_page(client, personas) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _login(client)
        assert client.get("/").status_code == 200
        key = client.session.session_key
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=key).exists()
    row = AuditEvent.objects.get(event="session.expired")
    assert row.actor_label == "dave" and row.detail == {"reason": "idle"}


def test_it_keeps_an_active_session_alive_within_the_idle_limit(client, personas) -> None:
    start = timezone.now()
    for minutes in (0, 20, 40, 60, 80):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            if minutes == 0:
                _login(client)
            assert client.get("/").status_code == 200, minutes


def test_it_ends_even_an_active_session_after_twelve_hours(client, personas) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _login(client)
    for minutes in range(25, 12 * 60, 25):  # never idle for long
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200, minutes
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=10), tick=False):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.get(event="session.expired").detail == {"reason": "absolute"}


def test_it_tells_htmx_to_reload_the_window_on_the_login_page(client, personas) -> None:
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")
