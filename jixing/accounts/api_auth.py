"""API authentication: an organisation's API token, or the browser session (with CSRF).

Order matters (SECURITY.md B2, B6): a request carrying ``X-API-Token`` is a machine's call and is
judged by its token alone — no CSRF, which protects cookies, not headers a browser never sends
by itself; a request without the header falls to the session, whose unsafe methods keep the
CSRF check. A bad token is a 401, never a fall-back to whatever session cookie came along.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, SessionAuth

from .models import ApiToken

TOKEN_HEADER = "X-API-Token"


class StaffSessionAuth(SessionAuth):
    """Session auth (django-ninja enforces CSRF for it on unsafe methods); stands aside when
    the request carries an API token, so the token authenticator decides alone."""

    def __call__(self, request: HttpRequest) -> Any:
        if TOKEN_HEADER in request.headers:
            return None
        return super().__call__(request)


class ApiTokenAuth(APIKeyHeader):
    param_name = TOKEN_HEADER

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
