"""Password policy and periodic change (SECURITY.md A1)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.models import AuditEvent, AuditOutcome
from jixing.core.testing import TEST_PASSWORD

CHANGE = "/accounts/password/"


def _user(username: str = "paula", **fields) -> User:
    return User.objects.create_user(username=username, password=TEST_PASSWORD, role=Role.AUDITOR, **fields)


@pytest.mark.parametrize(
    "weak",
    [
        "short1!A",  # too short
        "alllowercaseletters",  # one character class
        "12345678901234",  # numeric and common
        "password12345",  # common
        "Password1234",  # common list: passes classes but is a well-known password
        "onlylower-and-symbols",  # two classes only
    ],
)
def test_it_rejects_weak_passwords(weak, db) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak, User(username="paula"))


def test_it_accepts_a_strong_password(db) -> None:
    validate_password("Qilu-Skills-2025!", User(username="paula"))


def test_it_has_mlps_values_by_default() -> None:
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert {"MinimumLengthValidator", "CommonPasswordValidator", "CharacterClassValidator"} <= set(names)
    minimum = next(v for v in settings.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator"))
    assert minimum["OPTIONS"]["min_length"] >= 8
    assert 0 < settings.JIXING_PASSWORD_MAX_AGE_DAYS <= 90


def test_it_stamps_the_change_time_when_a_password_is_set(db) -> None:
    user = _user()
    assert user.password_changed_at is not None
    assert abs((timezone.now() - user.password_changed_at).total_seconds()) < 5


def test_it_sends_a_user_with_an_old_password_to_the_change_page_after_login(client, db) -> None:
    _user()
    later = timezone.now() + dt.timedelta(days=settings.JIXING_PASSWORD_MAX_AGE_DAYS + 1)
    with time_machine.travel(later, tick=False):
        response = client.post("/accounts/login/", {"username": "paula", "password": TEST_PASSWORD, "next": "/"})
        assert response.status_code == 302
        follow = client.get(response["Location"])
        assert follow.status_code == 302
        assert follow["Location"].startswith(CHANGE)
        # Nothing else is reachable until the password is changed …
        assert client.get("/accounts/audit/")["Location"].startswith(CHANGE)
        page = client.get(CHANGE)
        assert page.status_code == 200 and page.context["expired"]
        response = client.post(CHANGE, {"old_password": TEST_PASSWORD, "new_password1": "Brand-New-Pa55!",
                                        "new_password2": "Brand-New-Pa55!", "next": "/accounts/audit/"})
        assert response.status_code == 302 and response["Location"] == "/accounts/audit/"
        # … and afterwards the session still works, with a fresh change time.
        assert client.get("/accounts/audit/").status_code == 200
        user = User.objects.get(username="paula")
        assert user.password_changed_at == later
        assert user.check_password("Brand-New-Pa55!")
    assert AuditEvent.objects.filter(event="password.changed", actor_label="paula", outcome=AuditOutcome.OK).count() == 1


def test_it_does_not_bother_a_user_whose_password_is_recent(client, db) -> None:
    _user()
    with time_machine.travel(timezone.now() + dt.timedelta(days=settings.JIXING_PASSWORD_MAX_AGE_DAYS - 1), tick=False):
        client.post("/accounts/login/", {"username": "paula", "password": TEST_PASSWORD})
        assert client.get("/accounts/audit/").status_code == 200


@override_settings(JIXING_PASSWORD_MAX_AGE_DAYS=30)
def test_it_takes_the_maximum_age_from_settings(db) -> None:
    user = _user()
    assert not user.password_expired(now=timezone.now() + dt.timedelta(days=29))
    assert user.password_expired(now=timezone.now() + dt.timedelta(days=31))


def test_it_makes_a_user_change_a_password_an_administrator_set(client, db) -> None:
    _user(must_change_password=True)
    client.post("/accounts/login/", {"username": "paula", "password": TEST_PASSWORD})
    assert client.get("/")["Location"].startswith(CHANGE)


@pytest.mark.parametrize("new", ["abc", "alllowercaseletters", TEST_PASSWORD])
def test_it_refuses_a_weak_or_unchanged_new_password(client, db, new) -> None:
    user = _user()
    client.force_login(user)
    response = client.post(CHANGE, {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert {"new_password1", "new_password2"} & set(response.context["form"].errors)
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert AuditEvent.objects.filter(event="password.change_failed", outcome=AuditOutcome.FAILED).count() == 1


def test_it_needs_the_current_password_to_change_it(client, db) -> None:
    user = _user()
    client.force_login(user)
    response = client.post(CHANGE, {"old_password": "not-it-At-All-1", "new_password1": "Brand-New-Pa55!",
                                    "new_password2": "Brand-New-Pa55!"})
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_it_gives_demo_accounts_generated_passwords(reference, settings, tmp_path) -> None:
    from jixing.core.demo import new_context
    from jixing.core.testing import make_organisation, make_person
    from jixing.registry import demo_accounts as demo
    from jixing.registry.models import OrganisationKind

    settings.VAR_DIR = tmp_path
    for n, kind in enumerate([OrganisationKind.PRIVATE_INSTITUTION, OrganisationKind.ENTERPRISE,
                              OrganisationKind.EVALUATION_INSTITUTION]):
        make_organisation(f"演示机构{n}", "370102", kind)
    make_person("演示学员", "370102")
    runs = []
    for _ in range(2):
        User.objects.filter(is_demo=True).delete()
        demo.seed(new_context("small", 2025))  # the same seed both times
        lines = (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(demo.DEMO_ACCOUNTS)
        runs.append(dict(line.split("\t")[:2] for line in lines))
    first, second = runs
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)  # generated per installation, not derived from the seed
    for username, password in second.items():
        assert password != TEST_PASSWORD
        validate_password(password)
        assert User.objects.get(username=username).check_password(password)
    assert not User.objects.filter(is_superuser=True).exists()


def test_it_ships_no_fixture_with_accounts_or_passwords() -> None:
    """No loaddata fixture (json/yaml/xml) in the repository carries accounts or password hashes."""
    root = Path(settings.BASE_DIR)
    hits = []
    for path in root.glob("jixing/**/fixtures/*"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"accounts\.user|pbkdf2_sha256\$|argon2|\"password\"", text):
            hits.append(str(path.relative_to(root)))
    assert hits == []


@override_settings(PRODUCTION=True)
def test_it_refuses_to_print_demo_accounts_in_production() -> None:
    with pytest.raises(CommandError):
        call_command("demo_accounts")
