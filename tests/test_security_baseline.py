"""Cross-app lines of SECURITY.md: A5 (production settings), H1 (error pages, docs off),
D1 (personal data at rest), C1 (authorisation failures audited), B1 (the auditor writes
nothing), B6 (CSRF on state changes)."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test import Client

from jixing.core.models import AuditEvent, AuditOutcome
from jixing.core.testing import TEST_PASSWORD, make_person
from jixing.registry.models import Person

BASE_DIR = Path(settings.BASE_DIR)


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JIXING_", "DATABASE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "JIXING_ENV": "production",
        "JIXING_VAR_DIR": str(tmp_path),  # no var/.env from a developer machine
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "JIXING_DATA_KEYS": "p1:" + base64.b64encode(os.urandom(32)).decode(),
        "JIXING_HASH_KEY": base64.b64encode(os.urandom(32)).decode(),
        "JIXING_AUDIT_KEY": base64.b64encode(os.urandom(32)).decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "jixing.example.gov.cn",
    })
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_it_passes_the_deploy_check_with_production_settings(tmp_path) -> None:
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION_PROBE = """
import django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
assert settings.DEBUG is False
assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE and settings.SECURE_SSL_REDIRECT
assert settings.SECURE_HSTS_SECONDS >= 31536000
assert settings.JIXING_REQUIRE_STAFF_TOTP is True
assert settings.JIXING_API_SCHEMA_PUBLIC is False
try:
    resolve("/api/v1/docs")
except Resolver404:
    print("docs-off")
