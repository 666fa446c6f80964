from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.utils import timezone

from jixing.core.permissions import ANY_ROLE, AuthedRequest, public, require_roles

from .workbench import cards_for


def scope_label(user: object) -> str:
    """Where the user works: region, department, organisation or own name."""
    for attr in ("organisation", "department", "region"):
        value = getattr(user, attr, None)
        if value is not None:
            return str(value)
    return ""


@require_roles(ANY_ROLE)
def home(request: AuthedRequest) -> HttpResponse:
    """One workbench for every role, assembled from the apps' cards (jixing/web/workbench.py)."""
    cards = cards_for(request)
    return TemplateResponse(request, "web/home.html", {
        "lead_cards": [c for c in cards if c.size == "lead"],
        "stat_cards": [c for c in cards if c.size == "stat"],
        "wide_cards": [c for c in cards if c.size == "wide"],
        "scope_label": scope_label(request.user),
        "today": timezone.localdate(),
    })


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
