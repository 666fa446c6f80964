from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect
from django.template import loader
from django.template.response import TemplateResponse

from jixing.core.permissions import ANY_ROLE, public, require_roles
from jixing.plan.queries import targets_with_quotes


@require_roles(ANY_ROLE)
def home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "web/home.html", {"targets": targets_with_quotes()})


@public
def root_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("web:home")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "web/error.html", {"code": 403}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "web/error.html", {"code": 404}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may be in them (H1: no traceback shown).
    return HttpResponseServerError(loader.get_template("web/error_500.html").render())