resolve("/api/v1/openapi.json")
print("ok")
"""


def test_it_turns_debug_and_api_docs_off_in_production(tmp_path) -> None:
    result = _run([sys.executable, "-c", PRODUCTION_PROBE], _production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["docs-off", "ok"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be off in production"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is required"),
        ({"JIXING_DATA_KEYS": ""}, "JIXING_DATA_KEYS is required"),
        ({"JIXING_AUDIT_KEY": ""}, "JIXING_AUDIT_KEY is required"),
        ({"JIXING_API_SCHEMA_PUBLIC": "true"}, "the API schema must need a sign-in in production"),
    ],
)
def test_it_refuses_to_start_production_with_unsafe_settings(tmp_path, extra, message) -> None:
    result = _run([sys.executable, "manage.py", "check"], _production_env(tmp_path, **extra))
    assert result.returncode != 0
    assert message in result.stderr


def test_it_never_takes_production_secrets_from_var_env(tmp_path) -> None:
    """A developer's var/.env next to a production process must not supply its keys."""
    secrets_only_in_file = {k: v for k, v in _production_env(tmp_path).items()
                            if k in {"DJANGO_SECRET_KEY", "JIXING_DATA_KEYS", "JIXING_HASH_KEY", "JIXING_AUDIT_KEY"}}
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in secrets_only_in_file.items()))
    env = {k: v for k, v in _production_env(tmp_path).items() if k not in secrets_only_in_file}
    result = _run([sys.executable, "manage.py", "check", "--deploy"], env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr
    # Outside production the same file is the demo's key store.
    result = _run([sys.executable, "manage.py", "check"], {**env, "JIXING_ENV": "development", "DJANGO_DEBUG": "false"})
    assert result.returncode == 0, result.stderr


def test_it_refuses_the_test_keys_in_production(tmp_path) -> None:
    test_keys = {"JIXING_HASH_KEY": "dGVzdC1vbmx5LWhhc2gta2V5LW5vdC1mb3ItcHJvZHVjdGlvbg=="}
    result = _run([sys.executable, "manage.py", "check", "--deploy"], _production_env(tmp_path, **test_keys))
    assert result.returncode != 0
    assert "JIXING_HASH_KEY is a test key" in result.stderr


def test_it_serves_the_api_schema_only_to_signed_in_callers_when_not_public(client, personas, settings) -> None:
    from jixing.accounts import actions as account_actions

    settings.JIXING_API_SCHEMA_PUBLIC = False
    anonymous = client.get("/api/v1/openapi.json")
    assert anonymous.status_code == 401 and "paths" not in anonymous.json()
    _token, raw = account_actions.issue_api_token(by=personas.ivan, name="schema")
    assert client.get("/api/v1/openapi.json", HTTP_X_API_TOKEN=raw).status_code == 200
    assert client.get("/api/v1/openapi.json", HTTP_X_API_TOKEN="not-a-token").status_code == 401
    client.force_login(personas.alice)
    assert "paths" in client.get("/api/v1/openapi.json").json()
    settings.JIXING_API_SCHEMA_PUBLIC = True
    client.logout()
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.urls("tests.urls")
def test_it_shows_a_generic_page_without_traceback_on_a_server_error(client, db, caplog) -> None:
    client.raise_request_exception = False
    response = client.get("/__test__/explode/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Traceback" not in body and "RuntimeError" not in body and "secret-internal-detail" not in body
    assert "370102199005170133" not in caplog.text  # the logged error is redacted (C4)


@pytest.mark.urls("tests.urls")
def test_it_lets_the_auditor_write_nothing(client, personas) -> None:
    client.force_login(personas.audrey)
    assert client.get("/__test__/write/").status_code == 200  # reading is fine
    assert client.post("/__test__/write/").status_code == 403
    assert client.post("/__test__/compute/").status_code == 200  # declared read-only
    assert client.post("/accounts/password/", {}).status_code == 200  # own account
    row = AuditEvent.objects.get(event="authorization.denied")
    assert (row.actor_label, row.object_id, row.outcome) == ("audrey", "/__test__/write/", AuditOutcome.DENIED)
    client.force_login(personas.dave)
    assert client.post("/__test__/write/").status_code == 200


def test_it_refuses_the_auditor_api_writes(client, personas) -> None:
    client.force_login(personas.audrey)
    response = client.post("/api/v1/accounts/me", {}, content_type="application/json")
    assert response.status_code == 403


def test_it_audits_an_authorisation_failure_completely(client, personas) -> None:
    client.force_login(personas.dave)
    response = client.get("/accounts/audit/", REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 403
    row = AuditEvent.objects.get(event="authorization.denied")
    assert row.at is not None
    assert (row.actor_id, row.actor_label, row.ip, row.object_type, row.object_id, row.outcome) == (
        personas.dave.pk, "dave", "10.4.4.4", "url", "/accounts/audit/", AuditOutcome.DENIED,
    )
    assert row.detail["required_roles"] == ["auditor", "security_admin"]


def test_it_stores_id_numbers_and_phones_as_ciphertext(personas) -> None:
    person = personas.lixia_person
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash, phone, phone_hash FROM registry_person WHERE id = %s", [person.pk])
        id_number, id_hash, phone, phone_hash = cursor.fetchone()
    for stored in (id_number, id_hash, phone, phone_hash):
        assert person.id_number not in stored and person.phone not in stored
        assert person.id_number[-4:] + person.id_number[:6] not in stored
    assert id_number.split(":")[0] in settings.JIXING_DATA_KEYS  # "<key id>:<base64>"
    assert Person.objects.with_id_number(person.id_number).get() == person
    assert Person.objects.with_id_number(person.id_number.lower()).get() == person


def test_it_rejects_a_second_person_with_the_same_id_number(personas) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_person("冒名", "370102", seq=13)  # same county, birth date and sequence as lixia_person
    assert Person.objects.with_id_number(personas.lixia_person.id_number).count() == 1


def test_it_keeps_the_encryption_keys_out_of_the_database(personas) -> None:
    key = settings.JIXING_DATA_KEYS.split(":", 1)[1]
    hash_key = settings.JIXING_HASH_KEY
    with connection.cursor() as cursor:
        for table in ("registry_person", "accounts_user", "core_auditevent"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump = repr(cursor.fetchall())
            assert key not in dump and hash_key not in dump


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/login/", {"username": "dave", "password": TEST_PASSWORD}),
        ("/accounts/logout/", {}),
        ("/accounts/password/", {"old_password": TEST_PASSWORD, "new_password1": "X-new-Pa55word", "new_password2": "X-new-Pa55word"}),
        ("/accounts/tokens/", {"name": "x"}),
    ],
)
def test_it_refuses_state_changes_without_a_csrf_token(personas, url, data) -> None:
    client = Client(enforce_csrf_checks=True)
    if url != "/accounts/login/":
        client.force_login(personas.ivan)
    response = client.post(url, data)
    assert response.status_code == 403
    personas.ivan.refresh_from_db()
    assert personas.ivan.check_password(TEST_PASSWORD)
    assert not personas.ivan.api_tokens.exists()


def test_it_changes_nothing_with_extra_fields_on_the_password_page(client, personas) -> None:
    client.force_login(personas.dave)
    client.post("/accounts/password/", {
        "old_password": TEST_PASSWORD, "new_password1": "X-new-Pa55word", "new_password2": "X-new-Pa55word",
        "role": "system_admin", "can_unmask": "on", "is_superuser": "on", "region": "370000",
    })
    personas.dave.refresh_from_db()
    assert (personas.dave.role, personas.dave.can_unmask, personas.dave.is_superuser, personas.dave.region_id) == (
        "hrss_officer", False, False, "370102",
    )
