from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from jixing.core.request_context import bound_to


class RequestContextMiddleware:
    """Make the request's IP and path available to ``audit.record`` in actions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bound_to(request):
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send settings.JIXING_CSP as the Content-Security-Policy of every response (SECURITY.md H1).

    Scripts come only from our own static files (no inline script or handler, no eval);
    ECharts and htmx are served locally. Inline *style* stays allowed: templates draw
    progress bars with computed widths, and htmx and ECharts add styles at run time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = "; ".join(f"{name} {' '.join(values)}" for name, values in settings.JIXING_CSP.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
