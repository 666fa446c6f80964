from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from jixing.accounts.models import Role
from jixing.core.permissions import AuthedRequest, public, require_roles

from . import health, queries


@public
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No database, nothing revealed."""
    return HttpResponse("ok", content_type="text/plain")


@public
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: ok / fail / off per part, 503 when a gating part fails."""
    result = health.readiness()
    return JsonResponse(result.as_dict(), status=200 if result.ready else 503)


@require_roles(Role.SYSTEM_ADMIN)
def operations(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "ops/operations.html", {
        "jobs": queries.job_overview(),
        "recent": queries.recent_runs(limit=30),
        "readiness": health.readiness().parts,
        "heartbeats": queries.heartbeats(),
    })
