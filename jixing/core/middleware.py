from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jixing.core.request_context import bound_to


class RequestContextMiddleware:
    """Make the request's IP and path available to ``audit.record`` in actions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bound_to(request):
            return self.get_response(request)
