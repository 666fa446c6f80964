"""Idle timeout (SECURITY.md A3): a session idle longer than the limit is ended."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_KEY = "jixing_last_seen"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_KEY)
            if last is not None and now - int(last) > settings.JIXING_SESSION_IDLE_SECONDS:
                logout(request)
            else:
                request.session[_KEY] = now
        return self.get_response(request)
