"""API authentication: the browser session (with CSRF) or an organisation's API token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, SessionAuth

from .models import ApiToken


class StaffSessionAuth(SessionAuth):
    """Session auth (django-ninja enforces CSRF for it on unsafe methods)."""


class ApiTokenAuth(APIKeyHeader):
    param_name = "X-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=ApiToken.hash_token(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active or token.user.organisation_id != token.organisation_id:
            return None
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.user = token.user
        request.jixing_api_token = token  # type: ignore[attr-defined]
        return token.user
