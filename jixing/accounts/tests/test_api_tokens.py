"""Organisation API tokens: created on a page (shown once), revoked, audited, accepted by the API."""

from __future__ import annotations

import re

import pytest

from jixing.accounts.models import ApiToken
from jixing.core.models import AuditEvent, AuditOutcome

ME = "/api/v1/accounts/me"


def _create(client, user, name: str = "教务系统") -> str:
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"name": name})
    assert response.status_code == 200
    return response.context["raw_token"]


def test_it_shows_a_new_token_once_and_stores_only_its_hash(client, personas) -> None:
    raw = _create(client, personas.ivan)
    assert re.fullmatch(r"jx_[A-Za-z0-9_-]{40,}", raw)
    token = ApiToken.objects.get()
    assert token.organisation == personas.institution and token.user == personas.ivan
    assert token.token_hash == ApiToken.hash_token(raw) and raw not in token.token_hash
    page = client.get("/accounts/tokens/")
    assert raw not in page.content.decode() and token.prefix in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    row = AuditEvent.objects.get(event="api_token.created")
    assert row.actor_label == "ivan" and raw not in str(row.detail) and row.outcome == AuditOutcome.OK


def test_it_authenticates_an_api_call_with_the_token(client, personas, django_app=None) -> None:
    raw = _create(client, personas.ivan)
    client.logout()
    assert client.get(ME).status_code == 401
    response = client.get(ME, headers={"X-API-Token": raw})
    assert response.status_code == 200
    assert response.json() == {
        "username": "ivan", "role": "institution", "region": None,
        "organisation": {"id": personas.institution.pk, "name": personas.institution.name}, "via_token": True,
    }
    assert ApiToken.objects.get().last_used_at is not None
    assert client.get(ME, headers={"X-API-Token": raw + "x"}).status_code == 401


def test_it_stops_a_revoked_token(client, personas) -> None:
    raw = _create(client, personas.ivan)
    token = ApiToken.objects.get()
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    assert client.get(ME, headers={"X-API-Token": raw}).status_code == 401
    assert AuditEvent.objects.filter(event="api_token.revoked", actor_label="ivan").count() == 1


def test_it_stops_a_token_whose_account_left_the_organisation_or_was_deactivated(client, personas) -> None:
    raw = _create(client, personas.ivan)
    client.logout()
    personas.ivan.is_active = False
    personas.ivan.save()
    assert client.get(ME, headers={"X-API-Token": raw}).status_code == 401


def test_it_keeps_other_organisations_tokens_out_of_reach(client, personas) -> None:
    _create(client, personas.ivan)
    token = ApiToken.objects.get()
    client.force_login(personas.judy)
    assert token.prefix not in client.get("/accounts/tokens/").content.decode()
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


@pytest.mark.parametrize("who", ["dave", "audrey", "sam", "trent"])
def test_it_offers_tokens_to_organisation_accounts_only(client, personas, who) -> None:
    client.force_login(getattr(personas, who))
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_answers_me_for_a_session_too(client, personas) -> None:
    client.force_login(personas.dave)
    body = client.get(ME).json()
    assert (body["username"], body["role"], body["region"], body["via_token"]) == ("dave", "hrss_officer", "370102", False)
