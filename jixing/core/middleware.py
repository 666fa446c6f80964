from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jixing.core.request_context import RequestInfo, client_ip, current_request


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(
            RequestInfo(
                ip=client_ip(request.META),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
                path=request.path[:200],
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
