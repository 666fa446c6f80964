"""A test URLconf: the real URLs plus views that fail or write on purpose (tests only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as real_urlpatterns
from jixing.core.permissions import ANY_ROLE, public, read_only_post, require_roles


@public
def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret-internal-detail 370102199005170133")


@require_roles(ANY_ROLE)
def write_something(request: HttpRequest) -> HttpResponse:
    return HttpResponse("written")


@read_only_post
@require_roles(ANY_ROLE)
def compute_something(request: HttpRequest) -> HttpResponse:
    return HttpResponse("computed")


urlpatterns = [
    path("__test__/explode/", explode),
    path("__test__/write/", write_something),
    path("__test__/compute/", compute_something),
    *real_urlpatterns,
]

handler403 = "jixing.web.views.error_403"
handler404 = "jixing.web.views.error_404"
handler500 = "jixing.web.views.error_500"
