"""Shared pieces of the funds pages: pagination and the funds index.

Actions run through ``core.pages.run_action`` / ``attempt`` with ``show_forbidden=True``: a
funds page is open to the role, and an action's refusal of permission (another level's review
step, maker ≠ checker, a region not the officer's) is shown on the page like any other refusal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from jixing.accounts.models import Role
from jixing.core.permissions import ANY_ROLE, AuthedRequest, require_roles

from ..queries import CLAIM_READERS

PAGE_SIZE = 25


def _page(request: HttpRequest, qs: Any, size: int = PAGE_SIZE) -> Any:
    return Paginator(qs, size).get_page(request.GET.get("page"))


@require_roles(ANY_ROLE)
def index(request: AuthedRequest) -> HttpResponse:
    role = request.user.role
    if role == Role.FINANCE_OFFICER:
        return redirect("funds:budget_list")
    if role in (Role.HRSS_OFFICER, Role.UNION_OFFICER):
        return redirect("funds:review_queue")
    if role == Role.TRAINEE:
        return redirect("funds:my_subsidies")
    if role in CLAIM_READERS:
        return redirect("funds:claim_list")
    raise PermissionDenied
