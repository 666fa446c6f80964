"""Second factor for staff roles (SECURITY.md A4)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import override_settings

from jixing.accounts import actions, totp
from jixing.accounts.models import User
from jixing.core.models import AuditEvent, AuditOutcome
from jixing.core.testing import TEST_PASSWORD

LOGIN = "/accounts/login/"
OTP = "/accounts/login/otp/"
ENROL = "/accounts/login/enrol/"


def _password_step(client, username: str = "dave"):
    return client.post(LOGIN, {"username": username, "password": TEST_PASSWORD, "next": "/"})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _enrolled(user: User) -> str:
    secret = totp.new_secret()
    User.objects.filter(pk=user.pk).update(totp_secret=secret)
    user.refresh_from_db()
    return secret


def _code(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_gives_a_password_only_staff_login_no_session(client, personas) -> None:
    _enrolled(personas.dave)
    response = _password_step(client)
    assert response.status_code == 302 and response["Location"].startswith(OTP)
    assert not _signed_in(client)
    assert client.get("/").status_code == 302  # the workbench still sends them to the login page
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert not AuditEvent.objects.filter(event="login.succeeded").exists()


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_completes_the_login_with_a_valid_code(client, personas) -> None:
    secret = _enrolled(personas.dave)
    _password_step(client)
    response = client.post(OTP, {"code": _code(secret), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    assert AuditEvent.objects.filter(event="login.succeeded", actor_label="dave").count() == 1


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_rejects_a_replayed_code(client, personas) -> None:
    secret = _enrolled(personas.dave)
    code = _code(secret)
    _password_step(client)
    assert client.post(OTP, {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    _password_step(client)
    response = client.post(OTP, {"code": code})
    assert response.status_code == 200 and not _signed_in(client)
    assert "code" in response.context["form"].errors
    assert AuditEvent.objects.filter(event="login.otp_failed", outcome=AuditOutcome.FAILED).count() == 1


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_stops_accepting_codes_after_five_wrong_ones(client, personas) -> None:
    secret = _enrolled(personas.dave)
    _password_step(client)
    right = _code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(totp.MAX_ATTEMPTS_PER_5_MIN):
        assert client.post(OTP, {"code": wrong}).status_code == 200
    response = client.post(OTP, {"code": right})
    assert response.status_code == 200 and not _signed_in(client)


def test_it_accepts_a_code_once_per_time_step() -> None:
    secret = pyotp.random_base32()
    now = 1_750_000_000.0
    code = pyotp.TOTP(secret).at(now)
    assert totp.matching_step(secret, code, now=now) == int(now // 30)
    assert totp.matching_step(secret, code, now=now + 30) == int(now // 30)  # one step of drift
    assert totp.matching_step(secret, code, now=now + 120) is None
    assert totp.matching_step(secret, "12345a", now=now) is None


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_does_not_ask_trainees_and_institutions_for_a_code(client, personas) -> None:
    response = client.post(LOGIN, {"username": "ivan", "password": TEST_PASSWORD})
    assert response.status_code == 302 and _signed_in(client)


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_enrols_a_staff_user_at_the_first_login(client, personas) -> None:
    response = _password_step(client)
    assert response["Location"].startswith(ENROL)
    page = client.get(ENROL)
    assert page.status_code == 200 and not _signed_in(client)
    secret = page.context["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert page.context["otpauth_uri"].startswith("otpauth://totp/jixing:dave?secret=" + secret)
    assert page.context["secret_grouped"].replace(" ", "") == secret
    assert page.context["secret_grouped"] in page.content.decode()
    assert client.post(ENROL, {"code": "000000"}).status_code == 200
    assert not _signed_in(client)
    response = client.post(ENROL, {"code": _code(secret), "next": "/"})
    assert response.status_code == 302 and _signed_in(client)
    personas.dave.refresh_from_db()
    assert personas.dave.totp_secret == secret
    assert AuditEvent.objects.filter(event="totp.enrolled", object_id=str(personas.dave.pk)).count() == 1
    # The confirmation code cannot be used again to log in.
    client.post("/accounts/logout/")
    _password_step(client)
    assert client.post(OTP, {"code": _code(secret)}).status_code == 200


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_stores_the_secret_encrypted(personas) -> None:
    from django.db import connection

    secret = _enrolled(personas.dave)
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [personas.dave.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored


def test_it_lets_a_signed_in_staff_user_enrol_voluntarily(client, personas) -> None:
    client.force_login(personas.alice)
    page = client.get("/accounts/second-factor/")
    secret = page.context["secret"]
    response = client.post("/accounts/second-factor/", {"code": _code(secret)})
    assert response.status_code == 302
    personas.alice.refresh_from_db()
    assert personas.alice.totp_secret == secret
    assert client.get("/accounts/second-factor/").context["enrolled"]


def test_it_lets_the_security_admin_reset_a_second_factor(personas) -> None:
    _enrolled(personas.dave)
    actions.reset_second_factor(personas.dave, by=personas.sue)
    personas.dave.refresh_from_db()
    assert personas.dave.totp_secret == "" and personas.dave.totp_last_step == 0
    row = AuditEvent.objects.get(event="totp.reset")
    assert (row.actor_label, row.object_id, row.before, row.after) == (
        "sue", str(personas.dave.pk), {"enrolled": True}, {"enrolled": False},
    )


@pytest.mark.parametrize("who", ["sam", "audrey", "alice"])
def test_it_lets_nobody_else_reset_a_second_factor(personas, who) -> None:
    from django.core.exceptions import PermissionDenied

    _enrolled(personas.dave)
    with pytest.raises(PermissionDenied):
        actions.reset_second_factor(personas.dave, by=getattr(personas, who))


def test_it_forbids_the_security_admin_to_reset_their_own_factor(personas) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.reset_second_factor(personas.sue, by=personas.sue)


@override_settings(JIXING_REQUIRE_STAFF_TOTP=True)
def test_it_forgets_a_pending_login_after_five_minutes(client, personas) -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    secret = _enrolled(personas.dave)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _password_step(client)
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        response = client.post(OTP, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not _signed_in(client)
